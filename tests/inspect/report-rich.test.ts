// The report of a run with every kind of measurement: the Common Crawl sample through language ID, the domain
// stage, the quality classifier (annotate: scores, drops nothing), MinHash dedup (without exact dedup first,
// so the sample's duplicate pages form clusters), filters, and a mix that repeats one domain. Checks the
// quality histogram, the mix, the clusters, the measured values in the sample browser, the token funnel
// with repeats, and the sampled token estimate.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parsePipeline } from '../../src/run/config.js';
import { runPipeline } from '../../src/run/pipeline.js';
import { silentLogger } from '../../src/core/log.js';
import { streamParquetRows } from '../../src/io/parquet-read.js';
import { countGpt2Tokens } from '../../src/text/tokens.js';
import { mixSummary } from '../../src/mix/report.js';
import { resolveTarget } from '../../src/inspect/inspect.js';
import { inspectRun, type RunInspection } from '../../src/inspect/run-data.js';
import { runReportHtml } from '../../src/inspect/report.js';
import type { RunReport } from '../../schemas/stats-report.js';
import { findChromium, markCount, markLabels, openReport, type OpenReport } from './browser.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-report-rich-'));
const runDir = path.join(tmp, 'run');
const reportFile = path.join(tmp, 'report.html');

const PIPELINE = `
name: inspect-rich
input:
  paths: [data/sample/cc-sample.warc.gz]
output:
  dir: ${runDir}
  formats: [parquet]
stages:
  - extract
  - langid:
      languages: [en]
  - domain
  - quality:
      annotate: true
  - minhash_dedup
  - length:
      minWords: 50
  - gopher_quality:
      annotate: true
  - c4
  - mix:
      epochs: {blog: 2, academic: 1}
`;

let stats: RunReport;
let data: RunInspection;
let view: OpenReport | undefined;
const rows: Array<Record<string, unknown> & { meta: Record<string, unknown>; dir: string }> = [];

beforeAll(async () => {
  findChromium();
  await runPipeline(parsePipeline(PIPELINE), { outputDir: runDir, log: silentLogger });
  stats = JSON.parse(fs.readFileSync(path.join(runDir, 'stats.json'), 'utf8')) as RunReport;
  for (const dir of ['docs', 'dropped']) {
    for (const f of fs.readdirSync(path.join(runDir, dir)).filter((x) => x.endsWith('.parquet'))) {
      for await (const r of streamParquetRows(path.join(runDir, dir, f))) rows.push({ ...r, dir, meta: JSON.parse(String(r.meta)) as Record<string, unknown> });
    }
  }
  data = await inspectRun(resolveTarget(runDir));
  fs.writeFileSync(reportFile, await runReportHtml(data));
  view = await openReport(reportFile);
});

afterAll(async () => {
  await view?.browser.close();
});

describe('inspect --report on a run with quality scores, domains, dedup clusters and a mix', () => {
  it('renders with nothing leaving the page, every chart drawn', async () => {
    expect(view!.blocked).toEqual([]);
    expect(view!.errors).toEqual([]);
    for (const chart of ['funnel-docs', 'funnel-tokens', 'drop-reasons', 'length', 'quality', 'language', 'mix']) expect(await markCount(view!.page, chart), chart).toBeGreaterThan(0);
    await view!.page.screenshot({ path: path.join(tmp, 'report.png'), fullPage: true });
  });

  it('the quality histogram counts every document that carries meta.quality_score', async () => {
    const scored = rows.filter((r) => typeof r.meta.quality_score === 'number').length;
    expect(scored).toBeGreaterThan(20);
    const labels = await markLabels(view!.page, 'quality');
    const shown = labels.map((l) => Number(/: ([\d,]+) documents$/.exec(l)![1]!.replace(/,/g, ''))).reduce((a, b) => a + b, 0);
    expect(shown).toBe(scored);
  });

  it('the mix: target and achieved per domain as mix-report and stats.json give them', async () => {
    const mix = mixSummary(runDir)!;
    expect(mix.rows.length).toBeGreaterThan(1);
    const labels = await markLabels(view!.page, 'mix');
    for (const r of mix.rows) {
      expect(labels).toContain(`${r.domain}, target: ${(100 * r.target).toFixed(1)}%`);
      expect(labels).toContain(`${r.domain}, achieved: ${(100 * r.achieved).toFixed(1)}%`);
      expect(await view!.page.$eval(`#mix-table tr[data-domain="${r.domain}"] [data-field="achieved"]`, (e) => e.textContent)).toBe(`${(100 * r.achieved).toFixed(1)}%`);
    }
    // the mix is the last stage and changes no text: our kept tokens per domain are its tokens out
    const counters = stats.stages[stats.stages.length - 1]!.counters;
    for (const [domain, g] of Object.entries(data.tokens!.kept_by_domain)) expect(g.tokens, domain).toBe(counters[`tokens_out.${domain}`]);
  });

  it('the token funnel takes the repeats the mix added out of its input', () => {
    const f = data.funnel!;
    const mixRow = f.rows[f.rows.length - 1]!;
    expect(mixRow.docs_added).toBeGreaterThan(0);
    let repeats = 0;
    let dropped = 0;
    let kept = 0;
    return (async () => {
      for (const r of rows) {
        const n = await countGpt2Tokens(String(r.text));
        if (r.meta.mix_repeat !== undefined) repeats += n;
        if (r.dir === 'docs') kept += n;
        else dropped += n;
      }
      expect(repeats).toBeGreaterThan(0);
      expect(mixRow.tokens_added).toBe(repeats);
      expect(mixRow.tokens_out).toBe(kept);
      expect(f.rows[0]!.tokens_in).toBe(kept + dropped - repeats);
      expect(mixRow.tokens_in).toBe(kept - repeats + mixRow.tokens_dropped!);
    })();
  });

  it('the largest near-duplicate cluster: its size, the kept document and a dropped copy', async () => {
    const dupes = rows.filter((r) => r.drop_reason === 'near_duplicate');
    expect(dupes.length).toBeGreaterThan(0);
    const largest = Math.max(...dupes.map((r) => Number(r.meta.dedup_cluster_size)));
    const first = await view!.page.$eval('#cluster-table tbody tr', (e) => ({ cluster: e.getAttribute('data-cluster'), size: e.querySelector('[data-field="size"]')!.textContent, text: e.textContent }));
    expect(Number(first.size)).toBe(largest);
    const keptCopy = rows.find((r) => r.dir === 'docs' && r.meta.dedup_cluster === first.cluster);
    expect(keptCopy).toBeDefined();
    expect(first.text).toContain(String(keptCopy!.id));
  });

  it('the sample browser shows what the stages measured: quality score, domain, annotate verdicts, cluster', async () => {
    const summaries = await view!.page.$$eval('.sample summary', (els) => els.map((e) => e.textContent ?? ''));
    expect(summaries.some((s) => /quality 0\.\d{3}/.test(s) && /domain \w+/.test(s))).toBe(true);
    expect(summaries.some((s) => /quality would drop: low_quality_score/.test(s))).toBe(true);
    expect(summaries.some((s) => /minhash_dedup: near_duplicate/.test(s) && /cluster \S+ \(\d+\)/.test(s))).toBe(true);
    const meta = await view!.page.$eval('.sample[data-status="kept"] pre.meta', (e) => JSON.parse(e.textContent ?? '{}') as Record<string, unknown>);
    expect(meta).toHaveProperty('quality_score');
    expect(meta).toHaveProperty('gopher_quality.alpha_words_ratio');
  });

  it('past the budget, tokens are a labelled estimate from a sample, close to the exact count', async () => {
    const sampled = await inspectRun(resolveTarget(runDir), { budgetChars: 60_000, noTokens: false });
    const t = sampled.tokens!;
    expect(t.method).toBe('sampled');
    expect(t.sample_rate).toBeLessThan(0.5);
    expect(t.docs_counted).toBeLessThan(rows.length);
    expect(t.rule).toMatch(/^estimate: GPT-2 tokens counted on a [\d.]+% sample by hash of id/);
    expect(Math.abs(t.kept.tokens - data.tokens!.kept.tokens) / data.tokens!.kept.tokens).toBeLessThan(0.25);
    const html = await runReportHtml(sampled);
    expect(html).toContain('GPT-2 tokens kept (est.)');
    expect(html).toContain('estimate: GPT-2 tokens counted on a');
  });
});
