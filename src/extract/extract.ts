// Main-text extraction from one HTML page: Mozilla Readability on a linkedom DOM (7x faster than
// jsdom with the same output; ../shared/DEPENDENCY-PROBES.md), and a cheerio boilerplate-pruning
// text dump as the fallback when Readability finds no article or too little text.
import { parseHTML } from 'linkedom';
import { Readability } from '@mozilla/readability';
import * as cheerio from 'cheerio';
import { parseDocument } from 'htmlparser2';
import { nodesToText } from './html-text.js';

export interface ExtractOptions {
  /** Readability results shorter than this go to the fallback */
  minReadabilityChars: number;
  /** pages nested deeper than this skip Readability (its DOM walk is recursive and slow there) */
  maxDepth: number;
  /** run the fallback when Readability fails or finds too little */
  fallback: boolean;
}

export const DEFAULT_EXTRACT_OPTIONS: ExtractOptions = { minReadabilityChars: 250, maxDepth: 400, fallback: true };

export interface Extracted {
  text: string;
  /** readability | fallback | none */
  extractor: string;
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
  const pick = ['main', 'article', 'body'].find((sel) => $(sel).length);
  const nodes = pick ? $(pick).toArray() : $.root().toArray();
  return { text: nodesToText(nodes), title };
}

export function extractHtml(html: string, opts: ExtractOptions = DEFAULT_EXTRACT_OPTIONS): Extracted {
  const out: Extracted = { text: '', extractor: 'none', lang: htmlLang(html) };
  try {
    if (tagDepth(html, opts.maxDepth) > opts.maxDepth) out.fallbackReason = 'too_deep';
    else {
      const r = readabilityText(html);
      if (r && r.text.length >= opts.minReadabilityChars) {
        return { ...out, text: r.text, extractor: 'readability', title: r.title, byline: r.byline, published: r.published };
      }
      out.fallbackReason = r ? 'too_short' : 'no_article';
    }
  } catch {
    out.fallbackReason = 'error';
  }
  if (opts.fallback) {
    const f = fallbackText(html);
    return { ...out, text: f.text, title: f.title, extractor: 'fallback' };
  }
  return out;
}
