// The cpu fast paths and fused kernels (src/train/cpu-kernels.ts) and the native ones (src/train/native.ts,
// native/curate_native.cc) give the loss and gradients TensorFlow.js's own kernels give, on a small GPT:
// computed first with tfjs's kernels, then with our JavaScript kernels, then (when the addon is built and
// CURATE_NO_NATIVE is not set) with the native kernels, and with them switched off again in the same process.
import { describe, expect, it } from 'vitest';
import { tf, selectBackend } from '../../src/tensor/backend.js';
import { Gpt } from '../../src/train/model.js';
import { Rng } from '../../src/train/rng.js';
import { globalNorm } from '../../src/train/optim.js';
import { FUSED, registerFastCpuKernels } from '../../src/train/cpu-kernels.js';
import { loadNative, nativeKernels, registerNativeMatmul, setNativeKernels } from '../../src/train/native.js';

const nativeBuilt = loadNative().loaded;

const SHAPES = [
  { layers: 2, heads: 2, width: 16, context: 8, vocab: 23 },
  // 4 heads of 8, context 12: the native attention's strides and the causal rows differ
  { layers: 1, heads: 4, width: 32, context: 12, vocab: 19 },
];

function lossAndGrads(shape = SHAPES[0]!): { loss: number; grads: Map<string, Float32Array> } {
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

function expectSame(reference: ReturnType<typeof lossAndGrads>, got: ReturnType<typeof lossAndGrads>, what: string): void {
  expect(got.loss, what).toBeCloseTo(reference.loss, 5);
  for (const [name, g] of reference.grads) {
    const f = got.grads.get(name)!;
    const scale = Math.max(1e-6, ...g.map(Math.abs));
    const worst = Math.max(...g.map((v, i) => Math.abs(v - f[i]!)));
    expect(worst / scale, `${what}: ${name}`).toBeLessThan(1e-4);
  }
}

describe('fast cpu kernels', () => {
  it('match tfjs kernels on the loss and every gradient of a small GPT (JavaScript, then native kernels)', async () => {
    await selectBackend({ prefer: 'cpu' });
    const reference = SHAPES.map((s) => lossAndGrads(s));
    registerFastCpuKernels();
    SHAPES.forEach((s, i) => expectSame(reference[i]!, lossAndGrads(s), `JavaScript kernels, shape ${i}`));
    if (!nativeBuilt) return; // no addon (CURATE_NO_NATIVE, or not built): the JavaScript kernels are all there is
    expect(registerNativeMatmul()).toBe(true);
    expect(nativeKernels()).toBeDefined();
    SHAPES.forEach((s, i) => expectSame(reference[i]!, lossAndGrads(s), `native kernels, shape ${i}`));
    setNativeKernels(false);
    SHAPES.forEach((s, i) => expectSame(reference[i]!, lossAndGrads(s), `native kernels switched off, shape ${i}`));
    setNativeKernels(true);
  });

  it.skipIf(!nativeBuilt)('native and JavaScript kernels agree one by one (AdamW, LayerNorm, GELU, softmax, cross-entropy, broadcasts, sums, matmuls)', async () => {
    await selectBackend({ prefer: 'cpu' });
    registerFastCpuKernels();
    registerNativeMatmul();
    const rng = new Rng(3);
    const rand = (shape: number[], s = 1) => tf.tensor(Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => rng.normal() * s), shape);
    const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, number> = {}) => {
      const out = tf.engine().runKernel(name, inputs as never, attrs as never) as tf.Tensor | tf.Tensor[];
      return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
    };
    const both = (f: () => Float32Array[]) => {
      setNativeKernels(false);
      const js = f();
      setNativeKernels(true);
      return { js, native: f() };
    };
    const close = (js: Float32Array[], native: Float32Array[], tol: number, what: string) => {
      expect(native.length, what).toBe(js.length);
      js.forEach((a, k) => {
        const scale = Math.max(1e-6, ...a.map(Math.abs));
        const worst = Math.max(...a.map((v, i) => Math.abs(v - native[k]![i]!)));
        expect(worst / scale, `${what} output ${k}`).toBeLessThan(tol);
      });
    };
    const x = rand([37, 48], 3);
    const g = rand([48]);
    const b = rand([48]);
    const dy = rand([37, 48]);
    let r = both(() => run(FUSED.gelu, { x }));
    close(r.js, r.native, 1e-6, 'gelu');
    r = both(() => run(FUSED.geluGrad, { x, dy }));
    close(r.js, r.native, 1e-5, 'geluGrad');
    r = both(() => run(FUSED.layerNorm, { x, g, b }, { eps: 1e-5 }));
    close(r.js, r.native, 1e-5, 'layerNorm');
    const [, xhat, rstd] = run(FUSED.layerNorm, { x, g, b }, { eps: 1e-5 });
    r = both(() => run(FUSED.layerNormGrad, { dy, xhat: tf.tensor(xhat!, [37, 48]), rstd: tf.tensor(rstd!, [37, 1]), g }));
    close(r.js, r.native, 1e-5, 'layerNormGrad');
    const scores = rand([6, 9, 9], 4);
    r = both(() => run(FUSED.causalSoftmax, { x: scores }, { scale: 0.4 }));
    close(r.js, r.native, 1e-6, 'causalSoftmax');
    const y = tf.tensor(run(FUSED.causalSoftmax, { x: scores }, { scale: 0.4 })[0]!, [6, 9, 9]);
    const dAtt = rand([6, 9, 9]);
    r = both(() => run(FUSED.causalSoftmaxGrad, { y, dy: dAtt }, { scale: 0.4 }));
    close(r.js, r.native, 1e-5, 'causalSoftmaxGrad');
    const targets = tf.tensor1d(Int32Array.from({ length: 37 }, () => rng.int(48)), 'int32');
    r = both(() => run(FUSED.crossEntropy, { logits: x, targets }));
    close(r.js, r.native, 1e-6, 'crossEntropy');
    r = both(() => run(FUSED.crossEntropyGrad, { probs: tf.softmax(x), targets, dy: tf.scalar(0.7) }));
    close(r.js, r.native, 1e-6, 'crossEntropyGrad');
    const p = rand([37, 48]);
    const v = tf.abs(rand([37, 48], 0.01));
    const attrs = { lr: 1e-3, beta1: 0.9, beta2: 0.95, eps: 1e-8, decay: 0.1, bc1: 0.271, sqrtBc2: 0.38, scale: 0.8 };
    const m = rand([37, 48], 0.1);
    r = both(() => run(FUSED.adamw, { p, g: dy, m, v }, attrs));
    // the same double-precision formula in both (the compiler may fuse multiply-adds: not bit for bit)
    close(r.js, r.native, 1e-6, 'adamw');
    for (const [what, f] of [
      ['add [N, d] + [d]', () => tf.add(x, g)],
      ['sub [d] - [N, d]', () => tf.sub(g, x)],
      ['mul [N, d] * [N, 1]', () => tf.mul(x, rand([37, 1]))],
      ['div [N, d] / [N, d]', () => tf.div(x, tf.add(tf.abs(dy), 1))],
      ['mul scalar', () => tf.mul(x, 3)],
      ['sum over rows', () => tf.sum(x, 0)],
      ['mean over rows', () => tf.mean(x, 0)],
      ['concat', () => tf.concat([x, dy, x], 1)],
      ['batched matmul, transposes', () => tf.matMul(rand([3, 7, 5]), rand([3, 6, 7]), true, true)],
      ['fused matmul with bias', () => tf.fused.matMul({ a: x, b: rand([48, 20]), bias: rand([20]) })],
      ['fused matmul, transposed, scalar bias', () => tf.fused.matMul({ a: x, b: rand([20, 48]), transposeB: true, bias: tf.scalar(0.5) })],
    ] as [string, () => tf.Tensor][]) {
      // the random operands are drawn again for the second run: same seed, same values
      const seed = rng.state;
      setNativeKernels(false);
      const js = [f().dataSync() as Float32Array];
      rng.state = seed;
      setNativeKernels(true);
      const native = [f().dataSync() as Float32Array];
      close(js, native, 1e-5, what);
    }
  });

  it('the global gradient norm in one kernel equals the norm worked out on the host', async () => {
    await selectBackend({ prefer: 'cpu' });
    registerFastCpuKernels();
    const rng = new Rng(8);
    const shapes = [[3, 5], [17], [4, 4, 4], [1]];
    const ts = shapes.map((sh) => tf.tensor(Float32Array.from({ length: sh.reduce((a, b) => a * b, 1) }, () => rng.normal() * 3), sh));
    let want = 0;
    for (const t of ts) for (const v of t.dataSync()) want += v * v;
    const before = tf.memory().numTensors;
    expect(globalNorm(ts)).toBeCloseTo(Math.sqrt(want), 4);
    expect(tf.memory().numTensors).toBe(before);
    ts.forEach((t) => t.dispose());
  });

  it('broadcasts, splits, concatenates, transposes and reduces as tfjs does', () => {
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
    expect(tf.concat(parts, 1).arraySync()).toEqual([[1, 2, 3], [4, 5, 6]]);
    expect(tf.concat([tf.tensor2d([[1, 2]]), tf.tensor2d([[3, 4], [5, 6]])], 0).arraySync()).toEqual([[1, 2], [3, 4], [5, 6]]);
  });
});
