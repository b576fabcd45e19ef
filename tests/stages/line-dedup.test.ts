import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { parsePipeline } from '../../src/run/config.js';
import { runPipeline } from '../../src/run/pipeline.js';
import { silentLogger } from '../../src/core/log.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-lines-'));
const real = fs
  .readFileSync('tests/fixtures/docs/cc-2019-30-40docs.jsonl', 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { id: string; text: string });

describe('line_dedup across shards', () => {
  const nav = 'Home | About us | Contact';
  const footer = '© 2019 Example Media Group. All rights reserved.';
  const wrap = (t: string) => `${nav}\n${t}\n${footer}`;
  const a = real.slice(0, 2).map((d) => ({ ...d, text: wrap(d.text) }));
  const b = [...real.slice(2, 4).map((d) => ({ ...d, text: wrap(d.text) })), { id: 'only-furniture', text: `${nav}\n\n${footer}` }, real[4]!];
  const inputs = path.join(tmp, 'shards');
  fs.mkdirSync(inputs, { recursive: true });
  fs.writeFileSync(path.join(inputs, 'a.jsonl'), a.map((d) => JSON.stringify(d)).join('\n') + '\n');
  fs.writeFileSync(path.join(inputs, 'b.jsonl'), b.map((d) => JSON.stringify(d)).join('\n') + '\n');

  it('removes lines found in at least minDocuments documents from all of them, and drops documents left empty', async () => {
    const dir = path.join(tmp, 'run');
    const yaml = `name: lines\ninput:\n  paths: [${inputs}]\noutput:\n  formats: [parquet]\nstages:\n  - line_dedup:\n      minDocuments: 3\n`;
    const { report } = await runPipeline(parsePipeline(yaml), { outputDir: dir, log: silentLogger });
    const stage = report.stages[0]!;
    expect(stage).toMatchObject({ in: 6, out: 5, changed: 4, dropped: { only_duplicate_lines: 1 } });
    expect(stage.counters).toMatchObject({ lines_removed: 10, 'reduce.boilerplate_lines': 2 });
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const rows = (await con.runAndReadAll(`SELECT id, text FROM '${path.join(dir, 'docs', '*.parquet')}'`)).getRows();
    con.closeSync();
    db.closeSync();
    for (const [, text] of rows) {
      expect(String(text)).not.toContain(nav);
      expect(String(text)).not.toContain(footer);
    }
    const untouched = rows.find((r) => r[0] === real[4]!.id)!;
    expect(untouched[1]).toBe(real[4]!.text);
  });
});
