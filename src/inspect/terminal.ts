// `curate inspect <run dir>` on a terminal: the run summary, the funnel with tokens, drop reasons,
// distributions, clusters, the mix and samples as plain tables: the same numbers the HTML report shows.
import { formatRunReport } from '../cli/report-text.js';
import { formatTable } from '../cli/table.js';
import type { HistogramBin, RunInspection } from './run-data.js';

const pct = (x: number | null | undefined) => (x === null || x === undefined || !Number.isFinite(x) ? '-' : `${(100 * x).toFixed(1)}%`);

function bars(rows: Array<[string, number]>, head: string): string {
  const max = Math.max(1, ...rows.map(([, n]) => n));
  return formatTable([head, 'docs', ''], rows.map(([b, n]) => [b, n, n > 0 ? '#'.repeat(Math.max(1, Math.round((n / max) * 40))) : '']));
}

/** bins summed over statuses, in bin order */
function binTotals(bins: HistogramBin[], status?: (s: string) => boolean): Array<[string, number]> {
  const m = new Map<string, { order: number; n: number }>();
  for (const b of bins) {
    const e = m.get(b.bin) ?? { order: b.order, n: 0 };
    if (!status || status(b.status)) e.n += b.docs;
    m.set(b.bin, e);
  }
  return [...m.entries()].sort((a, b) => a[1].order - b[1].order).map(([bin, e]) => [bin, e.n]);
}

export function formatInspection(s: RunInspection, target: string): string {
  const out: string[] = [];
  if (s.report) out.push(formatRunReport(s.report) + '\n');
  const f = s.funnel;
  if (f && s.tokens) {
    out.push(`funnel, documents and GPT-2 tokens (${s.tokens.rule}):`);
    out.push(
      formatTable(
        ['stage', 'docs in', 'docs out', 'dropped', 'tokens in', 'tokens out', 'tokens dropped', 'tokens kept'],
        f.rows.map((r) => [r.stage, r.docs_in, r.docs_out, r.docs_dropped, r.tokens_in ?? '?', r.tokens_out ?? '?', r.tokens_dropped ?? '?', pct(r.tokens_in ? (r.tokens_out ?? 0) / r.tokens_in : null)]),
      ),
    );
    const tokensKept = f.tokens_read !== null ? `${f.tokens_kept} of ${f.tokens_read} GPT-2 tokens (${pct(f.tokens_read ? (f.tokens_kept ?? 0) / f.tokens_read : null)})` : `${f.tokens_kept} GPT-2 tokens (of ? read: see the note)`;
    out.push(`kept: ${f.docs_kept} of ${f.docs_read} documents (${pct(f.docs_read ? f.docs_kept / f.docs_read : null)}), ${tokensKept}${s.tokens.method === 'sampled' ? ' (estimated)' : ''}`);
    for (const n of f.notes) out.push(`  note: ${n}`);
    out.push('');
  } else if (s.tokens) {
    out.push(`GPT-2 tokens of the kept documents: ${s.tokens.kept.tokens} (${s.tokens.rule})\n`);
  }
  out.push(`kept documents: ${s.docs}${s.dropped || s.drop_reasons.length ? `   dropped documents (with text): ${s.dropped}` : ''}`);
  if (s.length_quantiles) {
    const q = s.length_quantiles;
    const r = (n: number | undefined) => Math.round(n ?? 0);
    out.push(`\ntext length (chars): min ${r(q.min)}  p10 ${r(q.p10)}  median ${r(q.p50)}  p90 ${r(q.p90)}  max ${r(q.max)}  mean ${r(q.mean)}`);
    const max = Math.max(...s.length_histogram.map((h) => h.docs));
    out.push(formatTable(['chars', 'docs', ''], s.length_histogram.map((h) => [h.bucket, h.docs, '#'.repeat(Math.max(1, Math.round((h.docs / max) * 40)))])));
  }
  if (s.histograms.quality_score.length) {
    out.push('\nquality score (meta.quality_score), kept documents:');
    const kept = binTotals(s.histograms.quality_score, (st) => st === 'kept');
    out.push(kept.length ? bars(kept, 'score') : '(no kept document has one)');
  }
  if (s.histograms.perplexity.length) {
    out.push('\nperplexity (meta.perplexity), kept documents:');
    const kept = binTotals(s.histograms.perplexity, (st) => st === 'kept');
    out.push(kept.length ? bars(kept, 'perplexity') : '(no kept document has one)');
  }
  if (s.histograms.language.length) {
    const langs = binTotals(s.histograms.language).sort((a, b) => b[1] - a[1]);
    const kept = new Map(binTotals(s.histograms.language, (st) => st === 'kept'));
    out.push(`\nlanguages (written documents, kept in brackets): ${langs.map(([l, n]) => `${l} ${n} (${kept.get(l) ?? 0})`).join(', ')}`);
  }
  if (s.dropped_by_reason.length) {
    out.push('\ndropped, by stage and reason:');
    out.push(formatTable(['stage', 'reason', 'docs'], s.dropped_by_reason.map((d) => [d.stage, d.reason, d.docs])));
  }
  if (s.samples.length) {
    out.push('\nsample of kept documents:');
    for (const d of s.samples) out.push(`- ${d.url ?? d.id} (${d.chars} chars)\n  ${d.text}`);
  }
  if (s.dedup_clusters.length) {
    out.push('\nlargest near-duplicate clusters (kept document, one dropped copy):');
    for (const c of s.dedup_clusters.slice(0, 5)) out.push(`- ${c.cluster} (${c.size} documents)\n  kept:    ${c.kept_text ?? '(not kept: dropped later by another stage)'}\n  dropped: ${c.dropped_id}: ${c.dropped_text}`);
  }
  if (s.mix?.rows.length) {
    out.push(`\nmix by ${s.mix.by} (${s.mix.mode}, ${s.mix.unit}, seed ${s.mix.seed}): target vs achieved share of ${s.mix.unit}`);
    out.push(formatTable([s.mix.by, 'target', 'achieved', `${s.mix.unit} in`, `${s.mix.unit} out`], s.mix.rows.map((r) => [r.domain, pct(r.target), pct(r.achieved), r.tokens_in, r.tokens_out])));
    for (const w of s.mix.warnings) out.push(`  warning: ${w}`);
  } else if (s.domains.length) {
    const docs = s.domains.reduce((a, r) => a + r.docs, 0);
    const toks = s.domains.reduce((a, r) => a + (r.tokens ?? 0), 0);
    out.push('\nkept documents by domain (meta.domain; no mix stage):');
    out.push(formatTable(['domain', 'docs', 'share', 'tokens', 'share'], s.domains.map((r) => [r.domain, r.docs, pct(docs ? r.docs / docs : null), r.tokens, pct(r.tokens !== null && toks ? r.tokens / toks : null)])));
  }
  if (s.dropped_samples.length) {
    out.push('\nsample of dropped documents:');
    for (const d of s.dropped_samples) out.push(`- ${d.url ?? d.id} [${d.stage}: ${d.reason}]\n  ${d.text}`);
  }
  out.push(`\nquery it: curate inspect ${target} --sql "SELECT url, text_chars FROM docs ORDER BY text_chars DESC LIMIT 5"`);
  out.push(`read it:  curate inspect ${target} --report report.html`);
  return out.join('\n');
}
