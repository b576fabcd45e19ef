// GPT-2 token counts of a run's written documents for `curate inspect`: kept documents, dropped ones per
// drop stage, repeats a mix stage added, kept ones per domain. Counted exactly by streaming the text out of
// DuckDB while the run's text is at most `budgetChars`; past that, a hash-of-id sample of about
// `budgetChars` characters is counted and each group's tokens are estimated as its characters times the
// sample's tokens per character (the report says which rule gave the numbers).
import type { DuckDBConnection } from '@duckdb/node-api';
import { countGpt2Tokens } from '../text/tokens.js';
import { columnsOf, query } from './inspect.js';

/** the default budget: about 3 s of counting at gpt-tokenizer's ~3 M characters/s on one core */
export const DEFAULT_TOKEN_BUDGET_CHARS = 10_000_000;

const HASH_BUCKETS = 1_000_003;

export interface GroupTokens {
  docs: number;
  /** characters as DuckDB counts them (code points) */
  chars: number;
  /** GPT-2 tokens: exact, or estimated (see TokenCounts.method) */
  tokens: number;
}

export interface TokenCounts {
  method: 'exact' | 'sampled';
  /** the rule in words, shown beside every token number */
  rule: string;
  /** share of documents whose tokens were counted (1 when exact) */
  sample_rate: number;
  docs_counted: number;
  chars_counted: number;
  tokens_counted: number;
  seconds: number;
  kept: GroupTokens;
  /** by drop_stage (the stage's name) */
  dropped_by_stage: Record<string, GroupTokens>;
  /** documents a mix stage added as repeats (meta.mix_repeat), kept or dropped later */
  repeats: GroupTokens;
  /** kept documents by meta.domain (absent when no document has one) */
  kept_by_domain: Record<string, GroupTokens>;
}

interface Acc {
  docs: number;
  chars: number;
  sampledChars: number;
  sampledTokens: number;
}

const acc = (): Acc => ({ docs: 0, chars: 0, sampledChars: 0, sampledTokens: 0 });

export interface CountOptions {
  /** count exactly up to this many characters of text; beyond, sample (default DEFAULT_TOKEN_BUDGET_CHARS) */
  budgetChars?: number;
  /** count every document whatever the size */
  exact?: boolean;
}

/** the SQL of every written document with its group columns: status ('kept' | 'dropped:<stage>'), domain, rep */
async function allDocsSql(con: DuckDBConnection, views: string[]): Promise<string | undefined> {
  const parts: string[] = [];
  for (const v of views) {
    const cols = await columnsOf(con, v);
    if (!cols.has('text')) continue;
    const hasMeta = cols.has('meta');
    const domain = hasMeta ? `json_extract_string(meta, '$.domain')` : 'NULL';
    const rep = hasMeta ? `(json_extract(meta, '$.mix_repeat') IS NOT NULL)` : 'false';
    const status = v === 'docs' ? `'kept'` : cols.has('drop_stage') ? `'dropped:' || coalesce(drop_stage, '?')` : `'dropped:?'`;
    const id = cols.has('id') ? 'CAST(id AS VARCHAR)' : 'CAST(text AS VARCHAR)';
    parts.push(`SELECT ${status} AS status, ${v === 'docs' ? domain : 'NULL'} AS domain, ${rep} AS rep, ${id} AS id, CAST(text AS VARCHAR) AS text FROM ${v}`);
  }
  return parts.length ? parts.join(' UNION ALL ') : undefined;
}

export async function countRunTokens(con: DuckDBConnection, views: string[], opts: CountOptions = {}): Promise<TokenCounts | undefined> {
  const started = performance.now();
  const all = await allDocsSql(con, views);
  if (!all) return undefined;
  const budget = opts.budgetChars ?? DEFAULT_TOKEN_BUDGET_CHARS;
  // group sizes first (one aggregate over the text), then the sampling rate that fits the budget
  const combos = new Map<string, Acc>();
  const key = (status: string, domain: string | null, rep: boolean) => JSON.stringify([status, domain, rep]);
  let totalChars = 0;
  for (const [status, domain, rep, docs, chars] of (await query(con, `SELECT status, domain, rep, count(*), coalesce(sum(length(text)), 0) FROM (${all}) GROUP BY ALL`)).rows) {
    const a = acc();
    a.docs = Number(docs);
    a.chars = Number(chars);
    totalChars += a.chars;
    combos.set(key(String(status), domain === null ? null : String(domain), Boolean(rep)), a);
  }
  const exact = opts.exact === true || totalChars <= budget;
  const rate = exact ? 1 : Math.max(budget / totalChars, 1 / HASH_BUCKETS);
  const where = exact ? '' : `WHERE hash(id) % ${HASH_BUCKETS} < ${Math.ceil(rate * HASH_BUCKETS)}`;
  let docsCounted = 0;
  let charsCounted = 0;
  let tokensCounted = 0;
  const result = await con.stream(`SELECT status, domain, rep, length(text) AS chars, text FROM (${all}) ${where}`);
  for (;;) {
    const chunk = await result.fetchChunk();
    if (!chunk || chunk.rowCount === 0) break;
    for (const [status, domain, rep, chars, text] of chunk.getRows()) {
      const tokens = typeof text === 'string' ? await countGpt2Tokens(text) : 0;
      const a = combos.get(key(String(status), domain === null ? null : String(domain), Boolean(rep)));
      if (!a) continue;
      a.sampledChars += Number(chars ?? 0);
      a.sampledTokens += tokens;
      docsCounted++;
      charsCounted += Number(chars ?? 0);
      tokensCounted += tokens;
    }
  }
  // a group the sample missed (small next to the budget, or it would have been hit) takes the overall ratio
  const overall = charsCounted > 0 ? tokensCounted / charsCounted : 0;
  const estimate = (parts: Acc[]): GroupTokens => {
    const docs = parts.reduce((s, p) => s + p.docs, 0);
    const chars = parts.reduce((s, p) => s + p.chars, 0);
    if (exact) return { docs, chars, tokens: parts.reduce((s, p) => s + p.sampledTokens, 0) };
    const sc = parts.reduce((s, p) => s + p.sampledChars, 0);
    const st = parts.reduce((s, p) => s + p.sampledTokens, 0);
    return { docs, chars, tokens: Math.round(chars * (sc > 0 ? st / sc : overall)) };
  };
  const entries = [...combos.entries()].map(([k, a]) => ({ k: JSON.parse(k) as [string, string | null, boolean], a }));
  const pick = (f: (status: string, domain: string | null, rep: boolean) => boolean) => entries.filter(({ k }) => f(...k)).map(({ a }) => a);
  const stages = [...new Set(entries.map(({ k }) => k[0]).filter((s) => s.startsWith('dropped:')))].sort();
  const domains = [...new Set(entries.filter(({ k }) => k[0] === 'kept' && k[1] !== null).map(({ k }) => k[1]!))].sort();
  const fmt = (n: number) => n.toLocaleString('en-US');
  return {
    method: exact ? 'exact' : 'sampled',
    rule: exact
      ? `GPT-2 tokens (r50k, gpt-tokenizer) of every written document's text: ${fmt(docsCounted)} documents`
      : `estimate: GPT-2 tokens counted on a ${(100 * rate).toPrecision(2)}% sample by hash of id (${fmt(docsCounted)} documents, ${fmt(charsCounted)} characters), scaled to each group's characters by the sample's tokens per character`,
    sample_rate: rate,
    docs_counted: docsCounted,
    chars_counted: charsCounted,
    tokens_counted: tokensCounted,
    seconds: (performance.now() - started) / 1000,
    kept: estimate(pick((s) => s === 'kept')),
    dropped_by_stage: Object.fromEntries(stages.map((st) => [st.slice('dropped:'.length), estimate(pick((s) => s === st))])),
    repeats: estimate(pick((_s, _d, rep) => rep)),
    kept_by_domain: Object.fromEntries(domains.map((d) => [d, estimate(pick((s, dom) => s === 'kept' && dom === d))])),
  };
}
