import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parsePipeline } from '../../src/run/config.js';
import { runPipeline } from '../../src/run/pipeline.js';
import { silentLogger } from '../../src/core/log.js';
import { exactDedup } from '../../stages/dedup/exact-dedup.js';
import { runFilter } from './filter-harness.js';
import type { Doc } from '../../src/core/doc.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-dedup-'));
const real = fs
  .readFileSync('tests/fixtures/docs/cc-2019-30-40docs.jsonl', 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { id: string; text: string; url?: string });

async function keptIds(dir: string): Promise<string[]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const rows = (await con.runAndReadAll(`SELECT id FROM '${path.join(dir, 'docs', '*.parquet')}' ORDER BY id`)).getRows();
  con.closeSync();
  db.closeSync();
  return rows.map((r) => String(r[0]));
}

describe('exact_dedup across shards', () => {
  // shard a: docs 0-5; shard b: docs 3-8 under new ids, doc 4's copy re-cased and re-spaced
  const a = real.slice(0, 6);
  const b = real.slice(3, 9).map((d, i) => ({ ...d, id: `b-${i}`, text: i === 1 ? `  ${d.text.toUpperCase().replace(/ /g, '   ')}  ` : d.text }));
  const inputs = path.join(tmp, 'shards');
  fs.mkdirSync(inputs, { recursive: true });
  fs.writeFileSync(path.join(inputs, 'a.jsonl'), a.map((d) => JSON.stringify(d)).join('\n') + '\n');
  fs.writeFileSync(path.join(inputs, 'b.jsonl'), b.map((d) => JSON.stringify(d)).join('\n') + '\n');
  const yaml = `name: dedup\ninput:\n  paths: [${inputs}]\noutput:\n  formats: [parquet]\nstages:\n  - length:\n      minWords: 0\n  - exact_dedup\n  - length:\n      minWords: 1\n`;

  it('keeps the first occurrence in input order, drops later copies in any shard with a reason, and the stats add up', async () => {
    const dir = path.join(tmp, 'run');
    const { report } = await runPipeline(parsePipeline(yaml), { outputDir: dir, log: silentLogger });
    const dedup = report.stages[1]!;
    expect(dedup).toMatchObject({ name: 'exact_dedup', in: 12, out: 9, dropped: { exact_duplicate: 3 } });
    expect(dedup.counters).toMatchObject({ 'reduce.docs': 12, 'reduce.duplicates': 3, 'reduce.distinct': 9 });
    expect(report.totals).toMatchObject({ docs_read: 12, docs_kept: 9, docs_dropped: 3, balanced: true });
    expect(await keptIds(dir)).toEqual([...a.map((d) => d.id), 'b-3', 'b-4', 'b-5'].sort());
    // the documents went through Parquet between the passes with their meta
    expect(report.stages.map((s) => s.name)).toEqual(['length', 'exact_dedup', 'length']);

    // a rerun resumes every pass; --force redoes them with the same result
    const again = await runPipeline(parsePipeline(yaml), { outputDir: dir, log: silentLogger });
    expect(again.report.tasks.every((t) => t.resumed)).toBe(true);
    expect(again.report.totals).toEqual(report.totals);
    const forced = await runPipeline(parsePipeline(yaml), { outputDir: dir, force: true, log: silentLogger });
    expect(forced.report.totals).toEqual(report.totals);
    expect(await keptIds(dir)).toEqual([...a.map((d) => d.id), 'b-3', 'b-4', 'b-5'].sort());
  });

  it('a pass input that disappears between passes is named, and a rerun redoes that pass', async () => {
    const dir = path.join(tmp, 'vanish');
    const first = await runPipeline(parsePipeline(yaml), { outputDir: dir, log: silentLogger });
    const lost = path.join(dir, '_passes', '0', '00001-b.jsonl.00000.jsonl.gz');
    fs.rmSync(lost);
    fs.rmSync(path.join(dir, '_done', 'pass-1'), { recursive: true });
    const broken = await runPipeline(parsePipeline(yaml), { outputDir: dir, log: silentLogger });
    expect(broken.failed).toEqual([{ task: '00001-b.jsonl', error: expect.stringContaining(`${lost} is missing, though pass 0 wrote 6 documents there`) }]);
    const again = await runPipeline(parsePipeline(yaml), { outputDir: dir, log: silentLogger });
    expect(again.failed).toEqual([]);
    expect(again.report.totals).toEqual(first.report.totals);
  });

  it('URL dedup, and the one-stream form `curate stage exact_dedup` uses', async () => {
    const docs: Doc[] = [
      { id: '1', text: 'one', meta: { url: 'HTTPS://Example.org/a#top' } },
      { id: '2', text: 'two', meta: { url: 'https://example.org/a' } },
      { id: '3', text: 'three', meta: { url: 'https://example.org/A' } },
      { id: '4', text: 'four', meta: {} },
    ];
    const { kept: out, dropped, stats } = await runFilter(exactDedup, docs, { field: 'url' });
    expect(out.map((d) => d.id)).toEqual(['1', '3', '4']);
    expect(dropped).toEqual(['2:duplicate_url']);
    expect(stats.no_url).toBe(1);
  });

  it('refuses to split a pipeline with a global stage over ranks', async () => {
    await expect(runPipeline(parsePipeline(yaml), { outputDir: path.join(tmp, 'r'), worldSize: 2, rank: 0, log: silentLogger })).rejects.toThrow(/exact_dedup must see every input/);
  });
});
