// The cpu kernels' output arrays are reused after their tensors are disposed (src/train/buffer-pool.ts):
// reuse happens, an array someone read out (dataSync) or viewed (a Slice's subarray) is never handed out
// again, and training gives the same losses bit for bit with reuse on and off.
import { beforeAll, describe, expect, it } from 'vitest';
import { tf, selectBackend } from '../../src/tensor/backend.js';
import { registerFastCpuKernels } from '../../src/train/cpu-kernels.js';
import { bufferPoolStats, installBufferPool, setBufferReuse } from '../../src/train/buffer-pool.js';
import { loadNative, registerNativeMatmul } from '../../src/train/native.js';
import { Gpt } from '../../src/train/model.js';
import { AdamW, clipScale, globalNorm } from '../../src/train/optim.js';
import { Rng } from '../../src/train/rng.js';

const filled = (n: number, f: (i: number) => number) => Float32Array.from({ length: n }, (_, i) => f(i));

describe('kernel output buffer pool', () => {
  beforeAll(async () => {
    await selectBackend({ prefer: 'cpu' });
    registerFastCpuKernels();
    if (loadNative().loaded) registerNativeMatmul();
    expect(installBufferPool()).toBe(true);
    setBufferReuse(true);
  });

  it('hands the array of a disposed output to the next kernel of that size', () => {
    const a = tf.tensor2d(filled(4096, (i) => i), [64, 64]);
    const b = tf.tensor2d(filled(4096, (i) => 1 / (i + 1)), [64, 64]);
    const before = bufferPoolStats();
    for (let i = 0; i < 10; i++) tf.add(a, b).dispose();
    const after = bufferPoolStats();
    expect(after.taken - before.taken).toBe(10);
    expect(after.reused - before.reused).toBeGreaterThanOrEqual(9);
    const c = tf.add(a, b);
    expect(c.dataSync()[4095]).toBeCloseTo(4095 + 1 / 4096, 3);
    for (const t of [a, b, c]) t.dispose();
  });

  it('never reuses an array that was read out with dataSync', () => {
    const a = tf.tensor2d(filled(4096, (i) => i % 97), [64, 64]);
    const b = tf.tensor2d(filled(4096, (i) => i % 13), [64, 64]);
    const read = tf.add(a, b);
    const values = read.dataSync() as Float32Array;
    read.dispose();
    // outputs of the same size: none may land in the array read out above
    for (let i = 0; i < 5; i++) tf.mul(a, b).dispose();
    expect(values).toEqual(filled(4096, (i) => (i % 97) + (i % 13)));
    for (const t of [a, b]) t.dispose();
  });

  it('never reuses an array another tensor views (a Slice is a subarray of its input)', () => {
    const a = tf.tensor2d(filled(4096, (i) => i % 97), [64, 64]);
    const b = tf.tensor2d(filled(4096, (i) => i % 13), [64, 64]);
    const sum = tf.add(a, b);
    const half = tf.slice(sum, [0, 0], [32, 64]);
    sum.dispose(); // half still holds a view of sum's array
    for (let i = 0; i < 5; i++) tf.mul(a, b).dispose();
    expect(half.dataSync()).toEqual(filled(2048, (i) => (i % 97) + (i % 13)));
    for (const t of [a, b, half]) t.dispose();
  });

  it('trains to the same losses, bit for bit, with reuse on and off', () => {
    const shape = { layers: 2, heads: 2, width: 32, context: 16, vocab: 61 };
    const run = (reuse: boolean) => {
      setBufferReuse(reuse);
      const model = new Gpt(shape, new Rng(11));
      const opt = new AdamW(model.params, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 });
      const rng = new Rng(4);
      const losses: number[] = [];
      for (let step = 0; step < 6; step++) {
        const B = 4;
        const ids = Int32Array.from({ length: B * shape.context }, () => rng.int(shape.vocab));
        const targets = ids.map((t) => (t + 1) % shape.vocab); // learnable: the next id
        const { value, grads } = tf.variableGrads(() => model.loss(ids, targets, B, shape.context), model.params.map((p) => p.variable));
        losses.push(value.dataSync()[0]!);
        const list = model.params.map((p) => grads[p.variable.name]!);
        opt.apply(list, 3e-3, clipScale(globalNorm(list), 1));
        value.dispose();
        list.forEach((g) => g.dispose());
      }
      opt.dispose();
      model.dispose();
      return losses;
    };
    const off = run(false);
    const before = bufferPoolStats().reused;
    const on = run(true);
    expect(bufferPoolStats().reused).toBeGreaterThan(before);
    expect(on).toEqual(off);
    expect(on.at(-1)!).toBeLessThan(on[0]!);
  });
});
