// The optional native kernels (native/curate_native.cc, built at `npm install` by native/build.mjs into
// dist/native/ when a C++ compiler and Node's headers are there): BatchMatMul and the bias-fused matmul for
// TensorFlow.js's cpu backend on the backend's own Float32Arrays (OpenBLAS when it was found), causal
// attention over all heads at once, and the element-wise loops of the fused kernels of cpu-kernels.ts
// (GELU, LayerNorm, softmax, cross-entropy, AdamW, broadcasts), which call `nativeKernels()` and keep their
// JavaScript loops when it is undefined. Registered with tf.registerKernel, so the model code, autodiff and
// every other op stay TensorFlow.js's; when the addon is missing or fails to load, nothing is registered
// and the cpu backend keeps the JavaScript kernels.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { tf } from '../tensor/backend.js';
import { takeF32 } from './buffer-pool.js';

export interface NativeAddon {
  sgemmBatched(a: Float32Array, b: Float32Array, out: Float32Array, batch: number, m: number, n: number, k: number, transA: boolean, transB: boolean, strideA: number, strideB: number): void;
  /** out = op(a) op(b) + bias (bias of n values or 1) */
  matmulBias(a: Float32Array, b: Float32Array, bias: Float32Array, out: Float32Array, m: number, n: number, k: number, transA: boolean, transB: boolean): void;
  /** qkv [B*T, 3d] -> y [B*T, d], att [B*H, T, T] (causal softmax of scale Q K^T) */
  attention(qkv: Float32Array, y: Float32Array, att: Float32Array, B: number, T: number, H: number, scale: number): void;
  attentionGrad(qkv: Float32Array, att: Float32Array, dy: Float32Array, dqkv: Float32Array, B: number, T: number, H: number, scale: number): void;
  gelu(x: Float32Array, out: Float32Array): void;
  geluGrad(x: Float32Array, dy: Float32Array, out: Float32Array): void;
  layerNorm(x: Float32Array, g: Float32Array, b: Float32Array, y: Float32Array, xhat: Float32Array, rstd: Float32Array, eps: number): void;
  layerNormGrad(dy: Float32Array, xhat: Float32Array, rstd: Float32Array, g: Float32Array, dx: Float32Array, dg: Float32Array, db: Float32Array): void;
  causalSoftmax(x: Float32Array, out: Float32Array, T: number, scale: number): void;
  softmaxGrad(y: Float32Array, dy: Float32Array, out: Float32Array, C: number, scale: number): void;
  /** returns the mean loss */
  crossEntropy(logits: Float32Array, targets: Int32Array, probs: Float32Array): number;
  crossEntropyGrad(probs: Float32Array, targets: Int32Array, out: Float32Array, k: number): void;
  adamw(p: Float32Array, g: Float32Array, m: Float32Array, v: Float32Array, po: Float32Array, mo: Float32Array, vo: Float32Array, lr: number, beta1: number, beta2: number, eps: number, decay: number, bc1: number, sqrtBc2: number, scale: number): void;
  /** op 0 add, 1 sub, 2 mul, 3 div; out [R, C], operands read at r * rowStride + c * colStride */
  binary(op: number, a: Float32Array, b: Float32Array, out: Float32Array, R: number, C: number, ars: number, acs: number, brs: number, bcs: number): void;
  /** out[c] = scale * sum over R rows of src[r, c] */
  sumRows(src: Float32Array, out: Float32Array, R: number, scale: number): void;
  setThreads(n: number): void;
  info(): { blas: string; threads: number; version?: number };
}

/** the addon's interface version this code needs (native/curate_native.cc's Info) */
const ADDON_VERSION = 2;

export interface NativeStatus {
  loaded: boolean;
  /** where it was loaded from, or why not */
  detail: string;
  blas?: string;
  threads?: number;
}

let addon: NativeAddon | undefined;
let status: NativeStatus | undefined;

/** the addon's path: dist/native/curate_native.node at the repository root (CURATE_NATIVE_PATH overrides) */
function addonPath(): string {
  if (process.env.CURATE_NATIVE_PATH) return process.env.CURATE_NATIVE_PATH;
  // src/train/ or dist/src/train/: walk up to the directory with package.json
  let dir = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(dir, 'package.json')) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  return path.join(dir, 'dist', 'native', 'curate_native.node');
}

export function loadNative(): NativeStatus {
  if (status) return status;
  if (process.env.CURATE_NO_NATIVE) return (status = { loaded: false, detail: 'CURATE_NO_NATIVE is set' });
  const file = addonPath();
  if (!fs.existsSync(file)) return (status = { loaded: false, detail: `not built (${path.relative(process.cwd(), file) || file} missing: run node native/build.mjs; needs g++, optionally libopenblas-dev)` });
  try {
    const loaded = createRequire(import.meta.url)(file) as NativeAddon;
    const info = loaded.info();
    if (info.version !== ADDON_VERSION) return (status = { loaded: false, detail: `${file} is an older build (interface ${info.version ?? 1}, need ${ADDON_VERSION}): run node native/build.mjs` });
    addon = loaded;
    status = { loaded: true, detail: file, blas: info.blas, threads: info.threads };
  } catch (e) {
    status = { loaded: false, detail: `failed to load ${file}: ${(e as Error).message.split('\n')[0]}` };
  }
  return status;
}

export function setNativeThreads(n: number): void {
  if (addon && n > 0) {
    addon.setThreads(n);
    if (status) status.threads = addon.info().threads;
  }
}

let registered = false;
/** tests turn the native kernels off to run the JavaScript ones in the same process */
let kernelsOn = true;

/** the addon, when its kernels are registered (registerNativeMatmul) and switched on; else undefined */
export function nativeKernels(): NativeAddon | undefined {
  return registered && kernelsOn ? addon : undefined;
}

/** switch every native kernel off (false: the JavaScript kernels run) or back on */
export function setNativeKernels(on: boolean): void {
  kernelsOn = on;
}

export const NATIVE_ATTENTION = { forward: 'CurateAttention', backward: 'CurateAttentionGrad' } as const;

interface CpuBackend {
  data: { get(id: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}
type KernelArgs = { inputs: Record<string, tf.TensorInfo>; backend: unknown; attrs?: Record<string, unknown> };
type KernelFunc = (args: KernelArgs) => tf.TensorInfo | tf.TensorInfo[];
type TfKernelFunc = Parameters<typeof tf.registerKernel>[0]['kernelFunc'];

/** (m, n, k, batch, outer dims) of a (batched) matmul of a and b, or null when the batches do not broadcast */
function matmulShape(a: tf.TensorInfo, b: tf.TensorInfo, transposeA: boolean, transposeB: boolean) {
  const ra = a.shape.length;
  const rb = b.shape.length;
  const batchA = a.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  const batchB = b.shape.slice(0, -2).reduce((x, y) => x * y, 1);
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || (batchA !== batchB && batchA !== 1 && batchB !== 1)) return null;
  const m = transposeA ? a.shape[ra - 1]! : a.shape[ra - 2]!;
  const k = transposeA ? a.shape[ra - 2]! : a.shape[ra - 1]!;
  const kb = transposeB ? b.shape[rb - 1]! : b.shape[rb - 2]!;
  const n = transposeB ? b.shape[rb - 2]! : b.shape[rb - 1]!;
  if (k !== kb) throw new Error(`matMul: inner shapes ${k} and ${kb} of [${a.shape}] and [${b.shape}] (transposeA=${transposeA}, transposeB=${transposeB}) must match`);
  return { m, n, k, batchA, batchB, batch: Math.max(batchA, batchB), outer: (batchA >= batchB ? a : b).shape.slice(0, -2) };
}

/**
 * Route the cpu backend's BatchMatMul and _FusedMatMul (tf.fused.matMul with a bias, no activation) to the
 * addon (same semantics: transposes, a batch of 1 broadcast; other cases fall back to the kernel registered
 * before), and register the native attention kernels. True when registered.
 */
export function registerNativeMatmul(): boolean {
  if (registered) return true;
  if (!loadNative().loaded || !addon) return false;
  const native = addon;
  const replace = (name: string, make: (original: KernelFunc) => KernelFunc) => {
    const cfg = tf.getKernel(name, 'cpu');
    if (!cfg) return;
    const original = cfg.kernelFunc as unknown as KernelFunc;
    tf.unregisterKernel(name, 'cpu');
    tf.registerKernel({ ...cfg, kernelFunc: make(original) as unknown as TfKernelFunc });
  };
  replace('BatchMatMul', (original) => (args) => {
    if (!kernelsOn) return original(args);
    const { a, b } = args.inputs as { a: tf.TensorInfo; b: tf.TensorInfo };
    const { transposeA, transposeB } = args.attrs as { transposeA: boolean; transposeB: boolean };
    const backend = args.backend as CpuBackend;
    const s = matmulShape(a, b, transposeA, transposeB);
    if (!s) return original(args);
    const out = takeF32(s.batch * s.m * s.n);
    native.sgemmBatched(backend.data.get(a.dataId).values, backend.data.get(b.dataId).values, out, s.batch, s.m, s.n, s.k, transposeA, transposeB, s.batchA === 1 ? 0 : s.m * s.k, s.batchB === 1 ? 0 : s.k * s.n);
    return backend.makeTensorInfo([...s.outer, s.m, s.n], 'float32', out);
  });
  replace('_FusedMatMul', (original) => (args) => {
    const { a, b, bias, preluActivationWeights } = args.inputs as Record<string, tf.TensorInfo | undefined>;
    const { transposeA, transposeB, activation } = args.attrs as { transposeA: boolean; transposeB: boolean; activation?: string };
    if (!kernelsOn || !a || !b || !bias || preluActivationWeights || (activation && activation !== 'linear') || bias.dtype !== 'float32') return original(args);
    const s = matmulShape(a, b, transposeA, transposeB);
    if (!s || s.batch !== 1 || (bias.shape.reduce((x, y) => x * y, 1) !== s.n && bias.shape.reduce((x, y) => x * y, 1) !== 1) || bias.shape.slice(0, -1).some((d) => d !== 1)) return original(args);
    const backend = args.backend as CpuBackend;
    const out = takeF32(s.m * s.n);
    native.matmulBias(backend.data.get(a.dataId).values, backend.data.get(b.dataId).values, backend.data.get(bias.dataId).values, out, s.m, s.n, s.k, transposeA, transposeB);
    return backend.makeTensorInfo([...s.outer, s.m, s.n], 'float32', out);
  });
  const add = (kernelName: string, fn: KernelFunc) => {
    if (!tf.getKernel(kernelName, 'cpu')) tf.registerKernel({ kernelName, backendName: 'cpu', kernelFunc: fn as unknown as TfKernelFunc });
  };
  // qkv [B*T, 3d] -> [y [B*T, d], att [B*H, T, T]]
  add(NATIVE_ATTENTION.forward, (args) => {
    const { qkv } = args.inputs as { qkv: tf.TensorInfo };
    const { B, T, H, scale } = args.attrs as Record<string, number>;
    const backend = args.backend as CpuBackend;
    const d = qkv.shape[1]! / 3;
    const y = takeF32(B! * T! * d);
    const att = takeF32(B! * H! * T! * T!);
    native.attention(backend.data.get(qkv.dataId).values, y, att, B!, T!, H!, scale!);
    return [backend.makeTensorInfo([B! * T!, d], 'float32', y), backend.makeTensorInfo([B! * H!, T!, T!], 'float32', att)];
  });
  add(NATIVE_ATTENTION.backward, (args) => {
    const { qkv, att, dy } = args.inputs as { qkv: tf.TensorInfo; att: tf.TensorInfo; dy: tf.TensorInfo };
    const { B, T, H, scale } = args.attrs as Record<string, number>;
    const backend = args.backend as CpuBackend;
    const v = (t: tf.TensorInfo) => backend.data.get(t.dataId).values;
    const dqkv = takeF32(v(qkv).length);
    native.attentionGrad(v(qkv), v(att), v(dy), dqkv, B!, T!, H!, scale!);
    return backend.makeTensorInfo(qkv.shape, 'float32', dqkv);
  });
  registered = true;
  return true;
}

/** causal self-attention of qkv [B*T, 3d] (Q, K, V column blocks, H heads each) with the native kernels: y [B*T, d]; null when they are not active */
export function nativeAttention(qkv: tf.Tensor2D, B: number, T: number, H: number, scale: number): tf.Tensor2D | null {
  if (!nativeKernels() || tf.getBackend() !== 'cpu') return null;
  const attrs = { B, T, H, scale };
  const op = tf.customGrad(((x: tf.Tensor, save: tf.GradSaveFunc) => {
    const [y, att] = tf.engine().runKernel(NATIVE_ATTENTION.forward, { qkv: x } as never, attrs as never) as tf.Tensor[];
    save([x, att!]);
    return { value: y!, gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.engine().runKernel(NATIVE_ATTENTION.backward, { qkv: saved[0]!, att: saved[1]!, dy } as never, attrs as never) as tf.Tensor };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return op(qkv) as tf.Tensor2D;
}
