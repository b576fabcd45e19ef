// Gopher's quality rules (Rae et al. 2021, "Scaling Language Models: Methods, Analysis & Insights from
// Training Gopher", appendix A.1.1), as DataTrove's GopherQualityFilter (gopher_quality_filter.py) applies them.
// Rules run in DataTrove's order; a document is dropped with the reason of the first one it fails.
import { z } from 'zod';
import { defineFilter } from '../../src/core/stage.js';
import { codePointLength, countOccurrences, forEachPyLine, hasSurrogates, isPyWhitespace, roundRatio } from '../../src/text/python-str.js';
import { GOPHER_STOP_WORDS } from '../../src/text/stop-words.js';
import { hasAlpha, isSymbolWord, tokensOf, wordHash } from '../../src/text/words.js';

/** The options, as a pipeline's YAML gives them (the stage adds `annotate`). null turns a rule off (DataTrove: None). */
export const gopherQualityOptions = z
  .object({
    /** words (tokens with a non-punctuation character) per document: Gopher A.1.1 "50 to 100,000 words" */
    minDocWords: z.number().int().nonnegative().nullable().default(50),
    maxDocWords: z.number().int().positive().nullable().default(100_000),
    /** mean word length in characters: Gopher A.1.1 "outside the range of 3 to 10 characters" */
    minAvgWordLength: z.number().nonnegative().nullable().default(3),
    maxAvgWordLength: z.number().positive().nullable().default(10),
    /** '#' per word and '...' or '…' per word: Gopher A.1.1 "symbol-to-word ratio greater than 0.1" */
    maxSymbolWordRatio: z.number().nonnegative().nullable().default(0.1),
    /** lines starting with a bullet ('•', or '-' as DataTrove also counts): Gopher A.1.1 "more than 90%" */
    maxBulletLinesRatio: z.number().min(0).max(1).nullable().default(0.9),
    /** lines ending with an ellipsis: Gopher A.1.1 "more than 30%" */
    maxEllipsisLinesRatio: z.number().min(0).max(1).nullable().default(0.3),
    /**
     * words holding at least one letter: Gopher A.1.1 "80% of words ... contain at least one alphabetic
     * character" (DataTrove calls this max_non_alpha_words_ratio; it is a minimum of alphabetic words)
     */
    minAlphaWordsRatio: z.number().min(0).max(1).nullable().default(0.8),
    /** occurrences of stop words: Gopher A.1.1 "at least two of the following English words" */
    minStopWords: z.number().int().nonnegative().nullable().default(2),
    /** Gopher's list: the, be, to, of, and, that, have, with (matched case-sensitively, as DataTrove does) */
    stopWords: z.array(z.string().min(1)).default([...GOPHER_STOP_WORDS]),
  })
  .strict();

export type GopherQualityOptions = z.output<typeof gopherQualityOptions>;

export interface RuleOutcome {
  /** measured values, snake_case, written to meta in annotate mode */
  values: Record<string, number | null>;
  /** the reasons of every rule the text fails, in the filter's order (empty: keep) */
  failures: string[];
}

// the stop words by hash (wordHash), built once per option list
const stopWordTables = new WeakMap<readonly string[], Map<number, string[]>>();
function stopWordTable(words: readonly string[]): Map<number, string[]> {
  let table = stopWordTables.get(words);
  if (!table) {
    table = new Map();
    for (const w of new Set(words)) {
      const h = wordHash(w);
      table.set(h, [...(table.get(h) ?? []), w]);
    }
    stopWordTables.set(words, table);
  }
  return table;
}

/** every Gopher quality measure of a text, and the rules it fails in DataTrove's order */
export function gopherQualityRules(text: string, o: GopherQualityOptions): RuleOutcome {
  const surrogates = hasSurrogates(text);
  const tokens = tokensOf(text);
  const stopWords = stopWordTable(o.stopWords);

  let nonSymbol = 0;
  let nonSymbolChars = 0;
  let alphaWords = 0;
  let stopCount = 0;
  const { starts, ends, hashes } = tokens;
  for (let i = 0; i < tokens.count; i++) {
    const a = starts[i]!;
    const b = ends[i]!;
    if (!isSymbolWord(text, a, b)) {
      nonSymbol++;
      nonSymbolChars += surrogates ? codePointLength(text.slice(a, b)) : b - a;
    }
    if (hasAlpha(text, a, b)) alphaWords++;
    const candidates = stopWords.get(hashes[i]!);
    if (candidates) for (const w of candidates) if (w.length === b - a && text.startsWith(w, a)) stopCount++;
  }
  const nWords = tokens.count;
  // numpy's mean of nothing is nan, which passes both bounds in DataTrove
  const avgWordLength = nonSymbol > 0 ? nonSymbolChars / nonSymbol : Number.NaN;
  const hashRatio = nWords > 0 ? countOccurrences(text, '#') / nWords : 0;
  const ellipsisRatio = nWords > 0 ? (countOccurrences(text, '...') + countOccurrences(text, '…')) / nWords : 0;

  let bulletLines = 0;
  let ellipsisLines = 0;
  const nLines = forEachPyLine(text, (start, end) => {
    let a = start;
    while (a < end && isPyWhitespace(text.charCodeAt(a))) a++;
    const first = text.charCodeAt(a);
    if (a < end && (first === 0x2022 || first === 0x2d)) bulletLines++; // '•' or '-'
    let b = end;
    while (b > a && isPyWhitespace(text.charCodeAt(b - 1))) b--;
    if (b > a && (text.charCodeAt(b - 1) === 0x2026 || (b - a >= 3 && text.startsWith('...', b - 3)))) ellipsisLines++;
  });
  const bulletRatio = nLines > 0 ? bulletLines / nLines : 0;
  const endEllipsisRatio = nLines > 0 ? ellipsisLines / nLines : 0;
  const alphaRatio = nWords > 0 ? alphaWords / nWords : 0;

  const failures: string[] = [];
  if (o.minDocWords !== null && nonSymbol < o.minDocWords) failures.push('gopher_short_doc');
  if (o.maxDocWords !== null && nonSymbol > o.maxDocWords) failures.push('gopher_long_doc');
  if (o.minAvgWordLength !== null && avgWordLength < o.minAvgWordLength) failures.push('gopher_below_avg_threshold');
  if (o.maxAvgWordLength !== null && avgWordLength > o.maxAvgWordLength) failures.push('gopher_above_avg_threshold');
  if (o.maxSymbolWordRatio !== null && hashRatio > o.maxSymbolWordRatio) failures.push('gopher_too_many_hashes');
  if (o.maxSymbolWordRatio !== null && ellipsisRatio > o.maxSymbolWordRatio) failures.push('gopher_too_many_ellipsis');
  if (o.maxBulletLinesRatio !== null && bulletRatio > o.maxBulletLinesRatio) failures.push('gopher_too_many_bullets');
  if (o.maxEllipsisLinesRatio !== null && endEllipsisRatio > o.maxEllipsisLinesRatio) failures.push('gopher_too_many_end_ellipsis');
  if (o.minAlphaWordsRatio !== null && alphaRatio < o.minAlphaWordsRatio) failures.push('gopher_below_alpha_threshold');
  // DataTrove's name for "fewer stop words than the minimum"
  if (o.minStopWords !== null && stopCount < o.minStopWords) failures.push('gopher_enough_stop_words');

  return {
    values: {
      words: nWords,
      non_symbol_words: nonSymbol,
      avg_word_length: Number.isNaN(avgWordLength) ? null : roundRatio(avgWordLength),
      hash_ratio: roundRatio(hashRatio),
      ellipsis_ratio: roundRatio(ellipsisRatio),
      bullet_lines_ratio: roundRatio(bulletRatio),
      end_ellipsis_lines_ratio: roundRatio(endEllipsisRatio),
      alpha_words_ratio: roundRatio(alphaRatio),
      stop_words: stopCount,
    },
    failures,
  };
}

export const gopherQuality = defineFilter({
  name: 'gopher_quality',
  description: "Gopher's quality rules: word count, mean word length, symbols, bullets, ellipses, alphabetic words, stop words",
  options: gopherQualityOptions,
  keep(doc, o) {
    const { values, failures } = gopherQualityRules(doc.text, o);
    return { keep: failures[0] ?? true, values };
  },
});
