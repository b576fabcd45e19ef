// The extract stage: HTML documents become main text (src/extract/extract.ts), with title, html
// lang and the extractor used in meta; plain-text documents pass through.
import { z } from 'zod';
import { defineMapper } from '../../src/core/stage.js';
import type { Doc } from '../../src/core/doc.js';
import { ExtractTimeout, extractHtml } from '../../src/extract/extract.js';
import { describeSource, ownString } from '../../src/core/doc.js';

const options = z
  .object({
    /** HTML beyond this many characters is cut before parsing, so a giant page costs bounded memory */
    maxHtmlChars: z.number().int().positive().default(2_000_000),
    /** when the fast extractor finds fewer words than this, Readability gets a try and the longer text wins */
    minFastWords: z.number().int().nonnegative().default(25),
    /** per-page time budget in ms: a page that takes longer is dropped (extract_timeout); 0 turns it off */
    timeoutMs: z.number().int().nonnegative().default(2000),
    /** Readability, which cannot be interrupted, only runs as a fallback on pages smaller than this */
    maxReadabilityChars: z.number().int().positive().default(1_000_000),
    /** nor on pages with more elements than this; past it, or where its estimated time exceeds what is left of timeoutMs, it is skipped (stat fallback.*+readability_skipped_*) */
    maxReadabilityElements: z.number().int().positive().default(5000),
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

export const extract = defineMapper({
  name: 'extract',
  kind: 'extract',
  description: 'main text from HTML (fast SAX extractor; Readability on linkedom and a cheerio text dump as bounded fallbacks); plain text passes through',
  options,
  map(doc, opts, ctx) {
    if (doc.html === undefined) {
      // text/plain records and JSONL text documents are already text
      if (!doc.text.trim()) return { drop: 'empty_text' };
      ctx.stats.inc('passthrough_text');
      return doc;
    }
    let html = doc.html;
    const meta: Doc['meta'] = { ...doc.meta };
    if (html.length > opts.maxHtmlChars) {
      html = html.slice(0, opts.maxHtmlChars);
      meta.html_truncated = true;
      ctx.stats.inc('html_truncated');
    }
    let r;
    try {
      r = extractHtml(html, opts);
    } catch (e) {
      if (e instanceof ExtractTimeout) {
        ctx.log.warn(`extract: ${describeSource(doc)}: ${e.message}; dropped`);
        return { drop: 'extract_timeout' };
      }
      throw e;
    }
    if (r.fallbackReason) ctx.stats.inc(`fallback.${r.fallbackReason}`);
    // copies, not slices of the page: see ownString
    meta.extractor = r.extractor;
    if (r.title) meta.title = ownString(r.title);
    if (r.lang) meta.html_lang = ownString(r.lang);
    if (r.byline) meta.byline = ownString(r.byline);
    if (r.published) meta.published = ownString(r.published);
    if (r.canonical) meta.canonical_url = ownString(r.canonical);
    const { html: _html, ...rest } = doc;
    void _html;
    if (r.text.trim().length < Math.max(1, opts.minTextChars)) return { drop: r.text.trim() ? 'too_little_text' : 'no_text' };
    return { ...rest, text: ownString(r.text), meta };
  },
});
