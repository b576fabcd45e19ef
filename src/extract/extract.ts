// Main-text extraction from one HTML page, as a chain: the fast SAX extractor (fast.ts); a second
// fast pass over hidden elements when the visible page has almost no text; Mozilla Readability on a
// linkedom DOM (7x faster than jsdom with the same output; ../shared/DEPENDENCY-PROBES.md) when the
// fast extractor finds too little, bounded so it fits the page's time budget; a cheerio
// boilerplate-pruning text dump as the last resort. `fallbackReason` records each step's why.
import { parseHTML } from 'linkedom';
import { Readability } from '@mozilla/readability';
import * as cheerio from 'cheerio';
import { parseDocument } from 'htmlparser2';
import { nodesToText } from './html-text.js';
import { DEFAULT_FAST_OPTIONS, ExtractTimeout, fastExtract } from './fast.js';
export { ExtractTimeout };

export interface ExtractOptions {
  /** per-page time budget; past it the page is given up (ExtractTimeout). 0: none */
  timeoutMs: number;
  /** Readability (not interruptible) only runs on pages smaller than this */
  maxReadabilityChars: number;
  /** nor on pages with more elements than this (its cost grows with the element count: about a second at 5,000 on a busy core) */
  maxReadabilityElements: number;
  /** below this many words from the fast extractor, Readability gets a try */
  minFastWords: number;
  /** Readability results shorter than this go to the fallback */
  minReadabilityChars: number;
  /** pages nested deeper than this skip Readability (its DOM walk is recursive and slow there) */
  maxDepth: number;
  /** run the fallback when Readability fails or finds too little */
  fallback: boolean;
}

export const DEFAULT_EXTRACT_OPTIONS: ExtractOptions = { timeoutMs: 2000, maxReadabilityChars: 1_000_000, maxReadabilityElements: 5000, minFastWords: 25, minReadabilityChars: 250, maxDepth: 400, fallback: true };

export interface Extracted {
  text: string;
  /** fast_content | fast_listing | fast_page | fast_furniture | fast_empty | readability | text_dump */
  extractor: string;
  canonical?: string;
  /**
   * why a later step of the chain ran and what it did, `+`-joined: hidden_revealed (a second fast pass read
   * hidden elements), fast_too_short / fast_empty (Readability's turn), furniture_only (the page is all
   * furniture: no fallback), readability_skipped_{too_large,too_many_attributes,too_deep,too_many_elements,no_time} (Readability
   * left out to keep the time budget), readability_error
   */
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
  return tagStats(html, limit).depth;
}

/**
 * The nesting depth (counted up to just past `depthLimit`) and the number of elements of a page, by a
 * linear scan of its tags (no DOM; tags inside scripts count too, which errs on the side of more).
 */
export function tagStats(html: string, depthLimit: number): { depth: number; elements: number } {
  const re = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)[^>]*?(\/?)>/g;
  let depth = 0;
  let max = 0;
  let elements = 0;
  for (let m = re.exec(html); m; m = re.exec(html)) {
    if (m[1]) depth = Math.max(0, depth - 1);
    else {
      elements++;
      if (!m[3] && !VOID_TAGS.has(m[2]!.toLowerCase())) {
        depth++;
        if (depth > max && max <= depthLimit) max = depth;
      }
    }
  }
  return { depth: max, elements };
}

/**
 * Readability's time per element, from the dev sets on a shared 2-core machine (median 0.04 ms, the slow
 * pages 0.1 to 0.4 ms): the estimate that decides whether it fits in what is left of a page's time budget.
 */
const READABILITY_MS_PER_ELEMENT = 0.3;

/**
 * Past this many attributes on one tag, Readability is not tried: linkedom checks each attribute against the
 * tag's earlier ones, so one tag of 10^5 attributes costs it seconds (real pages stay under a hundred).
 */
const MAX_READABILITY_TAG_ATTRIBUTES = 1000;

/** why Readability should not run on this page, or undefined when it may */
function readabilitySkip(html: string, opts: ExtractOptions, deadline: number | undefined, maxTagAttributes: number): string | undefined {
  if (html.length > opts.maxReadabilityChars) return 'too_large';
  if (maxTagAttributes > MAX_READABILITY_TAG_ATTRIBUTES) return 'too_many_attributes';
  const { depth, elements } = tagStats(html, opts.maxDepth);
  if (depth > opts.maxDepth) return 'too_deep';
  if (elements > opts.maxReadabilityElements) return 'too_many_elements';
  if (deadline !== undefined && elements * READABILITY_MS_PER_ELEMENT > deadline - performance.now()) return 'no_time';
  return undefined;
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
  // on htmlparser2's tree, which is built in linear time: parse5 (cheerio's default) checks each attribute
  // against the tag's earlier ones, and a tag with 500,000 of them took it minutes
  const $ = cheerio.load(parseDocument(html));
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
  let fast = fastExtract(html, { ...DEFAULT_FAST_OPTIONS, deadline });
  let words = countWords(fast.text);
  let revealed = false;
  // Too little visible text, more in hidden elements: a page whose content a script reveals
  // (React's streamed <div hidden>, a content lock). A second pass reads the hidden elements: first
  // those hidden by attribute or style, keeping aria-hidden menus and cart drawers out; then, if that
  // is still too little, all (a page behind an open consent dialog is aria-hidden whole).
  if (words < opts.minFastWords && fast.hiddenWords >= opts.minFastWords) {
    let again = fastExtract(html, { ...DEFAULT_FAST_OPTIONS, deadline, revealHidden: 'except-aria-hidden' });
    let againWords = countWords(again.text);
    if (againWords < opts.minFastWords) {
      again = fastExtract(html, { ...DEFAULT_FAST_OPTIONS, deadline, revealHidden: true });
      againWords = countWords(again.text);
    }
    if (againWords > words) {
      fast = again;
      words = againWords;
      revealed = true;
    }
  }
  const out: Extracted = { text: fast.text, extractor: `fast_${fast.strategy}`, lang: fast.lang ?? htmlLang(html), title: fast.title, published: fast.published, canonical: fast.canonical };
  if (revealed) out.fallbackReason = 'hidden_revealed';
  if (words >= opts.minFastWords) return out;
  out.fallbackReason = (revealed ? 'hidden_revealed+' : '') + (fast.text ? 'fast_too_short' : 'fast_empty');
  // A page whose text is all furniture (a script-rendered shell) has no main text: Readability
  // and the text dump would only return its navigation.
  if (fast.strategy === 'furniture') {
    out.fallbackReason += '+furniture_only';
    return out;
  }
  // Readability cannot be interrupted: it only runs where its estimated time fits in what is left
  // of the budget, on pages not too large, deep or many-noded (the reason is recorded when it does not).
  const skip = readabilitySkip(html, opts, deadline, fast.maxTagAttributes);
  if (skip) out.fallbackReason += `+readability_skipped_${skip}`;
  else {
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
    // the text dump is linear but not interruptible: it is not started once the budget is spent
    if (deadline !== undefined && performance.now() > deadline) throw new ExtractTimeout(performance.now() - started);
    const f = fallbackText(html);
    if (f.text) return { ...out, text: f.text, extractor: 'text_dump' };
  }
  return out;
}

// Per UTF-16 code unit, whether it is a letter or number (\p{L} or \p{N}), learnt on first sight:
// 0 not yet seen, 1 yes, 2 no.
const LETTER_OR_NUMBER_UNIT = new Uint8Array(0x10000);
const LETTER_OR_NUMBER = /[\p{L}\p{N}]/u;
// the same past U+FFFF (emoji, CJK extensions, mathematical letters)
const LETTER_OR_NUMBER_ASTRAL = new Map<number, boolean>();

function isLetterOrNumber(cp: number): boolean {
  if (cp > 0xffff) {
    let yes = LETTER_OR_NUMBER_ASTRAL.get(cp);
    if (yes === undefined) LETTER_OR_NUMBER_ASTRAL.set(cp, (yes = LETTER_OR_NUMBER.test(String.fromCodePoint(cp))));
    return yes;
  }
  let v = LETTER_OR_NUMBER_UNIT[cp]!;
  if (v === 0) LETTER_OR_NUMBER_UNIT[cp] = v = LETTER_OR_NUMBER.test(String.fromCharCode(cp)) ? 1 : 2;
  return v === 1;
}

/** the number of runs of letters and numbers, as s.match(/[\p{L}\p{N}]+/gu).length, without the array of them */
export function countWords(s: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < s.length; i++) {
    let cp = s.charCodeAt(i);
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < s.length) {
      const lo = s.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        i++;
      }
    }
    const w = isLetterOrNumber(cp);
    if (w && !inWord) n++;
    inWord = w;
  }
  return n;
}
