import { describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import { decodeBlock, lz4Frames, xxh32, Xxh32 } from '../../src/io/lz4.js';
import type { GzipChunk } from '../../src/io/gzip.js';
import { lz4Frame } from './lz4-encode.js';

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function decode(buf: Buffer, size = 1000): Promise<{ data: Buffer; frames: number[]; errors: string[]; maxChunk: number }> {
  const parts: Buffer[] = [];
  const frames: number[] = [];
  const errors: string[] = [];
  let maxChunk = 0;
  for await (const c of lz4Frames(chunked(buf, size), 'x.lz4') as AsyncGenerator<GzipChunk>) {
    if (c.error) errors.push(`${c.error.reason}@${c.error.offset}`);
    if (c.data) {
      parts.push(c.data);
      maxChunk = Math.max(maxChunk, c.data.length);
      if (frames[frames.length - 1] !== c.memberOffset) frames.push(c.memberOffset);
    }
  }
  return { data: Buffer.concat(parts), frames, errors, maxChunk };
}

const sha256 = (b: Buffer) => crypto.createHash('sha256').update(b).digest('hex');
const [wantSha, wantSize] = fs.readFileSync('tests/fixtures/warc/lz4-varied.sha256-size', 'utf8').trim().split(' ');

let seed = 12345;
const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 8) & 0xff;
/** text-like bytes with repeats near and far, and some noise */
function varied(n: number): Buffer {
  const words = ['the ', 'curate ', 'pipeline ', '<div class="x">', 'WARC/1.0\r\n', '\r\n\r\n', 'zzzzzzzz', '0123456789'];
  const out: number[] = [];
  while (out.length < n) {
    const r = rand();
    if (r < 200) out.push(...Buffer.from(words[r % words.length]!));
    else if (r < 240) for (let i = 0; i < 20; i++) out.push(rand());
    else if (out.length > 70000) out.push(...out.slice(out.length - 65000, out.length - 64000)); // a far match
  }
  return Buffer.from(out.slice(0, n));
}

describe('xxh32', () => {
  it('matches the reference values, in one go or in pieces', () => {
    expect(xxh32(Buffer.alloc(0))).toBe(0x02cc5d05);
    expect(xxh32(Buffer.from('abc'))).toBe(0x32d153ff);
    expect(xxh32(Buffer.from('Nobody inspects the spammish repetition'))).toBe(0xe2293b2f);
    const data = varied(10_000);
    const whole = xxh32(data);
    for (const step of [1, 3, 15, 16, 17, 1000]) {
      const h = new Xxh32();
      for (let i = 0; i < data.length; i += step) h.update(data.subarray(i, i + step));
      expect(h.digest()).toBe(whole);
    }
  });
});

describe('lz4Frames against the lz4 CLI (1.9.4)', () => {
  for (const name of ['lz4-varied-B4D-size.lz4', 'lz4-varied-hc-B5D-BX.lz4', 'lz4-varied-B6-split.lz4']) {
    it(`${name}: the exact bytes lz4 compressed, whatever the read size`, async () => {
      const buf = fs.readFileSync(`tests/fixtures/warc/${name}`);
      for (const size of [buf.length, 64 * 1024, 4099, 7]) {
        const { data, errors, maxChunk } = await decode(buf, size);
        expect(errors).toEqual([]);
        expect(data.length).toBe(Number(wantSize));
        expect(sha256(data)).toBe(wantSha);
        // output comes a block at a time (or a held frame of at most HOLD_BYTES), never the whole stream at once
        expect(maxChunk).toBeLessThanOrEqual(1 << 20);
      }
    });
  }

  it('the split file: two frames around a skippable frame, offsets of both frames', async () => {
    const buf = fs.readFileSync('tests/fixtures/warc/lz4-varied-B6-split.lz4');
    const { frames } = await decode(buf, 4096);
    expect(frames).toHaveLength(2);
    expect(frames[0]).toBe(0);
    const skippable = buf.indexOf(Buffer.from([0x5a, 0x2a, 0x4d, 0x18]));
    expect(frames[1]).toBe(skippable + 8 + 5);
  });
});

describe('lz4Frames', () => {
  it('round-trips our test encoder: linked and independent blocks, every checksum, raw blocks, empty frames', async () => {
    const data = varied(600_000);
    const opts = [
      {},
      { linked: true },
      { linked: true, blockChecksum: true, contentChecksum: true, contentSize: true },
      { blockSizeId: 5 as const, contentChecksum: true },
      { blockSizeId: 7 as const, linked: true },
      { raw: true, linked: true, contentChecksum: true },
    ];
    for (const o of opts) {
      const frames = [lz4Frame(data, o), lz4Frame('', o), lz4Frame('tail', o)];
      const { data: out, errors, frames: offs } = await decode(Buffer.concat(frames), 50_000);
      expect(errors, JSON.stringify(o)).toEqual([]);
      expect(out.equals(Buffer.concat([data, Buffer.from('tail')])), JSON.stringify(o)).toBe(true);
      expect(offs).toEqual([0, frames[0]!.length + frames[1]!.length]);
    }
  });

  it('decodeBlock refuses what would read or write out of bounds', () => {
    const out = new Uint8Array(100);
    // token: 0 literals, match length 4, offset 5 with nothing before it
    expect(() => decodeBlock(Uint8Array.from([0x00, 0x05, 0x00, 0x00]), 0, 4, out, 0, 100, 0)).toThrow(/offset 5/);
    expect(() => decodeBlock(Uint8Array.from([0x00, 0x00, 0x00]), 0, 3, out, 0, 100, 0)).toThrow(/offset 0/);
    // 15 + 200 literals declared, 3 given
    expect(() => decodeBlock(Uint8Array.from([0xf0, 200, 1, 2, 3]), 0, 5, out, 0, 100, 0)).toThrow(/past the end/);
    // 20 literals into a 10-byte output
    expect(() => decodeBlock(Uint8Array.from([0xf0, 5, ...Buffer.alloc(20, 1)]), 0, 22, out, 0, 10, 0)).toThrow(/more than/);
    // a block that ends with a match
    expect(() => decodeBlock(Uint8Array.from([0x10, 65, 0x01, 0x00]), 0, 4, out, 0, 100, 0)).toThrow(/ends with a match/);
    // overlapping match: 'a' then 9 more copies at offset 1, then the last literals
    const end = decodeBlock(Uint8Array.from([0x15, 97, 0x01, 0x00, 0x10, 98]), 0, 6, out, 0, 100, 0);
    expect(Buffer.from(out.subarray(0, end)).toString()).toBe('a'.repeat(10) + 'b');
  });

  const ONE = Buffer.from('one '.repeat(500));
  const TWO = varied(5000);
  const THREE = Buffer.from('three');
  const three = () => [lz4Frame(ONE, { blockChecksum: true, contentChecksum: true }), lz4Frame(TWO, { blockChecksum: true, contentChecksum: true }), lz4Frame(THREE, { contentChecksum: true })];

  it('garbage between frames is named with its offset; the next frame is read', async () => {
    const [a, b, c] = three();
    const { data, errors } = await decode(Buffer.concat([a!, Buffer.from('not lz4 at all'), b!, c!]));
    expect(data.equals(Buffer.concat([ONE, TWO, THREE]))).toBe(true);
    expect(errors).toEqual([`lz4_garbage@${a!.length}`]);
  });

  it('a bad block checksum, a bad content checksum, a bad header checksum: that frame is dropped whole, named, and the next one read', async () => {
    const [a, b, c] = three();
    const cases: Array<[string, (f: Buffer) => void]> = [
      ['block checksum', (f) => (f[f.length - 9] ^= 0xff)], // last byte of the block checksum (before end mark + content checksum)
      ['block data', (f) => (f[20] ^= 0x55)],
      ['content checksum', (f) => (f[f.length - 1] ^= 0xff)],
      ['header checksum', (f) => (f[6] ^= 0xff)],
      ['version bits', (f) => (f[4] = 0x80 | (f[4]! & 0x3f))],
      ['block size over the maximum', (f) => f.writeUInt32LE(0x7fffffff, 7)],
    ];
    for (const [what, damage] of cases) {
      const bad = Buffer.from(b!);
      damage(bad);
      const { data, errors } = await decode(Buffer.concat([a!, bad, c!]));
      expect(data.toString(), what).toBe('one '.repeat(500) + 'three');
      expect(errors.length, what).toBe(1);
      expect(errors, what).toEqual([`lz4_corrupt@${a!.length}`]);
    }
  });

  it('a corrupt compressed block without checksums is named when it cannot be decoded', async () => {
    const a = lz4Frame('alpha '.repeat(300));
    const b = Buffer.from(lz4Frame('beta '.repeat(300)));
    const c = lz4Frame('gamma');
    // the first match offset of block 0 of b points far before the start
    const tokenAt = 7 + 4;
    const p = tokenAt + 1 + (b[tokenAt]! >>> 4); // literals (fewer than 15 here)
    b.writeUInt16LE(60000, p);
    const { data, errors } = await decode(Buffer.concat([a, b, c]));
    expect(errors).toEqual([`lz4_corrupt@${a.length}`]);
    expect(data.toString()).toBe('alpha '.repeat(300) + 'gamma');
  });

  it('a frame cut short and another written after it: the cut one is named, the next one read', async () => {
    const [a, b, c] = three();
    const cut = b!.subarray(0, 40);
    const { data, errors } = await decode(Buffer.concat([a!, cut, c!]));
    expect(errors).toEqual([`lz4_corrupt@${a!.length}`]);
    expect(data.toString()).toBe('one '.repeat(500) + 'three');
  });

  it('a file cut inside a frame keeps what came before and names the cut frame', async () => {
    const [a, b] = three();
    const { data, errors } = await decode(Buffer.concat([a!, b!.subarray(0, b!.length - 30)]));
    expect(data.toString()).toBe('one '.repeat(500));
    expect(errors).toEqual([`truncated_lz4@${a!.length}`]);
    const head = await decode(Buffer.concat([a!, b!.subarray(0, 5)]));
    expect(head.errors).toEqual([`truncated_lz4@${a!.length}`]);
  });

  it('a frame that needs a dictionary is named as unsupported and skipped', async () => {
    const [a, , c] = three();
    const desc = Buffer.from([0x61, 0x40, 1, 0, 0, 0]); // FLG: version 1, independent, dict id; BD 64 KB
    const hc = (xxh32(desc) >>> 8) & 0xff;
    const dict = Buffer.concat([Buffer.from([0x04, 0x22, 0x4d, 0x18]), desc, Buffer.from([hc]), Buffer.from([5, 0, 0, 0x80]), Buffer.from('hello'), Buffer.alloc(4)]);
    const { data, errors } = await decode(Buffer.concat([a!, dict, c!]));
    expect(errors).toEqual([`unsupported_compression@${a!.length}`]);
    expect(data.toString()).toBe('one '.repeat(500) + 'three');
  });
});
