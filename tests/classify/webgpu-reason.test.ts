// Why the WebGPU backend is skipped, told from the Vulkan this machine has (src/tensor/backend.ts): no
// loader, a loader without drivers, only Mesa's lavapipe (Debian bookworm's is too old for Dawn).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { noAdapterReason, selectBackend } from '../../src/tensor/backend.js';

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

  it('the installed webgpu package is tried and skipped here with one of those reasons', async () => {
    const c = await selectBackend({ prefer: ['webgpu', 'cpu'] });
    const skip = c.skipped.find((s) => s.backend === 'webgpu');
    // on a machine with a GPU and its Vulkan driver WebGPU loads instead
    if (c.backend === 'webgpu') return;
    expect(skip?.reason).toMatch(/no WebGPU adapter|not installed \(webgpu\)/);
  });
});
