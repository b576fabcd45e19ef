import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm/node';
import { DuckDBInstance } from '@duckdb/node-api';
import { loadPipeline, parsePipeline } from '../../src/run/config.js';
import { runPipeline } from '../../src/run/pipeline.js';
import { silentLogger } from '../../src/core/log.js';
import { responseRecord } from '../helpers/warc.js';

const tmpRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-run-'));
let n = 0;
const newDir = () => path.join(tmpRoot, `run-${n++}`);

// extract and length only: the engine's behaviour, apart from what the quality filters decide
const smokeYaml = `name: t
input:
  paths: [data/sample/cc-sample.warc.gz]
output:
  formats: [parquet]
stages:
  - extract
  - length:
      minWords: 50
`;

async function duck<T = unknown[]>(sql: string): Promise<T[]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const rows = (await con.runAndReadAll(sql)).getRows() as T[];
  con.closeSync();
  db.closeSync();
  return rows;
}

describe('runPipeline on the Common Crawl sample', () => {
  it('writes Parquet that DuckDB and apache-arrow read, and stats that add up', async () => {
    const dir = newDir();
    const { report } = await runPipeline(parsePipeline(smokeYaml), { outputDir: dir, log: silentLogger });
    expect(report.reader).toMatchObject({ records: 136, docs: 54 });
    expect(report.totals.balanced).toBe(true);
    expect(report.totals.docs_read).toBe(report.totals.docs_kept + report.totals.docs_dropped);
    for (const s of report.stages) expect(s.in).toBe(s.out + s.dropped_total);
    expect(report.stages.map((s) => s.name)).toEqual(['extract', 'length']);

    const stats = JSON.parse(fs.readFileSync(path.join(dir, 'stats.json'), 'utf8'));
    expect(stats).toEqual(JSON.parse(JSON.stringify(report)));

    const docs = path.join(dir, 'docs', '*.parquet');
    const [[count, minWords]] = await duck<[bigint, bigint]>(`SELECT count(*), min(len(string_split(trim(text), ' '))) FROM '${docs}'`);
    expect(Number(count)).toBe(report.totals.docs_kept);
    expect(Number(minWords)).toBeGreaterThan(0);
    const dropped = await duck<[string, string, bigint]>(`SELECT drop_stage, drop_reason, count(*) FROM '${path.join(dir, 'dropped', '*.parquet')}' GROUP BY ALL`);
    expect(dropped.map(([s, r, c]) => [s, r, Number(c)])).toEqual(
      report.stages.flatMap((s) => Object.entries(s.dropped).map(([r, c]) => [s.name, r, c])),
    );

    // apache-arrow reads the same file (Parquet -> Arrow IPC via parquet-wasm)
    const file = path.join(dir, report.output.files[0]!);
    const table = arrow.tableFromIPC(pw.readParquet(fs.readFileSync(file)).intoIPCStream());
    expect(table.numRows).toBe(report.totals.docs_kept);
    expect(table.schema.fields.map((f) => f.name)).toEqual(expect.arrayContaining(['id', 'url', 'text', 'crawl_date', 'source_file', 'source_offset', 'meta']));
    const row = table.get(0)!.toJSON();
    expect(row.source_file).toBe('data/sample/cc-sample.warc.gz');
    expect(typeof row.source_offset).toBe('bigint');
    expect(JSON.parse(row.meta as string)).toMatchObject({ http_status: 200 });
  });

  it('a rerun skips finished tasks; --force redoes them; an unfinished task is redone from scratch', async () => {
    const dir = newDir();
    const p = parsePipeline(smokeYaml);
    const first = await runPipeline(p, { outputDir: dir, log: silentLogger });
    const marker = path.join(dir, '_done', '00000-cc-sample.warc.gz.json');
    const mtime = fs.statSync(marker).mtimeMs;
    const second = await runPipeline(p, { outputDir: dir, log: silentLogger });
    expect(second.report.tasks[0]!.resumed).toBe(true);
    expect(fs.statSync(marker).mtimeMs).toBe(mtime);
    expect(second.report.totals).toEqual(first.report.totals);

    const forced = await runPipeline(p, { outputDir: dir, force: true, log: silentLogger });
    expect(forced.report.tasks[0]!.resumed).toBe(false);
    expect(forced.report.totals).toEqual(first.report.totals);

    // a crash mid-task leaves a temp file and no marker: the rerun clears it and redoes the task
    fs.rmSync(marker);
    fs.writeFileSync(path.join(dir, 'docs', '00000-cc-sample.warc.gz.00001.parquet.tmp'), 'half a file');
    const again = await runPipeline(p, { outputDir: dir, log: silentLogger });
    expect(again.report.tasks[0]!.resumed).toBe(false);
    expect(fs.readdirSync(path.join(dir, 'docs')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(again.report.totals).toEqual(first.report.totals);
  });

  it('rolls output files at maxFileBytes, each one whole', async () => {
    const dir = newDir();
    const p = parsePipeline(smokeYaml.replace('formats: [parquet]', 'formats: [parquet, jsonl]\n  maxFileBytes: 20000\n  rowGroupRows: 5'));
    const { report } = await runPipeline(p, { outputDir: dir, log: silentLogger });
    const pq = report.output.files.filter((f) => f.endsWith('.parquet'));
    const js = report.output.files.filter((f) => f.endsWith('.jsonl.gz'));
    expect(pq.length).toBeGreaterThan(2);
    expect(js.length).toBeGreaterThan(1);
    const [[count]] = await duck<[bigint]>(`SELECT count(*) FROM '${path.join(dir, 'docs', '*.parquet')}'`);
    expect(Number(count)).toBe(report.totals.docs_kept);
    const [[jcount]] = await duck<[bigint]>(`SELECT count(*) FROM read_json_auto('${path.join(dir, 'docs', '*.jsonl.gz')}')`);
    expect(Number(jcount)).toBe(report.totals.docs_kept);
  });

  it('bad files and bad records are named, counted, and the run goes on', async () => {
    const dir = newDir();
    const inputs = path.join(tmpRoot, 'inputs');
    fs.mkdirSync(inputs, { recursive: true });
    const sample = fs.readFileSync('data/sample/cc-sample.warc.gz');
    fs.writeFileSync(path.join(inputs, 'a-cut.warc.gz'), sample.subarray(0, Math.floor(sample.length * 0.5)));
    fs.writeFileSync(path.join(inputs, 'b-empty.warc'), '');
    fs.writeFileSync(path.join(inputs, 'c-text.warc'), 'this is not a WARC file\n');
    fs.writeFileSync(
      path.join(inputs, 'd-liar.warc'),
      Buffer.concat([
        responseRecord({ url: 'http://a.example/', payload: '<p>' + 'word '.repeat(80) + '</p>', contentLength: 9 }),
        responseRecord({ url: 'http://b.example/', payload: '<html><body><p>' + 'fine words '.repeat(40) + '</p></body></html>' }),
      ]),
    );
    const p = parsePipeline(smokeYaml);
    const { report } = await runPipeline(p, { outputDir: dir, inputs: [inputs], log: silentLogger });
    expect(report.tasks).toHaveLength(4);
    expect(report.reader.errors).toEqual({ truncated_gzip: 1, empty_file: 1, not_warc: 1, content_length_mismatch: 1 });
    expect(report.totals.bad_records).toBe(4);
    expect(report.totals.balanced).toBe(true);
    const errs = fs
      .readdirSync(path.join(dir, 'errors'))
      .flatMap((f) => fs.readFileSync(path.join(dir, 'errors', f), 'utf8').trim().split('\n').filter(Boolean))
      .map((l) => JSON.parse(l));
    expect(errs.map((e) => [path.basename(e.file), e.reason])).toEqual([
      ['a-cut.warc.gz', 'truncated_gzip'],
      ['b-empty.warc', 'empty_file'],
      ['c-text.warc', 'not_warc'],
      ['d-liar.warc', 'content_length_mismatch'],
    ]);
    expect(errs.every((e) => typeof e.offset === 'number')).toBe(true);
    const [[urls]] = await duck<[string]>(`SELECT string_agg(url, ' ' ORDER BY url) FROM '${path.join(dir, 'docs', '*.parquet')}' WHERE url LIKE '%.example/'`);
    expect(urls).toBe('http://b.example/');
  });
});

describe('the shipped smoke pipeline', () => {
  it('runs the whole chain and every stage adds up', async () => {
    const dir = newDir();
    const { report } = await runPipeline(loadPipeline('pipelines/smoke.yaml'), { outputDir: dir, log: silentLogger });
    expect(report.stages.map((s) => s.name)).toEqual(['extract', 'langid', 'pii', 'exact_dedup', 'minhash_dedup', 'length', 'gopher_repetition', 'gopher_quality', 'c4', 'fineweb_quality', 'c4_badwords']);
    expect(report.totals.balanced).toBe(true);
    expect(report.stages[1]!.dropped.language_not_kept).toBeGreaterThan(0);
    const [[langs]] = await duck<[string]>(`SELECT string_agg(DISTINCT language, ',') FROM '${path.join(dir, 'docs', '*.parquet')}'`);
    expect(langs).toBe('en');
  });
});

describe('runPipeline on JSONL and Parquet documents', () => {
  it('reads JSONL documents, and reads its own Parquet output back as input', async () => {
    const first = newDir();
    const yaml = `name: docs\ninput:\n  paths: [tests/fixtures/docs/cc-2019-30-40docs.jsonl]\noutput:\n  formats: [parquet]\nstages:\n  - length:\n      minWords: 100\n`;
    const a = await runPipeline(parsePipeline(yaml), { outputDir: first, log: silentLogger });
    expect(a.report.reader).toMatchObject({ records: 40, docs: 40 });
    expect(a.report.totals.balanced).toBe(true);

    const second = newDir();
    const b = await runPipeline(parsePipeline(yaml.replace('minWords: 100', 'minWords: 400')), { outputDir: second, inputs: [path.join(first, 'docs')], log: silentLogger });
    expect(b.report.reader.docs).toBe(a.report.totals.docs_kept);
    const kept = await duck<[string, string]>(`SELECT id, source_file FROM '${path.join(second, 'docs', '*.parquet')}' ORDER BY id`);
    const expected = await duck<[string]>(`SELECT id FROM '${path.join(first, 'docs', '*.parquet')}' WHERE len(regexp_split_to_array(trim(text), '\\s+')) >= 400 ORDER BY id`);
    expect(kept.map((r) => r[0])).toEqual(expected.map((r) => r[0]));
    // the original source is kept through the second pass
    expect(new Set(kept.map((r) => r[1]))).toEqual(new Set(['tests/fixtures/docs/cc-2019-30-40docs.jsonl']));
  });
});
