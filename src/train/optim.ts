// AdamW (Loshchilov & Hutter 2019: weight decay decoupled from the adaptive step, as torch.optim.AdamW),
// the learning-rate schedule (linear warmup, cosine decay to a floor, as nanoGPT and llm.c), and clipping
// by the global gradient norm. The moments are ours, not tf.train's, so a checkpoint holds them exactly.
import { tf } from '../tensor/backend.js';
import type { Param } from './model.js';
import { FUSED, fusedActive } from './cpu-kernels.js';

export interface ScheduleOptions {
  lr: number;
  minLr: number;
  warmupSteps: number;
  decaySteps: number;
}

/**
 * The learning rate of optimizer step `step` (0-based): (step + 1) / warmup x lr during warmup, then a
 * cosine from lr at the end of warmup down to minLr at decaySteps, minLr after.
 */
export function learningRate(step: number, o: ScheduleOptions): number {
  if (step < o.warmupSteps) return (o.lr * (step + 1)) / o.warmupSteps;
  if (step >= o.decaySteps) return o.minLr;
  const progress = (step - o.warmupSteps) / Math.max(1, o.decaySteps - o.warmupSteps);
  return o.minLr + 0.5 * (1 + Math.cos(Math.PI * progress)) * (o.lr - o.minLr);
}

export interface AdamWOptions {
  beta1: number;
  beta2: number;
  eps: number;
  weightDecay: number;
}

export class AdamW {
  /** updates applied so far (the bias correction's t) */
  step = 0;
  readonly m: tf.Variable[];
  readonly v: tf.Variable[];

  constructor(
    readonly params: Param[],
    readonly o: AdamWOptions,
    moments?: { m: Float32Array[]; v: Float32Array[]; step: number },
  ) {
    const make = (p: Param, values: Float32Array | undefined, kind: string) => {
      if (values && values.length !== p.variable.size) throw new Error(`optimizer ${kind} of '${p.name}' has ${values.length} values, the weight ${p.variable.size}`);
      return tf.variable(values ? tf.tensor(values, p.variable.shape, 'float32') : tf.zeros(p.variable.shape), false, `${p.variable.name}/adam.${kind}`);
    };
    this.m = params.map((p, i) => make(p, moments?.m[i], 'm'));
    this.v = params.map((p, i) => make(p, moments?.v[i], 'v'));
    if (moments) this.step = moments.step;
  }

  /**
   * One update with gradients in params' order, each multiplied by `gradScale` first (clipping):
   * m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;
   * p = p (1 - lr wd) - lr m / (1 - b1^t) / (sqrt(v / (1 - b2^t)) + eps)   (torch.optim.AdamW's order)
   */
  apply(grads: tf.Tensor[], lr: number, gradScale: number): void {
    this.step++;
    const { beta1: b1, beta2: b2, eps, weightDecay } = this.o;
    const bc1 = 1 - b1 ** this.step;
    const sqrtBc2 = Math.sqrt(1 - b2 ** this.step);
    if (fusedActive()) {
      // cpu: one kernel per parameter instead of a dozen (cpu-kernels.ts), the same formula
      this.params.forEach((p, i) => {
        const attrs = { lr, beta1: b1, beta2: b2, eps, decay: p.decay ? weightDecay : 0, bc1, sqrtBc2, scale: gradScale };
        const [np, nm, nv] = tf.engine().runKernel(FUSED.adamw, { p: p.variable, g: grads[i]!, m: this.m[i]!, v: this.v[i]! } as never, attrs as never) as tf.Tensor[];
        p.variable.assign(np!);
        this.m[i]!.assign(nm!);
        this.v[i]!.assign(nv!);
        for (const t of [np!, nm!, nv!]) t.dispose();
      });
      return;
    }
    tf.tidy(() => {
      this.params.forEach((p, i) => {
        const g = gradScale === 1 ? grads[i]! : tf.mul(grads[i]!, gradScale);
        const m = tf.add(tf.mul(this.m[i]!, b1), tf.mul(g, 1 - b1));
        const v = tf.add(tf.mul(this.v[i]!, b2), tf.mul(tf.square(g), 1 - b2));
        const denom = tf.add(tf.div(tf.sqrt(v), sqrtBc2), eps);
        const decayed = p.decay && weightDecay > 0 ? tf.mul(p.variable, 1 - lr * weightDecay) : p.variable;
        p.variable.assign(tf.sub(decayed, tf.mul(tf.div(m, denom), lr / bc1)));
        this.m[i]!.assign(m);
        this.v[i]!.assign(v);
      });
    });
  }

  dispose(): void {
    for (const t of [...this.m, ...this.v]) t.dispose();
  }
}

/** the L2 norm of all gradients together (read back to the host: the step needs it to decide clipping) */
export function globalNorm(grads: tf.Tensor[]): number {
  // cpu: one kernel over all of them instead of a Square and a Sum per parameter and an AddN
  const sq = fusedActive() && grads.every((g) => g.dtype === 'float32')
    ? (tf.engine().runKernel(FUSED.sumSquares, Object.fromEntries(grads.map((g, i) => [`g${i}`, g])) as never, {}) as tf.Tensor)
    : tf.tidy(() => tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
  const v = sq.dataSync()[0]!;
  sq.dispose();
  return Math.sqrt(v);
}

/** the factor that brings the global norm down to maxNorm (torch.nn.utils.clip_grad_norm_: max / (norm + 1e-6)) */
export function clipScale(norm: number, maxNorm: number): number {
  if (!(maxNorm > 0)) return 1;
  return norm > maxNorm ? maxNorm / (norm + 1e-6) : 1;
}
