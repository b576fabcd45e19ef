// Main-text extraction from one HTML page: Mozilla Readability on a linkedom DOM (7x faster than
// jsdom with the same output; ../shared/DEPENDENCY-PROBES.md), and a cheerio boilerplate-pruning
// text dump as the fallback when Readability finds no article or too little text.
import { parseHTML } from 'linkedom';
import { Readability } from '@mozilla/readability';
import * as cheerio from 'cheerio';
import { parseDocument } from 'htmlparser2';
import { nodesToText } from './html-text.js';
import { DEFAULT_FAST_OPTIONS, fastExtract } from './fast.js';
export { ExtractTimeout } from './fast.js';

export interface ExtractOptions {
  /** per-page time budget; past it the page is given up (ExtractTimeout). 0: none */
  timeoutMs: number;
  /** Readability (not interruptible) only runs on pages smaller than this */
  maxReadabilityChars: number;
  /** below this many words from the fast extractor, Readability gets a try */
  minFastWords: number;
  /** Readability results shorter than this go to the fallback */
  minReadabilityChars: number;
  /** pages nested deeper than this skip Readability (its DOM walk is recursive and slow there) */
  maxDepth: number;
  /** run the fallback when Readability fails or finds too little */
  fallback: boolean;
}

export const DEFAULT_EXTRACT_OPTIONS: ExtractOptions = { timeoutMs: 2000, maxReadabilityChars: 1_000_000, minFastWords: 25, minReadabilityChars: 250, maxDepth: 400, fallback: true };

export interface Extracted {
  text: string;
  /** fast_content | fast_listing | fast_page | readability | text_dump */
  extractor: string;
  canonical?: string;
  /** why Readability's result was not used: no_article, too_short, too_deep, error */
  fallbackReason?: string;
  title?: string;
  byline?: string;
  published?: string;
  lang?: string;
}

// Boilerplate containers the fallback removes before dumping text.
const BOILERPLATE = [
  'script', 'style', 'noscript', 'template', 'nav', 'header', 'footer', 'aside', 'form', 'iframe', 'svg',
  '[role=navigation]', '[role=banner]', '[role=contentinfo]', '[aria-hidden=true]',
  '.cookie', '#cookie', '[class*=cookie-banner]', '[id*=cookie-banner]', '.nav', '.navbar', '.menu', '.sidebar', '.breadcrumb', '.share', '.social',
].join(',');

const VOID_TAGS = new Set(['area', 'base', 'br', 'col', 'embed', 'hr', 'img', 'input', 'link', 'meta', 'source', 'track', 'wbr', 'param']);

/** nesting depth of the tags, by a linear scan (no DOM); stops counting past `limit` */
export function tagDepth(html: string, limit: number): number {
  const re = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(\/?)>/g;
  let depth = 0;
  let max = 0;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    if (m[1]) depth = Math.max(0, depth - 1);
    else if (!m[3] && !VOID_TAGS.has(m[2]!.toLowerCase())) {
      depth++;
      if (depth > max && (max = depth) > limit) return max;
    }
  }
  return max;
}

export function htmlLang(html: string): string | undefined {
  const m = /<html[^>]*\slang\s*=\s*["']?([a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*)/i.exec(html.slice(0, 8192));
  return m?.[1]?.toLowerCase();
}

export function readabilityText(html: string): { text: string; title?: string; byline?: string; published?: string } | undefined {
  const { document } = parseHTML(html);
  if (!document.documentElement) return undefined;
  const article = new Readability(document as unknown as Document, { charThreshold: 200 }).parse();
  if (!article?.content) return undefined;
  const text = nodesToText(parseDocument(article.content).children);
  return { text, title: article.title ?? undefined, byline: article.byline ?? undefined, published: article.publishedTime ?? undefined };
}

export function fallbackText(html: string): { text: string; title?: string } {
  const $ = cheerio.load(html);
  const title = $('title').first().text().trim() || undefined;
  $(BOILERPLATE).remove();
  // the first of main, article, body that holds any text (an empty <main> shell is common);
  // nodesToText walks iteratively, where cheerio's .text() recursion overflows on deep pages
  let text = '';
  for (const sel of ['main', 'article', 'body']) {
    const found = $(sel).toArray();
    if (found.length && (text = nodesToText(found))) break;
  }
  if (!text) text = nodesToText($.root().toArray());
  return { text, title };
}

/**
 * The extraction chain: the fast extractor first; when it finds little (an empty page, or
 * under `minFastWords` words) Readability gets a try and the longer text wins; when both find
 * nothing the cheerio text dump is the last resort. `fallbackReason` says why a later step ran.
 */
export function extractHtml(html: string, opts: ExtractOptions = DEFAULT_EXTRACT_OPTIONS): Extracted {
  const started = performance.now();
  const deadline = opts.timeoutMs > 0 ? started + opts.timeoutMs : undefined;
  const fast = fastExtract(html, { ...DEFAULT_FAST_OPTIONS, deadline });
  const out: Extracted = { text: fast.text, extractor: `fast_${fast.strategy}`, lang: fast.lang ?? htmlLang(html), title: fast.title, published: fast.published, canonical: fast.canonical };
  const words = countWords(fast.text);
  if (words >= opts.minFastWords) return out;
  out.fallbackReason = fast.text ? 'fast_too_short' : 'fast_empty';
  // Readability cannot be interrupted: only small enough pages with time left get it.
  const timeLeft = deadline === undefined || performance.now() < started + opts.timeoutMs / 2;
  if (html.length <= opts.maxReadabilityChars && timeLeft && tagDepth(html, opts.maxDepth) <= opts.maxDepth) {
    try {
      const r = readabilityText(html);
      // Readability replaces the fast result only when it finds clearly more: on pages where the
      // fast extractor is thin, Readability's extra words are as often navigation as content.
      const rWords = r ? countWords(r.text) : 0;
      if (r && rWords >= opts.minFastWords && rWords >= 2 * words) return { ...out, text: r.text, extractor: 'readability', byline: r.byline, published: r.published ?? out.published, title: out.title ?? r.title };
    } catch {
      out.fallbackReason += '+readability_error';
    }
  }
  if (!fast.text && opts.fallback) {
    const f = fallbackText(html);
    if (f.text) return { ...out, text: f.text, extractor: 'text_dump' };
  }
  return out;
}

function countWords(s: string): number {
  return s.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;
}
