// `curate inspect <run> --report`: the smoke pipeline's run (the Common Crawl sample) rendered to one HTML
// file, opened in headless Chromium: the charts are drawn, nothing leaves the page, and the numbers shown
// are those of stats.json and of the Parquet read back independently.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'puppeteer-core';
import { loadPipeline } from '../../src/run/config.js';
import { runPipeline } from '../../src/run/pipeline.js';
import { silentLogger } from '../../src/core/log.js';
import { streamParquetRows } from '../../src/io/parquet-read.js';
import { countGpt2Tokens } from '../../src/text/tokens.js';
import type { RunReport } from '../../schemas/stats-report.js';
import { findChromium, markCount, markLabels, openReport, type OpenReport } from './browser.js';
import { curateInProcess } from '../helpers/run-dir.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-report-'));
const runDir = path.join(tmp, 'smoke');
const reportFile = path.join(tmp, 'report.html');
let stats: RunReport;
let html: string;
let terminal: string;
let view: OpenReport | undefined;

const curate = curateInProcess;

const numberIn = (s: string | null | undefined) => Number(String(s ?? '').replace(/[,%\s]/g, ''));

async function cellNumbers(page: Page, selector: string, field: string): Promise<number> {
  return numberIn(await page.$eval(`${selector} [data-field="${field}"]`, (e) => e.textContent));
}

async function card(page: Page, field: string): Promise<number> {
  return numberIn(await page.$eval(`.card[data-field="${field}"] b`, (e) => e.textContent));
}

async function tokensOf(dir: string): Promise<{ total: number; byStage: Record<string, number> }> {
  let total = 0;
  const byStage: Record<string, number> = {};
  if (!fs.existsSync(dir)) return { total, byStage };
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.parquet'))) {
    for await (const row of streamParquetRows(path.join(dir, f))) {
      const n = await countGpt2Tokens(String(row.text));
      total += n;
      const st = row.drop_stage as string | undefined;
      if (st) byStage[st] = (byStage[st] ?? 0) + n;
    }
  }
  return { total, byStage };
}

beforeAll(async () => {
  findChromium(); // fails the file at once, with how to install it, when there is no Chromium
  await runPipeline(loadPipeline('pipelines/smoke.yaml'), { outputDir: runDir, log: silentLogger });
  stats = JSON.parse(fs.readFileSync(path.join(runDir, 'stats.json'), 'utf8')) as RunReport;
  const r = await curate(['inspect', runDir, '--report', reportFile]);
  expect(r.code, r.err).toBe(0);
  terminal = r.out;
  html = fs.readFileSync(reportFile, 'utf8');
  view = await openReport(reportFile);
});

afterAll(async () => {
  await view?.browser.close();
});

describe('inspect --report on the smoke run', () => {
  it('is one self-contained file: no script, style, font or image from elsewhere, and bounded in size', () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script[^>]+src=/i);
    expect(html).not.toMatch(/<link\b/i);
    expect(html).not.toMatch(/<img[^>]+src="(?!data:)/i);
    expect(html).not.toMatch(/url\((?!data:)/i);
    expect(html).toContain("default-src 'none'");
    expect(Buffer.byteLength(html)).toBeLessThan(2_000_000);
  });

  it('renders in Chromium with no request leaving the page and no script or CSP error; a screenshot', async () => {
    const { page, blocked, errors } = view!;
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
    const shot = path.join(tmp, 'report.png');
    await page.screenshot({ path: shot, fullPage: true });
    expect(fs.statSync(shot).size).toBeGreaterThan(50_000);
    // the README's picture: `UPDATE_SCREENSHOT=1 npx vitest run tests/inspect/report.test.ts`
    if (process.env.UPDATE_SCREENSHOT) await page.screenshot({ path: 'docs/report-screenshot.png', clip: { x: 0, y: 0, width: 1300, height: 2350 } });
  });

  it('the guard is not vacuous: a page that reaches out is caught, by the interception or by the CSP', async () => {
    const leaky = path.join(tmp, 'leaky.html');
    const withoutCsp = path.join(tmp, 'leaky-no-csp.html');
    const img = '<img src="https://example.org/pixel.png"><script src="https://cdn.example.org/lib.js"></script>';
    fs.writeFileSync(leaky, html.replace('<main>', `<main>${img}`));
    fs.writeFileSync(withoutCsp, html.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '').replace('<main>', `<main>${img}`));
    const a = await openReport(leaky, { browser: view!.browser });
    expect(a.errors.join('\n')).toMatch(/Content Security Policy/);
    await a.page.close();
    const b = await openReport(withoutCsp, { browser: view!.browser });
    expect(b.blocked).toEqual(expect.arrayContaining(['https://example.org/pixel.png', 'https://cdn.example.org/lib.js']));
    await b.page.close();
  });

  it('draws every chart as SVG marks', async () => {
    const { page } = view!;
    for (const chart of ['funnel-docs', 'funnel-tokens', 'drop-reasons', 'length', 'language']) {
      expect(await markCount(page, chart), chart).toBeGreaterThan(0);
    }
    // the smoke run has no quality stage, no domain stage and no mix: said so, not drawn
    expect(await page.$('figure[data-chart="quality"]')).toBeNull();
    expect(await page.$eval('#domains', (e) => e.textContent)).toContain('No domain information');
  });

  it('the funnel shows stats.json: each stage in, kept, dropped, in the table and as the bars of the chart', async () => {
    const { page } = view!;
    const labels = await markLabels(page, 'funnel-docs');
    expect(stats.stages.length).toBeGreaterThan(5);
    for (const [i, s] of stats.stages.entries()) {
      const row = `#funnel-table tr[data-index="${i}"]`;
      expect(await page.$eval(row, (e) => e.getAttribute('data-stage'))).toBe(s.name);
      expect(await cellNumbers(page, row, 'docs_in')).toBe(s.in);
      expect(await cellNumbers(page, row, 'docs_out')).toBe(s.out);
      expect(await cellNumbers(page, row, 'docs_dropped')).toBe(s.dropped_total);
      expect(labels).toContain(`${s.name}, continues: ${s.out.toLocaleString('en-US')} documents`);
      expect(labels).toContain(`${s.name}, dropped: ${s.dropped_total.toLocaleString('en-US')} documents`);
    }
    expect(await card(page, 'docs_read')).toBe(stats.totals.docs_read);
    expect(await card(page, 'docs_kept')).toBe(stats.totals.docs_kept);
    expect(await card(page, 'docs_dropped')).toBe(stats.totals.docs_dropped);
    expect(await page.$eval('[data-field="totals"]', (e) => e.textContent)).toContain(`${stats.totals.docs_read} read = ${stats.totals.docs_kept} kept + ${stats.totals.docs_dropped} dropped`);
  });

  it('tokens: the GPT-2 tokens of the kept and dropped Parquet, counted again here, are the funnel`s ends', async () => {
    const { page } = view!;
    const kept = await tokensOf(path.join(runDir, 'docs'));
    const dropped = await tokensOf(path.join(runDir, 'dropped'));
    expect(kept.total).toBeGreaterThan(1000);
    expect(await card(page, 'tokens_kept')).toBe(kept.total);
    expect(await card(page, 'tokens_read')).toBe(kept.total + dropped.total);
    const last = stats.stages.length - 1;
    expect(await cellNumbers(page, `#funnel-table tr[data-index="${last}"]`, 'tokens_out')).toBe(kept.total);
    expect(await cellNumbers(page, '#funnel-table tr[data-index="0"]', 'tokens_in')).toBe(kept.total + dropped.total);
    for (const [i, s] of stats.stages.entries()) {
      expect(await cellNumbers(page, `#funnel-table tr[data-index="${i}"]`, 'tokens_dropped'), s.name).toBe(dropped.byStage[s.name] ?? 0);
    }
    expect(await page.$eval('#token-rule', (e) => e.textContent)).toMatch(/GPT-2 tokens .* of every written document's text/);
  });

  it('drop reasons per stage are those of stats.json, as bars and rows', async () => {
    const { page } = view!;
    const labels = await markLabels(page, 'drop-reasons');
    const expected = stats.stages.flatMap((s) => Object.entries(s.dropped).map(([reason, n]) => ({ stage: s.name, reason, n })));
    expect(expected.length).toBeGreaterThan(3);
    for (const e of expected) {
      expect(labels).toContain(`${e.stage}: ${e.reason}: ${e.n} documents`);
      expect(await cellNumbers(page, `#drop-table tr[data-stage="${e.stage}"][data-reason="${e.reason}"]`, 'docs')).toBe(e.n);
    }
  });

  it('the length histogram counts every written document once; the language chart names English and Chinese', async () => {
    const { page } = view!;
    const lengthDocs = (await markLabels(page, 'length')).map((l) => Number(/: ([\d,]+) documents$/.exec(l)![1]!.replace(/,/g, '')));
    expect(lengthDocs.reduce((a, b) => a + b, 0)).toBe(stats.totals.docs_kept + stats.totals.docs_dropped);
    const lang = await markLabels(page, 'language');
    expect(lang.some((l) => l.startsWith('language en, kept'))).toBe(true);
    expect(lang.some((l) => l.startsWith('language zh, dropped by langid'))).toBe(true);
  });

  it('the sample browser shows kept documents, and dropped ones with their stage and reason on a tab and a filter', async () => {
    const { page } = view!;
    const visible = () => page.$$eval('.sample', (els) => els.filter((e) => !(e as HTMLElement).hidden).map((e) => ({ status: e.getAttribute('data-status'), stage: e.getAttribute('data-stage'), reason: e.getAttribute('data-reason') })));
    const kept = await visible();
    expect(kept.length).toBe(Math.min(40, stats.totals.docs_kept));
    expect(kept.every((s) => s.status === 'kept')).toBe(true);
    await page.click('button[data-tab="dropped"]');
    const dropped = await visible();
    expect(dropped.length).toBeGreaterThan(5);
    expect(dropped.every((s) => s.status === 'dropped' && s.stage && s.reason)).toBe(true);
    // every stage that dropped something has a sample
    expect(new Set(dropped.map((s) => s.stage))).toEqual(new Set(stats.stages.filter((s) => s.dropped_total > 0).map((s) => s.name)));
    await page.select('#sample-filter', 'langid:language_not_kept');
    const langid = await visible();
    expect(langid.length).toBeGreaterThan(0);
    expect(langid.every((s) => s.stage === 'langid' && s.reason === 'language_not_kept')).toBe(true);
    const text = await page.$eval('.sample[data-stage="langid"]:not([hidden])', (e) => e.textContent ?? '');
    expect(text).toMatch(/langid: language_not_kept/);
    await page.select('#sample-filter', '');
    await page.click('button[data-tab="kept"]');
  });

  it('the terminal shows the same funnel with tokens', async () => {
    const kept = await tokensOf(path.join(runDir, 'docs'));
    expect(terminal).toMatch(/funnel, documents and GPT-2 tokens/);
    expect(terminal).toContain(`kept: ${stats.totals.docs_kept} of ${stats.totals.docs_read} documents`);
    expect(terminal).toMatch(new RegExp(`${kept.total} of \\d+ GPT-2 tokens`));
    expect(terminal).toMatch(/langid\s+54\s+38\s+16\s+\d+/);
    expect(terminal).toMatch(/languages \(written documents, kept in brackets\): en \d+ \(\d+\)/);
  });
});
