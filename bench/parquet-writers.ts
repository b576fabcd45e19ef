// Parquet writing alone: the project's writer (src/io/parquet-write.ts: apache-arrow batches through
// parquet-wasm, zstd) against parquetjs-lite (snappy, gzip) on 20,000 rows of ~2 KB real web text,
// with DuckDB, the project's Parquet reader, reading every file back.
// node dist/bench/parquet-writers.js [--rows 20000] [--runs 3]
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import parquet from 'parquetjs-lite';
import type { Doc } from '../src/core/doc.js';
import { Counters } from '../src/core/stats.js';
import { readDocs } from '../src/io/readers.js';
import { parquetWriter } from '../src/io/parquet-write.js';
import { sqlString } from '../src/io/parquet-read.js';
import { docColumns, type ColumnType } from '../schemas/parquet-columns.js';
import { MB, SHARED_DATA_DIR, codeRevision, flag, machine, median, note, printResult, round, runMain, tempDir, timed } from './common.js';

const WEB_DOCS_DIR = path.join(SHARED_DATA_DIR, 'web-docs');
const ROW_TEXT_CHARS = 2000;
/** the pipeline's default row group (schemas/pipeline.ts), used by every writer */
const ROW_GROUP_ROWS = 2000;

/** the document columns, as the pipeline writes them for kept documents */
const COLUMNS = docColumns(false);

/** documents of the shared Common Crawl text samples, read with the project's JSONL reader */
async function webDocs(): Promise<Doc[]> {
  const files = [
    ...fs.readdirSync(WEB_DOCS_DIR).filter((f) => f.endsWith('.gz')).map((f) => path.join(WEB_DOCS_DIR, f)),
    ...fs.readdirSync(path.join(WEB_DOCS_DIR, 'dolma-small')).map((f) => path.join(WEB_DOCS_DIR, 'dolma-small', f)),
  ].sort();
  const docs: Doc[] = [];
  for (const file of files) {
    const ctx = { stats: new Counters(), recordError: (e: { describe(): string }) => note(`parquet-writers: skipped ${e.describe()}`) };
    for await (const doc of readDocs('jsonl', file, { maxRecordBytes: 64 * MB }, ctx)) docs.push(doc);
  }
  return docs;
}

/** cut text into pieces of about `chars` characters at whitespace; a short tail is dropped */
function pieces(text: string, chars: number): string[] {
  const out: string[] = [];
  let at = 0;
  while (text.length - at >= chars / 2) {
    let end = Math.min(text.length, at + chars);
    if (end < text.length) {
      const space = text.lastIndexOf(' ', end);
      if (space > at + chars / 2) end = space;
    }
    out.push(text.slice(at, end));
    at = end;
  }
  return out;
}

/** shift of the cut points from one cycle through the corpus to the next, so rows do not repeat */
const CYCLE_SHIFT_CHARS = 211;

/**
 * `rows` documents of ~2 KB real text, cycling through the corpus and cutting it at different
 * points each cycle (exact repeats would flatter dictionary encoding; only documents the corpus itself
 * holds twice still repeat); meta as the JSONL reader made it.
 */
async function benchRows(rows: number): Promise<Doc[]> {
  const corpus = await webDocs();
  const out: Doc[] = [];
  for (let cycle = 0; out.length < rows; cycle++) {
    const before = out.length;
    const shift = (cycle * CYCLE_SHIFT_CHARS) % ROW_TEXT_CHARS;
    for (const doc of corpus) {
      for (const text of pieces(doc.text.slice(shift), ROW_TEXT_CHARS)) {
        if (out.length === rows) break;
        out.push({ id: `${doc.id}:${out.length}`, text, meta: { ...doc.meta, content_type: 'text/plain' } });
      }
    }
    if (out.length === before) throw new Error(`no text of ${ROW_TEXT_CHARS / 2}+ characters under ${WEB_DOCS_DIR}`);
  }
  return out;
}

interface ParquetWriterUnderTest {
  name: string;
  compression: string;
  /** write the rows to a file in dir and return its path */
  write(docs: Doc[], dir: string): Promise<string>;
}

const ownWriter: ParquetWriterUnderTest = {
  name: 'own: parquet-wasm@0.8.0 + apache-arrow@21.2.0',
  compression: 'zstd',
  async write(docs, dir) {
    const w = parquetWriter({ dir, prefix: 'own', maxFileBytes: Number.MAX_SAFE_INTEGER, rowGroupRows: ROW_GROUP_ROWS, dropped: false });
    for (const doc of docs) await w.write(doc);
    const files = await w.close();
    if (files.length !== 1) throw new Error(`expected one file, the writer made ${files.length}`);
    return files[0]!;
  },
};

const LITE_TYPES: Record<ColumnType, parquet.PrimitiveType> = { utf8: 'UTF8', int64: 'INT64', int32: 'INT32', float64: 'DOUBLE', bool: 'BOOLEAN' };

/** parquetjs-lite with the same columns and row groups as ours, every column compressed with `compression` */
function liteWriter(compression: parquet.Compression): ParquetWriterUnderTest {
  const schema = new parquet.ParquetSchema(Object.fromEntries(COLUMNS.map((c) => [c.name, { type: LITE_TYPES[c.type], optional: true, compression }])));
  return {
    name: 'parquetjs-lite@0.8.7',
    compression: compression.toLowerCase(),
    async write(docs, dir) {
      const file = path.join(dir, `lite-${compression.toLowerCase()}.parquet`);
      const w = await parquet.ParquetWriter.openFile(schema, file, { rowGroupSize: ROW_GROUP_ROWS });
      for (const doc of docs) {
        const row: Record<string, unknown> = {};
        for (const c of COLUMNS) {
          const v = c.value(doc);
          if (v !== undefined && v !== null) row[c.name] = v;
        }
        await w.appendRow(row);
      }
      await w.close();
      return file;
    },
  };
}

const WRITERS = [ownWriter, liteWriter('SNAPPY'), liteWriter('GZIP')];

interface ReadBack {
  rows: number;
  text_bytes: number;
}

/** row count and UTF-8 bytes of the text column, as DuckDB reads them */
async function duckdbReadBack(file: string): Promise<ReadBack | { error: string }> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  try {
    const reader = await con.runAndReadAll(`SELECT count(*) AS n, sum(strlen(text)) AS text_bytes FROM read_parquet(${sqlString(file)})`);
    const [n, textBytes] = reader.getRows()[0]!;
    return { rows: Number(n), text_bytes: Number(textBytes) };
  } catch (e) {
    return { error: (e as Error).message };
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

async function main(): Promise<void> {
  const host = machine();
  const rowCount = Number(flag('rows') ?? 20_000);
  const runs = Number(flag('runs') ?? 3);
  const docs = await benchRows(rowCount);
  const textBytes = docs.reduce((a, d) => a + Buffer.byteLength(d.text), 0);
  note(`parquet-writers: ${docs.length} rows, ${round(textBytes / MB, 1)} MB of text`);

  const tmp = tempDir('parquet-writers');
  try {
    const seconds = new Map<ParquetWriterUnderTest, number[]>(WRITERS.map((w) => [w, []]));
    const files = new Map<ParquetWriterUnderTest, string>();
    // Alternate the writers run by run, each run into a fresh directory.
    for (let run = 0; run < runs; run++) {
      for (const [i, w] of WRITERS.entries()) {
        const dir = path.join(tmp.dir, `run${run}-writer${i}`);
        fs.mkdirSync(dir);
        const { value: file, seconds: s } = await timed(() => w.write(docs, dir));
        seconds.get(w)!.push(s);
        files.set(w, file);
        note(`parquet-writers: ${w.name} ${w.compression} run ${run + 1}: ${round(s, 2)} s`);
      }
    }
    const results = [];
    for (const w of WRITERS) {
      const file = files.get(w)!;
      const s = median(seconds.get(w)!);
      const back = await duckdbReadBack(file);
      results.push({
        writer: w.name,
        compression: w.compression,
        seconds: round(s, 2),
        rows_per_s: Math.round(docs.length / s),
        file_mb: round(fs.statSync(file).size / MB, 2),
        duckdb_rows: 'rows' in back ? back.rows : null,
        duckdb_same_rows: 'rows' in back && back.rows === docs.length,
        duckdb_same_text: 'rows' in back && back.text_bytes === textBytes,
        ...('error' in back ? { duckdb_error: back.error } : {}),
      });
    }
    printResult({
      bench: 'parquet-writers',
      machine: host,
      code: codeRevision(),
      rows: docs.length,
      distinct_texts: new Set(docs.map((d) => d.text)).size,
      text_mb: round(textBytes / MB, 1),
      row_group_rows: ROW_GROUP_ROWS,
      columns: COLUMNS.length,
      runs,
      results,
    });
  } finally {
    tmp.remove();
  }
}

runMain(main);
