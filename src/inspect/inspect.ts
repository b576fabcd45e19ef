// `curate inspect`: what a run kept and dropped and why, from its stats.json and its Parquet
// outputs (queried with DuckDB), plus free SQL over the outputs as views `docs` and `dropped`.
import fs from 'node:fs';
import path from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import { FatalError } from '../core/errors.js';
import { RunReport } from '../../schemas/stats-report.js';
import { sqlString } from '../io/parquet-read.js';
import { mixSummary, type MixSummary } from '../mix/report.js';

export interface InspectTarget {
  runDir?: string;
  report?: RunReport;
  /** view name -> parquet files */
  views: Record<string, string[]>;
}

function parquetFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.parquet'))
    .sort()
    .map((f) => path.join(dir, f));
}

export function resolveTarget(target: string): InspectTarget {
  if (!fs.existsSync(target)) throw new FatalError(`${target}: no such run directory or Parquet file`);
  if (fs.statSync(target).isFile()) {
    if (!target.endsWith('.parquet')) throw new FatalError(`${target}: inspect takes a run directory or a .parquet file`);
    return { views: { docs: [target] } };
  }
  let report: RunReport | undefined;
  const stats = path.join(target, 'stats.json');
  if (fs.existsSync(stats)) {
    const parsed = RunReport.safeParse(JSON.parse(fs.readFileSync(stats, 'utf8')));
    if (!parsed.success) throw new FatalError(`${stats}: not a stats report of this version of curate: ${parsed.error.issues[0]?.message}`);
    report = parsed.data;
  }
  const views: Record<string, string[]> = { docs: parquetFiles(path.join(target, 'docs')), dropped: parquetFiles(path.join(target, 'dropped')) };
  if (!report && views.docs!.length === 0 && views.dropped!.length === 0) {
    const direct = parquetFiles(target);
    if (direct.length === 0) throw new FatalError(`${target}: no stats.json and no Parquet files: is this a run directory?`);
    views.docs = direct;
  }
  return { runDir: target, report, views };
}

export async function openViews(t: InspectTarget): Promise<{ con: DuckDBConnection; close(): void }> {
  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  for (const [name, files] of Object.entries(t.views)) {
    if (files.length === 0) continue;
    const list = `[${files.map(sqlString).join(', ')}]`;
    await con.run(`CREATE VIEW ${name} AS SELECT * FROM read_parquet(${list}, union_by_name = true)`);
  }
  return {
    con,
    close: () => {
      con.closeSync();
      db.closeSync();
    },
  };
}

function plain(v: unknown): unknown {
  if (typeof v === 'bigint') return Number(v);
  if (v !== null && typeof v === 'object' && 'toString' in v && !(v instanceof Array)) return String(v);
  return v;
}

export async function query(con: DuckDBConnection, sql: string): Promise<{ columns: string[]; rows: unknown[][] }> {
  const reader = await con.runAndReadAll(sql);
  return { columns: reader.columnNames(), rows: reader.getRows().map((r) => r.map(plain)) };
}

/** the column names of a view */
export async function columnsOf(con: DuckDBConnection, view: string): Promise<Set<string>> {
  const r = await query(con, `SELECT column_name FROM (DESCRIBE ${view})`);
  return new Set(r.rows.map(([c]) => String(c)));
}

export interface InspectSummary {
  run_dir?: string;
  report?: RunReport;
  docs: number;
  dropped: number;
  length_quantiles?: Record<string, number>;
  length_histogram: Array<{ bucket: string; docs: number }>;
  dropped_by_reason: Array<{ stage: string; reason: string; docs: number }>;
  samples: Array<{ id: string; url: string | null; chars: number; text: string }>;
  dropped_samples: Array<{ id: string; url: string | null; stage: string; reason: string; text: string }>;
  /** the largest near-duplicate clusters: the kept document and one dropped copy */
  dedup_clusters: Array<{ cluster: string; size: number; kept_id: string | null; kept_text: string | null; dropped_id: string; dropped_text: string }>;
  /** the mix stage's target and achieved token shares per domain, when the run has one */
  mix?: MixSummary;
}

const BUCKETS = [0, 100, 500, 1000, 2000, 5000, 10000, 50000];

export async function summarize(t: InspectTarget, samples = 3, opts: { clusters?: number } = {}): Promise<InspectSummary> {
  const { con, close } = await openViews(t);
  try {
    const has = (v: string) => (t.views[v]?.length ?? 0) > 0;
    const count = async (v: string) => (has(v) ? Number((await query(con, `SELECT count(*) FROM ${v}`)).rows[0]![0]) : 0);
    const out: InspectSummary = {
      run_dir: t.runDir,
      report: t.report,
      docs: await count('docs'),
      dropped: await count('dropped'),
      length_histogram: [],
      dropped_by_reason: [],
      samples: [],
      dropped_samples: [],
      dedup_clusters: [],
      mix: t.runDir ? mixSummary(t.runDir) : undefined,
    };
    if (has('docs') && out.docs > 0) {
      const q = await query(con, `SELECT min(length(text)), quantile_cont(length(text), 0.1), quantile_cont(length(text), 0.5), quantile_cont(length(text), 0.9), max(length(text)), avg(length(text)) FROM docs`);
      const [min, p10, p50, p90, max, mean] = q.rows[0]!.map(Number);
      out.length_quantiles = { min: min!, p10: p10!, p50: p50!, p90: p90!, max: max!, mean: mean! };
      const cases = BUCKETS.map((b, i) => (i + 1 < BUCKETS.length ? `WHEN length(text) < ${BUCKETS[i + 1]} THEN ${i}` : '')).join(' ');
      const h = await query(con, `SELECT CASE ${cases} ELSE ${BUCKETS.length - 1} END AS b, count(*) FROM docs GROUP BY b ORDER BY b`);
      out.length_histogram = h.rows.map(([b, n]) => {
        const i = Number(b);
        const hi = BUCKETS[i + 1];
        return { bucket: hi !== undefined ? `${BUCKETS[i]}-${hi - 1}` : `${BUCKETS[i]}+`, docs: Number(n) };
      });
      const s = await query(con, `SELECT id, url, length(text), left(regexp_replace(text, '\\s+', ' ', 'g'), 160) FROM docs ORDER BY hash(id) LIMIT ${samples}`);
      out.samples = s.rows.map(([id, url, chars, text]) => ({ id: String(id), url: (url as string) ?? null, chars: Number(chars), text: String(text) }));
    }
    if (has('dropped') && out.dropped > 0) {
      const r = await query(con, `SELECT drop_stage, drop_reason, count(*) n FROM dropped GROUP BY ALL ORDER BY n DESC, drop_stage, drop_reason`);
      out.dropped_by_reason = r.rows.map(([stage, reason, n]) => ({ stage: String(stage), reason: String(reason), docs: Number(n) }));
      const s = await query(con, `SELECT id, url, drop_stage, drop_reason, left(regexp_replace(text, '\\s+', ' ', 'g'), 160) FROM dropped ORDER BY hash(id) LIMIT ${samples}`);
      out.dropped_samples = s.rows.map(([id, url, stage, reason, text]) => ({ id: String(id), url: (url as string) ?? null, stage: String(stage), reason: String(reason), text: String(text) }));
    }
    if (has('dropped') && out.dropped > 0) {
      const cluster = `json_extract_string(meta, '$.dedup_cluster')`;
      const snippet = (col: string) => `left(regexp_replace(${col}, '\\s+', ' ', 'g'), 120)`;
      const keptJoin = has('docs')
        ? `LEFT JOIN (SELECT ${cluster} AS cluster, any_value(id) AS kept_id, any_value(${snippet('text')}) AS kept_text FROM docs WHERE ${cluster} IS NOT NULL GROUP BY 1) k USING (cluster)`
        : `LEFT JOIN (SELECT NULL AS cluster, NULL AS kept_id, NULL AS kept_text) k USING (cluster)`;
      const c = await query(
        con,
        `SELECT cluster, size, kept_id, kept_text, dropped_id, dropped_text FROM (
           SELECT ${cluster} AS cluster, max(CAST(json_extract(meta, '$.dedup_cluster_size') AS INTEGER)) AS size, min(id) AS dropped_id, arg_min(${snippet('text')}, id) AS dropped_text
           FROM dropped WHERE ${cluster} IS NOT NULL GROUP BY 1) d ${keptJoin}
         ORDER BY size DESC, cluster LIMIT ${opts.clusters ?? 5}`,
      );
      out.dedup_clusters = c.rows.map(([cluster, size, keptId, keptText, droppedId, droppedText]) => ({
        cluster: String(cluster),
        size: Number(size),
        kept_id: keptId === null || keptId === undefined ? null : String(keptId),
        kept_text: keptText === null || keptText === undefined ? null : String(keptText),
        dropped_id: String(droppedId),
        dropped_text: String(droppedText),
      }));
    }
    return out;
  } finally {
    close();
  }
}
