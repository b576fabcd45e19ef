// The learning-rate schedule at known steps, and AdamW's update against the formula worked by hand
// (torch.optim.AdamW's: decay p by lr x wd first, then the bias-corrected Adam step).
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, selectBackend } from '../../src/tensor/backend.js';
import { AdamW, clipScale, learningRate } from '../../src/train/optim.js';
import { registerFastCpuKernels } from '../../src/train/cpu-kernels.js';

beforeAll(async () => {
  await selectBackend({ prefer: 'cpu' });
});

describe('learning-rate schedule', () => {
  const s = { lr: 1e-3, minLr: 1e-4, warmupSteps: 10, decaySteps: 110 };
  it('warms up linearly, then follows a cosine to the floor, then stays there', () => {
    expect(learningRate(0, s)).toBeCloseTo(1e-4, 12);
    expect(learningRate(4, s)).toBeCloseTo(5e-4, 12);
    expect(learningRate(9, s)).toBeCloseTo(1e-3, 12);
    expect(learningRate(10, s)).toBeCloseTo(1e-3, 12); // the cosine starts at the peak
    expect(learningRate(60, s)).toBeCloseTo(5.5e-4, 12); // halfway: (lr + minLr) / 2
    expect(learningRate(35, s)).toBeCloseTo(1e-4 + 0.5 * (1 + Math.cos(Math.PI / 4)) * 9e-4, 12);
    expect(learningRate(110, s)).toBeCloseTo(1e-4, 12);
    expect(learningRate(500, s)).toBe(1e-4);
  });
  it('without warmup starts at the peak', () => {
    expect(learningRate(0, { ...s, warmupSteps: 0 })).toBeCloseTo(1e-3, 12);
  });
});

describe('AdamW', () => {
  // first with TensorFlow.js ops (every backend), then with the fused cpu kernel: the same numbers
  it.each(['tf ops', 'fused cpu kernel'])('matches the hand-worked update for decayed and undecayed parameters (%s)', (how) => {
    if (how === 'fused cpu kernel') registerFastCpuKernels();
    const w = tf.variable(tf.tensor1d([1, -2]), true, `adamw-test-w-${how}`);
    const b = tf.variable(tf.tensor1d([0.5]), true, `adamw-test-b-${how}`);
    const opt = new AdamW(
      [
        { name: 'w', variable: w, decay: true },
        { name: 'b', variable: b, decay: false },
      ],
      { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 },
    );
    const lr = 0.01;
    const gw = [0.2, -0.4];
    const gb = [1];
    // by hand, t = 1 and t = 2 with the same gradients
    const expectW = [1, -2];
    const expectB = [0.5];
    let m = [0, 0, 0];
    let v = [0, 0, 0];
    const g = [...gw, ...gb];
    for (let t = 1; t <= 2; t++) {
      opt.apply([tf.tensor1d(gw), tf.tensor1d(gb)], lr, 1);
      m = m.map((mi, i) => 0.9 * mi + 0.1 * g[i]!);
      v = v.map((vi, i) => 0.95 * vi + 0.05 * g[i]! ** 2);
      const step = (i: number) => (lr * (m[i]! / (1 - 0.9 ** t))) / (Math.sqrt(v[i]! / (1 - 0.95 ** t)) + 1e-8);
      expectW[0] = expectW[0]! * (1 - lr * 0.1) - step(0);
      expectW[1] = expectW[1]! * (1 - lr * 0.1) - step(1);
      expectB[0] = expectB[0]! - step(2);
    }
    const got = [...w.dataSync(), ...b.dataSync()];
    [...expectW, ...expectB].forEach((e, i) => expect(got[i]).toBeCloseTo(e, 6));
    expect(opt.step).toBe(2);
    opt.dispose();
    w.dispose();
    b.dispose();
  });

  it('clips to the global norm as torch does', () => {
    expect(clipScale(0.5, 1)).toBe(1);
    expect(clipScale(4, 1)).toBeCloseTo(0.25, 6);
    expect(clipScale(4, 0)).toBe(1);
  });
});
