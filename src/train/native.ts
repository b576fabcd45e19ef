// The optional native kernels (native/curate_native.cc, built at `npm install` by native/build.mjs into
// dist/native/ when a C++ compiler and Node's headers are there): BatchMatMul for TensorFlow.js's cpu
// backend on the backend's own Float32Arrays, through OpenBLAS when it was found. Registered with
// tf.registerKernel, so the model code, autodiff and every other op stay TensorFlow.js's; when the addon
// is missing or fails to load, nothing is registered and the cpu backend keeps its JavaScript kernel.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { tf } from '../tensor/backend.js';

interface NativeAddon {
  sgemmBatched(a: Float32Array, b: Float32Array, out: Float32Array, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, strideA: number, strideB: number): void;
  setThreads(n: number): void;
  info(): { blas: string; threads: number };
}

export interface NativeStatus {
  loaded: boolean;
  /** where it was loaded from, or why not */
  detail: string;
  blas?: string;
  threads?: number;
}

let addon: NativeAddon | undefined;
let status: NativeStatus | undefined;

/** the addon's path: dist/native/curate_native.node at the repository root (CURATE_NATIVE_PATH overrides) */
function addonPath(): string {
  if (process.env.CURATE_NATIVE_PATH) return process.env.CURATE_NATIVE_PATH;
  // src/train/ or dist/src/train/: walk up to the directory with package.json
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'native', 'curate_native.node');
}

export function loadNative(): NativeStatus {
  if (status) return status;
  if (process.env.CURATE_NO_NATIVE) return (status = { loaded: false, detail: 'CURATE_NO_NATIVE is set' });
  const file = addonPath();
  if (!fs.existsSync(file)) return (status = { loaded: false, detail: `not built (${path.relative(process.cwd(), file) || file} missing: run node native/build.mjs; needs g++, optionally libopenblas-dev)` });
  try {
    addon = createRequire(import.meta.url)(file) as NativeAddon;
    const info = addon.info();
    status = { loaded: true, detail: file, blas: info.blas, threads: info.threads };
  } catch (e) {
    status = { loaded: false, detail: `failed to load ${file}: ${(e as Error).message.split('\n')[0]}` };
  }
  return status;
}

export function setNativeThreads(n: number): void {
  if (addon && n > 0) {
    addon.setThreads(n);
    if (status) status.threads = addon.info().threads;
  }
}

let registered = false;

interface CpuBackend {
  data: { get(id: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}

/**
 * Route the cpu backend's BatchMatMul to the addon (same semantics: transposes, a batch of 1 broadcast;
 * other broadcasts fall back to tfjs's own kernel). True when it is registered.
 */
export function registerNativeMatmul(): boolean {
  if (registered) return true;
  if (!loadNative().loaded || !addon) return false;
  const original = tf.getKernel('BatchMatMul', 'cpu');
  if (!original) return false;
  const native = addon;
  tf.unregisterKernel('BatchMatMul', 'cpu');
  tf.registerKernel({
    kernelName: 'BatchMatMul',
    backendName: 'cpu',
    kernelFunc: (args) => {
      const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
      const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
      const backend = args.backend as unknown as CpuBackend;
      const ra = a.shape.length;
      const rb = b.shape.length;
      const batchA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
      const batchB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
      if (a.dtype !== 'float32' || b.dtype !== 'float32' || (batchA !== batchB && batchA !== 1 && batchB !== 1)) {
        return original.kernelFunc(args);
      }
      const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
      const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
      const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
      const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
      if (k !== kb) throw new Error(`matMul: inner shapes ${k} and ${kb} of [${a.shape}] and [${b.shape}] (transposeA=${transposeA}, transposeB=${transposeB}) must match`);
      const batch = Math.max(batchA, batchB);
      const outer = (batchA >= batchB ? a : b).shape.slice(0, -2);
      const out = new Float32Array(batch * m * n);
      native.sgemmBatched(backend.data.get(a.dataId).values, backend.data.get(b.dataId).values, out, batch, m, n, k, transposeA, transposeB, batchA === 1 ? 0 : m * k, batchB === 1 ? 0 : k * n);
      return backend.makeTensorInfo([...outer, m, n], 'float32', out);
    },
  });
  registered = true;
  return true;
}
