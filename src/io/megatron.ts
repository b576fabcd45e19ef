// Megatron-LM indexed datasets (MMapIndexedDataset; layout in schemas/token-shard.ts): the .bin is written
// as documents arrive, the .idx once the .bin is whole, each under a temporary name and renamed, the
// .idx last, so a prefix with an .idx is complete. Read back with the checks Megatron's _IndexReader makes.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FatalError } from '../core/errors.js';
import { TMP_SUFFIX } from './shard-writer.js';
import { writeFileAtomic } from './atomic.js';
import { MEGATRON_DTYPES, MEGATRON_HEADER_BYTES, MEGATRON_MAGIC, MEGATRON_VERSION, type MegatronTokenDtype } from '../../schemas/token-shard.js';

function assertLittleEndian(): void {
  if (os.endianness() !== 'LE') throw new FatalError('Megatron indexed datasets are little-endian; this host is big-endian (not supported)');
}

const WIDTH: Record<MegatronTokenDtype, 2 | 4> = { uint16: 2, int32: 4 };
const MAX_ID: Record<MegatronTokenDtype, number> = { uint16: 0xffff, int32: 0x7fffffff };

export class MegatronWriter {
  private readonly fd: number;
  private readonly lengths: number[] = [];
  private bytes = 0;
  private closed = false;
  readonly width: 2 | 4;

  /** `prefix`: the path without .bin / .idx */
  constructor(
    readonly prefix: string,
    readonly dtype: MegatronTokenDtype,
  ) {
    assertLittleEndian();
    fs.mkdirSync(path.dirname(prefix), { recursive: true });
    this.width = WIDTH[dtype];
    this.fd = fs.openSync(prefix + '.bin' + TMP_SUFFIX, 'w');
  }

  get tokens(): number {
    return this.bytes / this.width;
  }

  get documents(): number {
    return this.lengths.length;
  }

  /** one document = one sequence */
  addDocument(ids: ArrayLike<number>): void {
    const arr = this.dtype === 'uint16' ? new Uint16Array(ids.length) : new Int32Array(ids.length);
    const max = MAX_ID[this.dtype];
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i]!;
      if (!(id >= 0 && id <= max && Number.isInteger(id))) {
        this.abort();
        throw new FatalError(`${this.prefix}.bin: token id ${id} does not fit the dataset's ${this.dtype} tokens (0..${max})`);
      }
      arr[i] = id;
    }
    if (arr.length > 0x7fffffff) throw new FatalError(`${this.prefix}.bin: a document of ${arr.length} tokens overflows Megatron's int32 sequence length`);
    fs.writeSync(this.fd, new Uint8Array(arr.buffer, arr.byteOffset, arr.byteLength));
    this.lengths.push(arr.length);
    this.bytes += arr.byteLength;
  }

  /** the .bin gets its name, then the .idx is written */
  commit(): void {
    fs.closeSync(this.fd);
    this.closed = true;
    fs.renameSync(this.prefix + '.bin' + TMP_SUFFIX, this.prefix + '.bin');
    const S = this.lengths.length;
    const D = S + 1;
    const idx = new Uint8Array(MEGATRON_HEADER_BYTES + 4 * S + 8 * S + 8 * D);
    const dv = new DataView(idx.buffer);
    idx.set(MEGATRON_MAGIC, 0);
    dv.setBigUint64(9, BigInt(MEGATRON_VERSION), true);
    dv.setUint8(17, MEGATRON_DTYPES[this.dtype]);
    dv.setBigUint64(18, BigInt(S), true);
    dv.setBigUint64(26, BigInt(D), true);
    let at = MEGATRON_HEADER_BYTES;
    for (const n of this.lengths) {
      dv.setInt32(at, n, true);
      at += 4;
    }
    let pointer = 0;
    for (const n of this.lengths) {
      dv.setBigInt64(at, BigInt(pointer), true);
      at += 8;
      pointer += n * this.width;
    }
    for (let d = 0; d < D; d++) {
      dv.setBigInt64(at, BigInt(d), true);
      at += 8;
    }
    writeFileAtomic(this.prefix + '.idx', idx);
  }

  abort(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
    fs.rmSync(this.prefix + '.bin' + TMP_SUFFIX, { force: true });
  }
}

export interface MegatronIndex {
  dtype: MegatronTokenDtype;
  sequenceLengths: Int32Array;
  sequencePointers: BigInt64Array;
  documentIndices: BigInt64Array;
}

/** the .idx of a prefix, checked as Megatron checks it, and against the size of the .bin */
export function readMegatronIndex(prefix: string): MegatronIndex {
  assertLittleEndian();
  const file = prefix + '.idx';
  const buf = fs.readFileSync(file);
  if (buf.length < MEGATRON_HEADER_BYTES || !buf.subarray(0, 9).equals(Buffer.from(MEGATRON_MAGIC))) throw new FatalError(`${file}: not a Megatron index: bad magic`);
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.length);
  const version = dv.getBigUint64(9, true);
  if (version !== 1n) throw new FatalError(`${file}: Megatron index version ${version}, expected 1`);
  const code = dv.getUint8(17);
  const dtype = (Object.entries(MEGATRON_DTYPES).find(([, c]) => c === code)?.[0] ?? '') as MegatronTokenDtype;
  if (dtype !== 'uint16' && dtype !== 'int32') throw new FatalError(`${file}: token dtype code ${code} is not one we read (uint16 8, int32 4)`);
  const S = Number(dv.getBigUint64(18, true));
  const D = Number(dv.getBigUint64(26, true));
  const expected = MEGATRON_HEADER_BYTES + 12 * S + 8 * D;
  if (buf.length !== expected) throw new FatalError(`${file}: ${buf.length} bytes, but ${S} sequences and ${D} document indices need ${expected}`);
  const copy = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length);
  const index: MegatronIndex = {
    dtype,
    // the arrays start at byte 34, unaligned for typed arrays: each is copied out
    sequenceLengths: new Int32Array(copy.slice(MEGATRON_HEADER_BYTES, MEGATRON_HEADER_BYTES + 4 * S)),
    sequencePointers: new BigInt64Array(copy.slice(MEGATRON_HEADER_BYTES + 4 * S, MEGATRON_HEADER_BYTES + 12 * S)),
    documentIndices: new BigInt64Array(copy.slice(MEGATRON_HEADER_BYTES + 12 * S)),
  };
  const width = WIDTH[dtype];
  const total = index.sequenceLengths.reduce((s, n) => s + n, 0) * width;
  const binBytes = fs.statSync(prefix + '.bin').size;
  if (binBytes !== total) throw new FatalError(`${prefix}.bin: ${binBytes} bytes, but the index lists ${total / width} ${dtype} tokens (${total} bytes)`);
  return index;
}

/** the tokens of sequence i */
export function readMegatronSequence(prefix: string, index: MegatronIndex, i: number): Uint16Array | Int32Array {
  const width = WIDTH[index.dtype];
  const n = index.sequenceLengths[i]!;
  const bytes = Buffer.alloc(n * width);
  const fd = fs.openSync(prefix + '.bin', 'r');
  try {
    fs.readSync(fd, bytes, 0, bytes.length, Number(index.sequencePointers[i]!));
  } finally {
    fs.closeSync(fd);
  }
  const copy = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.length);
  return index.dtype === 'uint16' ? new Uint16Array(copy) : new Int32Array(copy);
}
