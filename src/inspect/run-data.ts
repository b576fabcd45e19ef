// Everything `curate inspect` shows about a pipeline run, gathered once for the terminal and the HTML
// report: the summary (inspect.ts), the document and token funnel, drop reasons, histograms of length,
// quality score and language, the domain distribution, and a bounded sample of kept and dropped documents
// with what the stages measured on them.
import type { DuckDBConnection } from '@duckdb/node-api';
import { columnsOf, openViews, query, summarize, type InspectSummary, type InspectTarget } from './inspect.js';
import { buildFunnel, type Funnel } from './funnel.js';
import { countRunTokens, type CountOptions, type TokenCounts } from './tokens.js';

export interface DropReasonRow {
  stage: string;
  /** the stage's position; null when known only from the dropped Parquet (no stats.json) */
  index: number | null;
  reason: string;
  docs: number;
}

export interface HistogramBin {
  /** 'kept', or the stage that dropped the document */
  status: string;
  bin: string;
  /** sort key of the bin */
  order: number;
  docs: number;
}

export interface DomainRow {
  domain: string;
  docs: number;
  chars: number;
  tokens: number | null;
}

export interface BrowserSample {
  status: 'kept' | 'dropped';
  id: string;
  url: string | null;
  stage: string | null;
  reason: string | null;
  language: string | null;
  language_score: number | null;
  chars: number;
  /** the start of the text, at most `snippetChars` characters */
  text: string;
  truncated: boolean;
  /** the meta JSON column: what stages measured (filters' annotate values, quality_score, dedup_cluster...), long strings cut */
  meta: Record<string, unknown>;
}

export interface RunInspection extends InspectSummary {
  funnel?: Funnel;
  tokens?: TokenCounts;
  drop_reasons: DropReasonRow[];
  /** 'kept' then the stages in pipeline order: the colour order of every chart */
  statuses: string[];
  histograms: { length: HistogramBin[]; quality_score: HistogramBin[]; perplexity: HistogramBin[]; language: HistogramBin[] };
  /** kept documents by meta.domain, when documents carry one */
  domains: DomainRow[];
  browser: BrowserSample[];
  /** the caps that keep a report bounded, as used */
  limits: { kept_samples: number; dropped_per_reason: number; dropped_samples: number; snippet_chars: number; clusters: number };
}

export interface InspectOptions extends CountOptions {
  /** terminal samples (the summary's samples and dropped_samples) */
  samples?: number;
  /** report sample browser: kept documents shown */
  keptSamples?: number;
  /** report sample browser: dropped documents shown per stage and reason, and in all */
  droppedPerReason?: number;
  droppedSamples?: number;
  snippetChars?: number;
  clusters?: number;
  /** skip counting tokens */
  noTokens?: boolean;
}

const LENGTH_EDGES = [0, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];
const TOP_LANGUAGES = 15;
const QUALITY_BINS = 20;
/** perplexity bins (meta.perplexity), on a log scale: a reference model puts good text in the low hundreds */
const PERPLEXITY_EDGES = [1, 10, 30, 100, 200, 300, 500, 1000, 2000, 5000, 10000];

function lengthLabel(i: number): string {
  const lo = LENGTH_EDGES[i]!;
  const hi = LENGTH_EDGES[i + 1];
  const k = (n: number) => (n >= 1000 ? `${n / 1000}k` : String(n));
  return hi === undefined ? `${k(lo)}+` : `${k(lo)}-${k(hi)}`;
}

/** one SELECT per written view with the given expressions, a status column first ('kept' | drop stage) */
async function unionAll(con: DuckDBConnection, views: string[], exprs: (cols: Set<string>) => string | undefined): Promise<string | undefined> {
  const parts: string[] = [];
  for (const v of views) {
    const cols = await columnsOf(con, v);
    const e = exprs(cols);
    if (e === undefined) continue;
    const status = v === 'docs' ? `'kept'` : cols.has('drop_stage') ? `coalesce(drop_stage, '?')` : `'?'`;
    parts.push(`SELECT ${status} AS status, ${e} FROM ${v}`);
  }
  return parts.length ? parts.join(' UNION ALL ') : undefined;
}

function cutStrings(v: unknown, maxChars: number, depth = 0): unknown {
  if (typeof v === 'string') return v.length > maxChars ? `${v.slice(0, maxChars)}...` : v;
  if (depth > 4) return '...';
  if (Array.isArray(v)) return v.slice(0, 20).map((x) => cutStrings(x, maxChars, depth + 1));
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).slice(0, 40).map(([k, x]) => [k, cutStrings(x, maxChars, depth + 1)]));
  return v;
}

function parseMeta(raw: unknown): Record<string, unknown> {
  if (typeof raw !== 'string' || !raw) return {};
  try {
    const m = JSON.parse(raw) as unknown;
    return m !== null && typeof m === 'object' ? (cutStrings(m, 200) as Record<string, unknown>) : {};
  } catch {
    return { meta: raw.slice(0, 200) };
  }
}

export async function inspectRun(t: InspectTarget, opts: InspectOptions = {}): Promise<RunInspection> {
  const limits = {
    kept_samples: opts.keptSamples ?? 40,
    dropped_per_reason: opts.droppedPerReason ?? 4,
    dropped_samples: opts.droppedSamples ?? 120,
    snippet_chars: opts.snippetChars ?? 1200,
    clusters: opts.clusters ?? 10,
  };
  const summary = await summarize(t, opts.samples ?? 3, { clusters: limits.clusters });
  const { con, close } = await openViews(t);
  try {
    const views = Object.entries(t.views)
      .filter(([, files]) => files.length > 0)
      .map(([v]) => v);
    const tokens = opts.noTokens ? undefined : await countRunTokens(con, views, opts);
    const funnel = t.report ? buildFunnel(t.report, tokens) : undefined;

    const drop_reasons: DropReasonRow[] = t.report
      ? t.report.stages.flatMap((s, index) =>
          Object.entries(s.dropped)
            .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
            .map(([reason, docs]) => ({ stage: s.name, index, reason, docs })),
        )
      : summary.dropped_by_reason.map((d) => ({ stage: d.stage, index: null, reason: d.reason, docs: d.docs }));
    // the stages that dropped something, in pipeline order (then any the dropped Parquet names beside them)
    const statuses = ['kept', ...new Set([...(t.report?.stages.filter((s) => s.dropped_total > 0).map((s) => s.name) ?? []), ...summary.dropped_by_reason.map((d) => d.stage)])];

    // histograms, aggregated in DuckDB: a report carries bins, never per-document values
    const histograms: RunInspection['histograms'] = { length: [], quality_score: [], perplexity: [], language: [] };
    const lengthCase = LENGTH_EDGES.map((_, i) => (i + 1 < LENGTH_EDGES.length ? `WHEN n < ${LENGTH_EDGES[i + 1]} THEN ${i}` : '')).join(' ');
    const lengths = await unionAll(con, views, (c) => (c.has('text') ? 'length(text) AS n' : undefined));
    if (lengths) {
      const r = await query(con, `SELECT status, CASE ${lengthCase} ELSE ${LENGTH_EDGES.length - 1} END AS b, count(*) FROM (${lengths}) GROUP BY ALL ORDER BY b, status`);
      histograms.length = r.rows.map(([status, b, n]) => ({ status: String(status), bin: lengthLabel(Number(b)), order: Number(b), docs: Number(n) }));
    }
    const scores = await unionAll(con, views, (c) => (c.has('meta') ? `TRY_CAST(json_extract(meta, '$.quality_score') AS DOUBLE) AS q` : undefined));
    if (scores) {
      const r = await query(con, `SELECT status, least(floor(q * ${QUALITY_BINS}), ${QUALITY_BINS - 1}) AS b, count(*) FROM (${scores}) WHERE q IS NOT NULL GROUP BY ALL ORDER BY b, status`);
      const label = (b: number) => `${(b / QUALITY_BINS).toFixed(2)}-${((b + 1) / QUALITY_BINS).toFixed(2)}`;
      histograms.quality_score = r.rows.map(([status, b, n]) => ({ status: String(status), bin: label(Number(b)), order: Number(b), docs: Number(n) }));
      // every bin of [0, 1] on the axis, empty ones too, so a report shows where the scores are not
      if (histograms.quality_score.length) {
        for (let b = 0; b < QUALITY_BINS; b++) if (!histograms.quality_score.some((h) => h.order === b)) histograms.quality_score.push({ status: 'kept', bin: label(b), order: b, docs: 0 });
        histograms.quality_score.sort((a, b) => a.order - b.order);
      }
    }
    const ppl = await unionAll(con, views, (c) => (c.has('meta') ? `TRY_CAST(json_extract(meta, '$.perplexity') AS DOUBLE) AS p` : undefined));
    if (ppl) {
      const pplCase = PERPLEXITY_EDGES.map((e, i) => (i + 1 < PERPLEXITY_EDGES.length ? `WHEN p < ${PERPLEXITY_EDGES[i + 1]} THEN ${i}` : '')).join(' ');
      const r = await query(con, `SELECT status, CASE ${pplCase} ELSE ${PERPLEXITY_EDGES.length - 1} END AS b, count(*) FROM (${ppl}) WHERE p IS NOT NULL GROUP BY ALL ORDER BY b, status`);
      const label = (b: number) => (b + 1 < PERPLEXITY_EDGES.length ? `${PERPLEXITY_EDGES[b]}-${PERPLEXITY_EDGES[b + 1]}` : `${PERPLEXITY_EDGES[b]}+`);
      histograms.perplexity = r.rows.map(([status, b, n]) => ({ status: String(status), bin: label(Number(b)), order: Number(b), docs: Number(n) }));
    }
    const langs = await unionAll(con, views, (c) => (c.has('language') ? `coalesce(CAST(language AS VARCHAR), '(none)') AS lang` : undefined));
    if (langs) {
      const r = await query(
        con,
        `WITH l AS (${langs}), top AS (SELECT lang, count(*) n FROM l GROUP BY 1 ORDER BY n DESC, lang LIMIT ${TOP_LANGUAGES})
         SELECT status, coalesce(top.lang, 'other') AS lang, min(coalesce(-top.n, 0)) AS o, count(*) FROM l LEFT JOIN top USING (lang) GROUP BY ALL ORDER BY o, lang, status`,
      );
      const order = [...new Set(r.rows.map(([, lang]) => String(lang)))];
      histograms.language = r.rows.map(([status, lang, , n]) => ({ status: String(status), bin: String(lang), order: order.indexOf(String(lang)), docs: Number(n) }));
    }

    let domains: DomainRow[] = [];
    if (views.includes('docs') && (await columnsOf(con, 'docs')).has('meta')) {
      const r = await query(con, `SELECT json_extract_string(meta, '$.domain') AS d, count(*), coalesce(sum(length(text)), 0) FROM docs WHERE d IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1`);
      domains = r.rows.map(([d, n, chars]) => ({ domain: String(d), docs: Number(n), chars: Number(chars), tokens: tokens?.kept_by_domain[String(d)]?.tokens ?? null }));
    }

    const browser: BrowserSample[] = [];
    for (const v of views) {
      const cols = await columnsOf(con, v);
      if (!cols.has('text')) continue;
      const col = (name: string, cast = 'VARCHAR') => (cols.has(name) ? `CAST(${name} AS ${cast})` : `CAST(NULL AS ${cast})`);
      const select = `${cols.has('id') ? 'CAST(id AS VARCHAR)' : `CAST(hash(text) AS VARCHAR)`} AS id, ${col('url')} AS url, ${col('drop_stage')} AS stage, ${col('drop_reason')} AS reason,
        ${col('language')} AS language, ${col('language_score', 'DOUBLE')} AS language_score, length(text) AS chars, left(text, ${limits.snippet_chars}) AS snippet, ${col('meta')} AS meta`;
      // dropped: the first few of each stage and reason by hash of id, picked on the small columns before
      // any text is read (a window over the text of a million dropped documents would sort gigabytes)
      const sql =
        v === 'docs'
          ? `SELECT ${select} FROM docs ORDER BY hash(id), id LIMIT ${limits.kept_samples}`
          : cols.has('id') && cols.has('drop_stage') && cols.has('drop_reason')
            ? `WITH picked AS (SELECT id AS picked_id, row_number() OVER (PARTITION BY drop_stage, drop_reason ORDER BY hash(id), id) AS rn FROM ${v} QUALIFY rn <= ${limits.dropped_per_reason})
               SELECT ${select} FROM ${v} JOIN picked ON ${v}.id = picked.picked_id ORDER BY rn, stage, reason, id LIMIT ${limits.dropped_samples}`
            : `SELECT ${select} FROM ${v} ORDER BY hash(text) LIMIT ${limits.dropped_samples}`;
      const r = await query(con, sql);
      for (const [id, url, stage, reason, language, score, chars, snippet, meta] of r.rows) {
        browser.push({
          status: v === 'docs' ? 'kept' : 'dropped',
          id: String(id),
          url: url === null || url === undefined ? null : String(url),
          stage: stage === null || stage === undefined ? null : String(stage),
          reason: reason === null || reason === undefined ? null : String(reason),
          language: language === null || language === undefined ? null : String(language),
          language_score: score === null || score === undefined ? null : Number(score),
          chars: Number(chars),
          text: String(snippet ?? ''),
          truncated: Number(chars) > limits.snippet_chars,
          meta: parseMeta(meta),
        });
      }
    }
    // dropped samples grouped by pipeline order, then reason
    const stageOrder = (s: string | null) => (s === null ? -1 : statuses.indexOf(s));
    browser.sort((a, b) => (a.status === b.status ? (a.status === 'kept' ? 0 : stageOrder(a.stage) - stageOrder(b.stage) || (a.reason ?? '').localeCompare(b.reason ?? '')) : a.status === 'kept' ? -1 : 1));

    return { ...summary, funnel, tokens, drop_reasons, statuses, histograms, domains, browser, limits };
  } finally {
    close();
  }
}
