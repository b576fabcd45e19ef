// The cpu fast paths and fused kernels (src/train/cpu-kernels.ts) give the loss and gradients TensorFlow.js's
// own kernels give, on a small GPT: computed first with tfjs's kernels, then again with ours registered.
import { describe, expect, it } from 'vitest';
import { tf, selectBackend } from '../../src/tensor/backend.js';
import { Gpt } from '../../src/train/model.js';
import { Rng } from '../../src/train/rng.js';
import { registerFastCpuKernels } from '../../src/train/cpu-kernels.js';

function lossAndGrads(): { loss: number; grads: Map<string, Float32Array> } {
  const shape = { layers: 2, heads: 2, width: 16, context: 8, vocab: 23 };
  const model = new Gpt(shape, new Rng(5));
  const rng = new Rng(9);
  const B = 3;
  const ids = Int32Array.from({ length: B * shape.context }, () => rng.int(shape.vocab));
  const targets = Int32Array.from({ length: B * shape.context }, () => rng.int(shape.vocab));
  const { value, grads } = tf.variableGrads(() => model.loss(ids, targets, B, shape.context), model.params.map((p) => p.variable));
  const out = { loss: value.dataSync()[0]!, grads: new Map(model.params.map((p) => [p.name, grads[p.variable.name]!.dataSync() as Float32Array])) };
  value.dispose();
  Object.values(grads).forEach((g) => g.dispose());
  model.dispose();
  return out;
}

describe('fast cpu kernels', () => {
  it('match tfjs kernels on the loss and every gradient of a small GPT', async () => {
    await selectBackend({ prefer: 'cpu' });
    const reference = lossAndGrads();
    registerFastCpuKernels();
    const fast = lossAndGrads();
    expect(fast.loss).toBeCloseTo(reference.loss, 5);
    for (const [name, g] of reference.grads) {
      const f = fast.grads.get(name)!;
      const scale = Math.max(1e-6, ...g.map(Math.abs));
      const worst = Math.max(...g.map((v, i) => Math.abs(v - f[i]!)));
      expect(worst / scale, name).toBeLessThan(1e-4);
    }
  });

  it('broadcasts, splits, transposes and reduces as tfjs does', () => {
    registerFastCpuKernels();
    const a = tf.tensor3d(Array.from({ length: 24 }, (_, i) => i * 0.5 - 3), [2, 3, 4]);
    const checks: [tf.Tensor, number[]][] = [
      [tf.add(a, tf.tensor1d([1, 2, 3, 4])), [...a.dataSync()].map((v, i) => v + [1, 2, 3, 4][i % 4]!)],
      [tf.sub(tf.tensor1d([1, 2, 3, 4]), a), [...a.dataSync()].map((v, i) => [1, 2, 3, 4][i % 4]! - v)],
      [tf.mul(a, tf.tensor3d([2, 3, 4, 5, 6, 7], [2, 3, 1])), [...a.dataSync()].map((v, i) => v * (2 + Math.floor(i / 4)))],
      [tf.div(a, 2), [...a.dataSync()].map((v) => v / 2)],
      [tf.sum(a, 0), [...Array(12).keys()].map((i) => a.dataSync()[i]! + a.dataSync()[i + 12]!)],
      [tf.mean(a, -1), [...Array(6).keys()].map((r) => [0, 1, 2, 3].reduce((s, j) => s + a.dataSync()[r * 4 + j]!, 0) / 4)],
    ];
    for (const [t, want] of checks) [...t.dataSync()].forEach((v, i) => expect(v).toBeCloseTo(want[i]!, 5));
    const x = tf.tensor4d(Array.from({ length: 2 * 3 * 2 * 4 }, (_, i) => i), [2, 3, 2, 4]);
    const tr = tf.transpose(x, [0, 2, 1, 3]);
    expect(tr.shape).toEqual([2, 2, 3, 4]);
    expect(tr.arraySync()).toEqual(tf.tidy(() => tf.tensor4d(x.arraySync() as number[][][][]).arraySync() as number[][][][]).map((b) => [0, 1].map((h) => b.map((t) => t[h]!))));
    const parts = tf.split(tf.tensor2d([1, 2, 3, 4, 5, 6], [2, 3]), [1, 2], 1);
    expect(parts.map((p) => p.arraySync())).toEqual([[[1], [4]], [[2, 3], [5, 6]]]);
  });
});
