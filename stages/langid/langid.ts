// Language identification stage: meta.language and meta.language_score from fastText lid.176,
// and optionally a filter on languages and minimum score (DataTrove's LanguageFilter: en, 0.65).
import { z } from 'zod';
import { defineMapper } from '../../src/core/stage.js';
import { identify, loadLanguageModel } from '../../src/langid/fasttext.js';

const options = z
  .object({
    /** keep only these languages (ISO 639-1, or lid.176's code); empty keeps every language */
    languages: z.array(z.string().min(2)).default([]),
    /** drop documents whose top language scores below this; DataTrove's default is 0.65 */
    minScore: z.number().min(0).max(1).default(0),
    /** characters of each document the model reads */
    maxChars: z.number().int().positive().default(1000),
  })
  .strict();

export const langid = defineMapper({
  name: 'langid',
  kind: 'langid',
  description: 'language and score into meta (fastText lid.176); optionally keep only some languages above a score',
  options,
  async map(doc, opts, ctx) {
    const ft = await loadLanguageModel();
    const [top] = identify(ft, doc.text, 1, opts.maxChars);
    if (!top) return { drop: 'no_text' };
    doc.meta.language = top.language;
    doc.meta.language_score = Math.round(top.score * 10000) / 10000;
    ctx.stats.inc(`language.${top.language}`);
    if (opts.languages.length && !opts.languages.includes(top.language)) return { drop: 'language_not_kept' };
    if (top.score < opts.minScore) return { drop: 'language_score_too_low' };
    return doc;
  },
});
