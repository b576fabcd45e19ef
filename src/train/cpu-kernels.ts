// Faster JavaScript kernels for TensorFlow.js's cpu backend, registered over its own (tf.registerKernel)
// for the shapes a transformer uses: element-wise Add/Sub/Multiply/RealDiv on equal shapes, a scalar, a
// trailing broadcast ([N, d] + [d], [B*H, T, T] + [T, T]) or a row broadcast ([N, d] x [N, 1]); SplitV;
// Transpose that keeps the last axis (heads); Sum/Mean over the innermost or outermost axes; Softmax on
// the last axis. The backend's versions go through per-element index arithmetic for any broadcast, and
// Sum over axis 0 transposes first: measured, they were 90% of a training step (docs/training.md).
// Any other case (another dtype, another broadcast) calls the original kernel, so results never change
// kind, only speed; every fast path computes in the same order on every run (deterministic).
import { tf } from '../tensor/backend.js';
import { nativeKernels } from './native.js';
import { takeF32, takeZeroedF32 } from './buffer-pool.js';

interface CpuBackend {
  data: { get(id: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}
type KernelArgs = { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs?: Record<string, unknown> };
type KernelFunc = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];

const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
const vals = (backend: unknown, t: tf.TensorInfo) => (backend as CpuBackend).data.get(t.dataId).values;
const make = (backend: unknown, shape: number[], values: Float32Array) => (backend as CpuBackend).makeTensorInfo(shape, 'float32', values);

/** how one operand is read when out is viewed as [R, C]: index = r * rs + c * cs */
interface View {
  rs: number;
  cs: number;
}

function broadcastShape(a: number[], b: number[]): number[] | null {
  const n = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(Math.max(x, y));
  }
  return out;
}

/** the split points p (out = [prod(out[:p]), prod(out[p:])]) at which shape s reads as full, trailing or row */
function views(s: number[], out: number[]): Map<number, View> | 'full' | 'scalar' | null {
  const n = out.length;
  const padded = [...Array<number>(n - s.length).fill(1), ...s];
  if (padded.every((d, i) => d === out[i])) return 'full';
  if (size(s) === 1) return 'scalar';
  const m = new Map<number, View>();
  for (let p = 1; p < n; p++) {
    if (padded.slice(0, p).every((d) => d === 1) && padded.slice(p).every((d, i) => d === out[p + i])) m.set(p, { rs: 0, cs: 1 });
    if (padded.slice(0, p).every((d, i) => d === out[i]) && padded.slice(p).every((d) => d === 1)) m.set(p, { rs: 1, cs: 0 });
  }
  return m.size ? m : null;
}

function plan(a: number[], b: number[]): { out: number[]; R: number; C: number; va: View; vb: View } | null {
  const out = broadcastShape(a, b);
  if (!out) return null;
  const A = views(a, out);
  const B = views(b, out);
  if (!A || !B) return null;
  const total = size(out);
  const fixed = (v: 'full' | 'scalar', C: number): View => (v === 'full' ? { rs: C, cs: 1 } : { rs: 0, cs: 0 });
  if ((A === 'full' || A === 'scalar') && (B === 'full' || B === 'scalar')) return { out, R: 1, C: total, va: fixed(A, total), vb: fixed(B, total) };
  const pick = (p: number) => {
    const C = size(out.slice(p));
    const R = total / C;
    const va = A === 'full' || A === 'scalar' ? fixed(A, C) : A.get(p);
    const vb = B === 'full' || B === 'scalar' ? fixed(B, C) : B.get(p);
    return va && vb ? { out, R, C, va, vb } : null;
  };
  const ps = new Set<number>([...(A instanceof Map ? A.keys() : []), ...(B instanceof Map ? B.keys() : [])]);
  for (const p of ps) {
    const r = pick(p);
    if (r) return r;
  }
  return null;
}

// one loop per operation, so the operation is not a call inside the loop
function loopAdd(o: Float32Array, a: Float32Array, b: Float32Array, R: number, C: number, va: View, vb: View): void {
  for (let r = 0, k = 0; r < R; r++) {
    const ar = r * va.rs;
    const br = r * vb.rs;
    for (let c = 0; c < C; c++, k++) o[k] = a[ar + c * va.cs]! + b[br + c * vb.cs]!;
  }
}
function loopSub(o: Float32Array, a: Float32Array, b: Float32Array, R: number, C: number, va: View, vb: View): void {
  for (let r = 0, k = 0; r < R; r++) {
    const ar = r * va.rs;
    const br = r * vb.rs;
    for (let c = 0; c < C; c++, k++) o[k] = a[ar + c * va.cs]! - b[br + c * vb.cs]!;
  }
}
function loopMul(o: Float32Array, a: Float32Array, b: Float32Array, R: number, C: number, va: View, vb: View): void {
  for (let r = 0, k = 0; r < R; r++) {
    const ar = r * va.rs;
    const br = r * vb.rs;
    for (let c = 0; c < C; c++, k++) o[k] = a[ar + c * va.cs]! * b[br + c * vb.cs]!;
  }
}
function loopDiv(o: Float32Array, a: Float32Array, b: Float32Array, R: number, C: number, va: View, vb: View): void {
  for (let r = 0, k = 0; r < R; r++) {
    const ar = r * va.rs;
    const br = r * vb.rs;
    for (let c = 0; c < C; c++, k++) o[k] = a[ar + c * va.cs]! / b[br + c * vb.cs]!;
  }
}

function binary(op: number, loop: typeof loopAdd, original: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    if (a.dtype !== 'float32' || b.dtype !== 'float32') return original(args);
    const p = plan(a.shape, b.shape);
    if (!p) return original(args);
    const out = takeF32(p.R * p.C);
    const N = nativeKernels();
    if (N && out.length >= 64) N.binary(op, vals(args.backend, a), vals(args.backend, b), out, p.R, p.C, p.va.rs, p.va.cs, p.vb.rs, p.vb.cs);
    else loop(out, vals(args.backend, a), vals(args.backend, b), p.R, p.C, p.va, p.vb);
    return make(args.backend, p.out, out);
  };
}

function splitV(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32') return original(args);
    const rank = x.shape.length;
    const axis = ((args.attrs!.axis as number) + rank) % rank;
    const spec = args.attrs!.numOrSizeSplits as number | number[];
    const D = x.shape[axis]!;
    const sizes = typeof spec === 'number' ? Array<number>(spec).fill(D / spec) : spec.map((s) => (s === -1 ? D - spec.reduce((t, v) => t + (v === -1 ? 0 : v), 0) : s));
    if (sizes.some((s) => !Number.isInteger(s)) || sizes.reduce((t, v) => t + v, 0) !== D) return original(args);
    const outer = size(x.shape.slice(0, axis));
    const inner = size(x.shape.slice(axis + 1));
    const src = vals(args.backend, x);
    let off = 0;
    return sizes.map((s) => {
      const out = takeF32(outer * s * inner);
      const len = s * inner;
      for (let o = 0; o < outer; o++) out.set(src.subarray(o * D * inner + off * inner, o * D * inner + off * inner + len), o * len);
      off += s;
      const shape = [...x.shape];
      shape[axis] = s;
      return make(args.backend, shape, out);
    });
  };
}

function transpose(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    const perm = args.attrs!.perm as number[];
    const rank = x.shape.length;
    if (x.dtype !== 'float32' || rank < 2) return original(args);
    // the trailing axes that stay in place are copied as contiguous chunks
    let keep = rank;
    while (keep > 0 && perm[keep - 1] === keep - 1) keep--;
    const chunk = size(x.shape.slice(keep));
    if (keep === 0 || chunk < 4) return original(args);
    const src = vals(args.backend, x);
    const outShape = perm.map((p) => x.shape[p]!);
    const out = takeF32(src.length);
    const inStrides = Array<number>(rank).fill(0);
    for (let i = rank - 1, s = 1; i >= 0; i--) {
      inStrides[i] = s;
      s *= x.shape[i]!;
    }
    // walk the output's leading `keep` axes like an odometer; each step copies one chunk
    const dims = outShape.slice(0, keep);
    const strides = perm.slice(0, keep).map((p) => inStrides[p]!);
    const idx = Array<number>(keep).fill(0);
    const n = src.length / chunk;
    let from = 0;
    for (let k = 0; k < n; k++) {
      out.set(src.subarray(from, from + chunk), k * chunk);
      for (let d = keep - 1; d >= 0; d--) {
        idx[d]!++;
        from += strides[d]!;
        if (idx[d]! < dims[d]!) break;
        from -= strides[d]! * dims[d]!;
        idx[d] = 0;
      }
    }
    return make(args.backend, outShape, out);
  };
}

function reduce(mean: boolean, original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: tf.TensorInfo };
    if (x.dtype !== 'float32') return original(args);
    const rank = x.shape.length;
    const raw = args.attrs!.axis as number | number[] | null | undefined;
    const axes = [...new Set((raw === null || raw === undefined ? [...Array(rank).keys()] : Array.isArray(raw) ? raw : [raw]).map((a) => (a + rank) % rank))].sort((a, b) => a - b);
    const keepDims = !!args.attrs!.keepDims;
    const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1]! + 1);
    if (!contiguous || !axes.length) return original(args);
    const inner = axes.at(-1) === rank - 1;
    const outer = axes[0] === 0;
    if (!inner && !outer) return original(args);
    const src = vals(args.backend, x);
    const outShape = keepDims ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
    const reduced = size(axes.map((a) => x.shape[a]!));
    const out = takeF32(src.length / reduced);
    if (inner) {
      // rows of `reduced` contiguous values
      for (let r = 0; r < out.length; r++) {
        let s = 0;
        const base = r * reduced;
        for (let j = 0; j < reduced; j++) s += src[base + j]!;
        out[r] = mean ? s / reduced : s;
      }
    } else {
      // add `reduced` rows of out.length values
      const C = out.length;
      const N = nativeKernels();
      if (N) {
        N.sumRows(src, out, reduced, mean ? 1 / reduced : 1);
        return make(args.backend, outShape, out);
      }
      const acc = new Float64Array(C);
      for (let r = 0; r < reduced; r++) {
        const base = r * C;
        for (let c = 0; c < C; c++) acc[c]! += src[base + c]!;
      }
      for (let c = 0; c < C; c++) out[c] = mean ? acc[c]! / reduced : acc[c]!;
    }
    return make(args.backend, outShape, out);
  };
}

function softmax(original: KernelFunc): KernelFunc {
  return (args) => {
    const { logits } = args.inputs as { logits: tf.TensorInfo };
    const rank = logits.shape.length;
    const dim = args.attrs!.dim as number;
    if (logits.dtype !== 'float32' || (dim !== -1 && dim !== rank - 1)) return original(args);
    const src = vals(args.backend, logits);
    const C = logits.shape[rank - 1]!;
    const out = takeF32(src.length);
    for (let base = 0; base < src.length; base += C) {
      let max = -Infinity;
      for (let j = 0; j < C; j++) if (src[base + j]! > max) max = src[base + j]!;
      let s = 0;
      for (let j = 0; j < C; j++) {
        const e = Math.exp(src[base + j]! - max);
        out[base + j] = e;
        s += e;
      }
      const inv = 1 / s;
      for (let j = 0; j < C; j++) out[base + j]! *= inv;
    }
    return make(args.backend, logits.shape, out);
  };
}

/** Concat of float32 tensors of one rank: per outer index, one contiguous chunk of each input */
function concat(original: KernelFunc): KernelFunc {
  return (args) => {
    const xs = Object.values(args.inputs) as tf.TensorInfo[];
    if (!xs.length || xs.some((x) => x.dtype !== 'float32' || x.shape.length !== xs[0]!.shape.length || size(x.shape) === 0)) return original(args);
    const rank = xs[0]!.shape.length;
    const axis = (((args.attrs!.axis as number) % rank) + rank) % rank;
    if (xs.some((x) => x.shape.some((d, i) => i !== axis && d !== xs[0]!.shape[i]))) return original(args);
    const outer = size(xs[0]!.shape.slice(0, axis));
    const chunks = xs.map((x) => size(x.shape.slice(axis)));
    const row = chunks.reduce((a, b) => a + b, 0);
    const out = takeF32(outer * row);
    const srcs = xs.map((x) => vals(args.backend, x));
    for (let o = 0; o < outer; o++) {
      let off = o * row;
      for (let i = 0; i < xs.length; i++) {
        const c = chunks[i]!;
        out.set(srcs[i]!.subarray(o * c, o * c + c), off);
        off += c;
      }
    }
    const shape = [...xs[0]!.shape];
    shape[axis] = xs.reduce((t, x) => t + x.shape[axis]!, 0);
    return make(args.backend, shape, out);
  };
}

/**
 * tf.fused.matMul with a bias and no activation: the BatchMatMul registered now (the native one when
 * loaded), then the bias added in place (tfjs's own kernel adds with its slow broadcast).
 */
function fusedMatMul(original: KernelFunc): KernelFunc {
  return (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const { transposeA, transposeB, activation } = args.attrs as { transposeA: boolean; transposeB: boolean; activation?: string };
    if (!a || !b || !bias || preluActivationWeights || (activation && activation !== 'linear') || bias.dtype !== 'float32' || a.dtype !== 'float32') return original(args);
    const n = transposeB ? b.shape[b.shape.length - 2]! : b.shape[b.shape.length - 1]!;
    const nb = size(bias.shape);
    if ((nb !== n && nb !== 1) || bias.shape.slice(0, -1).some((d) => d !== 1)) return original(args);
    const mm = tf.getKernel('BatchMatMul', 'cpu')!.kernelFunc as unknown as KernelFunc;
    const res = mm({ inputs: { a, b }, backend: args.backend, attrs: { transposeA, transposeB } }) as tf.TensorInfo;
    const o = vals(args.backend, res);
    const bv = vals(args.backend, bias);
    if (nb === 1) for (let i = 0; i < o.length; i++) o[i]! += bv[0]!;
    else for (let r = 0; r < o.length; r += n) for (let j = 0; j < n; j++) o[r + j]! += bv[j]!;
    return res;
  };
}

// ---- fused kernels of the model's own ops (model.ts and optim.ts call them on the cpu backend) ----

const GELU_C = Math.sqrt(2 / Math.PI);

/** tanh through exp (V8's Math.tanh is several times slower); exact to float32 rounding */
function tanh(u: number): number {
  if (u > 15) return 1;
  if (u < -15) return -1;
  const e = Math.exp(2 * u);
  return (e - 1) / (e + 1);
}

function gelu(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const src = vals(args.backend, x);
  const out = takeF32(src.length);
  const N = nativeKernels();
  if (N) {
    N.gelu(src, out);
    return make(args.backend, x.shape, out);
  }
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    out[i] = 0.5 * v * (1 + tanh(GELU_C * (v + 0.044715 * v * v * v)));
  }
  return make(args.backend, x.shape, out);
}

function geluGrad(args: KernelArgs): tf.TensorInfo {
  const { x, dy } = args.inputs as { x: tf.TensorInfo; dy: tf.TensorInfo };
  const src = vals(args.backend, x);
  const g = vals(args.backend, dy);
  const out = takeF32(src.length);
  const N = nativeKernels();
  if (N) {
    N.geluGrad(src, g, out);
    return make(args.backend, x.shape, out);
  }
  for (let i = 0; i < src.length; i++) {
    const v = src[i]!;
    const t = tanh(GELU_C * (v + 0.044715 * v * v * v));
    out[i] = g[i]! * (0.5 * (1 + t) + 0.5 * v * (1 - t * t) * GELU_C * (1 + 3 * 0.044715 * v * v));
  }
  return make(args.backend, x.shape, out);
}

/** LayerNorm over the last axis: [y, xhat, rstd] */
function layerNorm(args: KernelArgs): tf.TensorInfo[] {
  const { x, g, b } = args.inputs as { x: tf.TensorInfo; g: tf.TensorInfo; b: tf.TensorInfo };
  const eps = args.attrs!.eps as number;
  const src = vals(args.backend, x);
  const gv = vals(args.backend, g);
  const bv = vals(args.backend, b);
  const C = x.shape[x.shape.length - 1]!;
  const R = src.length / C;
  const y = takeF32(src.length);
  const xhat = takeF32(src.length);
  const rstd = takeF32(R);
  const N = nativeKernels();
  if (N) N.layerNorm(src, gv, bv, y, xhat, rstd, eps);
  else for (let r = 0; r < R; r++) {
    const base = r * C;
    let mean = 0;
    for (let j = 0; j < C; j++) mean += src[base + j]!;
    mean /= C;
    let v = 0;
    for (let j = 0; j < C; j++) {
      const d = src[base + j]! - mean;
      v += d * d;
    }
    const rs = 1 / Math.sqrt(v / C + eps);
    rstd[r] = rs;
    for (let j = 0; j < C; j++) {
      const h = (src[base + j]! - mean) * rs;
      xhat[base + j] = h;
      y[base + j] = h * gv[j]! + bv[j]!;
    }
  }
  return [make(args.backend, x.shape, y), make(args.backend, x.shape, xhat), make(args.backend, [...x.shape.slice(0, -1), 1], rstd)];
}

/** [dx, dgain, dbias] of LayerNorm from dy, xhat, rstd, gain */
function layerNormGrad(args: KernelArgs): tf.TensorInfo[] {
  const { dy, xhat, rstd, g } = args.inputs as { dy: tf.TensorInfo; xhat: tf.TensorInfo; rstd: tf.TensorInfo; g: tf.TensorInfo };
  const d = vals(args.backend, dy);
  const h = vals(args.backend, xhat);
  const rs = vals(args.backend, rstd);
  const gv = vals(args.backend, g);
  const C = dy.shape[dy.shape.length - 1]!;
  const R = d.length / C;
  const dx = takeF32(d.length);
  const N = nativeKernels();
  if (N) {
    const dgf = takeF32(C);
    const dbf = takeF32(C);
    N.layerNormGrad(d, h, rs, gv, dx, dgf, dbf);
    return [make(args.backend, dy.shape, dx), make(args.backend, [C], dgf), make(args.backend, [C], dbf)];
  }
  const dg = new Float64Array(C);
  const db = new Float64Array(C);
  for (let r = 0; r < R; r++) {
    const base = r * C;
    let m1 = 0;
    let m2 = 0;
    for (let j = 0; j < C; j++) {
      const dh = d[base + j]! * gv[j]!;
      m1 += dh;
      m2 += dh * h[base + j]!;
      dg[j]! += d[base + j]! * h[base + j]!;
      db[j]! += d[base + j]!;
    }
    m1 /= C;
    m2 /= C;
    const s = rs[r]!;
    for (let j = 0; j < C; j++) dx[base + j] = s * (d[base + j]! * gv[j]! - m1 - h[base + j]! * m2);
  }
  return [make(args.backend, dy.shape, dx), make(args.backend, [C], Float32Array.from(dg)), make(args.backend, [C], Float32Array.from(db))];
}

/** one AdamW update of one parameter: [p, m, v] (the formula of optim.ts) */
function adamw(args: KernelArgs): tf.TensorInfo[] {
  const { p, g, m, v } = args.inputs as { p: tf.TensorInfo; g: tf.TensorInfo; m: tf.TensorInfo; v: tf.TensorInfo };
  const { lr, beta1, beta2, eps, decay, bc1, sqrtBc2, scale } = args.attrs as Record<string, number>;
  const pv = vals(args.backend, p);
  const gv = vals(args.backend, g);
  const mv = vals(args.backend, m);
  const vv = vals(args.backend, v);
  const n = pv.length;
  const po = takeF32(n);
  const mo = takeF32(n);
  const vo = takeF32(n);
  const N = nativeKernels();
  if (N) {
    N.adamw(pv, gv, mv, vv, po, mo, vo, lr!, beta1!, beta2!, eps!, decay!, bc1!, sqrtBc2!, scale!);
    return [make(args.backend, p.shape, po), make(args.backend, p.shape, mo), make(args.backend, p.shape, vo)];
  }
  const keep = 1 - lr * decay!;
  const step = lr! / bc1!;
  for (let i = 0; i < n; i++) {
    const gi = gv[i]! * scale!;
    const mi = Math.fround(beta1! * mv[i]! + (1 - beta1!) * gi);
    const vi = Math.fround(beta2! * vv[i]! + (1 - beta2!) * gi * gi);
    mo[i] = mi;
    vo[i] = vi;
    po[i] = pv[i]! * keep - (step * mi) / (Math.sqrt(vi) / sqrtBc2! + eps!);
  }
  return [make(args.backend, p.shape, po), make(args.backend, p.shape, mo), make(args.backend, p.shape, vo)];
}

/** rows of x [V, ...] at int32 indices (axis 0): one subarray copy per row */
function gather(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x, indices } = args.inputs as { x: tf.TensorInfo; indices: tf.TensorInfo };
    const axis = ((args.attrs!.axis as number) + x.shape.length) % x.shape.length;
    if (x.dtype !== 'float32' || indices.dtype !== 'int32' || axis !== 0 || (args.attrs!.batchDims as number) || indices.shape.length !== 1) return original(args);
    const src = vals(args.backend, x);
    const idx = (args.backend as { data: { get(id: object): { values: Int32Array } } }).data.get(indices.dataId).values;
    const row = size(x.shape.slice(1));
    const V = x.shape[0]!;
    const out = takeF32(idx.length * row);
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i]!;
      if (r < 0 || r >= V) return original(args); // tfjs's own error
      if (row === 1) out[i] = src[r]!;
      else out.set(src.subarray(r * row, r * row + row), i * row);
    }
    return make(args.backend, [idx.length, ...x.shape.slice(1)], out);
  };
}

/** attention weights: softmax over the last axis of scale * x [.., T, T] with positions j > i masked out */
function causalSoftmax(args: KernelArgs): tf.TensorInfo {
  const { x } = args.inputs as { x: tf.TensorInfo };
  const scale = args.attrs!.scale as number;
  const src = vals(args.backend, x);
  const T = x.shape[x.shape.length - 1]!;
  const N = nativeKernels();
  // the JavaScript loop writes only the causal part: the masked part must start at zero
  const out = N ? takeF32(src.length) : takeZeroedF32(src.length);
  if (N) {
    N.causalSoftmax(src, out, T, scale);
    return make(args.backend, x.shape, out);
  }
  for (let base = 0; base < src.length; base += T * T) {
    for (let i = 0; i < T; i++) {
      const row = base + i * T;
      let max = -Infinity;
      for (let j = 0; j <= i; j++) if (src[row + j]! > max) max = src[row + j]!;
      let sum = 0;
      for (let j = 0; j <= i; j++) {
        const e = Math.exp(scale * (src[row + j]! - max));
        out[row + j] = e;
        sum += e;
      }
      const inv = 1 / sum;
      for (let j = 0; j <= i; j++) out[row + j]! *= inv;
    }
  }
  return make(args.backend, x.shape, out);
}

/** d(scale-and-softmax): dx = scale * y * (dy - sum_j dy y) per row */
function causalSoftmaxGrad(args: KernelArgs): tf.TensorInfo {
  const { y, dy } = args.inputs as { y: tf.TensorInfo; dy: tf.TensorInfo };
  const scale = args.attrs!.scale as number;
  const yv = vals(args.backend, y);
  const d = vals(args.backend, dy);
  const C = y.shape[y.shape.length - 1]!;
  const out = takeF32(yv.length);
  const N = nativeKernels();
  if (N) {
    N.softmaxGrad(yv, d, out, C, scale);
    return make(args.backend, y.shape, out);
  }
  for (let row = 0; row < yv.length; row += C) {
    let s = 0;
    for (let j = 0; j < C; j++) s += d[row + j]! * yv[row + j]!;
    for (let j = 0; j < C; j++) out[row + j] = scale * yv[row + j]! * (d[row + j]! - s);
  }
  return make(args.backend, y.shape, out);
}

/** mean cross-entropy of logits [N, V] at int32 targets: [loss (scalar), softmax probabilities] */
function crossEntropy(args: KernelArgs): tf.TensorInfo[] {
  const { logits, targets } = args.inputs as { logits: tf.TensorInfo; targets: tf.TensorInfo };
  const z = vals(args.backend, logits);
  const t = (args.backend as { data: { get(id: object): { values: Int32Array } } }).data.get(targets.dataId).values;
  const [N_, V] = logits.shape as [number, number];
  const probs = takeF32(z.length);
  const N = nativeKernels();
  if (N) return [make(args.backend, [], Float32Array.of(N.crossEntropy(z, t, probs))), make(args.backend, [N_, V], probs)];
  let total = 0;
  for (let r = 0; r < N_; r++) {
    const base = r * V;
    let max = -Infinity;
    for (let j = 0; j < V; j++) if (z[base + j]! > max) max = z[base + j]!;
    let sum = 0;
    for (let j = 0; j < V; j++) {
      const e = Math.exp(z[base + j]! - max);
      probs[base + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < V; j++) probs[base + j]! *= inv;
    total += Math.log(sum) + max - z[base + t[r]!]!;
  }
  return [make(args.backend, [], Float32Array.of(total / N_)), make(args.backend, [N_, V], probs)];
}

/** (softmax - onehot(targets)) * dy / N */
function crossEntropyGrad(args: KernelArgs): tf.TensorInfo {
  const { probs, targets, dy } = args.inputs as { probs: tf.TensorInfo; targets: tf.TensorInfo; dy: tf.TensorInfo };
  const p = vals(args.backend, probs);
  const t = (args.backend as { data: { get(id: object): { values: Int32Array } } }).data.get(targets.dataId).values;
  const [N, V] = probs.shape as [number, number];
  const k = vals(args.backend, dy)[0]! / N;
  const out = takeF32(p.length);
  const native = nativeKernels();
  if (native) {
    native.crossEntropyGrad(p, t, out, k);
    return make(args.backend, [N, V], out);
  }
  for (let i = 0; i < p.length; i++) out[i] = p[i]! * k;
  for (let r = 0; r < N; r++) out[r * V + t[r]!]! -= k;
  return make(args.backend, [N, V], out);
}

/** the sum of squares of every input (the global gradient norm's square), in float64, as a scalar */
function sumSquares(args: KernelArgs): tf.TensorInfo {
  let total = 0;
  for (const t of Object.values(args.inputs)) {
    const v = vals(args.backend, t);
    let s = 0;
    for (let i = 0; i < v.length; i++) s += v[i]! * v[i]!;
    total += s;
  }
  return make(args.backend, [], Float32Array.of(total));
}

export const FUSED = {
  sumSquares: 'CurateSumSquares',
  causalSoftmax: 'CurateCausalSoftmax',
  causalSoftmaxGrad: 'CurateCausalSoftmaxGrad',
  crossEntropy: 'CurateCrossEntropy',
  crossEntropyGrad: 'CurateCrossEntropyGrad', gelu: 'CurateGelu', geluGrad: 'CurateGeluGrad', layerNorm: 'CurateLayerNorm', layerNormGrad: 'CurateLayerNormGrad', adamw: 'CurateAdamW' } as const;

/** the fused kernels run on the active backend (cpu with registerFastCpuKernels done) */
export function fusedActive(): boolean {
  return registered && tf.getBackend() === 'cpu';
}

let registered = false;

/** register the fast paths over the cpu backend's kernels (once per process); true when done now or before */
export function registerFastCpuKernels(): boolean {
  if (registered) return true;
  const replace = (name: string, make: (original: KernelFunc) => KernelFunc) => {
    const cfg = tf.getKernel(name, 'cpu');
    if (!cfg) return;
    const original = cfg.kernelFunc as unknown as KernelFunc;
    tf.unregisterKernel(name, 'cpu');
    tf.registerKernel({ ...cfg, kernelFunc: make(original) as unknown as Parameters<typeof tf.registerKernel>[0]['kernelFunc'] });
  };
  replace('Add', (o) => binary(0, loopAdd, o));
  replace('Sub', (o) => binary(1, loopSub, o));
  replace('Multiply', (o) => binary(2, loopMul, o));
  replace('RealDiv', (o) => binary(3, loopDiv, o));
  replace('Concat', concat);
  replace('_FusedMatMul', fusedMatMul);
  replace('SplitV', splitV);
  replace('Transpose', transpose);
  replace('Sum', (o) => reduce(false, o));
  replace('Mean', (o) => reduce(true, o));
  replace('Softmax', softmax);
  const add = (kernelName: string, fn: (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[]) => {
    if (!tf.getKernel(kernelName, 'cpu')) tf.registerKernel({ kernelName, backendName: 'cpu', kernelFunc: fn as unknown as Parameters<typeof tf.registerKernel>[0]['kernelFunc'] });
  };
  replace('GatherV2', gather);
  add(FUSED.causalSoftmax, causalSoftmax);
  add(FUSED.causalSoftmaxGrad, causalSoftmaxGrad);
  add(FUSED.crossEntropy, crossEntropy);
  add(FUSED.crossEntropyGrad, crossEntropyGrad);
  add(FUSED.gelu, gelu);
  add(FUSED.geluGrad, geluGrad);
  add(FUSED.layerNorm, layerNorm);
  add(FUSED.layerNormGrad, layerNormGrad);
  add(FUSED.adamw, adamw);
  add(FUSED.sumSquares, sumSquares);
  registered = true;
  return true;
}
