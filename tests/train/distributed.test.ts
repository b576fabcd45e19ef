// Data-parallel training: the ring all-reduce sums what every rank holds; `curate train --workers 2`
// follows the loss curve of one worker at the same global batch (float tolerance: the sums are added in
// another order); a checkpoint of a 2-worker run resumes with 1 worker; a rank that dies stops the run,
// names the last good checkpoint, and --resume continues.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { TcpRing } from '../../src/train/ring.js';
import { makeDataset, SHAKESPEARE, tempDir } from './helpers.js';
import { mulberry32 } from '../../src/core/random.js';

describe('ring all-reduce over TCP', () => {
  it.each([2, 3])('sums the buffers of %i ranks, every rank getting the same bits, for any length', async (world) => {
    const port = 30000 + Math.floor(Math.random() * 20000);
    const rings = await Promise.all(Array.from({ length: world }, (_, rank) => TcpRing.join({ rank, world, addr: `127.0.0.1:${port}`, timeoutMs: 10_000 })));
    try {
      for (const L of [1, 2, 7, 1000, 65_537]) {
        const rnd = mulberry32(L);
        const bufs = rings.map(() => Float32Array.from({ length: L }, () => rnd() * 2 - 1));
        const want = new Float64Array(L);
        for (const b of bufs) for (let i = 0; i < L; i++) want[i]! += b[i]!;
        await Promise.all(rings.map((r, i) => r.allReduceSum(bufs[i]!)));
        for (let i = 0; i < L; i++) expect(Math.abs(bufs[0]![i]! - want[i]!)).toBeLessThan(1e-5);
        for (const b of bufs.slice(1)) expect(Buffer.from(b.buffer).equals(Buffer.from(bufs[0]!.buffer))).toBe(true);
      }
    } finally {
      for (const r of rings) r.close();
    }
  });
});

const CURATE = path.resolve('bin/curate.js');
const run = (args: string[], env: Record<string, string> = {}) => spawnSync(process.execPath, [CURATE, 'train', ...args], { encoding: 'utf8', env: { ...process.env, CI: '1', ...env }, timeout: 240_000 });
const losses = (out: string) =>
  fs
    .readFileSync(path.join(out, 'log.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { step?: number; loss?: number })
    .filter((l) => typeof l.loss === 'number')
    .map((l) => [l.step!, l.loss!] as const);

describe('curate train --workers', () => {
  let yaml: string;
  let root: string;
  beforeAll(async () => {
    root = tempDir('dist');
    const data = await makeDataset(root, fs.readFileSync(SHAKESPEARE, 'utf8').slice(0, 60_000), { context: 16 });
    yaml = path.join(root, 'tiny.yaml');
    // 4 microbatches of 4 x 16 per step: 2 each on 2 ranks
    fs.writeFileSync(
      yaml,
      [
        'name: tiny-dp',
        `data: ${data}`,
        `out: ${path.join(root, 'unused')}`,
        'model: { layers: 1, heads: 2, width: 32, context: 16, vocab: auto }',
        'optimizer: { lr: 0.003, warmupSteps: 2, decaySteps: 8, batchTokens: 256, microBatch: 4 }', // the schedule's length fixed: --steps 4 then --resume keeps it
        'steps: 8',
        'evalIntervalSteps: 4',
        'evalTokens: 256',
        'checkpointIntervalSteps: 4',
        'logIntervalSteps: 1',
        'backend: cpu',
        'threads: 1',
      ].join('\n') + '\n',
    );
  });

  it('2 workers follow the loss curve of 1 worker at the same global batch', () => {
    const one = path.join(root, 'w1');
    const two = path.join(root, 'w2');
    const a = run([yaml, '--out', one]);
    expect(a.status, a.stderr).toBe(0);
    const b = run([yaml, '--out', two, '--workers', '2']);
    expect(b.status, b.stderr).toBe(0);
    expect(b.stderr).toMatch(/data parallel: 2 ranks, 2 microbatches each per step/);
    const l1 = losses(one);
    const l2 = losses(two);
    expect(l1).toHaveLength(8);
    expect(l2.map(([s]) => s)).toEqual(l1.map(([s]) => s));
    // the same data and the same updates; only the order of float additions differs
    for (let i = 0; i < l1.length; i++) expect(Math.abs(l2[i]![1] - l1[i]![1])).toBeLessThan(2e-4 * Math.max(1, l1[i]![1]));
    // only rank 0 wrote checkpoints, at the same steps
    expect(fs.readdirSync(path.join(two, 'checkpoints')).sort()).toEqual(fs.readdirSync(path.join(one, 'checkpoints')).sort());
  });

  it('a 2-worker checkpoint resumes with 1 worker; a worker count that does not divide the batch is refused', () => {
    const out = path.join(root, 'resume');
    const a = run([yaml, '--out', out, '--workers', '2', '--steps', '4']);
    expect(a.status, a.stderr).toBe(0);
    const b = run([yaml, '--out', out, '--resume']);
    expect(b.status, b.stderr).toBe(0);
    const straight = losses(path.join(root, 'w1'));
    const resumed = losses(out);
    expect(resumed.map(([s]) => s)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    for (let i = 0; i < 8; i++) expect(Math.abs(resumed[i]![1] - straight[i]![1])).toBeLessThan(2e-4 * Math.max(1, straight[i]![1]));
    const bad = run([yaml, '--out', path.join(root, 'bad'), '--workers', '3']);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/--workers 3: each step's 4 microbatches .* do not split evenly over 3 ranks/);
  });

  it('a rank that dies stops the run with the last good checkpoint named; --resume continues', () => {
    const out = path.join(root, 'dies');
    const a = run([yaml, '--out', out, '--workers', '2'], { CURATE_TRAIN_EXIT_AT: '1:6' });
    expect(a.status).toBe(1);
    expect(a.stderr).toMatch(/rank 1 of 2 exited with code 3; the run stopped\. The last good checkpoint is .*step-00000004: rerun with --resume/);
    const b = run([yaml, '--out', out, '--workers', '2', '--resume']);
    expect(b.status, b.stderr).toBe(0);
    expect(losses(out).map(([s]) => s)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });
});

// a real one-node Slurm (.ci/run starts it with .ci/slurm-up): srun starts the ranks, the first node is rank 0
const sinfo = spawnSync('sinfo', ['-h', '-o', '%T %c'], { encoding: 'utf8' });
const slurmUp = sinfo.status === 0 && /idle|mix/.test(sinfo.stdout) && Number(sinfo.stdout.trim().split(/\s+/)[1]) >= 2;
describe.skipIf(!slurmUp)('curate train --executor slurm', () => {
  it('runs 2 ranks with srun on one node and follows the 1-worker loss curve', async () => {
    const root = tempDir('dist-slurm');
    const data = await makeDataset(root, fs.readFileSync(SHAKESPEARE, 'utf8').slice(0, 60_000), { context: 16 });
    const yaml = path.join(root, 'tiny.yaml');
    fs.writeFileSync(yaml, ['name: tiny-dp-slurm', `data: ${data}`, `out: ${path.join(root, 'unused')}`, 'model: { layers: 1, heads: 2, width: 32, context: 16, vocab: auto }', 'optimizer: { lr: 0.003, warmupSteps: 2, batchTokens: 256, microBatch: 4 }', 'steps: 4', 'evalIntervalSteps: 0', 'checkpointIntervalSteps: 0', 'logIntervalSteps: 1', 'backend: cpu', 'threads: 1'].join('\n') + '\n');
    const one = run([yaml, '--out', path.join(root, 'w1')]);
    expect(one.status, one.stderr).toBe(0);
    const out = path.join(root, 'slurm');
    const r = run([yaml, '--out', out, '--executor', 'slurm', '--nodes', '1', '--tasks-per-node', '2', '--wait']);
    expect(r.status, `${r.stderr}\n${fs.readdirSync(path.join(out, 'slurm')).map((f) => fs.readFileSync(path.join(out, 'slurm', f), 'utf8')).join('\n')}`).toBe(0);
    expect(fs.readFileSync(path.join(out, 'slurm', 'train.sbatch'), 'utf8')).toMatch(/srun --kill-on-bad-exit=1/);
    const a = losses(path.join(root, 'w1'));
    const b = losses(out);
    expect(b.map(([s]) => s)).toEqual([1, 2, 3, 4]);
    for (let i = 0; i < 4; i++) expect(Math.abs(b[i]![1] - a[i]![1])).toBeLessThan(2e-4 * Math.max(1, a[i]![1]));
  }, 300_000);
});
