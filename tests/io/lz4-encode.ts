// A small LZ4 frame writer for tests: greedy matching, independent blocks (or linked, with matches
// reaching into the previous block), optional checksums. Good enough to make .warc.lz4 files from
// test records, one frame per record as FastWARC writes; the decoder's conformance is checked against
// the lz4 CLI's own output (tests/fixtures/warc/lz4-varied-*.lz4).
import { xxh32 } from '../../src/io/lz4.js';

export interface FrameOptions {
  /** 4 (64 KB), 5 (256 KB), 6 (1 MB) or 7 (4 MB) */
  blockSizeId?: 4 | 5 | 6 | 7;
  linked?: boolean;
  blockChecksum?: boolean;
  contentChecksum?: boolean;
  contentSize?: boolean;
  /** store blocks uncompressed (high bit of the block size set) */
  raw?: boolean;
}

const MINMATCH = 4;
const LASTLITERALS = 5;
const MFLIMIT = 12;

function pushLength(out: number[], n: number): void {
  while (n >= 255) {
    out.push(255);
    n -= 255;
  }
  out.push(n);
}

/** compress data[start..end) as one block; matches may reach back to `low` (linked blocks) */
export function compressBlock(data: Uint8Array, start: number, end: number, low = start): Buffer {
  const out: number[] = [];
  const table = new Map<number, number>();
  const key = (i: number) => data[i]! | (data[i + 1]! << 8) | (data[i + 2]! << 16) | (data[i + 3]! << 24);
  for (let i = low; i + MINMATCH <= start; i++) table.set(key(i), i); // history of linked blocks
  let anchor = start;
  let ip = start;
  const matchLimit = end - LASTLITERALS;
  const emit = (litEnd: number, off: number, ml: number) => {
    const lit = litEnd - anchor;
    const token = (Math.min(lit, 15) << 4) | (ml ? Math.min(ml - MINMATCH, 15) : 0);
    out.push(token);
    if (lit >= 15) pushLength(out, lit - 15);
    for (let i = anchor; i < litEnd; i++) out.push(data[i]!);
    if (!ml) return;
    out.push(off & 0xff, off >>> 8);
    if (ml - MINMATCH >= 15) pushLength(out, ml - MINMATCH - 15);
  };
  while (ip + MFLIMIT <= end) {
    const k = key(ip);
    const cand = table.get(k);
    table.set(k, ip);
    if (cand !== undefined && ip - cand <= 65535 && key(cand) === k) {
      let ml = MINMATCH;
      while (ip + ml < matchLimit && data[cand + ml] === data[ip + ml]) ml++;
      emit(ip, ip - cand, ml);
      ip += ml;
      anchor = ip;
      continue;
    }
    ip++;
  }
  ip = end;
  emit(end, 0, 0);
  return Buffer.from(out);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0);
  return b;
}

export function lz4Frame(input: Buffer | string, opts: FrameOptions = {}): Buffer {
  const data = typeof input === 'string' ? Buffer.from(input) : input;
  const bsid = opts.blockSizeId ?? 4;
  const blockMax = 1 << (8 + 2 * bsid);
  const flg = 0x40 | (opts.linked ? 0 : 0x20) | (opts.blockChecksum ? 0x10 : 0) | (opts.contentSize ? 0x08 : 0) | (opts.contentChecksum ? 0x04 : 0);
  const desc = [flg, bsid << 4];
  if (opts.contentSize) {
    const size = Buffer.alloc(8);
    size.writeBigUInt64LE(BigInt(data.length));
    desc.push(...size);
  }
  const hc = (xxh32(Buffer.from(desc)) >>> 8) & 0xff;
  const parts: Buffer[] = [u32(0x184d2204), Buffer.from(desc), Buffer.from([hc])];
  for (let p = 0; p < data.length; p += blockMax) {
    const end = Math.min(p + blockMax, data.length);
    let block = opts.raw ? Buffer.from(data.subarray(p, end)) : compressBlock(data, p, end, opts.linked ? Math.max(0, p - 65536) : p);
    let word = block.length;
    if (opts.raw || block.length >= end - p) {
      block = Buffer.from(data.subarray(p, end));
      word = block.length | 0x80000000;
    }
    parts.push(u32(word), block);
    if (opts.blockChecksum) parts.push(u32(xxh32(block)));
  }
  parts.push(u32(0));
  if (opts.contentChecksum) parts.push(u32(xxh32(data)));
  return Buffer.concat(parts);
}

/** a .warc.lz4 with one frame per record */
export function warcLz4(records: Buffer[], opts: FrameOptions = {}): Buffer {
  return Buffer.concat(records.map((r) => lz4Frame(r, opts)));
}
