// Helpers for tests that run the `curate` command and compare what runs wrote.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

/** `node bin/curate.js ...args` with CI set (no progress line), synchronously */
export function curate(args: string[]) {
  return spawnSync(process.execPath, ['bin/curate.js', ...args], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
}

/** every output file of a run dir (docs/ and dropped/) with its bytes, for byte-for-byte comparisons */
export function runOutputs(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const sub of ['docs', 'dropped']) {
    const d = path.join(dir, sub);
    if (fs.existsSync(d)) for (const f of fs.readdirSync(d).sort()) out[`${sub}/${f}`] = fs.readFileSync(path.join(d, f)).toString('base64');
  }
  return out;
}
