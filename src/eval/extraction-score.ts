// Scores of extracted main text against a reference, as the three extraction dev sets define them
// (../shared/data/extraction-dev/README.md): bag-of-words P/R/F1 per page, and snippet matching.
// Pure functions: no I/O, so the bench (bench/eval-extract.ts) and the regression test share them.

export interface Prf {
  precision: number;
  recall: number;
  f1: number;
}

/** confusion counts of the snippet metric: `with` snippets found (tp) or missed (fn), `without` found (fp) or absent (tn) */
export interface SnippetCounts {
  tp: number;
  fn: number;
  fp: number;
  tn: number;
}

// Letters then letters/digits, or a run of digits. Close to WCXB's Python `\w+` on lowercased text
// (both split at combining marks and punctuation), but `_` separates words here and "3rd" is two
// tokens; the published WCXB figures are therefore comparable, not identical.
const WORD = /\p{L}[\p{L}\p{N}]*|\p{N}+/gu;

/** lowercase Unicode word tokens of a text */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

function counts(tokens: string[]): Map<string, number> {
  const m = new Map<string, number>();
  for (const t of tokens) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}

export function f1Of(precision: number, recall: number): number {
  return precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
}

/**
 * Bag-of-words precision, recall and F1 of `output` against `reference`: the overlap is the multiset
 * intersection of their tokens. Conventions follow WCXB's evaluate.py: an empty reference scores 1/1/1
 * for an empty output and 0/0/0 for any other (text on a page with no main content is all noise);
 * an empty output against a non-empty reference scores 0/0/0.
 */
export function bagOfWordsScore(output: string, reference: string): Prf {
  const out = wordTokens(output);
  const ref = wordTokens(reference);
  if (ref.length === 0) return out.length === 0 ? { precision: 1, recall: 1, f1: 1 } : { precision: 0, recall: 0, f1: 0 };
  if (out.length === 0) return { precision: 0, recall: 0, f1: 0 };
  const refCounts = counts(ref);
  let overlap = 0;
  for (const [token, n] of counts(out)) overlap += Math.min(n, refCounts.get(token) ?? 0);
  const precision = overlap / out.length;
  const recall = overlap / ref.length;
  return { precision, recall, f1: f1Of(precision, recall) };
}

// The article-extraction-benchmark's tokens (scrapinghub/article-extraction-benchmark, evaluate.py):
// Python's `\w+` (letters, numbers, underscore; IGNORECASE does not fold what `\w` matches, so tokens
// keep their case), no lowercasing.
const SHINGLE_TOKEN = /[\p{L}\p{N}_]+/gu;
export const SHINGLE_N = 4;

/** the benchmark's tokens of a text: runs of Unicode letters, numbers and `_`, case kept */
export function shingleTokens(text: string): string[] {
  return text.match(SHINGLE_TOKEN) ?? [];
}

/** the benchmark's shingles with their counts: each run of n tokens; a text of 1 to n-1 tokens is one shorter shingle, no tokens none */
export function shingles(text: string, n = SHINGLE_N): Map<string, number> {
  const tokens = shingleTokens(text);
  const m = new Map<string, number>();
  const last = Math.max(1, tokens.length - n + 1);
  for (let i = 0; i < last && i < tokens.length; i++) {
    const key = tokens.slice(i, i + n).join('\u0000');
    m.set(key, (m.get(key) ?? 0) + 1);
  }
  return m;
}

/** one page's shingle counts, divided by their sum (so that long pages weigh no more than short ones), as string_shingle_matching */
export interface ShingleCounts {
  tp: number;
  fp: number;
  fn: number;
}

export function shingleCounts(output: string, reference: string, n = SHINGLE_N): ShingleCounts {
  const ref = shingles(reference, n);
  const out = shingles(output, n);
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [k, c] of out) {
    const t = ref.get(k) ?? 0;
    tp += Math.min(c, t);
    fp += Math.max(0, c - t);
  }
  for (const [k, t] of ref) fn += Math.max(0, t - (out.get(k) ?? 0));
  const s = tp + fp + fn;
  return s > 0 ? { tp: tp / s, fp: fp / s, fn: fn / s } : { tp, fp, fn };
}

/** the benchmark's precision_score and recall_score of one page (1 when nothing is wrong, 0 when nothing is right) */
export function shinglePrecision(c: ShingleCounts): number {
  if (c.fp === 0 && c.fn === 0) return 1;
  if (c.tp === 0 && c.fp === 0) return 0;
  return c.tp / (c.tp + c.fp);
}
export function shingleRecall(c: ShingleCounts): number {
  if (c.fp === 0 && c.fn === 0) return 1;
  if (c.tp === 0 && c.fn === 0) return 0;
  return c.tp / (c.tp + c.fn);
}

/** one page's shingle P/R and their harmonic mean (for listing and diffing pages; the set's F1 is not the mean of these) */
export function shingleScore(output: string, reference: string): Prf & ShingleCounts {
  const c = shingleCounts(output, reference);
  const precision = shinglePrecision(c);
  const recall = shingleRecall(c);
  return { ...c, precision, recall, f1: f1Of(precision, recall) };
}

/**
 * The benchmark's set score (metrics_from_tp_fp_fns): precision is the mean over pages with any output
 * shingle (tp + fp > 0; an empty output is left out of precision), recall the mean over pages with any
 * reference shingle, and F1 the harmonic mean of those two means, not a mean of per-page F1.
 */
export function shingleSetScore(pages: readonly ShingleCounts[]): Prf {
  const p = pages.filter((c) => c.tp + c.fp > 0).map(shinglePrecision);
  const r = pages.filter((c) => c.tp + c.fn > 0).map(shingleRecall);
  const mean = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const precision = mean(p);
  const recall = mean(r);
  return { precision, recall, f1: f1Of(precision, recall) };
}

/** the mean of each of P, R and F1 over pages (WCXB's macro average); zeros for no pages */
export function macroAverage(scores: readonly Prf[]): Prf {
  if (scores.length === 0) return { precision: 0, recall: 0, f1: 0 };
  const sum = (key: keyof Prf) => scores.reduce((s, x) => s + x[key], 0) / scores.length;
  return { precision: sum('precision'), recall: sum('recall'), f1: sum('f1') };
}

/** runs of whitespace to one space, trimmed: trafilatura's eval_common.norm (`re.sub(r"\s+", " ", t).strip()`) */
export function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/**
 * Trafilatura's snippet metric for one page: each `with` snippet found in the output is a true positive,
 * each `without` snippet found a false positive. Matching is a case-sensitive substring test after
 * whitespace normalization of both sides, as in trafilatura's tests/eval_common.py (count_item); the
 * older tests/comparison.py used a bare `in`, which whitespace differences between extractors would
 * turn into misses that say nothing about extraction.
 */
export function countSnippets(output: string, withSnippets: readonly string[], withoutSnippets: readonly string[]): SnippetCounts {
  const text = normalizeSpace(output);
  const tp = withSnippets.filter((s) => text.includes(normalizeSpace(s))).length;
  const fp = withoutSnippets.filter((s) => text.includes(normalizeSpace(s))).length;
  return { tp, fn: withSnippets.length - tp, fp, tn: withoutSnippets.length - fp };
}

export function addCounts(a: SnippetCounts, b: SnippetCounts): SnippetCounts {
  return { tp: a.tp + b.tp, fn: a.fn + b.fn, fp: a.fp + b.fp, tn: a.tn + b.tn };
}

export const NO_COUNTS: SnippetCounts = { tp: 0, fn: 0, fp: 0, tn: 0 };

/** precision, recall, F1 and accuracy of summed snippet counts; a score with an empty denominator is 0, as trafilatura reports it */
export function snippetScores(c: SnippetCounts): Prf & { accuracy: number } {
  const ratio = (num: number, den: number) => (den > 0 ? num / den : 0);
  return {
    precision: ratio(c.tp, c.tp + c.fp),
    recall: ratio(c.tp, c.tp + c.fn),
    // 2tp / (2tp + fp + fn), equal to the harmonic mean wherever both are defined
    f1: ratio(2 * c.tp, 2 * c.tp + c.fp + c.fn),
    accuracy: ratio(c.tp + c.tn, c.tp + c.tn + c.fp + c.fn),
  };
}

/**
 * The share of `snippets` found in the output, case-insensitively as WCXB's evaluate.py matches them
 * (snippet_check), and after whitespace normalization as for trafilatura's metric. Undefined for no
 * snippets: WCXB counts such a page as 1.0, which for `without` would read as "all boilerplate kept",
 * so averages here leave those pages out.
 */
export function snippetShare(output: string, snippets: readonly string[]): number | undefined {
  if (snippets.length === 0) return undefined;
  const text = normalizeSpace(output).toLowerCase();
  return snippets.filter((s) => text.includes(normalizeSpace(s).toLowerCase())).length / snippets.length;
}

/** the mean of the defined values, or undefined when there are none */
export function meanDefined(values: ReadonlyArray<number | undefined>): number | undefined {
  const defined = values.filter((v): v is number => v !== undefined);
  return defined.length ? defined.reduce((s, v) => s + v, 0) / defined.length : undefined;
}

export type EvalSetName = 'wcxb' | 'trafilatura' | 'readability';

/** what scoring needs of a page: a reference text (WCXB, Readability) and/or snippets (WCXB, trafilatura) */
export interface ScoredPage {
  set: EvalSetName;
  id: string;
  reference?: string;
  with: readonly string[];
  without: readonly string[];
}

export interface PageScore extends Prf {
  id: string;
}

export interface SetScore extends Prf {
  pages: number;
  /** trafilatura: (tp + tn) / all snippets */
  accuracy?: number;
  /** WCXB: mean share of `with` snippets found (higher is better) */
  withFound?: number;
  /** WCXB: mean share of `without` snippets found (lower is better) */
  withoutFound?: number;
  perPage: PageScore[];
}

/**
 * The score of one extractor's outputs (outputs[i] for pages[i]) as each set defines it: WCXB and
 * Readability by macro-averaged bag-of-words P/R/F1 against the reference text (WCXB adds its snippet
 * shares); trafilatura by snippet counts summed over the corpus (per-page figures from the page's own counts).
 */
export function scoreSet(set: EvalSetName, pages: readonly ScoredPage[], outputs: readonly string[]): SetScore {
  if (set === 'trafilatura') {
    let total = NO_COUNTS;
    const perPage = pages.map((p, i) => {
      const c = countSnippets(outputs[i] ?? '', p.with, p.without);
      total = addCounts(total, c);
      const { precision, recall, f1 } = snippetScores(c);
      return { id: p.id, precision, recall, f1 };
    });
    return { pages: pages.length, ...snippetScores(total), perPage };
  }
  const perPage = pages.map((p, i) => ({ id: p.id, ...bagOfWordsScore(outputs[i] ?? '', p.reference ?? '') }));
  const score: SetScore = { pages: pages.length, ...macroAverage(perPage), perPage };
  if (set === 'wcxb') {
    score.withFound = meanDefined(pages.map((p, i) => snippetShare(outputs[i] ?? '', p.with)));
    score.withoutFound = meanDefined(pages.map((p, i) => snippetShare(outputs[i] ?? '', p.without)));
  }
  return score;
}
