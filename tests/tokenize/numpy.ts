// Runs a Python snippet with numpy, to read our token files as an outsider would. A machine without
// python3 and numpy fails the test that needs it with a message saying what to install: it never skips.
import { spawnSync } from 'node:child_process';

export function python(script: string, args: string[] = []): string {
  const r = spawnSync('python3', ['-c', script, ...args], { encoding: 'utf8' });
  if (r.error) throw new Error(`python3 is required to read token shards as outsiders do, and could not run (${r.error.message}): install it (Debian: apt-get install -y python3-numpy)`);
  if (r.status !== 0) {
    if (/No module named ['"]?numpy/.test(r.stderr)) throw new Error('numpy is required to read token shards as outsiders do: apt-get install -y python3-numpy (or pip install numpy)');
    throw new Error(`python3 exited with ${r.status}:\n${r.stderr}`);
  }
  return r.stdout;
}
