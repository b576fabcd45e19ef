// A WARC Content-Length that cannot be right (not a number, negative, beyond the file, beyond what a
// Number holds): the record is named, the reader resynchronises at the next gzip member or the next
// WARC/1.x line, and the records after it are read from their own offsets.
import { describe, expect, it } from 'vitest';
import zlib from 'node:zlib';
import { readDocs, type ReaderContext } from '../../src/io/readers.js';
import { Counters } from '../../src/core/stats.js';
import type { RecordError } from '../../src/core/errors.js';
import { responseRecord } from '../helpers/warc.js';
import { tempWriter, events, records, errors, urls } from '../helpers/warc-events.js';

const write = tempWriter('curate-warc-len-');

/** the record with its WARC Content-Length header (the first one in the record) set to `value` */
function withLength(rec: Buffer, value: string): Buffer {
  const s = rec.toString('latin1');
  return Buffer.from(s.replace(/Content-Length: \d+/, `Content-Length: ${value}`), 'latin1');
}

const page = (name: string, size = 200) => responseRecord({ url: `http://${name}.example/`, payload: `<p>${name} ${'words '.repeat(size)}</p>` });

/** three records, the middle one with a bad length: plain and one gzip member per record */
function layouts(value: string, tag: string) {
  const a = page('a');
  const b = withLength(page('b'), value);
  const c = page('c');
  const plain = write(`${tag}.warc`, Buffer.concat([a, b, c]));
  const members = [a, b, c].map((r) => zlib.gzipSync(r));
  const gz = write(`${tag}.warc.gz`, Buffer.concat(members));
  return {
    a,
    c,
    plain: { file: plain, offsets: [0, a.length, a.length + b.length] },
    gz: { file: gz, offsets: [0, members[0]!.length, members[0]!.length + members[1]!.length] },
  };
}

describe('an absurd Content-Length', () => {
  it('Common Crawl layout: 99999999999999999999 in member 1 costs only that record, member 2 is read', async () => {
    const bad = withLength(page('bad'), '99999999999999999999');
    const good = page('good');
    const m1 = zlib.gzipSync(bad);
    const file = write('absurd.warc.gz', Buffer.concat([m1, zlib.gzipSync(good)]));
    const ev = await events(file);
    expect(urls(ev)).toEqual(['http://good.example/']);
    const rec = records(ev)[0]!;
    expect(rec.offset).toBe(m1.length);
    expect(rec.body!.equals(good.subarray(good.indexOf('\r\n\r\n') + 4, good.length - 4))).toBe(true);
    expect(errors(ev)).toEqual(['content_length_mismatch@0']);
    expect(ev.find((e) => e.error)!.error!.message).toMatch(/99999999999999999999/);
  });

  it('the same in an uncompressed .warc', async () => {
    const bad = withLength(page('bad'), '99999999999999999999');
    const good = page('good');
    const file = write('absurd.warc', Buffer.concat([bad, good]));
    const ev = await events(file);
    expect(urls(ev)).toEqual(['http://good.example/']);
    expect(records(ev)[0]!.offset).toBe(bad.length);
    expect(errors(ev)).toEqual(['content_length_mismatch@0']);
  });

  const cases: Array<[string, string, string]> = [
    ['non-numeric', 'lots', 'malformed_record'],
    ['digits then junk', '12abc', 'malformed_record'],
    ['negative', '-40', 'malformed_record'],
    ['exponent notation', '1e3', 'malformed_record'],
    ['larger than the rest of the file (under maxRecordBytes)', '900000', 'content_length_mismatch'],
    ['larger than the file and than maxRecordBytes', '50000000', 'content_length_mismatch'],
    ['2^53 + 1 (not a safe integer)', '9007199254740993', 'content_length_mismatch'],
    ['twenty digits', '99999999999999999999', 'content_length_mismatch'],
  ];
  for (const [what, value, reason] of cases) {
    it(`${what} (${value}): named at its offset, the records before and after are read`, async () => {
      const l = layouts(value, what.replace(/\W+/g, '_'));
      for (const layout of [l.plain, l.gz]) {
        const ev = await events(layout.file, 1_000_000);
        expect(urls(ev), layout.file).toEqual(['http://a.example/', 'http://c.example/']);
        expect(records(ev).map((r) => r.offset), layout.file).toEqual([layout.offsets[0], layout.offsets[2]]);
        expect(errors(ev), layout.file).toEqual([`${reason}@${layout.offsets[1]}`]);
      }
    });
  }

  it('larger than maxRecordBytes and lying inside the file: the records it covers are not lost', async () => {
    const a = page('a');
    const b = withLength(page('b'), '300000');
    const c = page('c');
    const filler = responseRecord({ url: 'http://filler.example/', payload: `<p>${'filler text '.repeat(40_000)}</p>` });
    const d = page('d');
    const plain = write('lie-in-file.warc', Buffer.concat([a, b, c, filler, d]));
    const ev = await events(plain, 100_000);
    expect(urls(ev)).toEqual(['http://a.example/', 'http://c.example/', 'http://filler.example/', 'http://d.example/']);
    expect(records(ev)[1]!.offset).toBe(a.length + b.length);
    expect(records(ev)[2]!.body).toBeUndefined(); // the filler is over maxRecordBytes: skipped unread, as before
    expect(errors(ev)).toEqual([`content_length_mismatch@${a.length}`]);

    const members = [a, b, c, filler, d].map((r) => zlib.gzipSync(r));
    const gz = write('lie-in-file.warc.gz', Buffer.concat(members));
    const ev2 = await events(gz, 100_000);
    expect(urls(ev2)).toEqual(urls(ev));
    expect(records(ev2)[1]!.offset).toBe(members[0]!.length + members[1]!.length);
    expect(errors(ev2)).toEqual([`content_length_mismatch@${members[0]!.length}`]);

    // one gzip member for the whole file: no member boundary to go by, the reader goes back to the next record
    const whole = write('lie-in-file-whole.warc.gz', zlib.gzipSync(Buffer.concat([a, b, c, filler, d])));
    const ev3 = await events(whole, 100_000);
    expect(urls(ev3)).toEqual(urls(ev));
    expect(errors(ev3)).toEqual(['content_length_mismatch@0']);
  });

  it('an absurd length in a single-member .warc.gz: the records after it are still read', async () => {
    const a = page('a');
    const b = withLength(page('b'), '99999999999999999999');
    const c = page('c');
    const file = write('absurd-whole.warc.gz', zlib.gzipSync(Buffer.concat([a, b, c])));
    const ev = await events(file);
    expect(urls(ev)).toEqual(['http://a.example/', 'http://c.example/']);
    expect(errors(ev)).toEqual(['content_length_mismatch@0']);
  });

  it('a record really over maxRecordBytes whose payload holds "\\r\\nWARC/1.0" is still one record', async () => {
    const inner = Buffer.from(`<pre>${'x'.repeat(1000)}\r\nWARC/1.0\r\nWARC-Type: response\r\n\r\n${'y'.repeat(300_000)}</pre>`);
    const big = responseRecord({ url: 'http://big.example/', payload: inner });
    const small = page('small');
    for (const [name, data] of [
      ['embedded.warc', Buffer.concat([big, small])],
      ['embedded.warc.gz', Buffer.concat([zlib.gzipSync(big), zlib.gzipSync(small)])],
    ] as const) {
      const ev = await events(write(name, data), 100_000);
      expect(errors(ev), name).toEqual([]);
      expect(urls(ev), name).toEqual(['http://big.example/', 'http://small.example/']);
    }
  });

  it('a length beyond the end with no record after it is a cut record, as before', async () => {
    const a = page('a');
    const b = withLength(page('b'), '99999999999999999999');
    const ev = await events(write('absurd-last.warc', Buffer.concat([a, b])));
    expect(urls(ev)).toEqual(['http://a.example/']);
    expect(errors(ev)).toEqual([`truncated_record@${a.length}`]);
  });

  it('through readDocs: the counts add up (records = docs + skipped, one error)', async () => {
    const l = layouts('99999999999999999999', 'counts');
    for (const file of [l.plain.file, l.gz.file]) {
      const stats = new Counters();
      const errs: RecordError[] = [];
      const ctx: ReaderContext = { stats, recordError: (e) => errs.push(e) };
      const docs = [];
      for await (const d of readDocs('warc', file, { maxRecordBytes: 16 << 20 }, ctx)) docs.push(d);
      const s = stats.toJSON();
      expect(docs.map((d) => d.meta.url)).toEqual(['http://a.example/', 'http://c.example/']);
      expect(s).toMatchObject({ records: 2, docs: 2, 'errors.content_length_mismatch': 1 });
      expect(errs).toHaveLength(1);
      expect(errs[0]!.describe()).toMatch(/@\d+: content_length_mismatch: /);
    }
  });
});
