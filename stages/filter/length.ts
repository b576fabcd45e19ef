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
    let words = 0;
    for (const _ of doc.text.matchAll(/\S+/g)) {
      // stop counting far past the bound: a 10 MB single line costs no more than it must
      if (++words > o.maxWords && words > o.minWords) break;
    }
    const values = { chars, words };
    if (chars < o.minChars) return { keep: 'too_few_chars', values };
    if (chars > o.maxChars) return { keep: 'too_many_chars', values };
    if (words < o.minWords) return { keep: 'too_few_words', values };
    if (words > o.maxWords) return { keep: 'too_many_words', values };
    return { keep: true, values };
  },
});
