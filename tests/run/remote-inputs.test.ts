// `curate run` over remote inputs: a Common Crawl listing (warc.paths.gz) resolved against a base URL
// on a loopback HTTP server, its blank and bad lines, a missing file, --shard and --limit, stable task
// names, a resumed rerun, input.cacheDir, and `curate status` with the bytes fetched.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curateInProcess } from '../helpers/run-dir.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { INPUTS_FILE } from '../../src/run/inputs.js';
import type { RunReport } from '../../schemas/stats-report.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-remote-'));
const sample = fs.readFileSync('data/sample/cc-sample.warc.gz');
const small = fs.readFileSync('tests/fixtures/warc/example.warc.gz');
const dupes = fs.readFileSync('tests/fixtures/warc/dupes.warc.gz');

function pipeline(extra = ''): string {
  const file = path.join(tmp, `p-${Math.random().toString(36).slice(2)}.yaml`);
  fs.writeFileSync(file, `name: remote\ninput:\n  remote: { backoffMs: 5, retries: 2 }\n${extra}output:\n  formats: [jsonl]\nstages:\n  - extract:\n      minTextChars: 1\n`);
  return file;
}

const report = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'stats.json'), 'utf8')) as RunReport;
const tasks = (dir: string) => fs.readdirSync(path.join(dir, '_done')).sort();

describe('curate run over a Common Crawl listing on HTTP', () => {
  let server: FileServer;
  let listing: string;
  // the listing's bytes: three files (one missing on the server), two blank lines, two bad lines, a comment
  const lines = ['crawl-data/CC-TEST/segments/1/warc/a.warc.gz', '', 'crawl-data/CC-TEST/segments/1/warc/b.warc.gz', 'not a path', '# a comment', 'crawl-data/CC-TEST/segments/2/warc/gone.warc.gz', 'crawl-data/CC-TEST/index.html', '', 'crawl-data/CC-TEST/segments/2/warc/c.warc.gz'];
  beforeAll(async () => {
    server = await startFileServer({
      '/cc/crawl-data/CC-TEST/segments/1/warc/a.warc.gz': sample,
      '/cc/crawl-data/CC-TEST/segments/1/warc/b.warc.gz': small,
      '/cc/crawl-data/CC-TEST/segments/2/warc/c.warc.gz': { body: dupes, faults: [{ drop: 0 }, { drop: 5000 }] },
    });
    listing = path.join(tmp, 'warc.paths.gz');
    fs.writeFileSync(listing, zlib.gzipSync(lines.join('\n') + '\n'));
    server.routes.set('/cc/crawl-data/CC-TEST/warc.paths.gz', { body: fs.readFileSync(listing) });
  });
  afterAll(() => server.close());

  it('reads every listed file, names the bad lines and the missing file, and the run goes on', async () => {
    const out = path.join(tmp, 'all');
    const yaml = pipeline(`  baseUrl: ${server.url}/cc/\n`);
    const r = await curateInProcess(['run', yaml, '--input', listing, '--output', out, '--workers', '1']);
    expect(r.code, r.err).toBe(0);
    // sorted, each named by its index in the whole list
    expect(tasks(out)).toEqual(['00000-a.warc.gz.json', '00001-b.warc.gz.json', '00002-c.warc.gz.json', '00003-gone.warc.gz.json']);
    const s = report(out);
    expect(s.inputs).toEqual({ listed: 4, blank_lines: 2, bad_lines: 2 });
    expect(s.reader.errors).toEqual({ remote_not_found: 1 });
    expect(s.reader.remote!.retries).toBe(2);
    expect(s.totals.balanced).toBe(true);
    expect(s.reader.docs).toBeGreaterThan(20);
    const resolved = JSON.parse(fs.readFileSync(path.join(out, INPUTS_FILE), 'utf8')) as { bad_lines: Array<{ file: string; offset: number; line: number; reason: string }> };
    const text = lines.join('\n');
    expect(resolved.bad_lines.map((b) => [b.line, b.offset, b.reason])).toEqual([
      [4, text.indexOf('not a path'), 'bad_listing_line'],
      [7, text.indexOf('crawl-data/CC-TEST/index.html'), 'bad_listing_line'],
    ]);
    expect(r.err).toMatch(/warc\.paths\.gz@\d+: bad_listing_line: line 4 is not one path/);
    // the missing file is named by URL at offset 0
    const errors = fs.readFileSync(path.join(out, 'errors', '00003-gone.warc.gz.jsonl'), 'utf8');
    expect(JSON.parse(errors.trim())).toMatchObject({ file: `${server.url}/cc/crawl-data/CC-TEST/segments/2/warc/gone.warc.gz`, offset: 0, reason: 'remote_not_found' });
    // document sources are the remote file's own offsets
    const docs = zlib.gunzipSync(fs.readFileSync(path.join(out, 'docs', fs.readdirSync(path.join(out, 'docs')).find((f) => f.startsWith('00000-'))!))).toString('utf8').trim().split('\n').map((l) => JSON.parse(l) as { meta: { source: { file: string; offset: number } } });
    expect(docs[0]!.meta.source.file).toBe(`${server.url}/cc/crawl-data/CC-TEST/segments/1/warc/a.warc.gz`);

    // a rerun resumes from the markers: no file is fetched again
    const before = server.requests.length;
    const again = await curateInProcess(['run', yaml, '--input', listing, '--output', out, '--workers', '1']);
    expect(again.code).toBe(0);
    expect(server.requests.length).toBe(before);

    // status shows what was fetched
    const st = await curateInProcess(['status', out]);
    expect(st.out).toMatch(/fetched \d+(\.\d)? KB from remote inputs at [\d.]+ MB\/s per task \(2 retries\)/);
  });

  it('--shard and --limit take part of the list; each input keeps its name; the listing itself may be remote', async () => {
    const out = path.join(tmp, 'shard');
    const yaml = pipeline(`  baseUrl: ${server.url}/cc/\n`);
    // two worker processes: each finds the run's resolved list in the run dir
    const r = await curateInProcess(['run', yaml, '--input', `${server.url}/cc/crawl-data/CC-TEST/warc.paths.gz`, '--output', out, '--shard', '1/2', '--workers', '2']);
    expect(r.code, r.err).toBe(0);
    expect(tasks(out)).toEqual(['00001-b.warc.gz.json', '00003-gone.warc.gz.json']);
    expect(report(out).reader.errors).toEqual({ remote_not_found: 1 });
    const out2 = path.join(tmp, 'limit');
    const r2 = await curateInProcess(['run', yaml, '--input', listing, '--output', out2, '--limit', '1', '--workers', '1']);
    expect(r2.code, r2.err).toBe(0);
    expect(tasks(out2)).toEqual(['00000-a.warc.gz.json']);
    const bad = await curateInProcess(['run', yaml, '--input', listing, '--output', out2, '--shard', '2/2']);
    expect(bad.code).not.toBe(0);
    expect(bad.err).toMatch(/--shard takes R\/W with R < W/);
  });

  it('input.cacheDir keeps a copy of each file read whole, and a later run reads the copy', async () => {
    const cache = path.join(tmp, 'cache');
    const yaml = pipeline(`  baseUrl: ${server.url}/cc/\n  cacheDir: ${cache}\n`);
    const r = await curateInProcess(['run', yaml, '--input', listing, '--output', path.join(tmp, 'c1'), '--limit', '2', '--workers', '1']);
    expect(r.code, r.err).toBe(0);
    const copy = path.join(cache, new URL(server.url).host.replace(':', '_'), 'cc', 'crawl-data', 'CC-TEST', 'segments', '1', 'warc', 'a.warc.gz');
    expect(fs.readFileSync(copy).equals(sample)).toBe(true);
    expect(fs.readdirSync(path.dirname(copy)).sort()).toEqual(['a.warc.gz', 'b.warc.gz']);
    const before = server.requests.length;
    const r2 = await curateInProcess(['run', yaml, '--input', listing, '--output', path.join(tmp, 'c2'), '--limit', '2', '--workers', '1']);
    expect(r2.code, r2.err).toBe(0);
    expect(server.requests.length).toBe(before);
    expect(report(path.join(tmp, 'c2')).reader.docs).toBe(report(path.join(tmp, 'c1')).reader.docs);
  });

  it('a listing that cannot be read stops the run before it starts, naming the field', async () => {
    const r = await curateInProcess(['run', pipeline(), '--input', `${server.url}/cc/nope/warc.paths.gz`, '--output', path.join(tmp, 'none')]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/input\.paths: the listing .*nope\/warc\.paths\.gz cannot be read: .*remote_not_found/);
    const pq = await curateInProcess(['run', pipeline(), '--input', `${server.url}/x/data.parquet`, '--output', path.join(tmp, 'none2')]);
    expect(pq.code).not.toBe(0);
    expect(pq.err).toMatch(/input\.cacheDir: .*remote Parquet/);
  });
});
