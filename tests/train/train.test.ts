// The trainer end to end on tiny models: the loss falls, a resumed run repeats the uninterrupted run's
// losses exactly, NaN stops the run with the last good checkpoint kept, bad configs name their field.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { train } from '../../src/train/trainer.js';
import { listCheckpoints, readCheckpoint } from '../../src/train/checkpoint.js';
import { makeDataset, tempDir, tinyConfig, SHAKESPEARE } from './helpers.js';

let root: string;
let repetitive: string;
let shakespeare: string;

beforeAll(async () => {
  root = tempDir('loop');
  const rep = fs.mkdirSync(path.join(root, 'rep'), { recursive: true })!;
  const line = 'the cat sat on the mat and the dog sat on the log.';
  repetitive = await makeDataset(rep, Array.from({ length: 200 }, () => line).join('\n\n'), { valFraction: 0.1 });
  const sh = fs.mkdirSync(path.join(root, 'sh'), { recursive: true })!;
  shakespeare = await makeDataset(sh, fs.readFileSync(SHAKESPEARE, 'utf8').slice(0, 60_000));
});

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('curate train', () => {
  it('lowers the loss on a tiny repetitive corpus, logs every step and validation, writes loss.svg', async () => {
    const out = path.join(root, 'run-rep');
    const r = await train({ config: tinyConfig(repetitive, out, { steps: 30, evalIntervalSteps: 10 }, { lr: 1e-2 }), measurePeak: false });
    expect(r.status).toBe('done');
    const first = r.losses[0]!.loss;
    const last = r.losses.at(-1)!.loss;
    expect(last).toBeLessThan(first * 0.3); // 5.7 -> 0.9 nats when measured
    expect(r.val.length).toBe(3);
    expect(r.val.at(-1)!.val_ppl).toBeLessThan(Math.exp(r.unigramValLoss!));
    const lines = fs.readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    const steps = lines.filter((l) => typeof l.loss === 'number');
    expect(steps.length).toBe(30);
    expect(Object.keys(steps[0])).toEqual(expect.arrayContaining(['step', 'loss', 'lr', 'grad_norm', 'tokens', 'tokens_per_s', 'elapsed_s']));
    expect(lines.filter((l) => typeof l.val_loss === 'number').map((l) => l.step)).toEqual([10, 20, 30]);
    expect(lines[0]).toMatchObject({ event: 'start', mixed_precision: false });
    expect(fs.readFileSync(path.join(out, 'loss.svg'), 'utf8')).toMatch(/^<svg/);
    expect(listCheckpoints(out).map((c) => c.step)).toEqual([30]);
  });

  it('resumes exactly: 2N straight = N, killed, resumed to 2N', async () => {
    const N = 4;
    const base = { steps: 2 * N, checkpointIntervalSteps: N };
    const straight = await train({ config: tinyConfig(shakespeare, path.join(root, 'straight'), base, { batchTokens: 128 }), measurePeak: false });
    const out = path.join(root, 'killed');
    // the "kill": a throw two steps after the checkpoint at N, as a crash mid-run
    await expect(
      train({
        config: tinyConfig(shakespeare, out, base),
        measurePeak: false,
        onLoss: (step, loss) => {
          if (step === N + 2) throw new Error('killed');
          return loss;
        },
      }),
    ).rejects.toThrow('killed');
    expect(listCheckpoints(out).map((c) => c.step)).toEqual([N]);
    const resumed = await train({ config: tinyConfig(shakespeare, out, base), resume: true, measurePeak: false });
    expect(resumed.losses.map((l) => l.step)).toEqual([5, 6, 7, 8]);
    expect(resumed.losses.map((l) => l.loss)).toEqual(straight.losses.slice(N).map((l) => l.loss));
    // the log holds each step once, in order
    const logged = fs.readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l)).filter((l) => typeof l.loss === 'number');
    expect(logged.map((l) => l.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    // and the final weights are the same bits
    const a = readCheckpoint(listCheckpoints(path.join(root, 'straight')).at(-1)!.dir);
    const b = readCheckpoint(listCheckpoints(out).at(-1)!.dir);
    expect(Buffer.from(b.weights.get('wte')!.buffer).equals(Buffer.from(a.weights.get('wte')!.buffer))).toBe(true);
  });

  it('stops on a NaN loss without saving it, keeping the last good checkpoint', async () => {
    const out = path.join(root, 'nan');
    const r = await train({ config: tinyConfig(shakespeare, out, { steps: 10, checkpointIntervalSteps: 2 }), measurePeak: false, onLoss: (step, loss) => (step === 6 ? NaN : loss) });
    expect(r.status).toBe('nan');
    expect(r.message).toMatch(/loss is NaN at step 6/);
    expect(r.message).toMatch(/last good checkpoint .*step-00000004/);
    expect(listCheckpoints(out).map((c) => c.step)).toEqual([2, 4]);
    const ck = readCheckpoint(listCheckpoints(out).at(-1)!.dir);
    expect(Number.isFinite(ck.state.last_loss!)).toBe(true);
    expect([...ck.weights.get('wte')!].every(Number.isFinite)).toBe(true);
    const lines = fs.readFileSync(path.join(out, 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.at(-1)).toMatchObject({ event: 'nan', step: 6, loss: 'NaN' });
  });

  it('an absurd learning rate ends in a non-finite loss, caught the same way', async () => {
    const out = path.join(root, 'absurd');
    const r = await train({ config: tinyConfig(shakespeare, out, { steps: 40, checkpointIntervalSteps: 1 }, { lr: 1e9, warmupSteps: 0, clipGradNorm: 0, weightDecay: 0 }), measurePeak: false });
    expect(r.status).toBe('nan');
    const ck = readCheckpoint(listCheckpoints(out).at(-1)!.dir);
    expect(ck.state.step).toBe(r.step);
    expect(Number.isFinite(ck.state.last_loss!)).toBe(true);
  });
});
