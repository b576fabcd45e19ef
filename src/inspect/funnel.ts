// The funnel of a run for `curate inspect` and its report: documents through each stage from stats.json
// (in, out, dropped, added), and GPT-2 tokens through the same stages from the written documents (tokens.ts),
// walked back from the end: a stage's tokens out are the next stage's tokens in, the last stage's are the
// kept documents' tokens, and a stage's tokens in are its tokens out plus those it dropped, less repeats it added.
import type { RunReport } from '../../schemas/stats-report.js';
import type { TokenCounts } from './tokens.js';

export interface FunnelRow {
  /** position in the pipeline */
  index: number;
  stage: string;
  docs_in: number;
  docs_out: number;
  docs_dropped: number;
  docs_added: number;
  docs_changed: number;
  /** null where tokens were not counted */
  tokens_in: number | null;
  tokens_out: number | null;
  tokens_dropped: number | null;
  tokens_added: number | null;
}

export interface Funnel {
  rows: FunnelRow[];
  docs_read: number;
  docs_kept: number;
  tokens_kept: number | null;
  /** tokens of what the first stage read (as the documents' text stood when written) */
  tokens_read: number | null;
  /** why a token number is incomplete or approximate */
  notes: string[];
}

/** the funnel from stats.json, with tokens when they were counted */
export function buildFunnel(report: RunReport, tokens?: TokenCounts): Funnel {
  const notes: string[] = [];
  const rows: FunnelRow[] = report.stages.map((s, index) => ({
    index,
    stage: s.name,
    docs_in: s.in,
    docs_out: s.out,
    docs_dropped: s.dropped_total,
    docs_added: s.added ?? 0,
    docs_changed: s.changed,
    tokens_in: null,
    tokens_out: null,
    tokens_dropped: null,
    tokens_added: null,
  }));
  const funnel: Funnel = { rows, docs_read: rows[0]?.docs_in ?? report.totals.docs_read, docs_kept: report.totals.docs_kept, tokens_kept: null, tokens_read: null, notes };
  if (!tokens) return funnel;
  // drop_stage holds a stage's name: a name that occurs twice shares its tokens in proportion to documents
  const byName = new Map<string, FunnelRow[]>();
  for (const r of rows) byName.set(r.stage, [...(byName.get(r.stage) ?? []), r]);
  // a stage whose dropped documents were not all written (output.writeDropped: false) has no token count
  // for them: its tokens dropped and every tokens in from it back to the start are unknown
  const unwritten: string[] = [];
  const incomplete = new Set<FunnelRow>();
  for (const [name, same] of byName) {
    const written = tokens.dropped_by_stage[name];
    const docsDropped = same.reduce((a, r) => a + r.docs_dropped, 0);
    const missing = docsDropped - (written?.docs ?? 0);
    for (const r of same) r.tokens_dropped = missing > 0 ? null : written && docsDropped > 0 ? Math.round((written.tokens * r.docs_dropped) / docsDropped) : 0;
    if (missing > 0) {
      unwritten.push(`${name} (${missing} of ${docsDropped})`);
      for (const r of same) if (r.docs_dropped > 0) incomplete.add(r);
    }
  }
  if (unwritten.length) notes.push(`dropped documents not written to dropped/ (output.writeDropped: false?): ${unwritten.join(', ')}; their tokens are unknown, and so are the tokens in of those stages and of the stages before them`);
  const adders = rows.filter((r) => r.docs_added > 0);
  const addedDocs = adders.reduce((a, r) => a + r.docs_added, 0);
  for (const r of rows) r.tokens_added = addedDocs > 0 && r.docs_added > 0 ? Math.round((tokens.repeats.tokens * r.docs_added) / addedDocs) : 0;
  let next: number | null = tokens.kept.tokens;
  for (let i = rows.length - 1; i >= 0; i--) {
    const r = rows[i]!;
    r.tokens_out = next;
    r.tokens_in = next === null || incomplete.has(r) ? null : next + (r.tokens_dropped ?? 0) - r.tokens_added!;
    next = r.tokens_in;
  }
  funnel.tokens_kept = tokens.kept.tokens;
  funnel.tokens_read = rows.length ? rows[0]!.tokens_in : tokens.kept.tokens;
  if (rows.some((r) => r.docs_changed > 0 && r.stage !== rows[0]!.stage)) {
    notes.push(`tokens are counted on each document's text as it was written (kept: after every stage; dropped: when dropped), so text a stage removed (${rows.filter((r, i) => i > 0 && r.docs_changed > 0).map((r) => r.stage).join(', ')}) is not in the tokens of the stages before it`);
  }
  return funnel;
}
