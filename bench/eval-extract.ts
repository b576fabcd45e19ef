// Extraction quality and speed on the dev sets of ../shared/data/extraction-dev (issue 4): each extractor
// over the same pages, scored as each set defines it (src/eval/extraction-score.ts), timed per page.
// node dist/bench/eval-extract.js [--set wcxb|trafilatura|readability|all] [--limit N] [--extractors a,b] [--dump DIR]
//   [--worst N] (worst pages listed, default 10) [--scores FILE] (curate's per-page P/R/F1 as JSON, to diff two runs)
//   [--half dev|check] (only the pages whose sha1(id) is even / odd: tune on one half, check on the other)
//   [--worst-by f1|precision|recall] (what the worst-page list sorts by, default f1)
// `--extractors curate` runs only curate. Beside each set's own metric, WCXB (all pages and its `article`
// pages) and the Readability set get the article-extraction-benchmark's 4-token shingle P/R/F1.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { JSDOM, VirtualConsole } from 'jsdom';
import { Readability } from '@mozilla/readability';
import * as cheerio from 'cheerio';
import { extractHtml, readabilityText } from '../src/extract/extract.js';
import { nodesToText } from '../src/extract/html-text.js';
import { EVAL_SET_NAMES, devSetPages, htmlToText, type EvalPage } from '../src/eval/extraction-sets.js';
import { macroAverage, scoreSet, shingleScore, shingleSetScore, wordTokens, type EvalSetName, type Prf, type SetScore } from '../src/eval/extraction-score.js';
import { SHARED_DATA_DIR, flag, machine, note, printResult, round, runMain } from './common.js';

type Extractor = (page: EvalPage) => string;

// Readability on jsdom with the options readabilityText gives it on linkedom, so the two rows differ
// only in the DOM: the speed baseline the issue asks to report beside ours as a ratio.
function readabilityJsdom(page: EvalPage): string {
  let url: string | undefined;
  try {
    url = new URL(page.url).href;
  } catch {
    url = undefined;
  }
  // A bare VirtualConsole: jsdom's default one prints every CSS parse error of the page.
  const dom = new JSDOM(page.html, { url, virtualConsole: new VirtualConsole() });
  try {
    const article = new Readability(dom.window.document, { charThreshold: 200 }).parse();
    return article?.content ? htmlToText(article.content) : '';
  } finally {
    dom.window.close();
  }
}

// The plain HTML-to-text dump: everything in <body>, with the same text walk (it skips script, style
// and form controls) so that the rows differ in what is kept, not in how text is laid out.
function textDump(page: EvalPage): string {
  const $ = cheerio.load(page.html);
  const body = $('body');
  return nodesToText(body.length ? body.toArray() : $.root().toArray());
}

const EXTRACTORS: Record<string, Extractor> = {
  curate: (p) => extractHtml(p.html).text,
  'readability-linkedom': (p) => readabilityText(p.html)?.text ?? '',
  'readability-jsdom': readabilityJsdom,
  'text-dump': textDump,
};

const SPEED_BASELINE = 'readability-jsdom';
const WARM_UP_PAGES = 5;
const DEFAULT_WORST_PAGES = 10;

interface ExtractorRun {
  outputs: string[];
  seconds: number;
  errors: number;
}

// Between pages the event loop gets a turn: WeakRef targets that a synchronous loop has touched stay
// alive until the current job ends, and jsdom's windows then pile up past the heap limit.
const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Run the extractors over all pages, timing only the extract calls, after a few untimed pages to warm
 * the JIT. The extractors take turns on each page, so a change in the machine's load (other processes
 * on a shared machine) slows them alike and their speed ratios hold.
 */
async function runExtractors(names: string[], pages: EvalPage[]): Promise<Map<string, ExtractorRun>> {
  const runs = new Map(names.map((name) => [name, { outputs: [] as string[], seconds: 0, errors: 0 }]));
  for (const page of pages.slice(0, WARM_UP_PAGES)) {
    for (const name of names) {
      try {
        EXTRACTORS[name]!(page);
      } catch {
        // counted in the timed pass
      }
    }
  }
  for (const page of pages) {
    for (const [name, run] of runs) {
      const start = performance.now();
      try {
        run.outputs.push(EXTRACTORS[name]!(page));
      } catch {
        run.outputs.push(''); // a page that throws is an empty output, as trafilatura's evaluate.py scores a crash
        run.errors++;
      }
      run.seconds += (performance.now() - start) / 1000;
      await yieldToEventLoop();
    }
  }
  return runs;
}

interface ExtractorFigures {
  precision: number;
  recall: number;
  f1: number;
  accuracy?: number;
  with_found?: number;
  without_found?: number;
  pages_per_s: number;
  seconds: number;
  errors: number;
  empty: number;
  speed_vs_readability_jsdom?: number;
  /** the 4-token shingle metric (WCXB, Readability); WCXB also both metrics on its article pages */
  shingle?: Prf;
  article?: { pages: number; bow: Prf; shingle: Prf };
}

const r3prf = (x: Prf): Prf => ({ precision: round(x.precision, 3), recall: round(x.recall, 3), f1: round(x.f1, 3) });

/** the shingle set score over some of the pages (all when `keep` is undefined) */
function shingleOf(pages: EvalPage[], outputs: string[], keep?: (p: EvalPage) => boolean): { pages: number; score: Prf; perPage: Array<Prf & { id: string }> } {
  const perPage: Array<Prf & { id: string; tp: number; fp: number; fn: number }> = [];
  pages.forEach((p, i) => {
    if (!keep || keep(p)) perPage.push({ id: p.id, ...shingleScore(outputs[i] ?? '', p.reference ?? '') });
  });
  return { pages: perPage.length, score: shingleSetScore(perPage), perPage };
}

/** is this page in the half asked for: sha1 of its id, even (dev) or odd (check) */
function inHalf(id: string, half: string | undefined): boolean {
  if (!half) return true;
  const odd = crypto.createHash('sha1').update(id).digest()[0]! & 1;
  return half === 'dev' ? odd === 0 : odd === 1;
}

function figures(score: SetScore, run: ExtractorRun): ExtractorFigures {
  const r3 = (x: number | undefined) => (x === undefined ? undefined : round(x, 3));
  return {
    precision: round(score.precision, 3),
    recall: round(score.recall, 3),
    f1: round(score.f1, 3),
    accuracy: r3(score.accuracy),
    with_found: r3(score.withFound),
    without_found: r3(score.withoutFound),
    pages_per_s: round(score.pages / run.seconds, 1),
    seconds: round(run.seconds, 2),
    errors: run.errors,
    empty: run.outputs.filter((t) => t.trim() === '').length,
  };
}

/** WCXB's macro P, R and F1 per page type (article, forum, product, ...): the set's weak spots */
type TypeScore = { pages: number; precision: number; recall: number; f1: number };
function f1ByPageType(pages: EvalPage[], score: SetScore): Record<string, TypeScore> {
  const sums = new Map<string, TypeScore>();
  score.perPage.forEach((s, i) => {
    const type = pages[i]!.pageType ?? 'unknown';
    const t = sums.get(type) ?? { pages: 0, precision: 0, recall: 0, f1: 0 };
    t.pages++;
    t.precision += s.precision;
    t.recall += s.recall;
    t.f1 += s.f1;
    sums.set(type, t);
  });
  return Object.fromEntries(
    [...sums]
      .sort((a, b) => b[1].pages - a[1].pages)
      .map(([k, v]) => [k, { pages: v.pages, precision: round(v.precision / v.pages, 3), recall: round(v.recall / v.pages, 3), f1: round(v.f1 / v.pages, 3) }]),
  );
}

interface WorstPage {
  id: string;
  url: string;
  page_type?: string;
  precision: number;
  recall: number;
  f1: number;
}

/**
 * The pages with the lowest F1, for an engineer to open. A page whose reference has no words is left
 * out: any output scores 0 there (10 WCXB pages, all single-page apps), which says little about what to fix.
 */
function worstPages(pages: EvalPage[], score: SetScore, n: number, by: 'f1' | 'precision' | 'recall' = 'f1'): WorstPage[] {
  const page = new Map(pages.map((p) => [p.id, p]));
  return score.perPage
    .filter((s) => {
      const reference = page.get(s.id)?.reference;
      return reference === undefined || wordTokens(reference).length > 0;
    })
    .sort((a, b) => a[by] - b[by] || a.f1 - b.f1 || a.precision + a.recall - (b.precision + b.recall))
    .slice(0, n)
    .map((s) => ({ id: s.id, url: page.get(s.id)?.url ?? '', page_type: page.get(s.id)?.pageType, precision: round(s.precision, 3), recall: round(s.recall, 3), f1: round(s.f1, 3) }));
}

function parseOptions() {
  const setFlag = flag('set') ?? 'all';
  const sets = setFlag === 'all' ? [...EVAL_SET_NAMES] : setFlag.split(',').map((s) => s.trim());
  for (const s of sets) if (!(EVAL_SET_NAMES as readonly string[]).includes(s)) throw new Error(`--set: unknown set '${s}' (sets: ${EVAL_SET_NAMES.join(', ')}, all)`);
  const extractors = (flag('extractors') ?? Object.keys(EXTRACTORS).join(',')).split(',').map((s) => s.trim());
  for (const e of extractors) if (!EXTRACTORS[e]) throw new Error(`--extractors: unknown extractor '${e}' (extractors: ${Object.keys(EXTRACTORS).join(', ')})`);
  const limitFlag = flag('limit');
  const limit = limitFlag === undefined ? Infinity : Number(limitFlag);
  if (!(limit > 0)) throw new Error(`--limit: expected a positive number, got '${limitFlag}'`);
  const worst = Number(flag('worst') ?? DEFAULT_WORST_PAGES);
  if (!(worst >= 0)) throw new Error(`--worst: expected a number, got '${flag('worst')}'`);
  const half = flag('half');
  if (half !== undefined && half !== 'dev' && half !== 'check') throw new Error(`--half: expected dev or check, got '${half}'`);
  const worstBy = flag('worst-by') ?? 'f1';
  if (!['f1', 'precision', 'recall'].includes(worstBy)) throw new Error(`--worst-by: expected f1, precision or recall, got '${worstBy}'`);
  return { sets: sets as EvalSetName[], extractors, limit, dumpDir: flag('dump'), worst, scoresFile: flag('scores'), half, worstBy: worstBy as 'f1' | 'precision' | 'recall' };
}

function loadPages(set: EvalSetName, limit: number, half?: string): EvalPage[] {
  const pages: EvalPage[] = [];
  for (const page of devSetPages(set, path.join(SHARED_DATA_DIR, 'extraction-dev'))) {
    if (pages.length >= limit) break;
    if (inHalf(page.id, half)) pages.push(page);
  }
  return pages;
}

function pad(cells: Array<string | number | undefined>, widths: number[]): string {
  return cells.map((c, i) => String(c ?? '').padStart(widths[i]!)).join('  ');
}

async function main(): Promise<void> {
  const opts = parseOptions();
  const results: Record<string, { pages: number; extractors: Record<string, ExtractorFigures>; worst_curate?: WorstPage[]; f1_by_page_type?: Record<string, Record<string, TypeScore>> }> = {};
  const perPageScores: Record<string, Record<string, number[]>> = {};
  const metricRows: string[] = [];
  const mWidths = [12, 9, 5, 21, 6, 6, 6, 7, 6, 6];
  metricRows.push(pad(['set', 'pages', 'n', 'extractor', 'bow P', 'R', 'F1', 'shing P', 'R', 'F1'], mWidths));
  const typeLines: string[] = [];
  const rows: string[] = [];
  const widths = [12, 21, 6, 6, 6, 9, 7, 8, 8];
  rows.push(pad(['set', 'extractor', 'P', 'R', 'F1', 'pages/s', 'x jsdom', 'with', 'without/acc'], widths));
  const worstLines: string[] = [];
  for (const set of opts.sets) {
    const pages = loadPages(set, opts.limit, opts.half);
    note(`${set}: ${pages.length} pages`);
    const byExtractor: Record<string, ExtractorFigures> = {};
    let worst: WorstPage[] | undefined;
    const byType: Record<string, Record<string, TypeScore>> = {};
    const runs = await runExtractors(opts.extractors, pages);
    for (const [name, run] of runs) {
      const score = scoreSet(set, pages, run.outputs);
      const f = (byExtractor[name] = figures(score, run));
      let shinglePerPage: Map<string, Prf> | undefined;
      if (set !== 'trafilatura') {
        const sh = shingleOf(pages, run.outputs);
        f.shingle = r3prf(sh.score);
        shinglePerPage = new Map(sh.perPage.map((s) => [s.id, s]));
        const prf3 = (x: Prf | undefined) => (x ? [x.precision.toFixed(3), x.recall.toFixed(3), x.f1.toFixed(3)] : ['', '', '']);
        metricRows.push(pad([set, 'all', pages.length, name, ...prf3(score), ...prf3(sh.score)], mWidths));
        if (set === 'wcxb') {
          const isArticle = (p: EvalPage) => p.pageType === 'article';
          const articleIds = new Set(pages.filter(isArticle).map((p) => p.id));
          const bow = macroAverage(score.perPage.filter((s) => articleIds.has(s.id)));
          const ash = shingleOf(pages, run.outputs, isArticle);
          f.article = { pages: ash.pages, bow: r3prf(bow), shingle: r3prf(ash.score) };
          metricRows.push(pad([set, 'article', ash.pages, name, ...prf3(bow), ...prf3(ash.score)], mWidths));
        }
      } else metricRows.push(pad([set, 'snippets', pages.length, name, score.precision.toFixed(3), score.recall.toFixed(3), score.f1.toFixed(3), '', '', ''], mWidths));
      note(`  ${name}: F1 ${f.f1}, ${f.pages_per_s} pages/s, ${f.errors} errors`);
      if (opts.dumpDir) {
        const dir = path.join(opts.dumpDir, set, name);
        fs.mkdirSync(dir, { recursive: true });
        pages.forEach((p, i) => fs.writeFileSync(path.join(dir, `${p.id.replace(/[^\w.-]/g, '_')}.txt`), run.outputs[i]!));
      }
      if (set === 'wcxb') {
        const t = (byType[name] = f1ByPageType(pages, score));
        typeLines.push(`wcxb F1 by page type, ${name}: ${Object.entries(t).map(([k, v]) => `${k} ${v.f1.toFixed(3)} (${v.pages})`).join(', ')}`);
        typeLines.push(`  P / R by page type: ${Object.entries(t).map(([k, v]) => `${k} ${v.precision.toFixed(3)} / ${v.recall.toFixed(3)}`).join(', ')}`);
      }
      if (name === 'curate') {
        // [bow P, R, F1] and, where there is a reference, [shingle P, R, F1]
        perPageScores[set] = Object.fromEntries(
          score.perPage.map((s) => {
            const sh = shinglePerPage?.get(s.id);
            return [s.id, [s.precision, s.recall, s.f1, ...(sh ? [sh.precision, sh.recall, sh.f1] : [])].map((x) => round(x, 3))];
          }),
        );
        worst = worstPages(pages, score, opts.worst, opts.worstBy);
        worstLines.push(`worst ${set} pages for curate (id, P, R)${set === 'wcxb' ? ', pages with an empty main_content left out' : ''}:`);
        for (const w of worst) worstLines.push(`  ${w.id}${w.page_type ? ` [${w.page_type}]` : ''}  P ${w.precision.toFixed(3)}  R ${w.recall.toFixed(3)}`);
      }
    }
    const base = byExtractor[SPEED_BASELINE];
    for (const [name, f] of Object.entries(byExtractor)) {
      if (base) f.speed_vs_readability_jsdom = round(f.pages_per_s / base.pages_per_s, 2);
      const last = set === 'wcxb' ? f.without_found : f.accuracy;
      rows.push(pad([set, name, f.precision.toFixed(3), f.recall.toFixed(3), f.f1.toFixed(3), f.pages_per_s, f.speed_vs_readability_jsdom, f.with_found?.toFixed(3), last?.toFixed(3)], widths));
    }
    results[set] = { pages: pages.length, extractors: byExtractor, worst_curate: worst, f1_by_page_type: set === 'wcxb' ? byType : undefined };
  }
  note('');
  note(rows.join('\n'));
  note('P/R/F1: WCXB and readability macro bag-of-words; trafilatura summed snippets. with/without: WCXB snippet shares found; acc: trafilatura snippet accuracy.');
  note('');
  note(metricRows.join('\n'));
  note(`bow: macro bag-of-words P/R/F1 (F1 the mean of page F1s); shingle: 4-token shingles as article-extraction-benchmark's evaluate.py (P, R macro over pages, F1 of those means)${opts.half ? `; half: ${opts.half}` : ''}`);
  if (typeLines.length) note(typeLines.join('\n'));
  note('');
  note(worstLines.join('\n'));
  if (opts.scoresFile) fs.writeFileSync(opts.scoresFile, JSON.stringify(perPageScores, null, 1));
  printResult({ bench: 'eval-extract', machine: machine(), limit: Number.isFinite(opts.limit) ? opts.limit : null, half: opts.half ?? null, sets: results });
}

runMain(main);
