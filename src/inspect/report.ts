// `curate inspect <run dir> --report report.html`: the run as one self-contained HTML page a person can read:
// the funnel of documents and tokens, drop reasons, histograms, the domain mix, the largest near-duplicate
// clusters and a browser of kept and dropped documents with what the stages measured on them.
import { esc, figure, num, page, pct, table, type Section } from './html.js';
import { dropReasonsChart, funnelChart, histogramChart, renderSvg, sharesChart } from './charts.js';
import type { BrowserSample, RunInspection } from './run-data.js';

function sampleHeadline(s: BrowserSample): string[] {
  const bits: string[] = [];
  if (s.language) bits.push(`${s.language}${s.language_score !== null ? ` ${s.language_score.toFixed(2)}` : ''}`);
  const m = s.meta;
  if (typeof m.quality_score === 'number') bits.push(`quality ${m.quality_score.toFixed(3)}`);
  if (typeof m.domain === 'string') bits.push(`domain ${m.domain}`);
  if (typeof m.dedup_cluster === 'string') bits.push(`cluster ${m.dedup_cluster}${typeof m.dedup_cluster_size === 'number' ? ` (${m.dedup_cluster_size})` : ''}`);
  for (const [k, v] of Object.entries(m)) {
    // a filter in annotate mode: meta.<filter> = {measured values..., would_drop}
    if (v !== null && typeof v === 'object' && 'would_drop' in v && (v as { would_drop: unknown }).would_drop) bits.push(`${k} would drop: ${String((v as { would_drop: unknown }).would_drop)}`);
  }
  return bits;
}

function sampleHtml(s: BrowserSample): string {
  const what = s.status === 'kept' ? '' : `<b>${esc(s.stage ?? '?')}: ${esc(s.reason ?? '?')}</b> `;
  const where = s.url ? esc(s.url) : esc(s.id);
  const bits = [`${num(s.chars)} chars`, ...sampleHeadline(s)].map(esc).join(' &middot; ');
  const meta = Object.keys(s.meta).length ? `<pre class="meta">${esc(JSON.stringify(s.meta, null, 1))}</pre>` : '<p class="muted">no meta</p>';
  return `<details class="sample" data-status="${s.status}" data-stage="${esc(s.stage ?? '')}" data-reason="${esc(s.reason ?? '')}" data-id="${esc(s.id)}">
<summary><span class="tag ${s.status}">${s.status}</span>${what}${where} <span class="muted">${bits}</span></summary>
<div class="snippet">${esc(s.text)}${s.truncated ? '<span class="muted"> [...]</span>' : ''}</div>
${meta}
</details>`;
}

function browserSection(d: RunInspection): string {
  const kept = d.browser.filter((s) => s.status === 'kept');
  const dropped = d.browser.filter((s) => s.status === 'dropped');
  const options: string[] = [];
  for (const stage of [...new Set(dropped.map((s) => s.stage ?? ''))]) {
    options.push(`<option value="${esc(stage)}">${esc(stage)} (all reasons)</option>`);
    for (const reason of [...new Set(dropped.filter((s) => (s.stage ?? '') === stage).map((s) => s.reason ?? ''))]) {
      options.push(`<option value="${esc(`${stage}:${reason}`)}">&nbsp;&nbsp;${esc(stage)}: ${esc(reason)}</option>`);
    }
  }
  const l = d.limits;
  return `<p class="muted">Kept: ${kept.length} of ${num(d.docs)} documents (a fixed pseudo-random choice: ordered by hash of id). Dropped: up to ${l.dropped_per_reason} per stage and reason, ${dropped.length} of ${num(d.dropped)} written. Texts are cut at ${num(l.snippet_chars)} characters; meta shows what the stages measured (filters in annotate mode, quality_score, language, dedup cluster).</p>
<div class="controls">
<button data-tab="kept" class="active">Kept (${kept.length})</button><button data-tab="dropped">Dropped (${dropped.length})</button>
<select id="sample-filter"><option value="">every stage and reason</option>${options.join('')}</select>
<input type="search" id="sample-search" placeholder="search text, url, meta">
<span id="sample-count" class="muted"></span>
</div>
<div id="samples-list">
${d.browser.map(sampleHtml).join('\n')}
</div>`;
}

export interface RunReportOptions {
  /** shown in the header (default: the run directory) */
  title?: string;
  generatedAt?: Date;
}

export async function runReportHtml(d: RunInspection, opts: RunReportOptions = {}): Promise<string> {
  const sections: Section[] = [];
  const report = d.report;
  const tokens = d.tokens;
  const f = d.funnel;

  // --- funnel
  {
    const parts: string[] = [];
    if (report) {
      const r = report.reader;
      const skipped = Object.values(r.skipped).reduce((a, b) => a + b, 0);
      const bad = Object.values(r.errors).reduce((a, b) => a + b, 0);
      parts.push(`<p>The reader saw ${num(r.records)} records and made ${num(r.docs)} documents (${num(skipped)} records skipped${skipped ? `: ${esc(Object.entries(r.skipped).map(([k, v]) => `${k} ${v}`).join(', '))}` : ''}; ${num(bad)} bad).</p>`);
    }
    if (f) {
      const charts = [figure('funnel-docs', await renderSvg(funnelChart(f.rows.map((r) => ({ stage: r.stage, order: r.index, out: r.docs_out, dropped: r.docs_dropped })), 'documents', 'Documents through the stages')))];
      // tokens through the stages only when every stage's are known (writeDropped: false leaves them unknown)
      if (f.tokens_kept !== null && f.rows.every((r) => r.tokens_in !== null)) {
        charts.push(figure('funnel-tokens', await renderSvg(funnelChart(f.rows.map((r) => ({ stage: r.stage, order: r.index, out: r.tokens_out ?? 0, dropped: r.tokens_dropped ?? 0 })), 'GPT-2 tokens', `GPT-2 tokens through the stages${tokens?.method === 'sampled' ? ' (estimate)' : ''}`))));
      }
      parts.push(`<div class="row">${charts.join('')}</div>`);
      const hasAdded = f.rows.some((r) => r.docs_added > 0);
      parts.push(
        table(
          ['#', 'stage', 'docs in', 'kept', 'changed', 'dropped', ...(hasAdded ? ['added'] : []), 'tokens in', 'tokens out', 'tokens dropped', 'tokens kept %'],
          f.rows.map((r) => ({
            attrs: { 'data-stage': r.stage, 'data-index': String(r.index) },
            cells: [
              r.index + 1,
              r.stage,
              { text: num(r.docs_in), numeric: true, field: 'docs_in' },
              { text: num(r.docs_out), numeric: true, field: 'docs_out' },
              { text: num(r.docs_changed), numeric: true, field: 'docs_changed' },
              { text: num(r.docs_dropped), numeric: true, field: 'docs_dropped' },
              ...(hasAdded ? [{ text: num(r.docs_added), numeric: true, field: 'docs_added' }] : []),
              { text: num(r.tokens_in), numeric: true, field: 'tokens_in' },
              { text: num(r.tokens_out), numeric: true, field: 'tokens_out' },
              { text: num(r.tokens_dropped), numeric: true, field: 'tokens_dropped' },
              { text: r.tokens_in ? pct((r.tokens_out ?? 0) / r.tokens_in) : '-', numeric: true, field: 'tokens_kept_share' },
            ],
          })),
          { id: 'funnel-table' },
        ),
      );
      if (report) {
        const t = report.totals;
        parts.push(`<p data-field="totals">Documents: ${num(t.docs_read)} read${t.docs_added ? ` + ${num(t.docs_added)} repeats added` : ''} = ${num(t.docs_kept)} kept + ${num(t.docs_dropped)} dropped${t.balanced ? '' : ' <b>(does not add up: see the run log)</b>'}; ${num(t.bad_records)} bad records.</p>`);
      }
    } else {
      parts.push(`<p class="note">No stats.json here: the funnel needs a run directory. Kept documents: ${num(d.docs)}${tokens ? `, ${num(tokens.kept.tokens)} GPT-2 tokens` : ''}.</p>`);
    }
    if (tokens) parts.push(`<p class="muted" id="token-rule">Tokens: ${esc(tokens.rule)} (${tokens.seconds.toFixed(1)} s).</p>`);
    for (const n of f?.notes ?? []) parts.push(`<p class="note">${esc(n)}</p>`);
    sections.push({ id: 'funnel', title: 'Funnel', body: parts.join('\n') });
  }

  // --- drop reasons
  if (d.drop_reasons.length) {
    const rows = d.drop_reasons.map((r, i) => ({ ...r, order: i }));
    const stageIn = new Map((report?.stages ?? []).map((s, i) => [i, s.in]));
    sections.push({
      id: 'drops',
      title: 'Drop reasons',
      body: `<div class="row">${figure('drop-reasons', await renderSvg(dropReasonsChart(rows, d.statuses)))}
${table(
  ['stage', 'reason', 'documents', 'of the stage input'],
  d.drop_reasons.map((r) => ({
    attrs: { 'data-stage': r.stage, 'data-reason': r.reason },
    cells: [r.stage, r.reason, { text: num(r.docs), numeric: true, field: 'docs' }, { text: r.index !== null && stageIn.get(r.index) ? pct(r.docs / stageIn.get(r.index)!) : '-', numeric: true }],
  })),
  { id: 'drop-table' },
)}</div>`,
    });
  }

  // --- distributions
  {
    const charts: string[] = [];
    if (d.histograms.length.length) charts.push(figure('length', await renderSvg(histogramChart(d.histograms.length, d.statuses, { title: 'Text length', xTitle: 'characters' })), 'Kept documents and dropped ones by the stage that dropped them. Dropped documents keep the text they had when dropped.'));
    if (d.histograms.quality_score.length) charts.push(figure('quality', await renderSvg(histogramChart(d.histograms.quality_score, d.statuses, { title: 'Quality score (meta.quality_score)', xTitle: 'quality score' }))));
    if (d.histograms.perplexity.length) charts.push(figure('perplexity', await renderSvg(histogramChart(d.histograms.perplexity, d.statuses, { title: 'Perplexity under the reference model (meta.perplexity)', xTitle: 'perplexity' })), 'Lower is more like the reference text (the perplexity stage; CCNet buckets with perplexity_bucket).'));
    if (d.histograms.language.length) charts.push(figure('language', await renderSvg(histogramChart(d.histograms.language, d.statuses, { title: 'Language (langid)', xTitle: 'language' })), 'The 15 most frequent languages; the rest as other; (none): documents dropped before language ID.'));
    const notes: string[] = [];
    if (!d.histograms.quality_score.length) notes.push('<p class="muted">No quality score: the run has no quality stage (meta.quality_score).</p>');
    if (d.length_quantiles) {
      const q = d.length_quantiles;
      notes.push(`<p>Kept text length (characters): min ${num(q.min)}, p10 ${num(q.p10)}, median ${num(q.p50)}, p90 ${num(q.p90)}, max ${num(q.max)}, mean ${num(q.mean)}.</p>`);
    }
    sections.push({ id: 'distributions', title: 'Distributions', body: `<div class="row">${charts.join('')}</div>${notes.join('')}` });
  }

  // --- domains / mix
  {
    let body: string;
    if (d.mix?.rows.length) {
      const m = d.mix;
      const rows = m.rows.flatMap((r) => [
        { category: r.domain, series: 'target', share: r.target },
        { category: r.domain, series: 'achieved', share: r.achieved },
      ]);
      body = `${figure('mix', await renderSvg(sharesChart(rows, { title: `Mix by ${m.by}: target vs achieved share of ${m.unit}`, xTitle: m.by, series: ['target', 'achieved'] })))}
${table(
  [m.by, 'requested', 'target', 'achieved', `${m.unit} in`, `${m.unit} out`, 'rate'],
  m.rows.map((r) => ({ attrs: { 'data-domain': r.domain }, cells: [r.domain, r.requested, { text: pct(r.target), numeric: true, field: 'target' }, { text: pct(r.achieved), numeric: true, field: 'achieved' }, { text: num(r.tokens_in), numeric: true }, { text: num(r.tokens_out), numeric: true }, { text: num(r.rate, 3), numeric: true }] })),
  { id: 'mix-table' },
)}
<p class="muted">Mode ${esc(m.mode)}, seed ${m.seed}, the mix stage is stage ${m.stage + 1}. Achieved counts what the stage emitted (repeats included), from stats.json.</p>
${m.warnings.map((w) => `<p class="note">${esc(w)}</p>`).join('')}`;
    } else if (d.domains.length) {
      const docs = d.domains.reduce((a, r) => a + r.docs, 0);
      const toks = d.domains.reduce((a, r) => a + (r.tokens ?? 0), 0);
      const rows = d.domains.flatMap((r) => [
        { category: r.domain, series: 'documents', share: docs ? r.docs / docs : 0 },
        ...(r.tokens !== null && toks ? [{ category: r.domain, series: 'tokens', share: r.tokens / toks }] : []),
      ]);
      body = `${figure('domains', await renderSvg(sharesChart(rows, { title: 'Kept documents by meta.domain', xTitle: 'domain', series: ['documents', 'tokens'] })))}
${table(
  ['domain', 'documents', 'share', 'GPT-2 tokens', 'share'],
  d.domains.map((r) => ({ attrs: { 'data-domain': r.domain }, cells: [r.domain, { text: num(r.docs), numeric: true, field: 'docs' }, { text: pct(docs ? r.docs / docs : 0), numeric: true }, { text: num(r.tokens), numeric: true, field: 'tokens' }, { text: r.tokens !== null && toks ? pct(r.tokens / toks) : '-', numeric: true }] })),
  { id: 'domain-table' },
)}
<p class="muted">No mix stage in this run: the distribution of the domain stage's label over the kept documents.</p>`;
    } else {
      body = '<p class="muted">No domain information: the run has neither a domain stage (meta.domain) nor a mix stage.</p>';
    }
    sections.push({ id: 'domains', title: 'Domain mix', body });
  }

  // --- dedup clusters
  sections.push({
    id: 'dedup',
    title: 'Largest near-duplicate clusters',
    body: d.dedup_clusters.length
      ? `${table(
          ['cluster', 'size', 'kept document', 'a dropped copy'],
          d.dedup_clusters.map((c) => ({
            attrs: { class: 'cluster', 'data-cluster': c.cluster },
            cells: [c.cluster, { text: num(c.size), numeric: true, field: 'size' }, c.kept_text === null ? { text: '<span class="muted">(not kept: dropped later by another stage)</span>', html: true } : `${c.kept_id}: ${c.kept_text}`, `${c.dropped_id}: ${c.dropped_text}`],
          })),
          { id: 'cluster-table' },
        )}<p class="muted">From minhash_dedup's meta.dedup_cluster (the kept document's position) and meta.dedup_cluster_size; the ${d.limits.clusters} largest.</p>`
      : '<p class="muted">No near-duplicate clusters among the dropped documents (no minhash_dedup stage, or it found none).</p>',
  });

  sections.push({ id: 'samples', title: 'Sample browser', body: browserSection(d) });

  const cards: Array<{ label: string; value: string; field?: string }> = [];
  if (report) cards.push({ label: 'documents read', value: num(report.totals.docs_read), field: 'docs_read' });
  cards.push({ label: 'documents kept', value: num(report?.totals.docs_kept ?? d.docs), field: 'docs_kept' });
  if (report) cards.push({ label: 'documents dropped', value: num(report.totals.docs_dropped), field: 'docs_dropped' });
  if (f?.tokens_read !== null && f?.tokens_read !== undefined) cards.push({ label: `GPT-2 tokens in${tokens?.method === 'sampled' ? ' (est.)' : ''}`, value: num(f.tokens_read), field: 'tokens_read' });
  if (tokens) cards.push({ label: `GPT-2 tokens kept${tokens.method === 'sampled' ? ' (est.)' : ''}`, value: num(tokens.kept.tokens), field: 'tokens_kept' });
  if (f?.tokens_read) cards.push({ label: 'share of tokens kept', value: pct(tokens!.kept.tokens / f.tokens_read), field: 'tokens_kept_share' });
  if (report) cards.push({ label: 'bad records', value: num(report.totals.bad_records), field: 'bad_records' });

  const generated = (opts.generatedAt ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
  const subtitle = [report ? `pipeline ${report.pipeline}` : undefined, d.run_dir, report ? `run ${report.started} (${report.seconds.toFixed(1)} s)` : undefined, `report generated ${generated} by curate inspect`].filter(Boolean).join(' · ');
  return page({ title: opts.title ?? `curate inspect: ${report?.pipeline ?? d.run_dir ?? 'run'}`, subtitle, cards, sections, script: true });
}
