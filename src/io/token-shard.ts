// llm.c token shards (layout in schemas/token-shard.ts): written piece by piece under a temporary name,
// the header's token count filled in and the file renamed when whole; read back only after the magic,
// the version and the file size agree. Also the document-boundary file written beside a shard.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FatalError } from '../core/errors.js';
import { TMP_SUFFIX } from './shard-writer.js';
import { writeFileAtomic } from './atomic.js';
import { BOUNDARIES_MAGIC, BOUNDARIES_VERSION, LLMC_HEADER_BYTES, LLMC_HEADER_INTS, LLMC_KINDS, type LlmcKind } from '../../schemas/token-shard.js';

// typed arrays use the host's byte order; the formats are little-endian
function assertLittleEndian(): void {
  if (os.endianness() !== 'LE') throw new FatalError('token shards are little-endian; this host is big-endian (not supported)');
}

const BUFFER_TOKENS = 1 << 19;

/** one llm.c shard being written; nothing has its final name until commit */
export class LlmcShardWriter {
  private readonly fd: number;
  private readonly tmp: string;
  private readonly buf: Uint16Array | Uint32Array;
  private fill = 0;
  private written = 0;
  private closed = false;
  private readonly maxId: number;

  constructor(
    readonly file: string,
    readonly kind: LlmcKind,
  ) {
    assertLittleEndian();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    this.tmp = file + TMP_SUFFIX;
    this.fd = fs.openSync(this.tmp, 'w');
    fs.writeSync(this.fd, new Uint8Array(LLMC_HEADER_BYTES)); // the header, filled in by commit
    this.buf = kind.width === 2 ? new Uint16Array(BUFFER_TOKENS) : new Uint32Array(BUFFER_TOKENS);
    this.maxId = kind.width === 2 ? 0xffff : 0xffffffff;
  }

  /** tokens written so far */
  get tokens(): number {
    return this.written + this.fill;
  }

  append(ids: ArrayLike<number>, from = 0, to = ids.length): void {
    for (let i = from; i < to; i++) {
      const id = ids[i]!;
      if (!(id >= 0 && id <= this.maxId && Number.isInteger(id))) {
        this.abort();
        throw new FatalError(`${this.file}: token id ${id} does not fit this shard's ${this.kind.dtype} tokens (0..${this.maxId})${this.kind.width === 2 ? '; a vocabulary over 65,536 needs uint32 shards' : ''}`);
      }
      if (this.fill === this.buf.length) this.flush();
      this.buf[this.fill++] = id;
    }
  }

  private flush(): void {
    if (this.fill === 0) return;
    const view = this.buf.subarray(0, this.fill);
    fs.writeSync(this.fd, new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
    this.written += this.fill;
    this.fill = 0;
  }

  /** fill in the header, close, and give the file its name */
  commit(): void {
    this.flush();
    if (this.written > 0x7fffffff) {
      this.abort();
      throw new FatalError(`${this.file}: ${this.written} tokens do not fit the header's int32 count; use smaller shards`);
    }
    const header = new Int32Array(LLMC_HEADER_INTS);
    header[0] = this.kind.magic;
    header[1] = this.kind.version;
    header[2] = this.written;
    fs.writeSync(this.fd, new Uint8Array(header.buffer), 0, LLMC_HEADER_BYTES, 0);
    fs.closeSync(this.fd);
    fs.renameSync(this.tmp, this.file);
    this.closed = true;
  }

  abort(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
    fs.rmSync(this.tmp, { force: true });
  }
}

/** a whole shard at once */
export function writeLlmcShard(file: string, tokens: ArrayLike<number>, kind: LlmcKind): void {
  const w = new LlmcShardWriter(file, kind);
  w.append(tokens);
  w.commit();
}

export interface LlmcShardInfo {
  kind: LlmcKind;
  tokens: number;
  bytes: number;
}

/** the header of a shard, checked against the file: magic, version, and size = 1024 + count x width */
export function readLlmcHeader(file: string): LlmcShardInfo {
  const fd = fs.openSync(file, 'r');
  try {
    return checkHeader(file, fd);
  } finally {
    fs.closeSync(fd);
  }
}

function checkHeader(file: string, fd: number): LlmcShardInfo {
  const bytes = fs.fstatSync(fd).size;
  if (bytes < LLMC_HEADER_BYTES) throw new FatalError(`${file}: not an llm.c token shard: ${bytes} bytes, shorter than the ${LLMC_HEADER_BYTES}-byte header`);
  const header = new Int32Array(3);
  fs.readSync(fd, new Uint8Array(header.buffer), 0, 12, 0);
  const [magic, version, tokens] = [header[0]!, header[1]!, header[2]!];
  const kind = LLMC_KINDS.find((k) => k.magic === magic);
  if (!kind) throw new FatalError(`${file}: not an llm.c token shard: magic ${magic}, expected ${LLMC_KINDS.map((k) => k.magic).join(' or ')}`);
  if (version !== kind.version) throw new FatalError(`${file}: llm.c shard with magic ${magic} has version ${version}, expected ${kind.version}`);
  if (tokens < 0) throw new FatalError(`${file}: llm.c shard header gives a negative token count (${tokens})`);
  const expected = LLMC_HEADER_BYTES + tokens * kind.width;
  if (bytes !== expected) {
    throw new FatalError(
      `${file}: ${bytes < expected ? 'truncated' : 'trailing bytes'}: the header says ${tokens} ${kind.dtype} tokens (${expected} bytes with the header), the file has ${bytes} bytes`,
    );
  }
  return { kind, tokens, bytes };
}

/** tokens [start, start + count) of a checked shard */
export function readLlmcShard(file: string, start = 0, count?: number): Uint16Array | Uint32Array {
  assertLittleEndian();
  const fd = fs.openSync(file, 'r');
  try {
    const info = checkHeader(file, fd);
    const n = count ?? info.tokens - start;
    if (start < 0 || n < 0 || start + n > info.tokens) throw new RangeError(`${file}: tokens [${start}, ${start + n}) are outside the shard's ${info.tokens}`);
    const out = info.kind.width === 2 ? new Uint16Array(n) : new Uint32Array(n);
    const bytes = new Uint8Array(out.buffer);
    let done = 0;
    while (done < bytes.length) {
      const r = fs.readSync(fd, bytes, done, bytes.length - done, LLMC_HEADER_BYTES + start * info.kind.width + done);
      if (r === 0) throw new FatalError(`${file}: file ended while reading tokens`);
      done += r;
    }
    return out;
  } finally {
    fs.closeSync(fd);
  }
}

/** the boundary file beside a shard: per window, the offsets of the EOTs that open documents */
export function writeBoundaries(file: string, contextTokens: number, windows: ReadonlyArray<ArrayLike<number>>): void {
  assertLittleEndian();
  const entries = windows.reduce((s, w) => s + w.length, 0);
  const out = new Int32Array(LLMC_HEADER_INTS + windows.length + 1 + entries);
  out[0] = BOUNDARIES_MAGIC;
  out[1] = BOUNDARIES_VERSION;
  out[2] = windows.length;
  out[3] = entries;
  out[4] = contextTokens;
  let ptr = 0;
  let at = LLMC_HEADER_INTS + windows.length + 1;
  windows.forEach((w, i) => {
    out[LLMC_HEADER_INTS + i] = ptr;
    for (let j = 0; j < w.length; j++) out[at++] = w[j]!;
    ptr += w.length;
  });
  out[LLMC_HEADER_INTS + windows.length] = ptr;
  writeFileAtomic(file, new Uint8Array(out.buffer));
}

export function readBoundaries(file: string): { contextTokens: number; windows: number[][] } {
  assertLittleEndian();
  const buf = fs.readFileSync(file);
  if (buf.length < LLMC_HEADER_BYTES || buf.length % 4) throw new FatalError(`${file}: not a boundary file (${buf.length} bytes)`);
  const a = new Int32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
  if (a[0] !== BOUNDARIES_MAGIC || a[1] !== BOUNDARIES_VERSION) throw new FatalError(`${file}: not a boundary file: magic ${a[0]}, version ${a[1]}`);
  const [W, E, T] = [a[2]!, a[3]!, a[4]!];
  if (a.length !== LLMC_HEADER_INTS + W + 1 + E) throw new FatalError(`${file}: truncated: the header says ${W} windows and ${E} entries, the file has ${buf.length} bytes`);
  const base = LLMC_HEADER_INTS + W + 1;
  const windows: number[][] = [];
  for (let w = 0; w < W; w++) windows.push(Array.from(a.subarray(base + a[LLMC_HEADER_INTS + w]!, base + a[LLMC_HEADER_INTS + w + 1]!)));
  return { contextTokens: T, windows };
}
