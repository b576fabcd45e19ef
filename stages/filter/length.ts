// Document length bounds, in characters and words: the first sanity filter of every pipeline.
// Word bounds default to Gopher's 50..100,000 words (Rae et al. 2021, appendix A.1.1).
import { z } from 'zod';
import { defineFilter } from '../../src/core/stage.js';

const options = z
  .object({
    minChars: z.number().int().nonnegative().default(0),
    maxChars: z.number().int().positive().default(Number.MAX_SAFE_INTEGER),
    minWords: z.number().int().nonnegative().default(50),
    maxWords: z.number().int().positive().default(100_000),
  })
  .strict();

export const length = defineFilter({
  name: 'length',
  description: 'drop documents outside character and word-count bounds',
  options,
  keep(doc, o) {
    const chars = doc.text.length;
    if (chars < o.minChars) return 'too_few_chars';
    if (chars > o.maxChars) return 'too_many_chars';
    let words = 0;
    for (const _ of doc.text.matchAll(/\S+/g)) {
      if (++words > o.maxWords) return 'too_many_words';
    }
    if (words < o.minWords) return 'too_few_words';
    return true;
  },
});
