// Reuse of the output arrays of our cpu kernels (cpu-kernels.ts, native.ts). A training step makes a few
// hundred tensors and disposes them; each new Float32Array is zero-filled, and the large ones are external
// memory that drives V8 into extra mark-compact collections: measured at ~10% of a step (docs/training.md).
// The pool keeps the arrays of disposed tensors by length and hands them out again, unzeroed: every kernel
// that takes one writes all of it (the one that does not asks for takeZeroed).
//
// An array goes back to the pool only when nothing else can still see it: it was handed out by take(), it
// backs exactly one tensor data entry of the cpu backend, that entry is gone (disposeData with refCount 0),
// and nobody read it out (readSync/read/dataSync return the backend's own array) or made a view of its
// buffer into another tensor (a Slice's subarray). Anything else keeps the array out of the pool for good,
// and the garbage collector takes it as before.
import { tf } from '../tensor/backend.js';

/** arrays shorter than this are left to the allocator: V8 handles small ones cheaply */
const MIN_POOLED = 1024;
/** the most the free lists hold; past it, disposed arrays are left to the garbage collector */
const MAX_POOLED_BYTES = 256 * 1024 * 1024;

const handedOut = new WeakSet<ArrayBuffer>();
/** buffers that someone outside a single tensor entry may hold: never reused */
const exposed = new WeakSet<ArrayBuffer>();
/** arrays that back a tensor entry now */
const live = new WeakSet<Float32Array>();
const free = new Map<number, Float32Array[]>();
let pooledBytes = 0;
let installedOn: object | undefined;
/** tests switch reuse off to compare against fresh arrays in one process */
let reuse = true;
const counts = { taken: 0, reused: 0, returned: 0 };

/** a Float32Array of n values for a kernel's output; its contents are arbitrary when the pool is on */
export function takeF32(n: number): Float32Array {
  if (!installedOn || !reuse || n < MIN_POOLED) return new Float32Array(n);
  counts.taken++;
  const a = free.get(n)?.pop();
  if (a) {
    pooledBytes -= a.byteLength;
    counts.reused++;
    return a;
  }
  const fresh = new Float32Array(n);
  handedOut.add(fresh.buffer);
  return fresh;
}

/** takeF32, zero-filled (for a kernel that writes only part of its output) */
export function takeZeroedF32(n: number): Float32Array {
  const a = takeF32(n);
  if (handedOut.has(a.buffer as ArrayBuffer)) a.fill(0);
  return a;
}

const ours = (v: unknown): v is Float32Array => v instanceof Float32Array && handedOut.has(v.buffer as ArrayBuffer);

/** a new tensor entry holds `values`: the first entry of a whole pooled array is fine, anything else exposes it */
function noteWrite(values: unknown): void {
  if (!(values instanceof Float32Array) || !handedOut.has(values.buffer as ArrayBuffer)) return;
  const whole = values.byteOffset === 0 && values.byteLength === values.buffer.byteLength;
  if (!whole || live.has(values)) exposed.add(values.buffer as ArrayBuffer);
  else live.add(values);
}

function recycle(values: unknown): void {
  if (!ours(values) || !live.has(values)) return;
  live.delete(values);
  const buffer = values.buffer as ArrayBuffer;
  if (exposed.has(buffer) || values.byteOffset !== 0 || values.length !== buffer.byteLength / 4) return;
  if (pooledBytes + buffer.byteLength > MAX_POOLED_BYTES) return;
  let list = free.get(values.length);
  if (!list) free.set(values.length, (list = []));
  list.push(values);
  pooledBytes += buffer.byteLength;
  counts.returned++;
}

interface CpuBackendLike {
  data: { get(id: object): { values: unknown } | undefined; has(id: object): boolean };
  write(values: unknown, shape: number[], dtype: string): object;
  move(dataId: object, values: unknown, shape: number[], dtype: string, refCount: number): void;
  readSync(dataId: object): unknown;
  disposeData(dataId: object, force?: boolean): boolean;
}

/**
 * Turn the pool on for TensorFlow.js's cpu backend (once per process; true when on). It wraps the backend
 * instance's write, move, readSync and disposeData to see each array's life.
 */
export function installBufferPool(): boolean {
  if (installedOn) return true;
  if (tf.getBackend() !== 'cpu') return false;
  const backend = tf.backend() as unknown as CpuBackendLike;
  if (typeof backend.write !== 'function' || typeof backend.disposeData !== 'function' || typeof backend.readSync !== 'function' || !backend.data) return false;
  const { write, move, readSync, disposeData } = backend;
  backend.write = function (values, shape, dtype) {
    noteWrite(values);
    return write.call(this, values, shape, dtype);
  };
  backend.move = function (dataId, values, shape, dtype, refCount) {
    noteWrite(values);
    return move.call(this, dataId, values, shape, dtype, refCount);
  };
  backend.readSync = function (dataId) {
    const entry = this.data.get(dataId);
    if (entry && ours(entry.values)) exposed.add(entry.values.buffer as ArrayBuffer);
    return readSync.call(this, dataId);
  };
  backend.disposeData = function (dataId, force) {
    const entry = this.data.has(dataId) ? this.data.get(dataId) : undefined;
    const gone = disposeData.call(this, dataId, force);
    if (entry && !this.data.has(dataId)) recycle(entry.values);
    return gone;
  };
  installedOn = backend;
  return true;
}

/** switch reuse on or off (off: every kernel output is a fresh array, as without the pool) */
export function setBufferReuse(on: boolean): void {
  reuse = on;
  if (!on) drainBufferPool();
}

/** drop the free lists (the arrays go to the garbage collector); the pool stays on */
export function drainBufferPool(): void {
  free.clear();
  pooledBytes = 0;
}

export function bufferPoolStats(): { on: boolean; taken: number; reused: number; returned: number; pooledBytes: number } {
  return { on: Boolean(installedOn), ...counts, pooledBytes };
}
