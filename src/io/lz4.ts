// A streaming decoder for the LZ4 frame format (lz4/lz4 doc/lz4_Frame_format.md), as the `lz4` CLI,
// python-lz4's lz4.frame and FastWARC/Resiliparse write it (.warc.lz4: one frame per WARC record, as
// .warc.gz has one gzip member per record). Like gunzipMembers it yields decoded bytes tagged with the
// offset of the frame they belong to, which serves as the record offset, and names damage (garbage
// between frames, a corrupt or truncated frame, a checksum that does not match) with that offset
// instead of ending the stream, then goes on at the next frame.
//
// Memory: one block of input (at most 4 MB, the largest block size the format has, plus its header
// and checksum), a window of 64 KB of history plus one block of output, and, when the frame carries a
// content checksum, its decoded bytes up to HOLD_BYTES so that a frame whose checksum fails is dropped
// whole before anyone reads it.
import { RecordError } from '../core/errors.js';
import type { GzipChunk } from './gzip.js';
import { gather } from './gather.js';

// ---------------------------------------------------------------------------------------------
// xxHash32 (Yann Collet's XXH32: the checksum of the LZ4 frame format)

const P1 = 0x9e3779b1;
const P2 = 0x85ebca77;
const P3 = 0xc2b2ae3d;
const P4 = 0x27d4eb2f;
const P5 = 0x165667b1;

const rotl = (x: number, r: number) => (x << r) | (x >>> (32 - r));
const lane = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24);
const round = (acc: number, input: number) => Math.imul(rotl((acc + Math.imul(input, P2)) | 0, 13), P1);

/** incremental XXH32: update() with any split of the input gives the same digest() */
export class Xxh32 {
  private v1: number;
  private v2: number;
  private v3: number;
  private v4: number;
  private total = 0;
  private readonly mem = new Uint8Array(16);
  private memLen = 0;

  constructor(private readonly seed = 0) {
    this.v1 = (seed + P1 + P2) | 0;
    this.v2 = (seed + P2) | 0;
    this.v3 = seed | 0;
    this.v4 = (seed - P1) | 0;
  }

  update(data: Uint8Array, start = 0, end = data.length): this {
    let p = start;
    this.total += end - start;
    if (this.memLen + (end - p) < 16) {
      this.mem.set(data.subarray(p, end), this.memLen);
      this.memLen += end - p;
      return this;
    }
    if (this.memLen > 0) {
      const fillN = 16 - this.memLen;
      this.mem.set(data.subarray(p, p + fillN), this.memLen);
      p += fillN;
      this.stripe(this.mem, 0);
      this.memLen = 0;
    }
    let { v1, v2, v3, v4 } = this;
    const limit = end - 16;
    while (p <= limit) {
      v1 = round(v1, lane(data, p));
      v2 = round(v2, lane(data, p + 4));
      v3 = round(v3, lane(data, p + 8));
      v4 = round(v4, lane(data, p + 12));
      p += 16;
    }
    this.v1 = v1;
    this.v2 = v2;
    this.v3 = v3;
    this.v4 = v4;
    if (p < end) {
      this.mem.set(data.subarray(p, end), 0);
      this.memLen = end - p;
    }
    return this;
  }

  private stripe(b: Uint8Array, i: number): void {
    this.v1 = round(this.v1, lane(b, i));
    this.v2 = round(this.v2, lane(b, i + 4));
    this.v3 = round(this.v3, lane(b, i + 8));
    this.v4 = round(this.v4, lane(b, i + 12));
  }

  digest(): number {
    let h: number;
    if (this.total >= 16) h = (rotl(this.v1, 1) + rotl(this.v2, 7) + rotl(this.v3, 12) + rotl(this.v4, 18)) | 0;
    else h = (this.seed + P5) | 0;
    h = (h + this.total) | 0; // the low 32 bits of the length
    let p = 0;
    const b = this.mem;
    for (; p + 4 <= this.memLen; p += 4) h = Math.imul(rotl((h + Math.imul(lane(b, p), P3)) | 0, 17), P4);
    for (; p < this.memLen; p++) h = Math.imul(rotl((h + Math.imul(b[p]!, P5)) | 0, 11), P1);
    h ^= h >>> 15;
    h = Math.imul(h, P2);
    h ^= h >>> 13;
    h = Math.imul(h, P3);
    h ^= h >>> 16;
    return h >>> 0;
  }
}

export function xxh32(data: Uint8Array, seed = 0): number {
  return new Xxh32(seed).update(data).digest();
}

// ---------------------------------------------------------------------------------------------
// LZ4 block format

export class Lz4BlockError extends Error {}

/**
 * Decode one LZ4 block, src[sp..se), into dst from dp on. Matches may reach back to dst[lowLimit]
 * (the history of linked blocks) and output may not pass dstEnd. Returns the end of the output.
 */
export function decodeBlock(src: Uint8Array, sp: number, se: number, dst: Uint8Array, dp: number, dstEnd: number, lowLimit: number): number {
  if (sp >= se) throw new Lz4BlockError('empty block');
  for (;;) {
    const token = src[sp++]!;
    let lit = token >>> 4;
    if (lit === 15) {
      let b: number;
      do {
        if (sp >= se) throw new Lz4BlockError('literal length runs past the end of the block');
        b = src[sp++]!;
        lit += b;
      } while (b === 255);
    }
    if (lit > se - sp) throw new Lz4BlockError('literals run past the end of the block');
    if (lit > dstEnd - dp) throw new Lz4BlockError('block decodes to more than the frame block size');
    if (lit < 32) for (const e = sp + lit; sp < e; ) dst[dp++] = src[sp++]!;
    else {
      dst.set(src.subarray(sp, sp + lit), dp);
      dp += lit;
      sp += lit;
    }
    if (sp === se) return dp; // the last sequence holds literals only
    if (se - sp < 2) throw new Lz4BlockError('match offset cut off by the end of the block');
    const off = src[sp]! | (src[sp + 1]! << 8);
    sp += 2;
    if (off === 0) throw new Lz4BlockError('match offset 0');
    if (off > dp - lowLimit) throw new Lz4BlockError(`match offset ${off} reaches before the start of the data`);
    let ml = token & 15;
    if (ml === 15) {
      let b: number;
      do {
        if (sp >= se) throw new Lz4BlockError('match length runs past the end of the block');
        b = src[sp++]!;
        ml += b;
      } while (b === 255);
    }
    ml += 4;
    if (ml > dstEnd - dp) throw new Lz4BlockError('block decodes to more than the frame block size');
    let mp = dp - off;
    if (ml >= 32 && off >= ml) {
      dst.copyWithin(dp, mp, mp + ml);
      dp += ml;
    } else {
      // overlapping matches (off < ml) repeat the last `off` bytes: copied byte by byte, forwards
      for (const e = dp + ml; dp < e; ) dst[dp++] = dst[mp++]!;
    }
    if (sp >= se) throw new Lz4BlockError('block ends with a match, not with literals');
  }
}

// ---------------------------------------------------------------------------------------------
// LZ4 frame format

export const LZ4_FRAME_MAGIC = 0x184d2204;
const HISTORY = 64 * 1024;
/** decoded bytes of a frame with a content checksum held back until it is checked */
export const HOLD_BYTES = 8 * 1024 * 1024;
const BLOCK_MAX: Record<number, number> = { 4: 64 * 1024, 5: 256 * 1024, 6: 1024 * 1024, 7: 4 * 1024 * 1024 };

export function isFrameMagic(b: Uint8Array, i = 0): boolean {
  return b[i] === 0x04 && b[i + 1] === 0x22 && b[i + 2] === 0x4d && b[i + 3] === 0x18;
}
export function isSkippableMagic(b: Uint8Array, i = 0): boolean {
  return (b[i]! & 0xf0) === 0x50 && b[i + 1] === 0x2a && b[i + 2] === 0x4d && b[i + 3] === 0x18;
}

export interface FrameDescriptor {
  /** bytes from the magic through the header checksum */
  length: number;
  blockIndependent: boolean;
  blockChecksum: boolean;
  contentChecksum: boolean;
  contentSize?: number;
  dictId?: number;
  blockMax: number;
}

/**
 * Parse the frame descriptor at b[i] (after a frame magic): the descriptor, a reason it is invalid,
 * or null when more bytes are needed.
 */
export function parseDescriptor(b: Uint8Array, i = 0): FrameDescriptor | string | null {
  if (b.length < i + 7) return null;
  const flg = b[i + 4]!;
  const bd = b[i + 5]!;
  if (flg >>> 6 !== 1) return `frame version ${flg >>> 6}, not 1`;
  if (flg & 0x02) return 'reserved FLG bit set';
  if (bd & 0x8f) return 'reserved BD bits set';
  const blockMax = BLOCK_MAX[(bd >>> 4) & 7];
  if (!blockMax) return `block size id ${(bd >>> 4) & 7} is not 4-7`;
  const hasSize = (flg & 0x08) !== 0;
  const hasDict = (flg & 0x01) !== 0;
  const length = 4 + 2 + (hasSize ? 8 : 0) + (hasDict ? 4 : 0) + 1;
  if (b.length < i + length) return null;
  const hc = (xxh32(b.subarray(i + 4, i + length - 1)) >>> 8) & 0xff;
  if (hc !== b[i + length - 1]) return `header checksum ${b[i + length - 1]} but the descriptor hashes to ${hc}`;
  const d: FrameDescriptor = {
    length,
    blockIndependent: (flg & 0x20) !== 0,
    blockChecksum: (flg & 0x10) !== 0,
    contentChecksum: (flg & 0x04) !== 0,
    blockMax,
  };
  let p = i + 6;
  if (hasSize) {
    const lo = lane(b, p) >>> 0;
    const hi = lane(b, p + 4) >>> 0;
    d.contentSize = hi * 2 ** 32 + lo; // exact up to 2^53
    p += 8;
  }
  if (hasDict) d.dictId = lane(b, p) >>> 0;
  return d;
}

/** a frame start (either magic) in buf from `from`; a partial magic at the very end counts too */
function findMagic(buf: Buffer, from: number): number {
  for (let i = buf.indexOf(0x18, from + 3); i !== -1; i = buf.indexOf(0x18, i + 1)) {
    if (buf[i - 1] === 0x4d && ((buf[i - 2] === 0x22 && buf[i - 3] === 0x04) || (buf[i - 2] === 0x2a && (buf[i - 3]! & 0xf0) === 0x50))) return i - 3;
  }
  // a magic cut by the end of what is at hand
  for (let i = Math.max(from, buf.length - 3); i < buf.length; i++) {
    if (buf[i] === 0x04 || (buf[i]! & 0xf0) === 0x50) return i;
  }
  return -1;
}

class FrameError extends Error {
  constructor(
    readonly reason: 'lz4_corrupt' | 'truncated_lz4',
    message: string,
  ) {
    super(message);
  }
}

/**
 * Decode an LZ4 file frame by frame. Yields decoded chunks tagged with their frame's offset in the
 * file, and error events for garbage, corrupt or truncated frames. `start`: the offset in the file
 * of the source's first byte (a frame start), when reading from mid-file.
 */
export async function* lz4Frames(source: AsyncIterable<Buffer>, file: string, start = 0): AsyncGenerator<GzipChunk> {
  const it = source[Symbol.asyncIterator]();
  let pending: Buffer = Buffer.alloc(0);
  let pendingOffset = start; // file offset of pending[0]
  let sourceDone = false;
  /** read until `pending` holds n bytes or the source ends, joining the chunks once */
  const fill = async (n: number): Promise<boolean> => {
    if (pending.length >= n) return true;
    if (sourceDone) return false;
    const got = await gather(it, pending, n);
    pending = got.bytes;
    if (got.ended) sourceDone = true;
    return pending.length >= n;
  };
  const more = async (): Promise<boolean> => fill(pending.length + 1);
  const consume = (n: number) => {
    pending = pending.subarray(n);
    pendingOffset += n;
  };
  /** put bytes just consumed back in front */
  const unconsume = (bytes: Buffer) => {
    pending = pending.length ? Buffer.concat([bytes, pending]) : bytes;
    pendingOffset -= bytes.length;
  };
  /**
   * Skip to the next frame start whose descriptor is valid. Returns false at the
   * end of the input (everything consumed).
   */
  const scan = async (): Promise<boolean> => {
    let from = 0;
    for (;;) {
      const i = findMagic(pending, from);
      if (i === -1) {
        consume(Math.max(0, pending.length - 3));
        from = 0;
        if (!(await more())) {
          consume(pending.length);
          return false;
        }
        continue;
      }
      consume(i);
      from = 0;
      if (!(await fill(4))) {
        consume(pending.length);
        return false;
      }
      // only a frame whose descriptor checks out: a skippable frame has no checksum, and a stray
      // match of its magic in damaged bytes would skip as many bytes as the next four say
      if (isFrameMagic(pending)) {
        let d = parseDescriptor(pending);
        while (d === null && (await more())) d = parseDescriptor(pending);
        if (d === null) return true; // cut off: reported as a truncated frame
        if (typeof d !== 'string') return true;
      }
      from = 1; // not a valid frame start: go on scanning
    }
  };

  let win = new Uint8Array(0);
  let resyncing = false; // after a damaged frame: bytes up to the next frame are part of that damage

  for (;;) {
    await fill(4);
    if (pending.length === 0) return;
    const frameOffset = pendingOffset;
    if (pending.length < 4 || !(isFrameMagic(pending) || isSkippableMagic(pending))) {
      const found = await scan();
      if (!resyncing) {
        yield {
          memberOffset: frameOffset,
          error: new RecordError('lz4_garbage', `${pendingOffset - frameOffset} bytes that are not an LZ4 frame${found ? '' : ' up to the end of the file'}`, { file, offset: frameOffset }),
        };
      }
      resyncing = false;
      if (!found) return;
      continue;
    }
    resyncing = false;
    if (isSkippableMagic(pending)) {
      // user data (FastWARC writes none; other tools put indexes here): skipped as it comes
      if (!(await fill(8))) {
        yield { memberOffset: frameOffset, error: new RecordError('truncated_lz4', 'skippable frame header cut off by the end of the file', { file, offset: frameOffset }) };
        return;
      }
      let left = pending.readUInt32LE(4);
      consume(8);
      while (left > 0) {
        if (pending.length === 0 && !(await more())) break;
        const take = Math.min(left, pending.length);
        consume(take);
        left -= take;
      }
      if (left > 0) {
        yield { memberOffset: frameOffset, error: new RecordError('truncated_lz4', `skippable frame cut off by the end of the file, ${left} bytes short`, { file, offset: frameOffset }) };
        return;
      }
      continue;
    }

    let d = parseDescriptor(pending);
    while (d === null && (await more())) d = parseDescriptor(pending);
    if (d === null) {
      yield { memberOffset: frameOffset, error: new RecordError('truncated_lz4', 'LZ4 frame header cut off by the end of the file', { file, offset: frameOffset }) };
      return;
    }
    if (typeof d === 'string' || d.dictId !== undefined) {
      const [reason, message] =
        typeof d === 'string'
          ? ['lz4_corrupt', `bad LZ4 frame descriptor: ${d}`]
          : ['unsupported_compression', `the LZ4 frame needs dictionary ${d.dictId}, which this reader does not have`];
      yield { memberOffset: frameOffset, error: new RecordError(reason, message, { file, offset: frameOffset }) };
      consume(4);
      resyncing = true;
      continue;
    }
    const desc = d;
    consume(desc.length);
    if (win.length < HISTORY + desc.blockMax) win = new Uint8Array(HISTORY + desc.blockMax);
    const hash = desc.contentChecksum ? new Xxh32() : undefined;
    let held: Buffer[] | undefined = desc.contentChecksum ? [] : undefined;
    let heldBytes = 0;
    let hist = 0; // bytes of history at win[0..hist) (linked blocks only)
    let total = 0;
    let blockNo = 0;
    /** the raw bytes of the last block consumed (they end where `pending` starts), for a resync inside it */
    let lastRaw: Buffer | undefined;
    /** a block cut off by the end of the file, still in `pending` after its 4-byte size */
    let cutBlock = false;
    let failure: FrameError | undefined;
    try {
      for (;;) {
        if (!(await fill(4))) throw new FrameError('truncated_lz4', `LZ4 frame cut off by the end of the file after ${blockNo} blocks (${total} decoded bytes)`);
        const word = pending.readUInt32LE(0);
        if (word === 0) {
          // end mark, then the content checksum
          const endLen = desc.contentChecksum ? 8 : 4;
          if (!(await fill(endLen))) throw new FrameError('truncated_lz4', 'LZ4 frame content checksum cut off by the end of the file');
          const want = desc.contentChecksum ? pending.readUInt32LE(4) : 0;
          consume(endLen);
          lastRaw = undefined;
          if (hash) {
            const got = hash.digest();
            if (want !== got) throw new FrameError('lz4_corrupt', `content checksum ${hex(want)} but the ${total} decoded bytes hash to ${hex(got)}`);
          }
          if (desc.contentSize !== undefined && desc.contentSize !== total) throw new FrameError('lz4_corrupt', `the frame declares ${desc.contentSize} bytes of content but decodes to ${total}`);
          break;
        }
        const raw = (word & 0x80000000) !== 0;
        const n = word & 0x7fffffff;
        if (n > desc.blockMax) throw new FrameError('lz4_corrupt', `block ${blockNo} is ${n} bytes, over the frame's block size ${desc.blockMax}`);
        const whole = 4 + n + (desc.blockChecksum ? 4 : 0);
        if (!(await fill(whole))) {
          cutBlock = true;
          throw new FrameError('truncated_lz4', `LZ4 block ${blockNo} cut off by the end of the file: ${pending.length - 4} of ${whole - 4} bytes`);
        }
        const block = pending.subarray(4, 4 + n);
        const want = desc.blockChecksum ? pending.readUInt32LE(4 + n) : 0;
        lastRaw = pending.subarray(4, whole);
        consume(whole);
        if (desc.blockChecksum) {
          const got = xxh32(block);
          if (want !== got) throw new FrameError('lz4_corrupt', `block ${blockNo} checksum ${hex(want)} but it hashes to ${hex(got)}`);
        }
        let data: Buffer;
        if (raw) {
          if (!desc.blockIndependent) win.set(block, hist);
          data = block;
        } else {
          let end: number;
          try {
            end = decodeBlock(block, 0, n, win, hist, hist + desc.blockMax, 0);
          } catch (e) {
            throw new FrameError('lz4_corrupt', `block ${blockNo}: ${(e as Error).message}`);
          }
          data = Buffer.from(win.subarray(hist, end));
        }
        if (!desc.blockIndependent) {
          // linked blocks: keep the last 64 KB of output for the next block's matches
          const end = hist + data.length;
          if (end > HISTORY) {
            win.copyWithin(0, end - HISTORY, end);
            hist = HISTORY;
          } else hist = end;
        }
        total += data.length;
        blockNo++;
        if (data.length === 0) continue;
        hash?.update(data);
        if (held) {
          held.push(data);
          heldBytes += data.length;
          if (heldBytes > HOLD_BYTES) {
            // too large to hold: hand it on, and the rest as it comes; checked when the frame ends
            for (const h of held) yield { data: h, memberOffset: frameOffset };
            held = undefined;
          }
        } else yield { data, memberOffset: frameOffset };
      }
    } catch (e) {
      if (!(e instanceof FrameError)) throw e;
      failure = e;
    }
    if (!failure) {
      if (held) for (const data of held) yield { data, memberOffset: frameOffset };
      continue;
    }
    // The next frame may start inside the damaged block (its length field lied, the end mark was hit,
    // or the frame was cut and another one written after it): go back to the start of that block's
    // bytes and scan from there for the next frame whose descriptor checks out.
    if (cutBlock) consume(4);
    else if (lastRaw) unconsume(lastRaw);
    const found = await scan();
    if (failure.reason === 'truncated_lz4' && found) {
      // a block cut short, and another frame written after the cut: the frame is damaged, not the file cut
      failure = new FrameError('lz4_corrupt', `LZ4 block ${blockNo} is cut short: the next frame starts at offset ${pendingOffset}`);
    }
    // what came before a cut is handed on, as gunzipMembers does; a frame that fails a check is dropped
    if (failure.reason === 'truncated_lz4' && held) for (const data of held) yield { data, memberOffset: frameOffset };
    yield { memberOffset: frameOffset, error: new RecordError(failure.reason, failure.message, { file, offset: frameOffset }) };
    if (!found) return;
  }
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}
