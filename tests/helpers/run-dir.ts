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

/** `curate ...args` in this process (the CLI's main), with what it printed */
export async function curateInProcess(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const { main } = await import('../../src/cli/main.js');
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s + '\n'), err: (s) => (err += s + '\n') });
  return { code, out, err };
}
