// Main-text extraction from HTML: Mozilla Readability on a linkedom DOM (7x faster than jsdom,
// same output; ../shared/DEPENDENCY-PROBES.md), with a cheerio boilerplate-pruning text dump as
// the fallback when Readability finds no article or too little text.
import { z } from 'zod';
import { parseHTML } from 'linkedom';
import { Readability } from '@mozilla/readability';
import * as cheerio from 'cheerio';
import { parseDocument } from 'htmlparser2';
import { defineMapper } from '../../src/core/stage.js';
import type { Doc } from '../../src/core/doc.js';
import { nodesToText } from '../../src/extract/html-text.js';

const options = z
  .object({
    /** HTML beyond this many characters is cut before parsing, so a giant page costs bounded memory */
    maxHtmlChars: z.number().int().positive().default(2_000_000),
    /** Readability results shorter than this go to the fallback */
    minReadabilityChars: z.number().int().nonnegative().default(250),
    /** documents whose extracted text is shorter than this are dropped (reason: too_little_text) */
    minTextChars: z.number().int().nonnegative().default(1),
    /** pages nested deeper than this skip Readability (its DOM walk is recursive and slow there) */
    maxDepth: z.number().int().positive().default(400),
    /** run the cheerio fallback when Readability fails or finds too little */
    fallback: z.boolean().default(true),
  })
  .strict();

// Boilerplate containers the fallback removes before dumping text.
const BOILERPLATE = [
  'script', 'style', 'noscript', 'template', 'nav', 'header', 'footer', 'aside', 'form', 'iframe', 'svg',
  '[role=navigation]', '[role=banner]', '[role=contentinfo]', '[aria-hidden=true]',
  '.cookie', '#cookie', '[class*=cookie-banner]', '[id*=cookie-banner]', '.nav', '.navbar', '.menu', '.sidebar', '.breadcrumb', '.share', '.social',
].join(',');

function readability(html: string, url: string | undefined): { text: string; title?: string; byline?: string; published?: string } | undefined {
  const { document } = parseHTML(html);
  if (!document.documentElement) return undefined;
  const article = new Readability(document as unknown as Document, { charThreshold: 200 }).parse();
  if (!article?.content) return undefined;
  void url;
  const text = nodesToText(parseDocument(article.content).children);
  return { text, title: article.title ?? undefined, byline: article.byline ?? undefined, published: article.publishedTime ?? undefined };
}

function fallbackText(html: string): { text: string; title?: string } {
  const $ = cheerio.load(html);
  const title = $('title').first().text().trim() || undefined;
  $(BOILERPLATE).remove();
  const pick = ['main', 'article', 'body'].find((sel) => $(sel).length);
  const nodes = pick ? $(pick).toArray() : $.root().toArray();
  return { text: nodesToText(nodes), title };
}

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

function htmlLang(html: string): string | undefined {
  const m = /<html[^>]*\slang\s*=\s*["']?([a-zA-Z]{2,3}(?:[-_][a-zA-Z0-9]{2,8})*)/i.exec(html.slice(0, 8192));
  return m?.[1]?.toLowerCase();
}

class DeepError extends Error {}

export const extract = defineMapper({
  name: 'extract',
  kind: 'extract',
  description: 'main text from HTML (Readability on linkedom, cheerio fallback); plain text passes through',
  options,
  map(doc, opts, ctx) {
    if (doc.html === undefined) {
      // text/plain records and JSONL text documents are already text
      if (!doc.text.trim()) return { drop: 'empty_text' };
      ctx.stats.inc('passthrough_text');
      return doc;
    }
    let html = doc.html;
    if (html.length > opts.maxHtmlChars) {
      html = html.slice(0, opts.maxHtmlChars);
      doc.meta.html_truncated = true;
      ctx.stats.inc('html_truncated');
    }
    let text = '';
    let extractor = 'readability';
    let title: string | undefined;
    try {
      if (tagDepth(html, opts.maxDepth) > opts.maxDepth) throw new DeepError();
      const r = readability(html, doc.meta.url);
      if (r && r.text.length >= opts.minReadabilityChars) {
        text = r.text;
        title = r.title;
        if (r.byline) doc.meta.byline = r.byline;
        if (r.published) doc.meta.published = r.published;
      } else {
        ctx.stats.inc(r ? 'fallback.readability_too_short' : 'fallback.readability_no_article');
        extractor = '';
      }
    } catch (e) {
      ctx.stats.inc(e instanceof DeepError ? 'fallback.too_deep' : 'fallback.readability_error');
      ctx.log.debug(`extract: readability failed on ${doc.id}: ${(e as Error).message}`);
      extractor = '';
    }
    if (!extractor && opts.fallback) {
      const f = fallbackText(html);
      text = f.text;
      title = f.title;
      extractor = 'fallback';
    }
    const { html: _dropped, ...rest } = doc;
    void _dropped;
    const out: Doc = { ...rest, text, meta: { ...doc.meta, extractor: extractor || 'none' } };
    if (title) out.meta.title = title;
    const lang = htmlLang(html);
    if (lang) out.meta.html_lang = lang;
    if (text.trim().length < Math.max(1, opts.minTextChars)) return { drop: text.trim() ? 'too_little_text' : 'no_text' };
    return out;
  },
});
