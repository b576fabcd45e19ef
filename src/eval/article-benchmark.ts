// The article-extraction-benchmark's layout (scrapinghub/article-extraction-benchmark, the held-out set of
// 181 news and blog articles issue 17 measures against): `ground-truth.json` maps each page id to
// `{articleBody, url}`, `html/<id>.html.gz` is the page as fetched (gzip, UTF-8), and a system's predictions
// are a JSON file with the same keys, `{id: {articleBody, url}}`, that its evaluate.py scores from `output/`.
// The pages are not in this repository or in ../shared: point the bench at a checkout of that repository
// (`node dist/bench/eval-article-benchmark.js DIR`). Scored with the benchmark's own metric (shingleSetScore).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { writeFileAtomic } from '../io/atomic.js';
import { decodeHtml } from '../io/charset.js';
import { mulberry32 } from '../core/random.js';
import { shingleCounts, shingleSetScore, type Prf, type ShingleCounts } from './extraction-score.js';

export const GROUND_TRUTH_FILE = 'ground-truth.json';
export const HTML_DIR = 'html';
/** the benchmark reads the pages as UTF-8 (its README: "gzip-compressed and utf-8 encoded") */
const CONTENT_TYPE = 'text/html; charset=utf-8';

export interface BenchmarkPage {
  id: string;
  url: string;
  html: string;
  /** the ground truth's articleBody */
  reference: string;
}

interface GroundTruthEntry {
  articleBody?: unknown;
  url?: unknown;
}

/** the ground truth, id -> {articleBody, url}, with a clear error for a file that is not of that shape */
export function readGroundTruth(dir: string): Map<string, { articleBody: string; url: string }> {
  const file = path.join(dir, GROUND_TRUTH_FILE);
  if (!fs.existsSync(file)) throw new Error(`${file}: not found (expected a checkout of scrapinghub/article-extraction-benchmark, or a folder of its layout)`);
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as unknown;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new Error(`${file}: expected an object mapping page ids to {articleBody, url}`);
  const out = new Map<string, { articleBody: string; url: string }>();
  for (const [id, entry] of Object.entries(raw as Record<string, GroundTruthEntry>)) {
    const body = entry?.articleBody;
    if (body !== undefined && typeof body !== 'string') throw new Error(`${file}: ${id}.articleBody is not a string`);
    out.set(id, { articleBody: body ?? '', url: typeof entry?.url === 'string' ? entry.url : '' });
  }
  return out;
}

/** the benchmark's pages in the ground truth's order; a missing page names its file */
export function* benchmarkPages(dir: string): Generator<BenchmarkPage> {
  for (const [id, truth] of readGroundTruth(dir)) {
    const file = path.join(dir, HTML_DIR, `${id}.html.gz`);
    if (!fs.existsSync(file)) throw new Error(`${file}: missing (the ground truth names page ${id})`);
    const html = decodeHtml(zlib.gunzipSync(fs.readFileSync(file)), CONTENT_TYPE).text;
    yield { id, url: truth.url, html, reference: truth.articleBody };
  }
}

export interface BenchmarkScore extends Prf {
  pages: number;
  /** 1.96 standard deviations of each figure over bootstrap resamples of the pages, as evaluate.py reports "± x" */
  ci?: Prf;
  perPage: Array<{ id: string } & ShingleCounts>;
}

/** bootstrap resamples for the confidence intervals (evaluate.py's --n-bootstrap default) */
export const BOOTSTRAP_SAMPLES = 1000;

/**
 * Score predictions against the ground truth as evaluate.py does: per-page shingle tp/fp/fn, precision and
 * recall averaged over pages, F1 of the two means; with `bootstrap` > 1, the ± of each figure from that many
 * resamples of the pages (seeded, so that two runs print the same).
 */
export function scoreBenchmark(pages: ReadonlyArray<{ id: string; reference: string }>, predictions: ReadonlyMap<string, string>, bootstrap = BOOTSTRAP_SAMPLES, seed = 1): BenchmarkScore {
  const perPage = pages.map((p) => ({ id: p.id, ...shingleCounts(predictions.get(p.id) ?? '', p.reference) }));
  const score: BenchmarkScore = { pages: pages.length, ...shingleSetScore(perPage), perPage };
  if (bootstrap > 1 && perPage.length > 1) {
    const random = mulberry32(seed);
    const samples: Prf[] = [];
    for (let b = 0; b < bootstrap; b++) {
      const pick: ShingleCounts[] = [];
      for (let i = 0; i < perPage.length; i++) pick.push(perPage[Math.floor(random() * perPage.length)]!);
      samples.push(shingleSetScore(pick));
    }
    const ci = (key: keyof Prf) => {
      const xs = samples.map((s) => s[key]);
      const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
      return 1.96 * Math.sqrt(xs.reduce((a, b) => a + (b - mean) ** 2, 0) / (xs.length - 1));
    };
    score.ci = { precision: ci('precision'), recall: ci('recall'), f1: ci('f1') };
  }
  return score;
}

/** write predictions in the benchmark's format, `{id: {articleBody, url}}`, for its evaluate.py (output/<name>.json); written whole, then renamed */
export function writePredictions(file: string, pages: ReadonlyArray<{ id: string; url: string }>, predictions: ReadonlyMap<string, string>): void {
  const out: Record<string, { articleBody: string; url: string }> = {};
  for (const p of pages) out[p.id] = { articleBody: predictions.get(p.id) ?? '', url: p.url };
  writeFileAtomic(file, JSON.stringify(out, null, 1));
}
