// C4's line and page rules (Raffel et al. 2020, "Exploring the Limits of Transfer Learning with a Unified
// Text-to-Text Transformer", section 2.2), as DataTrove's C4QualityFilter (c4_filters.py) applies them:
// lines that fail a line rule are removed from the text (the document is rewritten), and a page with
// "lorem ipsum", a curly bracket, or too few sentences left is dropped. The bad-words rule is c4_badwords.
import { z } from 'zod';
import { defineFilter } from '../../src/core/stage.js';
import { codePointLength, isPyWhitespace, pySplitLines, pyStrip } from '../../src/text/python-str.js';
import { countSentences } from '../../src/text/sentences.js';
import type { RuleOutcome } from './gopher-quality.js';

// Wikipedia-style citation markers: [1], [], [edit], [citation needed] (DataTrove's CITATION_REGEX)
const CITATION = /\[\p{Nd}*\]|\[edit\]|\[citation needed\]/gu;
// C4 2.2: "only retained lines that ended in a terminal punctuation mark (i.e. a period, exclamation mark,
// question mark, or end quotation mark)"; DataTrove adds the single quote and rejects a final "..."
// (endsWithTerminalPunctuation below)
// not in the paper; in C4's code (tensorflow_datasets c4_utils.py) and DataTrove's POLICY_SUBSTRINGS
const POLICY_SUBSTRINGS = ['terms of use', 'privacy policy', 'cookie policy', 'uses cookies', 'use of cookies', 'use cookies'];

/** The options, as a pipeline's YAML gives them (the stage adds `annotate`). */
export const c4Options = z
  .object({
    /** remove Wikipedia citation markers ([1], [edit], [citation needed]) from lines */
    removeCitations: z.boolean().default(true),
    /** remove lines not ending in . ? ! " ' (and lines ending in ...): C4 2.2 */
    filterNoTerminalPunct: z.boolean().default(true),
    /** drop pages with fewer sentences left: C4 2.2 "fewer than 5 sentences"; null or -1 turns it off */
    minNumSentences: z.number().int().min(-1).nullable().default(5),
    /** remove lines with fewer words: C4 2.2 "at least 3 words"; null or -1 turns it off */
    minWordsPerLine: z.number().int().min(-1).nullable().default(3),
    /** remove lines holding a longer word (C4's code: 1000 characters); null or -1 turns it off */
    maxWordLength: z.number().int().min(-1).nullable().default(1000),
    /** drop pages with "lorem ipsum": C4 2.2 */
    filterLoremIpsum: z.boolean().default(true),
    /** remove lines with "javascript": C4 2.2 */
    filterJavascript: z.boolean().default(true),
    /** drop pages with "{": C4 2.2 "any pages that contained a curly bracket" */
    filterCurlyBracket: z.boolean().default(true),
    /** remove lines with cookie and terms-of-use phrases (C4's code) */
    filterPolicy: z.boolean().default(true),
  })
  .strict();

export type C4Options = z.output<typeof c4Options>;

/** line rules, in DataTrove's order; the keys of lines_removed.<rule> */
export type C4LineRule = 'too_long_word' | 'no_terminal_punct' | 'too_few_words' | 'javascript' | 'policy';

export interface C4Outcome extends RuleOutcome {
  /** the text with the failing lines removed, as DataTrove writes it back */
  text: string;
  linesRemoved: Partial<Record<C4LineRule, number>>;
}

const on = (n: number | null): n is number => n !== null && n !== -1;

// every phrase the rules look for holds one of these (a superset test, before lower-casing)
const PHRASES = /lorem ipsum|javascript|cookie|privacy policy|terms of use/iu;

/** ends in . ? ! " ' but not in "..." (DataTrove's END_PUNCTUATION and ELLIPSIS) */
function endsWithTerminalPunctuation(line: string): boolean {
  const c = line.charCodeAt(line.length - 1);
  if (c === 0x2e) return !line.endsWith('...');
  return c === 0x3f || c === 0x21 || c === 0x22 || c === 0x27;
}

/**
 * len(line.split()) and whether a word is longer than maxChars code points (-1: never); counting stops
 * at `stopAt` words when no word length is asked for
 */
function scanWords(line: string, maxChars: number, stopAt = Number.POSITIVE_INFINITY): { count: number; tooLong: boolean } {
  let count = 0;
  let start = -1;
  let tooLong = false;
  for (let i = 0; i <= line.length; i++) {
    const space = i === line.length || isPyWhitespace(line.charCodeAt(i));
    if (!space) {
      if (start < 0) {
        start = i;
        if (++count >= stopAt && maxChars < 0) return { count, tooLong };
      }
    } else if (start >= 0) {
      if (maxChars >= 0 && i - start > maxChars && codePointLength(line.slice(start, i)) > maxChars) tooLong = true;
      start = -1;
    }
  }
  return { count, tooLong };
}

/**
 * C4's rules over a text: the rewritten text, the lines removed by rule, and the page rules it fails.
 * With `all` false the work stops at the first page rule that fails (DataTrove returns there); with
 * `all` true every line is examined, a line with "lorem ipsum" or "{" counting as kept.
 */
export function c4Rules(text: string, o: C4Options, all = true): C4Outcome {
  const failures: string[] = [];
  const linesRemoved: C4Outcome['linesRemoved'] = {};
  const remove = (rule: C4LineRule) => {
    linesRemoved[rule] = (linesRemoved[rule] ?? 0) + 1;
  };
  const kept: string[] = [];
  let sentences = 0;
  let lorem = false;
  let curly = false;
  const lines = pySplitLines(text);
  const maxWordLength = on(o.maxWordLength) ? o.maxWordLength : -1;
  for (const raw of lines) {
    let line = pyStrip(raw);
    // a word longer than the limit needs a line longer than it: only then are words measured here
    if (maxWordLength >= 0 && line.length > maxWordLength && scanWords(line, maxWordLength).tooLong) {
      remove('too_long_word');
      continue;
    }
    // words are counted before citations are removed, as in DataTrove
    const original = line;
    if (o.removeCitations && line.includes('[')) line = line.replace(CITATION, '');
    if (o.filterNoTerminalPunct && !endsWithTerminalPunctuation(line)) {
      remove('no_terminal_punct');
      continue;
    }
    if (on(o.minWordsPerLine) && scanWords(original, -1, o.minWordsPerLine).count < o.minWordsPerLine) {
      remove('too_few_words');
      continue;
    }
    // most lines hold none of the phrases: one case-insensitive search before lower-casing
    const lower = PHRASES.test(line) ? line.toLowerCase() : '';
    if (o.filterLoremIpsum && !lorem && lower.includes('lorem ipsum')) {
      lorem = true;
      failures.push('lorem_ipsum');
      if (!all) break;
    }
    if (o.filterJavascript && lower.includes('javascript')) {
      remove('javascript');
      continue;
    }
    if (o.filterCurlyBracket && !curly && line.includes('{')) {
      curly = true;
      failures.push('curly_bracket');
      if (!all) break;
    }
    if (o.filterPolicy && lower && POLICY_SUBSTRINGS.some((p) => lower.includes(p))) {
      remove('policy');
      continue;
    }
    sentences += countSentences(line);
    kept.push(line);
  }
  if (on(o.minNumSentences) && sentences < o.minNumSentences && (all || failures.length === 0)) failures.push('too_few_sentences');
  const out = pyStrip(kept.join('\n'));
  return {
    text: out,
    linesRemoved,
    failures,
    values: { lines: lines.length, lines_kept: kept.length, sentences, chars_removed: text.length - out.length },
  };
}

export const c4 = defineFilter({
  name: 'c4',
  description: "C4's rules: keep lines ending in punctuation with 3+ words, without javascript or cookie notices; drop pages with lorem ipsum, '{', or under 5 sentences",
  options: c4Options,
  keep(doc, o, ctx) {
    const annotate = (o as { annotate?: boolean }).annotate === true;
    const r = c4Rules(doc.text, o, annotate);
    ctx.stats.inc('lines_total', r.values.lines as number);
    for (const [rule, n] of Object.entries(r.linesRemoved)) ctx.stats.inc(`lines_removed.${rule}`, n);
    // annotate mode measures and leaves the text alone; otherwise a kept page loses its failing lines
    if (r.failures.length === 0 && !annotate && r.text !== doc.text) {
      doc.text = r.text;
      ctx.stats.inc('changed');
    }
    return { keep: r.failures[0] ?? true, values: r.values };
  },
});
