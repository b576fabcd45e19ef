// The `inspect` verb: a pipeline run (stats.json + Parquet) or a training run (log.jsonl) as terminal
// tables, JSON (--json), free SQL (--sql) or one self-contained HTML report (--report FILE).
import { parseArgs } from 'node:util';
import { DuckDBInstance } from '@duckdb/node-api';
import { FatalError } from '../core/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { sqlString } from '../io/parquet-read.js';
import { formatTable } from '../cli/table.js';
import { openViews, query, resolveTarget } from './inspect.js';
import { inspectRun } from './run-data.js';
import { formatInspection } from './terminal.js';
import { formatTrainSummary, readTrainLog, summarizeTrain, trainLogOf, trainReportHtml } from './train.js';

type Out = { out: (s: string) => void; err: (s: string) => void };

export const INSPECT_USAGE = `usage: curate inspect <run dir | file.parquet | train dir> [--report FILE.html] [--sql "SELECT ... FROM docs"] [--json] [--samples N]
                      [--report-samples N] [--exact-tokens | --no-tokens]
  a pipeline run: views docs (kept), dropped (with drop_stage, drop_reason); a training run (log.jsonl): view log
  --report FILE      one self-contained HTML page: funnel of documents and tokens, drop reasons, histograms,
                     domain mix, dedup clusters, a browser of kept and dropped documents (training: the curves)
  --exact-tokens     count every document's GPT-2 tokens (default: exact up to 10 M characters of text, else a sample)
  --no-tokens        skip counting tokens`;

function positiveInt(v: string, flag: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new FatalError(`${flag} must be a non-negative integer, got ${v}`);
  return n;
}

function writeReport(file: string, html: string, io: Out): void {
  writeFileAtomic(file, html);
  io.err(`report: ${file} (${(Buffer.byteLength(html) / 1024).toFixed(0)} KB)`);
}

async function sqlOut(run: (sql: string) => Promise<{ columns: string[]; rows: unknown[][] }>, sql: string, views: string, json: boolean, io: Out): Promise<void> {
  let result;
  try {
    result = await run(sql);
  } catch (e) {
    throw new FatalError(`--sql: ${(e as Error).message}\n  views: ${views}`);
  }
  if (json) for (const r of result.rows) io.out(JSON.stringify(Object.fromEntries(result.columns.map((c, i) => [c, r[i]]))));
  else io.out(formatTable(result.columns, result.rows as Array<Array<string | number | null>>));
}

async function inspectTrain(logFile: string, values: { sql?: string; json: boolean; report?: string }, io: Out): Promise<number> {
  if (values.sql) {
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    try {
      // every line's fields, whatever lines carry them (sample_size -1: read the whole file for the schema)
      await con.run(`CREATE VIEW log AS SELECT * FROM read_json_auto(${sqlString(logFile)}, format = 'newline_delimited', sample_size = -1, ignore_errors = true)`);
      await sqlOut((sql) => query(con, sql), values.sql, 'log (one row per line of log.jsonl)', values.json, io);
    } finally {
      con.closeSync();
      db.closeSync();
    }
    return 0;
  }
  const log = readTrainLog(logFile);
  if (values.report) writeReport(values.report, await trainReportHtml(log), io);
  const s = summarizeTrain(log);
  io.out(values.json ? JSON.stringify(s, null, 2) : formatTrainSummary(s));
  return 0;
}

export async function cmdInspect(args: string[], io: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      sql: { type: 'string' },
      json: { type: 'boolean', default: false },
      samples: { type: 'string', default: '3' },
      report: { type: 'string' },
      'report-samples': { type: 'string', default: '40' },
      'exact-tokens': { type: 'boolean', default: false },
      'no-tokens': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    io.out(INSPECT_USAGE);
    return values.help ? 0 : 2;
  }
  const where = positionals[0]!;
  const logFile = trainLogOf(where);
  if (logFile) return inspectTrain(logFile, values, io);
  const target = resolveTarget(where);
  if (values.sql) {
    const { con, close } = await openViews(target);
    try {
      await sqlOut((sql) => query(con, sql), values.sql, Object.entries(target.views).filter(([, f]) => f.length).map(([v]) => v).join(', ') || '(none: no Parquet outputs)', values.json, io);
    } finally {
      close();
    }
    return 0;
  }
  const s = await inspectRun(target, {
    samples: positiveInt(values.samples, '--samples'),
    keptSamples: positiveInt(values['report-samples'], '--report-samples'),
    exact: values['exact-tokens'],
    noTokens: values['no-tokens'],
  });
  if (values.report) writeReport(values.report, await (await import('./report.js')).runReportHtml(s), io);
  if (values.json) {
    // the browser's samples belong to the report; --json keeps the summary's own samples
    const { browser: _browser, ...rest } = s;
    io.out(JSON.stringify(rest, null, 2));
    return 0;
  }
  io.out(formatInspection(s, where));
  return 0;
}
