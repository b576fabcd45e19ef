// Gopher's repetition rules (Rae et al. 2021, appendix A.1.1 and table A1): duplicate lines and paragraphs,
// the most frequent 2- to 4-grams, repeated 5- to 10-grams, as DataTrove's GopherRepetitionFilter
// (gopher_repetition_filter.py) defines each fraction. A document is dropped with the first rule it fails.
import { z } from 'zod';
import { defineFilter } from '../../src/core/stage.js';
import { NGramIndex, findDuplicateSegments } from '../../src/text/ngrams.js';
import { hasSurrogates, lengthFunction, pyStripBounds, roundRatio } from '../../src/text/python-str.js';
import { tokensOf } from '../../src/text/words.js';
import type { RuleOutcome } from './gopher-quality.js';

const nGramThresholds = z.array(z.tuple([z.number().int().min(1).max(50), z.number().min(0).max(1)]));

/**
 * The options, as a pipeline's YAML gives them (the stage adds `annotate`). null turns a rule off
 * (DataTrove: None); every fraction is of the document's characters or elements.
 */
export const gopherRepetitionOptions = z
  .object({
    /** duplicate lines / lines: table A1 "duplicate line fraction 0.30" */
    dupLineFrac: z.number().min(0).max(1).nullable().default(0.3),
    /** duplicate paragraphs / paragraphs: table A1 "duplicate paragraph fraction 0.30" */
    dupParaFrac: z.number().min(0).max(1).nullable().default(0.3),
    /** characters in duplicate lines / characters: table A1 "duplicate line character fraction 0.20" */
    dupLineCharFrac: z.number().min(0).max(1).nullable().default(0.2),
    /** characters in duplicate paragraphs / characters: table A1 "duplicate paragraph character fraction 0.20" */
    dupParaCharFrac: z.number().min(0).max(1).nullable().default(0.2),
    /** [n, max]: characters of the most frequent n-gram times its count / characters: table A1 "top 2-gram 0.20, 3-gram 0.18, 4-gram 0.16" */
    topNGrams: nGramThresholds.default([[2, 0.2], [3, 0.18], [4, 0.16]]),
    /** [n, max]: characters of repeated n-grams / characters: table A1 "duplicate 5-gram 0.15 ... 10-gram 0.10" */
    dupNGrams: nGramThresholds.default([[5, 0.15], [6, 0.14], [7, 0.13], [8, 0.12], [9, 0.11], [10, 0.1]]),
  })
  .strict();

export type GopherRepetitionOptions = z.output<typeof gopherRepetitionOptions>;

// value names and drop reasons per n (DataTrove's reasons: top_{n}_gram, duplicated_{n}_n_grams)
const names = new Map<number, { topValue: string; topReason: string; dupValue: string; dupReason: string }>();
function namesOf(n: number) {
  let k = names.get(n);
  if (!k) names.set(n, (k = { topValue: `top_${n}_gram_char_frac`, topReason: `top_${n}_gram`, dupValue: `dup_${n}_gram_char_frac`, dupReason: `duplicated_${n}_n_grams` }));
  return k;
}

/**
 * Gopher's repetition measures and the rules a text fails, in DataTrove's order. With `all` false the
 * work stops at the first failure (what the filter needs); with `all` true every measure is computed.
 */
export function gopherRepetitionRules(text: string, o: GopherRepetitionOptions, all = true): RuleOutcome {
  const values: RuleOutcome['values'] = {};
  const failures: string[] = [];
  const done = () => !all && failures.length > 0;
  const len = lengthFunction(text);
  const chars = len(text);
  // DataTrove divides by len(text) and fails on an empty text; an empty text repeats nothing here
  const ofText = (n: number) => (chars > 0 ? n / chars : 0);

  const surrogates = hasSurrogates(text);
  // paragraphs: re.split(r"\n{2,}", text.strip())
  const [a, b] = pyStripBounds(text);
  const para = findDuplicateSegments(text, a, b, 2, surrogates);
  values.dup_para_frac = roundRatio(para.count / para.segments);
  values.dup_para_char_frac = roundRatio(ofText(para.chars));
  if (o.dupParaFrac !== null && para.count / para.segments > o.dupParaFrac) failures.push('dup_para_frac');
  if (o.dupParaCharFrac !== null && ofText(para.chars) > o.dupParaCharFrac) failures.push('dup_para_char_frac');
  if (done()) return { values, failures };

  // lines: DataTrove splits on runs of \n here (re.split("\n+"), not str.splitlines): blank lines are not lines
  const line = findDuplicateSegments(text, 0, text.length, 1, surrogates);
  values.dup_line_frac = roundRatio(line.count / line.segments);
  values.dup_line_char_frac = roundRatio(ofText(line.chars));
  if (o.dupLineFrac !== null && line.count / line.segments > o.dupLineFrac) failures.push('dup_line_frac');
  if (o.dupLineCharFrac !== null && ofText(line.chars) > o.dupLineCharFrac) failures.push('dup_line_char_frac');
  if (done()) return { values, failures };

  const index = new NGramIndex(tokensOf(text), surrogates);
  for (const t of o.topNGrams) {
    const n = t[0];
    if (index.size < n) continue; // no n-grams: DataTrove skips the rule
    const frac = ofText(index.topNGramChars(n));
    const names = namesOf(n);
    values[names.topValue] = roundRatio(frac);
    if (frac > t[1]) failures.push(names.topReason);
    if (done()) return { values, failures };
  }
  for (const t of o.dupNGrams) {
    const n = t[0];
    if (index.size < n) continue;
    const frac = ofText(index.duplicatedNGramChars(n));
    const names = namesOf(n);
    values[names.dupValue] = roundRatio(frac);
    if (frac > t[1]) failures.push(names.dupReason);
    if (done()) return { values, failures };
  }
  return { values, failures };
}

export const gopherRepetition = defineFilter({
  name: 'gopher_repetition',
  description: "Gopher's repetition rules: duplicate lines and paragraphs, top 2-4-grams, repeated 5-10-grams",
  options: gopherRepetitionOptions,
  keep(doc, o) {
    const annotate = (o as { annotate?: boolean }).annotate === true; // every value, for tuning
    const { values, failures } = gopherRepetitionRules(doc.text, o, annotate);
    return { keep: failures[0] ?? true, values };
  },
});
