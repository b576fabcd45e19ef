// Why the WebGPU backend is skipped, told from the Vulkan this machine has (src/tensor/backend.ts): no
// loader, a loader without drivers, only Mesa's lavapipe (Debian bookworm's is too old for Dawn).
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { noAdapterReason, selectBackend, vulkanLoaderPresent } from '../../src/tensor/backend.js';

function machine(files: string[]): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-vk-'));
  for (const f of files) {
    fs.mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    fs.writeFileSync(path.join(root, f), '');
  }
  return root;
}

describe('the WebGPU skip reason', () => {
  it('names what is missing', () => {
    expect(noAdapterReason(machine([]))).toMatch(/no Vulkan loader \(libvulkan\.so\.1\)/);
    expect(noAdapterReason(machine(['usr/lib/x86_64-linux-gnu/libvulkan.so.1']))).toMatch(/no driver \(ICD\)/);
    expect(noAdapterReason(machine(['usr/lib/x86_64-linux-gnu/libvulkan.so.1', 'usr/share/vulkan/icd.d/lvp_icd.x86_64.json']))).toMatch(/only Mesa's software Vulkan \(lavapipe\).*too old for Dawn/);
    expect(noAdapterReason(machine(['usr/lib/x86_64-linux-gnu/libvulkan.so.1', 'usr/share/vulkan/icd.d/lvp_icd.x86_64.json', 'etc/vulkan/icd.d/nvidia_icd.json']))).toMatch(/nvidia_icd\.json/);
  });

  it('finds the Vulkan loader where the dynamic linker would: LD_LIBRARY_PATH, ld.so.conf.d, the system directories', () => {
    const none = { LD_LIBRARY_PATH: undefined };
    expect(vulkanLoaderPresent(machine([]), none)).toBe(false);
    expect(vulkanLoaderPresent(machine(['usr/lib64/libvulkan.so.1']), none)).toBe(true);
    const driver = machine(['opt/gpu/lib/libvulkan.so.1']);
    expect(vulkanLoaderPresent(driver, none)).toBe(false);
    expect(vulkanLoaderPresent(driver, { LD_LIBRARY_PATH: '/nowhere:/opt/gpu/lib' })).toBe(true);
    fs.mkdirSync(path.join(driver, 'etc/ld.so.conf.d'), { recursive: true });
    fs.writeFileSync(path.join(driver, 'etc/ld.so.conf.d/gpu.conf'), '# the driver\n/opt/gpu/lib\n');
    expect(vulkanLoaderPresent(driver, none)).toBe(true);
    expect(noAdapterReason(driver, none)).toMatch(/no driver \(ICD\)/);
    const listed = machine(['usr/lib/gpu/libvulkan.so.1', 'etc/ld.so.conf']);
    expect(vulkanLoaderPresent(listed, none)).toBe(false);
    fs.writeFileSync(path.join(listed, 'etc/ld.so.conf'), 'include /etc/ld.so.conf.d/*.conf\n/usr/lib/gpu\n');
    expect(vulkanLoaderPresent(listed, none)).toBe(true);
  });

  it('without a Vulkan loader, Dawn is not started: no warning of its own on stderr', () => {
    if (vulkanLoaderPresent()) return; // a machine with Vulkan: Dawn's own messages are its business
    const backend = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'src', 'tensor', 'backend.js');
    const script = `import(${JSON.stringify(backend)}).then(async (m) => { const c = await m.selectBackend({ prefer: ['webgpu', 'cpu'] }); console.log(c.describe()); })`;
    const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/tensorflow backend: cpu \(forced\) \(skipped webgpu: (no WebGPU adapter: no Vulkan loader|not installed \(webgpu\))/);
    expect(run.stderr).not.toMatch(/Vulkan/);
  });

  it('the installed webgpu package is tried and skipped here with one of those reasons', async () => {
    const c = await selectBackend({ prefer: ['webgpu', 'cpu'] });
    const skip = c.skipped.find((s) => s.backend === 'webgpu');
    // on a machine with a GPU and its Vulkan driver WebGPU loads instead
    if (c.backend === 'webgpu') return;
    expect(skip?.reason).toMatch(/no WebGPU adapter|not installed \(webgpu\)/);
  });
});
