// A pull-based reader over a stream of byte chunks, for record formats (WARC) that mix
// header lines and length-prefixed bodies. Tracks absolute offsets and, for compressed input
// (gzip members, LZ4 frames), which compressed member each decompressed byte came from.
import type { GzipChunk } from './gzip.js';
import type { RecordError } from '../core/errors.js';

/** where a record may start: its absolute offset, and the compressed member it lies in */
export interface RecordStart {
  at: number;
  /** compressed offset of the member holding `at` (the raw offset for plain files) */
  memberOffset: number;
  /** absolute (decompressed) offset where that member's bytes begin */
  memberStart: number;
}

export interface WatchedSkip {
  skipped: number;
  /** stopped early: a new compressed member starts here and its first bytes are the record magic */
  atMember: boolean;
  /** the first place inside the skipped bytes where the needle occurs (a record may start there) */
  found?: RecordStart;
}

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

  /**
   * `compressed`: chunks carry member offsets (gzip members, LZ4 frames); otherwise offsets are raw
   * file offsets. `base`: the absolute offset of the first byte the source yields (when reopened mid-file).
   */
  constructor(source: AsyncIterable<GzipChunk>, private readonly compressed = true, base = 0) {
    this.it = source[Symbol.asyncIterator]();
    this.base = base;
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

  /** does a compressed member (gzip member, LZ4 frame) begin at absolute offset `at`? */
  isMemberStart(at: number): boolean {
    return this.compressed && this.members.some(([s]) => s === at);
  }

  /** absolute offsets in [from, to] where a compressed member begins (none for plain files) */
  memberStartsIn(from: number, to: number): number[] {
    return this.compressed ? this.members.filter(([s]) => s >= from && s <= to).map(([s]) => s) : [];
  }

  /** the member holding absolute offset `at`, and where its bytes begin */
  recordStartAt(at: number): RecordStart {
    if (!this.compressed) return { at, memberOffset: at, memberStart: at };
    let found: [number, number] = [at, at];
    for (const m of this.members) {
      if (m[0] <= at) found = m;
      else break;
    }
    return { at, memberOffset: found[1], memberStart: found[0] };
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
   * Skip up to n bytes, like skip(), watching for a record that starts inside them (a declared length
   * that lies). For compressed input it stops at the start of a member whose first bytes are `magic`:
   * one member holds one record, so the record being skipped cannot go on into it. It also notes the
   * first occurrence of `needle` (a CRLF, then the record magic) in the skipped bytes, so the caller can
   * come back to it: `found.at` is where that record would start, after the CRLF.
   */
  async skipWatching(n: number, needle: Buffer, magic: Buffer): Promise<WatchedSkip> {
    const k = needle.length - 1;
    let skipped = 0; // n may be Infinity (a length past what a Number holds)
    let tail: Buffer = Buffer.alloc(0); // the last k bytes skipped, for a needle across two fills
    let found: RecordStart | undefined;
    while (skipped < n) {
      if (this.available === 0 && !(await this.fill())) break;
      if (skipped > 0 && this.compressed && this.members.some(([s]) => s === this.offset)) {
        const head = await this.peek(magic.length);
        if (head.equals(magic)) return { skipped, atMember: true, found };
        tail = Buffer.alloc(0); // a record start is not looked for across a member boundary
      }
      let take = Math.min(n - skipped, this.available);
      if (this.compressed) {
        const next = this.members.find(([s]) => s > this.offset);
        if (next && next[0] - this.offset < take) take = next[0] - this.offset;
      }
      if (!found && tail.length) {
        const joined = Buffer.concat([tail, this.buf.subarray(this.pos, this.pos + k)]);
        const i = joined.indexOf(needle);
        if (i !== -1 && i < tail.length) found = this.recordStartAt(this.offset - tail.length + i + 2);
      }
      if (!found) {
        const i = this.buf.indexOf(needle, this.pos);
        if (i !== -1 && i < this.pos + take) found = this.recordStartAt(this.base + i + 2);
      }
      const seg = this.buf.subarray(this.pos, this.pos + take);
      tail = seg.length >= k ? Buffer.from(seg.subarray(seg.length - k)) : Buffer.concat([tail, seg]).subarray(-k);
      this.pos += take;
      skipped += take;
    }
    return { skipped, atMember: false, found };
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
