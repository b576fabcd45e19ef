import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { readWarc } from '../../src/io/warc.js';
import { responseRecord, warcGz } from '../helpers/warc.js';
import { tempWriter, events, records, errors } from '../helpers/warc-events.js';

const write = tempWriter('curate-warc-');

describe('readWarc', () => {
  it('reads the Common Crawl sample: record types, headers, member offsets', async () => {
    const ev = await events('data/sample/cc-sample.warc.gz');
    expect(errors(ev)).toEqual([]);
    const recs = records(ev);
    const types = recs.reduce<Record<string, number>>((a, r) => ((a[r.type] = (a[r.type] ?? 0) + 1), a), {});
    expect(types).toMatchObject({ warcinfo: 4, request: 55, response: 54, metadata: 19 });
    const resp = recs.find((r) => r.type === 'response')!;
    expect(resp.headers['warc-target-uri']).toMatch(/^https?:\/\//);
    // offsets are gzip member offsets: decompressing from there yields the record
    const raw = fs.readFileSync('data/sample/cc-sample.warc.gz');
    const member = zlib.gunzipSync(raw.subarray(resp.offset), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    expect(member.subarray(0, 8).toString()).toBe('WARC/1.0');
    expect(member.toString('latin1')).toContain(resp.headers['warc-record-id']!);
  });

  it('reads plain .warc with byte offsets, and names the record whose Content-Length is short', async () => {
    const ev = await events('tests/fixtures/warc/example.warc');
    const recs = records(ev);
    expect(recs.map((r) => r.type)).toEqual(['warcinfo', 'response', 'request', 'revisit', 'response']);
    const raw = fs.readFileSync('tests/fixtures/warc/example.warc');
    for (const r of recs) expect(raw.subarray(r.offset, r.offset + 8).toString()).toBe('WARC/1.0');
    expect(errors(ev)).toEqual(['content_length_mismatch@4061']);
  });

  it('a Content-Length that runs into the next record: that record is named, the next one is read', async () => {
    const a = responseRecord({ url: 'http://a.example/', payload: '<p>first</p>' });
    const liar = responseRecord({ url: 'http://b.example/', payload: '<p>second</p>', contentLength: 500 });
    const c = responseRecord({ url: 'http://c.example/', payload: '<p>third</p>' });
    const file = write('overrun.warc', Buffer.concat([a, liar, c]));
    const ev = await events(file);
    expect(records(ev).map((r) => r.headers['warc-target-uri'])).toEqual(['http://a.example/', 'http://c.example/']);
    expect(errors(ev)).toEqual([`content_length_mismatch@${a.length}`]);
  });

  it('the same inside a .warc.gz with one member per record', async () => {
    const recs = [
      responseRecord({ url: 'http://a.example/', payload: '<p>first</p>' }),
      responseRecord({ url: 'http://b.example/', payload: '<p>second</p>', contentLength: 60 }),
      responseRecord({ url: 'http://c.example/', payload: '<p>third</p>' }),
    ];
    const gz = warcGz(recs);
    const file = write('short.warc.gz', gz);
    const ev = await events(file);
    expect(records(ev).map((r) => r.headers['warc-target-uri'])).toEqual(['http://a.example/', 'http://c.example/']);
    expect(errors(ev)).toEqual([`content_length_mismatch@${zlib.gzipSync(recs[0]!).length}`]);
  });

  it('a truncated .warc.gz: the records before the cut are read, the cut one is named', async () => {
    const raw = fs.readFileSync('data/sample/cc-sample.warc.gz');
    const file = write('cut.warc.gz', raw.subarray(0, Math.floor(raw.length * 0.6)));
    const ev = await events(file);
    const recs = records(ev);
    expect(recs.length).toBeGreaterThan(50);
    const errs = errors(ev);
    expect(errs).toHaveLength(1);
    expect(errs[0]).toMatch(/^truncated_gzip@\d+$/);
  });

  it('garbage in the middle of a .warc.gz costs only the damaged part', async () => {
    const recs = Array.from({ length: 6 }, (_, i) => responseRecord({ url: `http://x.example/${i}`, payload: `<p>page ${i}</p>`.repeat(50) }));
    const members = recs.map((r) => zlib.gzipSync(r));
    const file = write('garbage.warc.gz', Buffer.concat([...members.slice(0, 3), Buffer.from('\x00\x01garbage bytes here\xff'), ...members.slice(3)]));
    const ev = await events(file);
    expect(records(ev)).toHaveLength(6);
    expect(errors(ev)).toEqual([`gzip_garbage@${members.slice(0, 3).reduce((a, m) => a + m.length, 0)}`]);
  });

  it('a damaged member costs only its own record: the reader goes on at the next whole member', async () => {
    const recs = Array.from({ length: 6 }, (_, i) => responseRecord({ url: `http://x.example/${i}`, payload: `<p>page ${i} ${'text '.repeat(200 + i)}</p>` }));
    const members = recs.map((r) => zlib.gzipSync(r));
    const bad = Buffer.from(members[2]!);
    bad.fill(0xff, 14, bad.length - 12); // the deflate data of record 2, header and trailer intact
    const file = write('damaged.warc.gz', Buffer.concat([members[0]!, members[1]!, bad, ...members.slice(3)]));
    const ev = await events(file);
    expect(records(ev).map((r) => r.headers['warc-target-uri'])).toEqual([0, 1, 3, 4, 5].map((i) => `http://x.example/${i}`));
    const at = members[0]!.length + members[1]!.length;
    expect(errors(ev)[0]).toBe(`gzip_corrupt@${at}`);
    expect(errors(ev).filter((e) => e.startsWith('gzip_corrupt'))).toHaveLength(1);
  });

  it('an empty file, a non-WARC file and an ARC file are each one clear error', async () => {
    expect(errors(await events(write('empty.warc', Buffer.alloc(0))))).toEqual(['empty_file@0']);
    expect(errors(await events(write('text.warc', Buffer.from('hello, this is a text file\n'))))).toEqual(['not_warc@0']);
    expect(errors(await events('tests/fixtures/warc/bad.arc'))).toEqual(['arc_format@0']);
    const ev = await events(write('notgz.warc.gz', zlib.gzipSync('just some text, not a WARC')));
    expect(errors(ev)).toEqual(['not_warc@0']);
  });

  it('a record over maxRecordBytes is skipped without holding it, the next is read', async () => {
    const big = responseRecord({ url: 'http://big.example/', payload: Buffer.alloc(3_000_000, 'a') });
    const small = responseRecord({ url: 'http://small.example/', payload: '<p>small</p>' });
    const file = write('big.warc', Buffer.concat([big, small]));
    const recs = records(await events(file, 1_000_000));
    expect(recs.map((r) => [r.headers['warc-target-uri'], r.body === undefined])).toEqual([
      ['http://big.example/', true],
      ['http://small.example/', false],
    ]);
  });
});
