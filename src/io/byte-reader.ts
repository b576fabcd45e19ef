// A pull-based reader over a stream of byte chunks, for record formats (WARC) that mix
// header lines and length-prefixed bodies. Tracks absolute offsets and, for gzip input,
// which compressed member each decompressed byte came from.
import type { GzipChunk } from './gzip.js';
import type { RecordError } from '../core/errors.js';

export class ByteReader {
  private buf: Buffer = Buffer.alloc(0);
  private pos = 0;
  /** absolute (decompressed) offset of buf[0] */
  private base = 0;
  private done = false;
  private readonly it: AsyncIterator<GzipChunk>;
  /** [decompressed start, member offset] pairs, oldest first */
  private members: Array<[number, number]> = [];
  /** errors from the compressed layer, waiting for the record parser to report them */
  readonly errors: RecordError[] = [];
  /** set when the compressed stream skipped bytes: the record being read is not whole */
  discontinuity = false;
  /** absolute offset of the first byte decoded after the compressed layer last skipped bytes */
  resumedAt = -1;
  private skipping = false;
  /** compressed or raw bytes read so far, for progress */
  sourceBytes = 0;

  /** `compressed`: chunks carry gzip member offsets; otherwise offsets are raw file offsets */
  constructor(source: AsyncIterable<GzipChunk>, private readonly compressed = true) {
    this.it = source[Symbol.asyncIterator]();
  }

  get offset(): number {
    return this.base + this.pos;
  }
  get available(): number {
    return this.buf.length - this.pos;
  }
  get eof(): boolean {
    return this.done && this.available === 0;
  }

  /** compressed member offset of the byte at absolute offset `at` (the raw offset for plain files) */
  memberOffsetAt(at: number): number {
    if (!this.compressed) return at;
    let found = at;
    for (const [start, member] of this.members) {
      if (start <= at) found = member;
      else break;
    }
    return found;
  }

  /** append the next chunk (dropping consumed bytes first); false at end of input */
  async fill(): Promise<boolean> {
    for (;;) {
      if (this.done) return false;
      const r = await this.it.next();
      if (r.done) {
        this.done = true;
        return false;
      }
      const c = r.value;
      if (c.error) {
        this.errors.push(c.error);
        this.discontinuity = true;
        this.skipping = true;
        continue;
      }
      if (!c.data || c.data.length === 0) continue;
      if (this.pos > 0) {
        this.base += this.pos;
        this.buf = this.buf.subarray(this.pos);
        this.pos = 0;
      }
      const start = this.base + this.buf.length;
      if (this.skipping) {
        this.resumedAt = start;
        this.skipping = false;
      }
      const last = this.members[this.members.length - 1];
      if (!last || last[1] !== c.memberOffset) this.members.push([start, c.memberOffset]);
      if (this.members.length > 64) this.pruneMembers();
      this.buf = this.buf.length ? Buffer.concat([this.buf, c.data]) : c.data;
      return true;
    }
  }

  private pruneMembers(): void {
    const cur = this.offset;
    let keepFrom = 0;
    for (let i = 0; i < this.members.length; i++) if (this.members[i]![0] <= cur) keepFrom = i;
    this.members = this.members.slice(keepFrom);
  }

  /** look at up to n bytes without consuming them */
  async peek(n: number): Promise<Buffer> {
    while (this.available < n && (await this.fill()));
    return this.buf.subarray(this.pos, this.pos + Math.min(n, this.available));
  }

  /**
   * Read through the next occurrence of `delim`, returning the bytes before it (the delimiter is
   * consumed). Returns null at end of input or when no delimiter occurs within `maxBytes`
   * (nothing is consumed then).
   */
  async readUntil(delim: Buffer, maxBytes: number): Promise<Buffer | null> {
    let scannedAbs = this.offset; // absolute offset before which no match can start
    for (;;) {
      const from = Math.max(this.pos, scannedAbs - this.base);
      const idx = this.buf.indexOf(delim, from);
      if (idx !== -1 && idx - this.pos <= maxBytes) {
        const out = this.buf.subarray(this.pos, idx);
        this.pos = idx + delim.length;
        return out;
      }
      if (this.available > maxBytes + delim.length) return null;
      scannedAbs = this.base + Math.max(this.pos, this.buf.length - delim.length + 1);
      if (!(await this.fill())) return null;
    }
  }

  /** read exactly n bytes (fewer only at end of input) */
  async read(n: number): Promise<Buffer> {
    if (this.available >= n) {
      const out = this.buf.subarray(this.pos, this.pos + n);
      this.pos += n;
      return out;
    }
    const parts: Buffer[] = [];
    let left = n;
    while (left > 0) {
      if (this.available === 0 && !(await this.fill())) break;
      const take = Math.min(left, this.available);
      parts.push(this.buf.subarray(this.pos, this.pos + take));
      this.pos += take;
      left -= take;
    }
    return parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  }

  /** put bytes back in front of the read position (they must be the bytes just read) */
  unread(bytes: Buffer): void {
    const at = this.offset - bytes.length;
    this.buf = Buffer.concat([bytes, this.buf.subarray(this.pos)]);
    this.base = at;
    this.pos = 0;
  }

  /** discard n bytes without holding them; returns how many were skipped */
  async skip(n: number): Promise<number> {
    let left = n;
    while (left > 0) {
      if (this.available === 0 && !(await this.fill())) break;
      const take = Math.min(left, this.available);
      this.pos += take;
      left -= take;
    }
    return n - left;
  }

  /**
   * Skip forward to the next occurrence of `needle` (not consuming it); false if none before the end.
   */
  async seek(needle: Buffer): Promise<boolean> {
    for (;;) {
      const idx = this.buf.indexOf(needle, this.pos);
      if (idx !== -1) {
        this.pos = idx;
        return true;
      }
      this.pos = Math.max(this.pos, this.buf.length - needle.length + 1);
      if (!(await this.fill())) {
        this.pos = this.buf.length;
        return false;
      }
    }
  }
}
