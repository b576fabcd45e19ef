// .warc.lz4 (FastWARC/Resiliparse's LZ4 WARC: one LZ4 frame per record) through the WARC reader and the
// document reader, and the naming error for compressions we do not read.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import path from 'node:path';
import { formatOf, readDocs, type ReaderContext } from '../../src/io/readers.js';
import { lz4Frames } from '../../src/io/lz4.js';
import { Counters } from '../../src/core/stats.js';
import type { RecordError } from '../../src/core/errors.js';
import type { Doc } from '../../src/core/doc.js';
import { responseRecord } from '../helpers/warc.js';
import { lz4Frame, warcLz4 } from './lz4-encode.js';
import { tempWriter, events, records, errors, urls } from '../helpers/warc-events.js';

const write = tempWriter('curate-warc-lz4-');

async function docs(file: string) {
  const stats = new Counters();
  const errs: RecordError[] = [];
  const ctx: ReaderContext = { stats, recordError: (e) => errs.push(e) };
  const out: Doc[] = [];
  for await (const d of readDocs('warc', file, { maxRecordBytes: 16 << 20 }, ctx)) out.push(d);
  return { docs: out, stats: stats.toJSON(), errors: errs };
}

/** offsets of the LZ4 frames in a file of frames (the fixtures' frames hold no stray magic) */
function frameOffsets(buf: Buffer): number[] {
  const out: number[] = [];
  for (let i = buf.indexOf(Buffer.from([0x04, 0x22, 0x4d, 0x18])); i !== -1; i = buf.indexOf(Buffer.from([0x04, 0x22, 0x4d, 0x18]), i + 1)) out.push(i);
  return out;
}

const withoutSource = (d: Doc) => ({ ...d, meta: { ...d.meta, source: undefined } });

describe('.warc.lz4', () => {
  for (const [lz4, plain] of [
    ['tests/fixtures/warc/example.warc.lz4', 'tests/fixtures/warc/example.warc'],
    ['tests/fixtures/warc/example-extra.warc.lz4', 'tests/fixtures/warc/example-extra.warc'],
  ]) {
    it(`${path.basename(lz4)} yields exactly the records and documents of ${path.basename(plain)}, at frame offsets`, async () => {
      const evL = await events(lz4!);
      const evP = await events(plain!);
      const recL = records(evL);
      const recP = records(evP);
      expect(recL.map((r) => [r.type, r.headers, r.contentLength])).toEqual(recP.map((r) => [r.type, r.headers, r.contentLength]));
      for (let i = 0; i < recL.length; i++) expect(recL[i]!.body!.equals(recP[i]!.body!)).toBe(true);
      // each record's offset is its frame's: decoding from there yields the record
      const raw = fs.readFileSync(lz4!);
      const frames = frameOffsets(raw);
      for (const r of recL) {
        expect(frames).toContain(r.offset);
        const first = await lz4Frames((async function* () { yield raw.subarray(r.offset); })(), lz4!).next();
        expect(first.value!.data!.subarray(0, 8).toString()).toBe('WARC/1.0');
      }
      // the same errors, named at the frame offset instead of the byte offset
      expect(evL.filter((e) => e.error).map((e) => e.error!.reason)).toEqual(evP.filter((e) => e.error).map((e) => e.error!.reason));

      const dL = await docs(lz4!);
      const dP = await docs(plain!);
      expect(dL.docs.length).toBeGreaterThan(0);
      expect(dL.docs.map(withoutSource)).toEqual(dP.docs.map(withoutSource));
      expect(dL.stats).toEqual(dP.stats);
    });
  }

  it('the fixture is cut where the plain file lies: example.warc\'s short Content-Length is named at its frame', async () => {
    const raw = fs.readFileSync('tests/fixtures/warc/example.warc.lz4');
    const frames = frameOffsets(raw);
    expect(frames).toHaveLength(6);
    expect(errors(await events('tests/fixtures/warc/example.warc.lz4'))).toEqual([`content_length_mismatch@${frames[4]}`]);
  });

  const four = () => [0, 1, 2, 3].map((i) => responseRecord({ url: `http://x.example/${i}`, payload: `<p>page ${i} ${'some words here '.repeat(300 + i)}</p>` }));

  it('a damaged frame in record 2 of 4 costs only record 2, named with file and frame offset', async () => {
    const recs = four();
    const frames = recs.map((r) => lz4Frame(r, { linked: true, blockChecksum: true, contentChecksum: true }));
    const at = frames[0]!.length;
    const damages: Array<[string, (f: Buffer) => void, string]> = [
      ['a flipped byte in the block (block checksum)', (f) => (f[40] ^= 0x20), 'lz4_corrupt'],
      ['a bad frame magic', (f) => (f[0] = 0x07), 'lz4_garbage'],
      ['a bad content checksum', (f) => (f[f.length - 1] ^= 0x01), 'lz4_corrupt'],
      ['a bad header checksum', (f) => (f[6] ^= 0x01), 'lz4_corrupt'],
      ['a block size over the maximum', (f) => f.writeUInt32LE(5_000_000, 7), 'lz4_corrupt'],
    ];
    for (const [what, damage, reason] of damages) {
      const bad = Buffer.from(frames[1]!);
      damage(bad);
      const file = write('damaged.warc.lz4', Buffer.concat([frames[0]!, bad, frames[2]!, frames[3]!]));
      const ev = await events(file);
      expect(urls(ev), what).toEqual([0, 2, 3].map((i) => `http://x.example/${i}`));
      expect(records(ev).map((r) => r.offset), what).toEqual([0, at + bad.length, at + bad.length + frames[2]!.length]);
      expect(errors(ev), what).toEqual([`${reason}@${at}`]);
      const d = await docs(file);
      expect(d.docs.map((x) => x.meta.url), what).toEqual([0, 2, 3].map((i) => `http://x.example/${i}`));
      expect(d.stats, what).toMatchObject({ records: 3, docs: 3, [`errors.${reason}`]: 1 });
      expect(d.errors[0]!.describe(), what).toMatch(new RegExp(`damaged\\.warc\\.lz4@${at}: ${reason}: `));
    }
  });

  it('a record cut off mid-frame with the next frame right after it: only that record is lost', async () => {
    const recs = four();
    const frames = recs.map((r) => lz4Frame(r));
    const cut = frames[1]!.subarray(0, Math.floor(frames[1]!.length / 2));
    const file = write('cut-mid.warc.lz4', Buffer.concat([frames[0]!, cut, frames[2]!, frames[3]!]));
    const ev = await events(file);
    expect(urls(ev)).toEqual([0, 2, 3].map((i) => `http://x.example/${i}`));
    expect(errors(ev)).toEqual([`lz4_corrupt@${frames[0]!.length}`]);
  });

  it('a truncated .warc.lz4 keeps the records before the cut and names the cut one', async () => {
    const recs = four();
    const frames = recs.map((r) => lz4Frame(r, { linked: true }));
    const whole = Buffer.concat(frames);
    const cutAt = frames[0]!.length + frames[1]!.length + Math.floor(frames[2]!.length / 2);
    const ev = await events(write('truncated.warc.lz4', whole.subarray(0, cutAt)));
    expect(urls(ev)).toEqual([0, 1].map((i) => `http://x.example/${i}`));
    expect(errors(ev)).toEqual([`truncated_lz4@${frames[0]!.length + frames[1]!.length}`]);
    // cut from the real fixture too
    const fx = fs.readFileSync('tests/fixtures/warc/example-extra.warc.lz4');
    const fxFrames = frameOffsets(fx);
    const ev2 = await events(write('truncated-fixture.warc.lz4', fx.subarray(0, fxFrames[3]! + 30)));
    expect(records(ev2)).toHaveLength(3);
    expect(errors(ev2)).toEqual([`truncated_lz4@${fxFrames[3]}`]);
  });

  it('a whole file in one LZ4 frame (as `lz4 file.warc` writes it) reads like the plain file', async () => {
    const plain = fs.readFileSync('tests/fixtures/warc/example-extra.warc');
    const file = write('one-frame.warc.lz4', lz4Frame(plain, { linked: true, contentChecksum: true }));
    const ev = await events(file);
    expect(records(ev).map((r) => r.type)).toEqual(records(await events('tests/fixtures/warc/example-extra.warc')).map((r) => r.type));
    expect(records(ev).every((r) => r.offset === 0)).toBe(true);
  });

  it('an absurd Content-Length in frame 1 costs only that record: the reader goes on at frame 2', async () => {
    const bad = Buffer.from(responseRecord({ url: 'http://bad.example/', payload: '<p>bad</p>' }).toString('latin1').replace(/Content-Length: \d+/, 'Content-Length: 99999999999999999999'), 'latin1');
    const good = responseRecord({ url: 'http://good.example/', payload: '<p>good</p>' });
    const f1 = lz4Frame(bad);
    const ev = await events(write('absurd.warc.lz4', Buffer.concat([f1, lz4Frame(good)])));
    expect(urls(ev)).toEqual(['http://good.example/']);
    expect(records(ev)[0]!.offset).toBe(f1.length);
    expect(errors(ev)).toEqual(['content_length_mismatch@0']);
  });

  it('the same in a file that is one LZ4 frame: the reader goes back to the record after the liar', async () => {
    const [a, b, c] = [0, 1, 2].map((i) => responseRecord({ url: `http://x.example/${i}`, payload: `<p>${'words '.repeat(2000)}</p>` }));
    const liar = Buffer.from(b!.toString('latin1').replace(/Content-Length: \d+/, 'Content-Length: 99999999999999999999'), 'latin1');
    const ev = await events(write('absurd-one-frame.warc.lz4', lz4Frame(Buffer.concat([a!, liar, c!]), { linked: true, contentChecksum: true })));
    expect(urls(ev)).toEqual(['http://x.example/0', 'http://x.example/2']);
    expect(errors(ev)).toEqual(['content_length_mismatch@0']);
  });

  it('a record over maxRecordBytes in its own frame is skipped unread, the next frame is read', async () => {
    const big = responseRecord({ url: 'http://big.example/', payload: Buffer.alloc(2_000_000, '<p>x</p>') });
    const small = responseRecord({ url: 'http://small.example/', payload: '<p>small</p>' });
    const ev = await events(write('big.warc.lz4', warcLz4([big, small], { linked: true, blockSizeId: 5 })), 1_000_000);
    expect(errors(ev)).toEqual([]);
    expect(records(ev).map((r) => [r.headers['warc-target-uri'], r.body === undefined])).toEqual([
      ['http://big.example/', true],
      ['http://small.example/', false],
    ]);
  });

  it('is told by its magic, not its name; and .warc.lz4 is a WARC input', async () => {
    const file = write('misnamed.warc', warcLz4(four()));
    expect(urls(await events(file))).toHaveLength(4);
    expect(formatOf('crawl/CC-MAIN-x.warc.lz4')).toBe('warc');
    expect(formatOf('docs.jsonl.lz4')).toBe('jsonl');
  });

  it('JSONL in LZ4 frames is read too', async () => {
    const lines = fs.readFileSync('tests/fixtures/docs/cc-2019-30-40docs.jsonl');
    const file = write('docs.jsonl.lz4', lz4Frame(lines, { linked: true, contentChecksum: true }));
    const stats = new Counters();
    const ctx: ReaderContext = { stats, recordError: () => {} };
    let n = 0;
    for await (const _ of readDocs('jsonl', file, { maxRecordBytes: 16 << 20 }, ctx)) n++;
    expect(n).toBe(40);
  });
});

describe('compressions we do not read', () => {
  const kinds: Array<[string, Buffer, RegExp]> = [
    ['x.warc.zst', Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x00, 0x00, 0x00]), /zstd-compressed input is not supported: decompress it with `zstd -d` first/],
    ['x.warc.bz2', Buffer.from('BZh91AY&SY\x00\x00', 'latin1'), /bzip2-compressed input is not supported: decompress it with `bunzip2` first/],
    ['x.warc.xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 0x00, 0x04]), /xz-compressed input is not supported: decompress it with `xz -d` first/],
    ['x.warc.lz4', Buffer.from([0x02, 0x21, 0x4c, 0x18, 0x10, 0x00, 0x00, 0x00]), /legacy-format LZ4 .* is not supported/],
  ];
  for (const [name, head, message] of kinds) {
    it(`${name}: one error that names the format and what to do`, async () => {
      const file = write(name, Buffer.concat([head, Buffer.alloc(100, 7)]));
      expect(formatOf(file)).toBe('warc');
      const ev = await events(file);
      expect(errors(ev)).toEqual(['unsupported_compression@0']);
      expect(ev[0]!.error!.message).toMatch(message);
      const d = await docs(file);
      expect(d.stats).toMatchObject({ 'errors.unsupported_compression': 1 });
      expect(d.errors[0]!.describe()).toMatch(new RegExp(`${name.replace('.', '\\.')}@0: unsupported_compression: `));
    });
  }

  it('a zstd JSONL file is named the same way, not read as garbage lines', async () => {
    const file = write('docs.jsonl.zst', Buffer.concat([Buffer.from([0x28, 0xb5, 0x2f, 0xfd]), Buffer.alloc(50, 1)]));
    const stats = new Counters();
    const errs: RecordError[] = [];
    for await (const _ of readDocs('jsonl', file, { maxRecordBytes: 1 << 20 }, { stats, recordError: (e) => errs.push(e) }));
    expect(errs.map((e) => e.reason)).toEqual(['unsupported_compression']);
    expect(errs[0]!.message).toMatch(/zstd -d/);
  });
});
