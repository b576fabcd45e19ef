// Loaders of the HTML extraction dev sets (../shared/data/extraction-dev: WCXB, trafilatura's eval
// pages, Readability.js's test pages) and of the committed subset in tests/fixtures/extraction, as
// pages with their references. Bytes are decoded as the pipeline decodes them (src/io/charset.ts).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { parseDocument } from 'htmlparser2';
import { decodeHtml } from '../io/charset.js';
import { nodesToText } from '../extract/html-text.js';
import type { EvalSetName, ScoredPage } from './extraction-score.js';

export interface EvalPage extends ScoredPage {
  url: string;
  html: string;
  /** WCXB's page type (article, forum, product, collection, listing, documentation, service) */
  pageType?: string;
}

export const EVAL_SET_NAMES: readonly EvalSetName[] = ['wcxb', 'trafilatura', 'readability'];

/** trafilatura's annotation file in the shared set: the 400 entries whose HTML is there */
export const TRAFILATURA_SHARED_ANNOTATIONS = 'evaldata.subset400.json';
/** and in the committed fixture subset */
export const TRAFILATURA_FIXTURE_ANNOTATIONS = 'evaldata.json';

// Readability.js's test harness parses every test page as this URL (expected.html's links are resolved
// against it) and reads every file as UTF-8: qq/source.html is UTF-8 bytes under a stale
// `<meta charset=gb2312>`, which would otherwise turn it into mojibake.
const READABILITY_TEST_URL = 'http://fakehost/test/page.html';
const READABILITY_TEST_CONTENT_TYPE = 'text/html; charset=utf-8';

function gunzipFile(file: string): Buffer {
  return zlib.gunzipSync(fs.readFileSync(file));
}

/** the page's text, its charset chosen as the pipeline chooses it, with `contentType` in the HTTP header's place */
function readHtml(file: string, contentType?: string): string {
  return decodeHtml(gunzipFile(file), contentType).text;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((s): s is string => typeof s === 'string') : [];
}

interface WcxbGroundTruth {
  url?: string;
  _internal?: { page_type?: { primary?: string } | string };
  ground_truth?: { main_content?: string | null; with?: unknown; without?: unknown };
}

/** the page type as WCXB's evaluate.py reads it (get_page_type): 'category' was renamed 'collection' */
function wcxbPageType(gt: WcxbGroundTruth): string {
  const pt = gt._internal?.page_type;
  const primary = (typeof pt === 'string' ? pt : pt?.primary) ?? 'article';
  return primary === 'category' ? 'collection' : primary;
}

/** WCXB pages: `html/ID.html.gz` and `ground-truth/ID.json.gz`, in id order */
export function* wcxbPages(dir: string): Generator<EvalPage> {
  const ids = fs.readdirSync(path.join(dir, 'ground-truth')).filter((f) => f.endsWith('.json.gz')).map((f) => f.slice(0, -'.json.gz'.length)).sort();
  for (const id of ids) {
    const gt = JSON.parse(gunzipFile(path.join(dir, 'ground-truth', `${id}.json.gz`)).toString('utf8')) as WcxbGroundTruth;
    yield {
      set: 'wcxb',
      id,
      url: gt.url ?? '',
      html: readHtml(path.join(dir, 'html', `${id}.html.gz`)),
      reference: gt.ground_truth?.main_content ?? '',
      with: strings(gt.ground_truth?.with),
      without: strings(gt.ground_truth?.without),
      pageType: wcxbPageType(gt),
    };
  }
}

export interface TrafilaturaEntry {
  file: string;
  with: string[];
  without: string[];
}

/** trafilatura's annotations, `{url: {file, with, without, ...}}` as in its tests/evaldata.json */
export function readTrafilaturaAnnotations(file: string): Map<string, TrafilaturaEntry> {
  const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, { file?: string; with?: unknown; without?: unknown }>;
  const out = new Map<string, TrafilaturaEntry>();
  for (const [url, e] of Object.entries(raw)) if (e.file) out.set(url, { file: e.file, with: strings(e.with), without: strings(e.without) });
  return out;
}

/** trafilatura's eval pages: `html/<file>.gz` for each annotated entry, in the annotation file's order; the id is the file name */
export function* trafilaturaPages(dir: string, annotations = TRAFILATURA_SHARED_ANNOTATIONS): Generator<EvalPage> {
  for (const [url, e] of readTrafilaturaAnnotations(path.join(dir, annotations))) {
    yield { set: 'trafilatura', id: e.file, url, html: readHtml(path.join(dir, 'html', `${e.file}.gz`)), with: e.with, without: e.without };
  }
}

/** the text of an HTML fragment, as the extractors turn their article HTML into text */
export function htmlToText(html: string): string {
  return nodesToText(parseDocument(html).children);
}

/** Readability.js's test pages: `<case>/source.html.gz` against the text of `<case>/expected.html.gz`, in case order */
export function* readabilityPages(dir: string): Generator<EvalPage> {
  const cases = fs.readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
  for (const id of cases) {
    yield {
      set: 'readability',
      id,
      url: READABILITY_TEST_URL,
      html: readHtml(path.join(dir, id, 'source.html.gz'), READABILITY_TEST_CONTENT_TYPE),
      reference: htmlToText(readHtml(path.join(dir, id, 'expected.html.gz'), READABILITY_TEST_CONTENT_TYPE)),
      with: [],
      without: [],
    };
  }
}

/** the pages of one set of the shared dev data, `root` being ../shared/data/extraction-dev */
export function devSetPages(set: EvalSetName, root: string): Generator<EvalPage> {
  const dir = path.join(root, set);
  switch (set) {
    case 'wcxb':
      return wcxbPages(dir);
    case 'trafilatura':
      return trafilaturaPages(dir);
    case 'readability':
      return readabilityPages(dir);
  }
}

/** the committed regression subset (tests/fixtures/extraction): the same layout as the shared sets, fewer pages */
export function fixturePages(set: 'wcxb' | 'trafilatura', fixturesDir: string): Generator<EvalPage> {
  const dir = path.join(fixturesDir, set);
  return set === 'wcxb' ? wcxbPages(dir) : trafilaturaPages(dir, TRAFILATURA_FIXTURE_ANNOTATIONS);
}
