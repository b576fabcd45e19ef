// Document length bounds, in characters, words and (optionally) GPT-2 tokens: the first sanity filter of
// every pipeline. Word bounds default to Gopher's 50..100,000 words (Rae et al. 2021, appendix A.1.1).
import { z } from 'zod';
import { defineFilter, type FilterVerdict } from '../../src/core/stage.js';
import { countGpt2Tokens } from '../../src/text/tokens.js';
import { isJsSpace } from '../../src/text/js-space.js';

const options = z
  .object({
    minChars: z.number().int().nonnegative().default(0),
    maxChars: z.number().int().positive().default(Number.MAX_SAFE_INTEGER),
    minWords: z.number().int().nonnegative().default(50),
    maxWords: z.number().int().positive().default(100_000),
    /**
     * GPT-2 token bounds (gpt-tokenizer's r50k encoding, as DataTrove's token counters default to "gpt2").
     * Unset by default: tokenizing costs far more than counting words, so it only happens when asked.
     */
    minTokens: z.number().int().nonnegative().optional(),
    maxTokens: z.number().int().positive().optional(),
  })
  .strict();

/** the number of /\S+/ runs in text, counting no further than one past `stopAbove` */
function countWords(text: string, stopAbove: number): number {
  let words = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const space = isJsSpace(text.charCodeAt(i));
    if (!space && !inWord && ++words > stopAbove) return words;
    inWord = !space;
  }
  return words;
}

export const length = defineFilter({
  name: 'length',
  description: 'drop documents outside character, word-count and (optional) GPT-2 token-count bounds',
  options,
  keep(doc, o): FilterVerdict | Promise<FilterVerdict> {
    const chars = doc.text.length;
    // stop counting far past the bound: a 10 MB single line costs no more than it must
    const words = countWords(doc.text, Math.max(o.maxWords, o.minWords));
    const values: Record<string, number> = { chars, words };
    let verdict: true | string = true;
    if (chars < o.minChars) verdict = 'too_few_chars';
    else if (chars > o.maxChars) verdict = 'too_many_chars';
    else if (words < o.minWords) verdict = 'too_few_words';
    else if (words > o.maxWords) verdict = 'too_many_words';
    if (o.minTokens === undefined && o.maxTokens === undefined) return { keep: verdict, values };
    const annotate = (o as { annotate?: boolean }).annotate === true;
    if (verdict !== true && !annotate) return { keep: verdict, values };
    // counting stops once the answer is known: past maxTokens, or (outside annotate mode, where the
    // count is never shown) at minTokens when there is no maximum
    const stopAbove = o.maxTokens ?? (annotate ? Number.POSITIVE_INFINITY : Math.max(0, o.minTokens! - 1));
    return countGpt2Tokens(doc.text, stopAbove).then((tokens) => {
      values.tokens = tokens;
      if (verdict === true && o.minTokens !== undefined && tokens < o.minTokens) verdict = 'too_few_tokens';
      else if (verdict === true && o.maxTokens !== undefined && tokens > o.maxTokens) verdict = 'too_many_tokens';
      return { keep: verdict, values };
    });
  },
});
