// A GPT-2-style decoder-only transformer in TensorFlow.js: token + learned position embeddings, pre-norm
// blocks (LayerNorm -> causal multi-head attention -> residual, LayerNorm -> GELU MLP 4x -> residual), a
// final LayerNorm and the output projection tied to the token embedding. Used by the trainer and `sample`.
//
// Built for few, large ops (the cost on the cpu and WASM backends is per op as much as per FLOP):
// one [N, d] x [d, 3d] matmul for Q, K and V; attention for every head at once as batched matmuls on
// [B*H, T, d/H]; LayerNorm, GELU, the embedding lookup and the cross-entropy as tf.customGrad ops whose
// backward is written out (a handful of ops instead of the dozens autodiff would record), and whose
// backward never needs tf.gather's gradient (UnsortedSegmentSum, missing in WASM).
import { tf } from '../tensor/backend.js';
import { Rng } from './rng.js';
import { FUSED, fusedActive } from './cpu-kernels.js';
import { nativeAttention } from './native.js';

const run = (name: string, inputs: Record<string, tf.Tensor>, attrs: Record<string, number> = {}) => tf.engine().runKernel(name, inputs as never, attrs as never) as tf.Tensor | tf.Tensor[];

export interface GptShape {
  layers: number;
  heads: number;
  width: number;
  context: number;
  vocab: number;
}

export interface Param {
  name: string;
  variable: tf.Variable;
  /** AdamW decays it (matmul weights, and the embeddings when decayEmbeddings) */
  decay: boolean;
}

const LN_EPS = 1e-5;

/** tfjs variable names are global to the process: each model gets its own prefix */
let instances = 0;

export class Gpt {
  readonly params: Param[] = [];
  private readonly byName = new Map<string, tf.Variable>();
  private masks = new Map<number, tf.Tensor2D>();

  constructor(
    readonly shape: GptShape,
    init: Rng | Map<string, Float32Array>,
    decayEmbeddings = true,
  ) {
    const { layers, width: d, context, vocab } = shape;
    const prefix = `gpt${++instances}/`;
    if (d % shape.heads) throw new Error(`width ${d} is not a multiple of heads ${shape.heads}`);
    // GPT-2's initialization: N(0, 0.02), the projections into the residual stream scaled by 1/sqrt(2 layers)
    const std = 0.02;
    const residualStd = std / Math.sqrt(2 * layers);
    const add = (name: string, dims: number[], kind: 'normal' | 'residual' | 'zeros' | 'ones', decay: boolean) => {
      const size = dims.reduce((a, b) => a * b, 1);
      let values: Float32Array;
      if (init instanceof Map) {
        const v = init.get(name);
        if (!v) throw new Error(`weights have no '${name}'`);
        if (v.length !== size) throw new Error(`weights '${name}' have ${v.length} values, the model needs ${size} ([${dims.join(', ')}])`);
        values = v;
      } else {
        values = new Float32Array(size);
        if (kind === 'ones') values.fill(1);
        else if (kind !== 'zeros') {
          const s = kind === 'residual' ? residualStd : std;
          for (let i = 0; i < size; i++) values[i] = init.normal() * s;
        }
      }
      const variable = tf.variable(tf.tensor(values, dims, 'float32'), true, prefix + name);
      this.params.push({ name, variable, decay });
      this.byName.set(name, variable);
    };
    add('wte', [vocab, d], 'normal', decayEmbeddings);
    add('wpe', [context, d], 'normal', decayEmbeddings);
    for (let l = 0; l < layers; l++) {
      const p = `h${l}.`;
      add(p + 'ln1.g', [d], 'ones', false);
      add(p + 'ln1.b', [d], 'zeros', false);
      add(p + 'attn.wqkv', [d, 3 * d], 'normal', true);
      add(p + 'attn.bqkv', [3 * d], 'zeros', false);
      add(p + 'attn.wproj', [d, d], 'residual', true);
      add(p + 'attn.bproj', [d], 'zeros', false);
      add(p + 'ln2.g', [d], 'ones', false);
      add(p + 'ln2.b', [d], 'zeros', false);
      add(p + 'mlp.wfc', [d, 4 * d], 'normal', true);
      add(p + 'mlp.bfc', [4 * d], 'zeros', false);
      add(p + 'mlp.wproj', [4 * d, d], 'residual', true);
      add(p + 'mlp.bproj', [d], 'zeros', false);
    }
    add('lnf.g', [d], 'ones', false);
    add('lnf.b', [d], 'zeros', false);
  }

  /** parameters, the tied embedding counted once */
  get parameterCount(): number {
    return this.params.reduce((s, p) => s + p.variable.size, 0);
  }

  get(name: string): tf.Variable {
    const v = this.byName.get(name);
    if (!v) throw new Error(`no parameter '${name}'`);
    return v;
  }

  /** 0 on and below the diagonal, -1e9 above: added to the attention scores */
  private causalMask(T: number): tf.Tensor2D {
    let m = this.masks.get(T);
    if (!m) {
      const values = new Float32Array(T * T);
      for (let i = 0; i < T; i++) for (let j = i + 1; j < T; j++) values[i * T + j] = -1e9;
      m = tf.keep(tf.tensor2d(values, [T, T]));
      this.masks.set(T, m);
    }
    return m;
  }

  /**
   * The final hidden states [B*T, d] of B sequences of T tokens (ids row-major, B*T of them).
   * `lastOnly` keeps only each sequence's last position ([B, d]), for sampling.
   */
  hidden(ids: Int32Array, B: number, T: number, lastOnly = false): tf.Tensor2D {
    const { layers, heads: H, width: d, context } = this.shape;
    if (T > context) throw new Error(`sequence of ${T} tokens is longer than the model's context ${context}`);
    const N = B * T;
    const dh = d / H;
    const idsT = tf.tensor1d(ids, 'int32');
    const tok = embedding(this.get('wte'), idsT, this.shape.vocab);
    const pos = T === context ? this.get('wpe') : tf.slice(this.get('wpe'), [0, 0], [T, d]);
    let x = tf.reshape(tf.add(tf.reshape(tok, [B, T, d]), pos), [N, d]) as tf.Tensor2D;
    const mask = this.causalMask(T);
    const scale = 1 / Math.sqrt(dh);
    for (let l = 0; l < layers; l++) {
      const p = `h${l}.`;
      const h = layerNorm(x, this.get(p + 'ln1.g'), this.get(p + 'ln1.b'));
      const qkv = linear(h, this.get(p + 'attn.wqkv'), this.get(p + 'attn.bqkv'));
      // with the native kernels: every head at once, read straight out of qkv (native.ts)
      let y = nativeAttention(qkv, B, T, H, scale);
      if (!y) {
        // [N, 3d] -> [B, T, 3H, dh] -> [B, 3H, T, dh]: one transpose for all three
        const heads = tf.transpose(tf.reshape(qkv, [B, T, 3 * H, dh]), [0, 2, 1, 3]);
        const [q, k, v] = tf.split(heads, 3, 1).map((t) => tf.reshape(t, [B * H, T, dh]) as tf.Tensor3D);
        const att = causalSoftmax(tf.matMul(q!, k!, false, true), scale, mask);
        y = tf.reshape(tf.transpose(tf.reshape(tf.matMul(att, v!), [B, H, T, dh]), [0, 2, 1, 3]), [N, d]) as tf.Tensor2D;
      }
      x = tf.add(x, linear(y, this.get(p + 'attn.wproj'), this.get(p + 'attn.bproj')));
      const h2 = layerNorm(x, this.get(p + 'ln2.g'), this.get(p + 'ln2.b'));
      const f = gelu(linear(h2, this.get(p + 'mlp.wfc'), this.get(p + 'mlp.bfc')));
      x = tf.add(x, linear(f as tf.Tensor2D, this.get(p + 'mlp.wproj'), this.get(p + 'mlp.bproj')));
    }
    if (lastOnly) x = tf.reshape(tf.slice(tf.reshape(x, [B, T, d]), [0, T - 1, 0], [B, 1, d]), [B, d]);
    return layerNorm(x, this.get('lnf.g'), this.get('lnf.b'));
  }

  /** logits [rows, vocab]: the hidden states times the token embedding, transposed (weight tying) */
  logits(hidden: tf.Tensor2D): tf.Tensor2D {
    return tf.matMul(hidden, this.get('wte'), false, true);
  }

  /** mean next-token cross-entropy of B sequences: ids and targets both B*T, row-major */
  loss(ids: Int32Array, targets: Int32Array, B: number, T: number): tf.Scalar {
    return crossEntropy(this.logits(this.hidden(ids, B, T)), targets);
  }

  /** every weight as a Float32Array, by name */
  weights(): Map<string, Float32Array> {
    return new Map(this.params.map((p) => [p.name, p.variable.dataSync() as Float32Array]));
  }

  dispose(): void {
    for (const p of this.params) p.variable.dispose();
    for (const m of this.masks.values()) m.dispose();
    this.masks.clear();
  }
}

// tf.customGrad's type takes `...args: (Tensor | GradSaveFunc)[]`; these ops name their inputs
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const customGrad = (f: (...args: any[]) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] }) =>
  tf.customGrad(f as unknown as Parameters<typeof tf.customGrad>[0]);

/** x W + b; on cpu one bias-fused matmul (tf.fused.matMul: the bias is the matmul's initial output) */
function linear(x: tf.Tensor2D, w: tf.Tensor, b: tf.Tensor): tf.Tensor2D {
  if (fusedActive()) return tf.fused.matMul({ a: x, b: w as tf.Tensor2D, bias: b }) as tf.Tensor2D;
  return tf.add(tf.matMul(x, w as tf.Tensor2D), b) as tf.Tensor2D;
}

/** rows of `table` [V, d] at ids; the backward adds each row's gradient onto its id (scatterND sums repeats) */
export function embedding(table: tf.Tensor2D | tf.Variable, ids: tf.Tensor1D, vocab: number): tf.Tensor2D {
  const n = ids.shape[0];
  const d = table.shape[1]!;
  // tensors a backward uses are passed through save(): anything else made in the forward is disposed by then
  const op = customGrad((t: tf.Tensor, save: tf.GradSaveFunc) => {
    save([ids]);
    return {
      value: tf.gather(t, ids),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.scatterND(tf.reshape(saved[0]!, [n, 1]), dy, [vocab, d]),
    };
  });
  return op(table as tf.Tensor) as tf.Tensor2D;
}

/** LayerNorm over the last axis of [N, d], with the backward written out */
export function layerNorm(x: tf.Tensor2D, gain: tf.Tensor, bias: tf.Tensor): tf.Tensor2D {
  if (fusedActive()) {
    // cpu: one kernel each way (cpu-kernels.ts), the same formulas
    const fused = customGrad((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
      const [y, xhat, rstd] = run(FUSED.layerNorm, { x: xi, g, b }, { eps: LN_EPS }) as tf.Tensor[];
      save([xhat!, rstd!, g]);
      return {
        value: y!,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run(FUSED.layerNormGrad, { dy, xhat: saved[0]!, rstd: saved[1]!, g: saved[2]! }) as tf.Tensor[],
      };
    });
    return fused(x, gain, bias) as tf.Tensor2D;
  }
  const op = customGrad((xi: tf.Tensor, g: tf.Tensor, b: tf.Tensor, save: tf.GradSaveFunc) => {
    const mean = tf.mean(xi, -1, true);
    const xc = tf.sub(xi, mean);
    const rstd = tf.rsqrt(tf.add(tf.mean(tf.square(xc), -1, true), LN_EPS));
    const xhat = tf.mul(xc, rstd);
    save([xhat, rstd, g]);
    return {
      value: tf.add(tf.mul(xhat, g), b),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xh, rs, gg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        const dxhat = tf.mul(dy, gg);
        // dx = rstd * (dxhat - mean(dxhat) - xhat * mean(dxhat * xhat))
        const dx = tf.mul(rs, tf.sub(tf.sub(dxhat, tf.mean(dxhat, -1, true)), tf.mul(xh, tf.mean(tf.mul(dxhat, xh), -1, true))));
        return [dx, tf.sum(tf.mul(dy, xh), 0), tf.sum(dy, 0)];
      },
    };
  });
  return op(x, gain, bias) as tf.Tensor2D;
}

const GELU_C = Math.sqrt(2 / Math.PI);

/** GELU, GPT-2's tanh form: 0.5 x (1 + tanh(c (x + 0.044715 x^3))) */
export function gelu(x: tf.Tensor): tf.Tensor {
  if (fusedActive()) {
    const fused = customGrad((xi: tf.Tensor, save: tf.GradSaveFunc) => {
      save([xi]);
      return { value: run(FUSED.gelu, { x: xi }) as tf.Tensor, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run(FUSED.geluGrad, { x: saved[0]!, dy }) as tf.Tensor };
    });
    return fused(x);
  }
  const op = customGrad((xi: tf.Tensor, save: tf.GradSaveFunc) => {
    const x2 = tf.square(xi);
    const th = tf.tanh(tf.mul(tf.mul(xi, tf.add(tf.mul(x2, 0.044715), 1)), GELU_C));
    save([xi, x2, th]);
    return {
      value: tf.mul(tf.mul(xi, 0.5), tf.add(th, 1)),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [xs, xx, t] = saved as [tf.Tensor, tf.Tensor, tf.Tensor];
        // d/dx = 0.5 (1 + t) + 0.5 x (1 - t^2) c (1 + 3 * 0.044715 x^2)
        const sech2 = tf.sub(1, tf.square(t));
        const inner = tf.mul(tf.add(tf.mul(xx, 3 * 0.044715), 1), GELU_C);
        const grad = tf.add(tf.mul(tf.add(t, 1), 0.5), tf.mul(tf.mul(tf.mul(xs, 0.5), sech2), inner));
        return tf.mul(dy, grad);
      },
    };
  });
  return op(x);
}

/** attention weights softmax(scale * scores + mask) over the last axis; on cpu one kernel each way */
export function causalSoftmax(scores: tf.Tensor, scale: number, mask: tf.Tensor2D): tf.Tensor {
  if (!fusedActive()) return tf.softmax(tf.add(tf.mul(scores, scale), mask));
  const fused = customGrad((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const y = run(FUSED.causalSoftmax, { x }, { scale }) as tf.Tensor;
    save([y]);
    return { value: y, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run(FUSED.causalSoftmaxGrad, { y: saved[0]!, dy }, { scale }) as tf.Tensor };
  });
  return fused(scores);
}

/** mean softmax cross-entropy of logits [N, V] against integer targets; backward (softmax - onehot) / N */
export function crossEntropy(logits: tf.Tensor2D, targets: Int32Array): tf.Scalar {
  const [N, V] = logits.shape;
  const targetsT = tf.tensor1d(targets, 'int32');
  if (fusedActive()) {
    const fused = customGrad((z: tf.Tensor, save: tf.GradSaveFunc) => {
      const [loss, probs] = run(FUSED.crossEntropy, { logits: z, targets: targetsT }) as tf.Tensor[];
      save([probs!, targetsT]);
      return { value: loss!, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => run(FUSED.crossEntropyGrad, { probs: saved[0]!, targets: saved[1]!, dy }) as tf.Tensor };
    });
    return fused(logits) as tf.Scalar;
  }
  const flat = tf.tensor1d(Int32Array.from(targets, (t, i) => i * V + t), 'int32');
  const op = customGrad((z: tf.Tensor, save: tf.GradSaveFunc) => {
    const lse = tf.logSumExp(z, -1);
    save([z, lse, targetsT]);
    return {
      value: tf.mean(tf.sub(lse, tf.gather(tf.reshape(z, [N * V]), flat))),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [zs, l, tg] = saved as [tf.Tensor, tf.Tensor, tf.Tensor1D];
        const p = tf.exp(tf.sub(zs, tf.reshape(l, [N, 1])));
        return tf.mul(tf.sub(p, tf.oneHot(tg, V)), tf.div(dy, N));
      },
    };
  });
  return op(logits) as tf.Scalar;
}
