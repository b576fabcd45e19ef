// `npm test` on a fresh machine: the pretest script names what is missing and the exact command to get it
// when it cannot install it itself, and the trainer's backend line says when the native kernels lack OpenBLAS.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { nativeBackendLabel } from '../../src/train/trainer.js';

const script = 'tests/setup/system-packages.mjs';
const canDropRoot = process.getuid?.() === 0 && fs.existsSync('/usr/sbin/runuser');

describe('system packages', () => {
  it('as a user who cannot install, names the missing package and the command to run, and fails', () => {
    // a Chromium that is not there; run as nobody, who can neither apt-get nor sudo, from a copy nobody can
    // read (the checkout may sit in a folder only root can enter)
    const env = { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' };
    let r;
    if (canDropRoot) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-syspkg-'));
      fs.chmodSync(dir, 0o755);
      const copy = path.join(dir, 'system-packages.mjs');
      fs.copyFileSync(script, copy);
      fs.chmodSync(copy, 0o644);
      r = spawnSync('/usr/sbin/runuser', ['-u', 'nobody', '--', process.execPath, copy], { encoding: 'utf8', env, cwd: dir });
      fs.rmSync(dir, { recursive: true, force: true });
    } else r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8', env });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('missing: headless Chromium for the HTML report tests (tests/inspect) (chromium)');
    if (canDropRoot) expect(r.stderr).toMatch(/Run, as root:\n\n {4}apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium[ \n]/);
  });

  it('with everything there, --check passes and names nothing', () => {
    const r = spawnSync(process.execPath, [script, '--check'], { encoding: 'utf8' });
    expect(r.stderr).not.toContain('missing:');
    expect(r.status).toBe(0);
  });

  it("the trainer's backend line says when the native matmul runs without OpenBLAS, and how to fix it", () => {
    expect(nativeBackendLabel('openblas', 1)).toBe('cpu + native kernels (matmul on openblas, 1 thread)');
    const slow = nativeBackendLabel('builtin', 2);
    expect(slow).toContain('no OpenBLAS');
    expect(slow).toContain('apt-get install libopenblas-dev, then node native/build.mjs');
    expect(slow).toMatch(/2 threads\)$/);
  });
});
