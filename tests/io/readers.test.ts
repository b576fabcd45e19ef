import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { readDocs, type ReaderContext } from '../../src/io/readers.js';
import { Counters } from '../../src/core/stats.js';
import type { RecordError } from '../../src/core/errors.js';
import type { Doc } from '../../src/core/doc.js';
import { responseRecord, warcGz } from '../helpers/warc.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-readers-'));

async function read(format: 'warc' | 'jsonl' | 'parquet', file: string, maxRecordBytes = 16 << 20) {
  const stats = new Counters();
  const errs: RecordError[] = [];
  const ctx: ReaderContext = { stats, recordError: (e) => errs.push(e) };
  const docs: Doc[] = [];
  for await (const d of readDocs(format, file, { maxRecordBytes }, ctx)) docs.push(d);
  return { docs, stats: stats.toJSON(), errors: errs };
}

describe('WARC documents', () => {
  it('turns response records into documents and counts everything else by reason', async () => {
    const { docs, stats, errors } = await read('warc', 'data/sample/cc-sample.warc.gz');
    expect(errors).toEqual([]);
    expect(docs).toHaveLength(54);
    expect(stats.records).toBe(136);
    // every record is a document or skipped with a reason
    const skipped = Object.entries(stats).filter(([k]) => k.startsWith('skipped.')).reduce((a, [, v]) => a + v, 0);
    expect(stats.docs! + skipped).toBe(stats.records);
    const d = docs[0]!;
    expect(d.html).toBeDefined();
    expect(d.meta).toMatchObject({ url: expect.stringMatching(/^http/), content_type: 'text/html', source: { file: 'data/sample/cc-sample.warc.gz' } });
    expect(d.id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('revisit records (duplicates) are counted and skipped', async () => {
    const { stats } = await read('warc', 'tests/fixtures/warc/dupes.warc.gz');
    expect(stats['records_by_type.revisit']).toBe(9);
    expect(stats['skipped.warc_type_revisit']).toBe(9);
  });

  it('binary content labelled text/html is named and skipped; pages in strange charsets are decoded', async () => {
    const png = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), zlib.deflateSync(Buffer.alloc(5000, 7))]);
    const sjis = fs.readFileSync('tests/fixtures/charset/hukumusume.shift_jis.html');
    const cp1251 = fs.readFileSync('tests/fixtures/charset/munvnukovo.windows-1251.html');
    const recs = [
      responseRecord({ url: 'http://img.example/logo', payload: png, contentType: 'text/html' }),
      responseRecord({ url: 'http://jp.example/', payload: sjis, contentType: 'text/html' }),
      responseRecord({ url: 'http://ru.example/', payload: cp1251, contentType: null }),
    ];
    const file = path.join(tmp, 'mixed.warc.gz');
    fs.writeFileSync(file, warcGz(recs));
    const { docs, stats, errors } = await read('warc', file);
    expect(errors.map((e) => [e.reason, e.offset])).toEqual([['binary_content', 0]]);
    expect(errors[0]!.describe()).toMatch(/mixed\.warc\.gz@0: binary_content: payload labelled text\/html is png data/);
    expect(stats['errors.binary_content']).toBe(1);
    expect(docs.map((d) => [d.meta.url, d.meta.charset])).toEqual([
      ['http://jp.example/', 'shift_jis'],
      ['http://ru.example/', 'windows-1251'],
    ]);
    expect(docs[0]!.html).toContain('欲張りなイヌ');
  });

  it('a 50 MB single page is named as too large, the rest of the file goes on', async () => {
    const file = path.join(tmp, 'giant.warc');
    const fd = fs.openSync(file, 'w');
    fs.writeSync(fd, responseRecord({ url: 'http://giant.example/', payload: Buffer.alloc(50 * 1024 * 1024, '<p>x</p>') }));
    fs.writeSync(fd, responseRecord({ url: 'http://after.example/', payload: '<p>after</p>' }));
    fs.closeSync(fd);
    const { docs, errors } = await read('warc', file);
    expect(errors.map((e) => `${e.reason}@${e.offset}`)).toEqual(['record_too_large@0']);
    expect(docs.map((d) => d.meta.url)).toEqual(['http://after.example/']);
  });
});

describe('JSONL documents', () => {
  it('reads real CC documents, Dolma-shaped', async () => {
    const { docs, stats } = await read('jsonl', 'tests/fixtures/docs/cc-2019-30-40docs.jsonl');
    expect(docs).toHaveLength(40);
    expect(stats).toMatchObject({ records: 40, docs: 40 });
    expect(docs[0]!.id).toBe('blj5uzvcoa4iybpd5o6kom5nir6ngmoj');
    expect(docs[0]!.text).toMatch(/^A New Home\?/);
  });

  it('names bad lines (file, byte offset, reason) and goes on; a cut .jsonl.gz keeps what came before', async () => {
    const lines = ['{"id":"a","text":"one"}', '{not json', '{"id":"b"}', '{"id":"c","text":"three"}'];
    const file = path.join(tmp, 'bad.jsonl');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const { docs, errors } = await read('jsonl', file);
    expect(docs.map((d) => d.id)).toEqual(['a', 'c']);
    expect(errors.map((e) => `${e.reason}@${e.offset}`)).toEqual(['malformed_json@24', 'malformed_doc@34']);

    const gz = zlib.gzipSync(fs.readFileSync('tests/fixtures/docs/cc-2019-30-40docs.jsonl'));
    const cut = path.join(tmp, 'cut.jsonl.gz');
    fs.writeFileSync(cut, gz.subarray(0, Math.floor(gz.length / 2)));
    const r = await read('jsonl', cut);
    expect(r.docs.length).toBeGreaterThan(5);
    expect(r.docs.length).toBeLessThan(40);
    expect(r.errors.map((e) => e.reason)).toEqual(['truncated_gzip']);
  });
});
