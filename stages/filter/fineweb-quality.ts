// FineWeb's own quality rules (Penedo et al. 2024, "The FineWeb Datasets", "Developing additional heuristic
// filters"), as DataTrove's FineWebQualityFilter (fineweb_quality_filter.py) computes them: line
// punctuation, short lines, duplicated line characters, list-like documents.
import { z } from 'zod';
import { defineFilter } from '../../src/core/stage.js';
import { findDuplicates } from '../../src/text/ngrams.js';
import { countOccurrences, lengthFunction, pyStrip, roundRatio } from '../../src/text/python-str.js';
import { tokensOf } from '../../src/text/words.js';
import type { RuleOutcome } from './gopher-quality.js';

// the line endings that count as punctuation (DataTrove's stop_chars)
const STOP_CHARS = ['.', "'", '"', '!', '?'];

/** The options, as a pipeline's YAML gives them (the stage adds `annotate`). null turns a rule off. */
export const finewebQualityOptions = z
  .object({
    /** lines ending in punctuation / lines: dropped at or below this (FineWeb: "<= 0.12") */
    linePunctThr: z.number().min(0).max(1).nullable().default(0.12),
    /** do not apply the line-punctuation rule to documents with no punctuated line at all (DataTrove: line_punct_exclude_zero) */
    linePunctExcludeZero: z.boolean().default(false),
    /** lines of at most shortLineChars characters / lines: dropped at or above this (FineWeb: ">= 0.67", 30 characters) */
    shortLineThr: z.number().min(0).max(1).nullable().default(0.67),
    shortLineChars: z.number().int().nonnegative().default(30),
    /** characters in duplicated non-blank lines / characters other than \n: dropped at or above this (FineWeb: ">= 0.01") */
    charDuplicatesRatio: z.number().min(0).max(1).nullable().default(0.01),
    /** \n per word: dropped above this, a list rather than prose (DataTrove's new_line_ratio, 0.3) */
    newLineRatio: z.number().nonnegative().nullable().default(0.3),
  })
  .strict();

export type FinewebQualityOptions = z.output<typeof finewebQualityOptions>;

/** FineWeb's measures of a text and the rules it fails, in DataTrove's order */
export function finewebQualityRules(text: string, o: FinewebQualityOptions, all = true): RuleOutcome {
  const values: RuleOutcome['values'] = {};
  const failures: string[] = [];
  const done = () => !all && failures.length > 0;
  const len = lengthFunction(text);
  // DataTrove splits on "\n" only: "\r\n" lines end in "\r", not in punctuation, as there
  const lines = text.split('\n');

  let punctuated = 0;
  let short = 0;
  for (const line of lines) {
    for (const c of STOP_CHARS) {
      if (line.endsWith(c)) {
        punctuated++;
        break;
      }
    }
    if ((line.length <= o.shortLineChars ? line.length : len(line)) <= o.shortLineChars) short++;
  }
  const punctRatio = punctuated / lines.length;
  values.line_punct_ratio = roundRatio(punctRatio);
  if (o.linePunctThr !== null && punctRatio <= o.linePunctThr && !(punctRatio === 0 && o.linePunctExcludeZero)) failures.push('line_punct_ratio');
  if (done()) return { values, failures };

  const shortRatio = short / lines.length;
  values.short_line_ratio = roundRatio(shortRatio);
  if (o.shortLineThr !== null && shortRatio >= o.shortLineThr) failures.push('short_line_ratio');
  if (done()) return { values, failures };

  const nonBlank = lines.filter((l) => pyStrip(l) !== '');
  const charsWithoutNewlines = len(text) - countOccurrences(text, '\n');
  // DataTrove divides by zero on a text of only line breaks (the punctuation rule drops it first)
  const dupRatio = charsWithoutNewlines > 0 ? findDuplicates(nonBlank, len).chars / charsWithoutNewlines : 0;
  values.char_dup_ratio = roundRatio(dupRatio);
  if (o.charDuplicatesRatio !== null && dupRatio >= o.charDuplicatesRatio) failures.push('char_dup_ratio');
  if (done()) return { values, failures };

  const words = tokensOf(text).count;
  const newLines = lines.length - 1;
  const listRatio = words > 0 ? newLines / words : newLines > 0 ? Number.POSITIVE_INFINITY : 0;
  values.new_line_ratio = Number.isFinite(listRatio) ? roundRatio(listRatio) : null;
  if (o.newLineRatio !== null && listRatio > o.newLineRatio) failures.push('list_ratio');
  return { values, failures };
}

export const finewebQuality = defineFilter({
  name: 'fineweb_quality',
  description: "FineWeb's rules: lines ending in punctuation, short lines, duplicated line characters, list-like documents",
  options: finewebQualityOptions,
  keep(doc, o) {
    const annotate = (o as { annotate?: boolean }).annotate === true;
    const { values, failures } = finewebQualityRules(doc.text, o, annotate);
    return { keep: failures[0] ?? true, values };
  },
});
