// The weights file of a classifier directory (weights.bin), described once here (the llm.c habit: a
// fixed header the reader checks before it trusts a byte, then raw little-endian arrays).
//
//   offset  size        what
//   0       8           magic "CURATECW"
//   8       4 x uint32  version (1), buckets B, dim D, labels K
//   24      4 x uint32  dtype (0 = float32, 1 = int8), reserved (3 x 0)
//   40      24          zero
//   64      ...         embedding, B x D, row-major:
//                         float32: B*D float32
//                         int8:    B float32 row scales, then B*D int8 (value = int8 * scale of its row)
//   ...     D*K float32 dense weights, row-major [D][K]
//   ...     K float32   dense bias
import crypto from 'node:crypto';
import fs from 'node:fs';
import { FatalError } from '../core/errors.js';

export const WEIGHTS_MAGIC = 'CURATECW';
export const WEIGHTS_VERSION = 1;
export const HEADER_BYTES = 64;
export type WeightsDtype = 'float32' | 'int8';
const DTYPE_CODE: Record<WeightsDtype, number> = { float32: 0, int8: 1 };

export interface Weights {
  buckets: number;
  dim: number;
  labels: number;
  /** B x D, row-major */
  embedding: Float32Array;
  /** D x K, row-major */
  dense: Float32Array;
  /** K */
  bias: Float32Array;
}

export function weightsBytes(buckets: number, dim: number, labels: number, dtype: WeightsDtype): number {
  const emb = dtype === 'float32' ? buckets * dim * 4 : buckets * 4 + buckets * dim;
  return HEADER_BYTES + emb + (dim * labels + labels) * 4;
}

/**
 * Round the embedding to int8 with one scale per row (max |value| / 127), in place: what a model saved as
 * int8 will compute, so metrics measured after this are the shipped model's.
 */
export function quantizeInPlace(w: Weights): void {
  const { buckets: B, dim: D, embedding } = w;
  for (let r = 0; r < B; r++) {
    let max = 0;
    for (let j = 0; j < D; j++) max = Math.max(max, Math.abs(embedding[r * D + j]!));
    const scale = Math.fround(max / 127);
    for (let j = 0; j < D; j++) embedding[r * D + j] = scale === 0 ? 0 : Math.round(embedding[r * D + j]! / scale) * scale;
  }
}

export function encodeWeights(w: Weights, dtype: WeightsDtype): Buffer {
  const { buckets: B, dim: D, labels: K } = w;
  const buf = Buffer.alloc(weightsBytes(B, D, K, dtype));
  buf.write(WEIGHTS_MAGIC, 0, 'ascii');
  [WEIGHTS_VERSION, B, D, K, DTYPE_CODE[dtype]].forEach((v, i) => buf.writeUInt32LE(v, 8 + 4 * i));
  let at = HEADER_BYTES;
  if (dtype === 'float32') {
    Buffer.from(w.embedding.buffer, w.embedding.byteOffset, w.embedding.byteLength).copy(buf, at);
    at += B * D * 4;
  } else {
    const scales = new Float32Array(B);
    const q = new Int8Array(B * D);
    for (let r = 0; r < B; r++) {
      let max = 0;
      for (let j = 0; j < D; j++) max = Math.max(max, Math.abs(w.embedding[r * D + j]!));
      const scale = Math.fround(max / 127);
      scales[r] = scale;
      for (let j = 0; j < D; j++) q[r * D + j] = scale === 0 ? 0 : Math.max(-127, Math.min(127, Math.round(w.embedding[r * D + j]! / scale)));
    }
    Buffer.from(scales.buffer).copy(buf, at);
    at += B * 4;
    Buffer.from(q.buffer).copy(buf, at);
    at += B * D;
  }
  Buffer.from(w.dense.buffer, w.dense.byteOffset, w.dense.byteLength).copy(buf, at);
  at += D * K * 4;
  Buffer.from(w.bias.buffer, w.bias.byteOffset, w.bias.byteLength).copy(buf, at);
  return buf;
}

export function sha256(data: Uint8Array): string {
  return crypto.createHash('sha256').update(data).digest('hex');
}

export interface ExpectedWeights {
  buckets: number;
  dim: number;
  labels: number;
  dtype: WeightsDtype;
  bytes: number;
  sha256: string;
}

/** read and check weights.bin against its card: size, checksum, magic, version and shape, each a FatalError naming the file */
export function readWeights(file: string, expect: ExpectedWeights): Weights {
  if (!fs.existsSync(file)) throw new FatalError(`${file}: missing: expected the classifier's weights (${expect.bytes} bytes, ${WEIGHTS_MAGIC} version ${WEIGHTS_VERSION})`);
  const buf = fs.readFileSync(file);
  const what = `expected ${expect.bytes} bytes of ${expect.dtype} weights for ${expect.buckets} buckets x ${expect.dim} dims x ${expect.labels} labels`;
  if (buf.length !== expect.bytes) throw new FatalError(`${file}: ${buf.length} bytes, ${what} (truncated or replaced)`);
  if (buf.subarray(0, 8).toString('latin1') !== WEIGHTS_MAGIC) throw new FatalError(`${file}: not a curate weights file (no ${WEIGHTS_MAGIC} magic)`);
  const [version, B, D, K, code] = [0, 1, 2, 3, 4].map((i) => buf.readUInt32LE(8 + 4 * i)) as [number, number, number, number, number];
  if (version !== WEIGHTS_VERSION) throw new FatalError(`${file}: weights version ${version}, this curate reads version ${WEIGHTS_VERSION}`);
  if (B !== expect.buckets || D !== expect.dim || K !== expect.labels || code !== DTYPE_CODE[expect.dtype]) {
    throw new FatalError(`${file}: header says ${B} buckets x ${D} dims x ${K} labels (dtype code ${code}), ${what} as the card says`);
  }
  const digest = sha256(buf);
  if (digest !== expect.sha256) throw new FatalError(`${file}: sha256 ${digest.slice(0, 16)}... does not match the card's ${expect.sha256.slice(0, 16)}...: the file is corrupt or from another model`);
  let at = HEADER_BYTES;
  const floats = (n: number) => {
    const out = new Float32Array(n);
    Buffer.from(out.buffer).set(buf.subarray(at, at + n * 4));
    at += n * 4;
    return out;
  };
  let embedding: Float32Array;
  if (expect.dtype === 'float32') embedding = floats(B * D);
  else {
    const scales = floats(B);
    embedding = new Float32Array(B * D);
    for (let r = 0; r < B; r++) {
      const s = scales[r]!;
      for (let j = 0; j < D; j++) embedding[r * D + j] = ((buf[at + r * D + j]! << 24) >> 24) * s;
    }
    at += B * D;
  }
  const dense = floats(D * K);
  const bias = floats(K);
  for (const [name, arr] of [['embedding', embedding], ['dense', dense], ['bias', bias]] as const) {
    for (let i = 0; i < arr.length; i++) if (!Number.isFinite(arr[i]!)) throw new FatalError(`${file}: ${name}[${i}] is ${arr[i]}: the weights are corrupt`);
  }
  return { buckets: B, dim: D, labels: K, embedding, dense, bias };
}
