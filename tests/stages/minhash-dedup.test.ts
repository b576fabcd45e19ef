import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parsePipeline } from '../../src/run/config.js';
import { runPipeline } from '../../src/run/pipeline.js';
import { silentLogger } from '../../src/core/log.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-minhash-'));
const real = fs
  .readFileSync('tests/fixtures/docs/cc-2019-30-40docs.jsonl', 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { id: string; text: string })
  .filter((d) => d.text.split(/\s+/).length > 150);

async function rows(sql: string): Promise<unknown[][]> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const r = (await con.runAndReadAll(sql)).getRows();
  con.closeSync();
  db.closeSync();
  return r;
}

describe('minhash_dedup across shards', () => {
  // shard a: 6 documents; shard b: near copies of a[1] (a sentence appended) and a[4] (a sentence
  // changed), and 3 unrelated documents
  const a = real.slice(0, 6);
  const changeOneSentence = (t: string) => t.replace(/\.\s+[^.]{20,}?\./, '. This sentence was written again by someone else.');
  const b = [
    { id: 'copy-of-a1', text: `${a[1]!.text}\nShared from our partner site.` },
    ...real.slice(6, 9),
    { id: 'copy-of-a4', text: changeOneSentence(a[4]!.text) },
  ];
  const inputs = path.join(tmp, 'shards');
  fs.mkdirSync(inputs, { recursive: true });
  fs.writeFileSync(path.join(inputs, 'a.jsonl'), a.map((d) => JSON.stringify(d)).join('\n') + '\n');
  fs.writeFileSync(path.join(inputs, 'b.jsonl'), b.map((d) => JSON.stringify(d)).join('\n') + '\n');
  const yaml = `name: near\ninput:\n  paths: [${inputs}]\noutput:\n  formats: [parquet]\nstages:\n  - minhash_dedup\n`;

  it('drops near copies found in another shard, keeps the first of each cluster, names the cluster, adds up', async () => {
    const dir = path.join(tmp, 'run');
    const { report } = await runPipeline(parsePipeline(yaml), { outputDir: dir, log: silentLogger });
    const stage = report.stages[0]!;
    expect(stage).toMatchObject({ name: 'minhash_dedup', in: 11 });
    expect(stage.in).toBe(stage.out + stage.dropped_total);
    expect(report.totals.balanced).toBe(true);
    const dropped = await rows(`SELECT id, json_extract_string(meta, '$.dedup_cluster') FROM '${path.join(dir, 'dropped', '*.parquet')}' ORDER BY id`);
    expect(dropped).toEqual(
      expect.arrayContaining([
        ['copy-of-a1', '00000-a.jsonl#1'],
        ['copy-of-a4', '00000-a.jsonl#4'],
      ]),
    );
    // the crawl itself holds near duplicates too (two pages of one site's search template in b):
    // whatever else is dropped comes from b and points at a cluster kept earlier
    expect(stage.counters['reduce.duplicates']).toBe(stage.dropped_total);
    const keptIds = (await rows(`SELECT id FROM '${path.join(dir, 'docs', '*.parquet')}'`)).map((r) => r[0]);
    for (const d of a) expect(keptIds).toContain(d.id);
    const { resolveTarget, summarize } = await import('../../src/inspect/inspect.js');
    const summary = await summarize(resolveTarget(dir));
    expect(summary.dedup_clusters).toEqual(
      expect.arrayContaining([expect.objectContaining({ cluster: '00000-a.jsonl#1', size: 2, kept_id: a[1]!.id, dropped_id: 'copy-of-a1' })]),
    );
    const kept = await rows(`SELECT id, json_extract_string(meta, '$.dedup_cluster_size') FROM '${path.join(dir, 'docs', '*.parquet')}' WHERE id IN ('${a[1]!.id}', '${a[4]!.id}') ORDER BY id`);
    expect(kept.map((r) => r[1])).toEqual(['2', '2']);
  });

  it('is deterministic: a forced rerun writes the same decisions', async () => {
    const dir = path.join(tmp, 'det');
    const first = await runPipeline(parsePipeline(yaml), { outputDir: dir, log: silentLogger });
    const ids = async () => (await rows(`SELECT string_agg(id, ',' ORDER BY id) FROM '${path.join(dir, 'docs', '*.parquet')}'`))[0]![0];
    const before = await ids();
    const again = await runPipeline(parsePipeline(yaml), { outputDir: dir, force: true, log: silentLogger });
    expect(again.report.stages).toEqual(first.report.stages);
    expect(await ids()).toBe(before);
  });

  it('writes byte-identical Parquet whatever the number of clustering workers', async () => {
    const withWorkers = (n: number) => yaml.replace('  - minhash_dedup\n', `  - minhash_dedup:\n      clusterWorkers: ${n}\n`);
    const out: Buffer[][] = [];
    for (const n of [1, 3]) {
      const dir = path.join(tmp, `workers-${n}`);
      await runPipeline(parsePipeline(withWorkers(n)), { outputDir: dir, log: silentLogger });
      const files = ['docs', 'dropped'].flatMap((sub) => fs.readdirSync(path.join(dir, sub)).sort().map((f) => path.join(dir, sub, f)));
      out.push(files.map((f) => fs.readFileSync(f)));
    }
    expect(out[1]!.length).toBeGreaterThan(1);
    expect(out[1]).toEqual(out[0]);
  });
});
