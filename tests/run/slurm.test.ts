import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { curate, runOutputs } from '../helpers/run-dir.js';

// The Slurm executor on a real one-node Slurm (.ci/run starts it with .ci/slurm-up): job arrays per pass
// chained by afterok, and the same outputs as the local executor.
const sinfo = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' });
const slurmUp = sinfo.status === 0 && /idle|mix|alloc/.test(sinfo.stdout);
if (!slurmUp) {
  console.warn(`SKIPPED tests/run/slurm.test.ts: no running Slurm here (sinfo: ${sinfo.error?.message ?? (sinfo.stderr || sinfo.stdout).trim()}); start one with .ci/slurm-up (needs apt-get install slurm-wlm munge)`);
}

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-slurm-'));
const real = fs.readFileSync('tests/fixtures/docs/cc-2019-30-40docs.jsonl', 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { id: string; text: string });



describe.skipIf(!slurmUp)('slurm executor', () => {
  const input = path.join(tmp, 'in');
  fs.mkdirSync(input, { recursive: true });
  for (let k = 0; k < 3; k++) {
    const docs = real.filter((_, j) => (j + k) % 2 === 0).map((d, j) => ({ id: `${d.id}-${k}-${j}`, text: d.text }));
    fs.writeFileSync(path.join(input, `shard-${k}.jsonl`), docs.map((d) => JSON.stringify(d)).join('\n') + '\n');
  }
  const yaml = path.join(tmp, 'p.yaml');
  fs.writeFileSync(yaml, `name: slurm-test\ninput:\n  paths: [${input}]\noutput:\n  formats: [parquet]\nstages:\n  - exact_dedup\n  - length:\n      minWords: 50\n  - gopher_quality\n`);

  it('runs the passes as job arrays and writes what the local executor writes; resubmitting skips done tasks', () => {
    const local = curate(['run', yaml, '--output', path.join(tmp, 'local'), '--workers', '1']);
    expect(local.status, local.stderr).toBe(0);
    const dir = path.join(tmp, 'slurm');
    const r = curate(['run', yaml, '--output', dir, '--executor', 'slurm', '--tasks', '2', '--wait']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/submitted pass:0 \(array of 2\): job \d+/);
    expect(r.stderr).toMatch(/submitted reduce:0: job \d+ after \d+/);
    expect(r.stderr).toMatch(/submitted finalize: job \d+ after \d+/);
    expect(fs.readdirSync(path.join(dir, 'slurm', 'logs'))).toEqual(expect.arrayContaining(['pass-0.0.log', 'pass-0.1.log', 'reduce-0.log', 'pass-1.0.log', 'finalize.log']));
    expect(runOutputs(dir)).toEqual(runOutputs(path.join(tmp, 'local')));
    const stats = (d: string) => JSON.parse(fs.readFileSync(path.join(tmp, d, 'stats.json'), 'utf8'));
    expect(stats('slurm').totals).toEqual(stats('local').totals);
    expect(curate(['status', dir]).stdout).toContain('finished');

    const again = curate(['run', yaml, '--output', dir, '--executor', 'slurm', '--tasks', '2', '--wait']);
    expect(again.status, again.stderr).toBe(0);
    const log0 = fs.readFileSync(path.join(dir, 'slurm', 'logs', 'pass-0.0.log'), 'utf8');
    expect(log0).toContain('done in an earlier run, skipped');
    expect(runOutputs(dir)).toEqual(runOutputs(path.join(tmp, 'local')));
  }, 180_000);
});
