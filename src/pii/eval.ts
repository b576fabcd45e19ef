// Span-level precision and recall of the PII detectors on labelled cases (the pii-dev set: pii_cases.json),
// shared by the test and bench/pii.ts so both report the same figures.
import { detectPii, type PiiMatch } from './scrub.js';

export interface PiiCaseItem {
  type: string;
  value: string;
  start: number;
  end: number;
  public?: boolean;
  subtype?: string;
}

export interface PiiCase {
  id: string;
  text: string;
  expect: PiiCaseItem[];
  source: string;
  note?: string;
}

export interface TypeScore {
  tp: number;
  fp: number;
  fn: number;
  precision: number;
  recall: number;
  f1: number;
}

export interface CaseScore {
  per_type: Record<string, TypeScore>;
  overall: TypeScore;
  /** expected items not found, as `<case id>:<type>:<value>` */
  missed: string[];
  /** found spans that no expected item matches, as `<case id>:<type>:<found text>` */
  false_positives: string[];
}

/**
 * A found span matches an expected item of the same type with the same start and end (the set's README:
 * "span-level ... (type, start, end) matches"). Private keys are the exception the set itself notes: its value
 * is the BEGIN line, but the stage scrubs the whole block, so a found block that starts there and covers the
 * line counts.
 */
export function spanMatches(found: PiiMatch, item: PiiCaseItem): boolean {
  if (found.type !== item.type || found.start !== item.start) return false;
  if (item.subtype === 'private_key') return found.end >= item.end;
  return found.end === item.end;
}

function score(tp: number, fp: number, fn: number): TypeScore {
  const precision = tp + fp ? tp / (tp + fp) : 1;
  const recall = tp + fn ? tp / (tp + fn) : 1;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { tp, fp, fn, precision, recall, f1 };
}

/** `skip` lists case ids deliberately out of scope: they are left out of the figures */
export function scoreCases(cases: PiiCase[], skip: ReadonlySet<string> = new Set(), detect: (text: string) => PiiMatch[] = detectPii): CaseScore {
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  const bump = (type: string, key: 'tp' | 'fp' | 'fn') => {
    const c = counts.get(type) ?? { tp: 0, fp: 0, fn: 0 };
    c[key]++;
    counts.set(type, c);
  };
  const missed: string[] = [];
  const falsePositives: string[] = [];
  for (const c of cases) {
    if (skip.has(c.id)) continue;
    const found = detect(c.text);
    const used = new Set<number>();
    for (const item of c.expect) {
      const k = found.findIndex((f, i) => !used.has(i) && spanMatches(f, item));
      if (k >= 0) {
        used.add(k);
        bump(item.type, 'tp');
      } else {
        bump(item.type, 'fn');
        missed.push(`${c.id}:${item.type}:${item.value}`);
      }
    }
    found.forEach((f, i) => {
      if (used.has(i)) return;
      bump(f.type, 'fp');
      falsePositives.push(`${c.id}:${f.type}:${c.text.slice(f.start, f.end)}`);
    });
  }
  const perType: Record<string, TypeScore> = {};
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const [type, c] of [...counts].sort(([a], [b]) => a.localeCompare(b))) {
    perType[type] = score(c.tp, c.fp, c.fn);
    tp += c.tp;
    fp += c.fp;
    fn += c.fn;
  }
  return { per_type: perType, overall: score(tp, fp, fn), missed, false_positives: falsePositives };
}

// ---- the synthetic sets (src/pii/synthetic.ts): overlap-based span scoring per type ----

import type { PiiType } from './match.js';
import { EVAL_TYPES, type EvalType, type SyntheticDoc } from './synthetic.js';

/** the stage's types as the synthetic sets score them: IPv4 and IPv6 are one type, 'ip' */
export const EVAL_TYPE_OF: Record<PiiType, EvalType> = {
  email: 'email', phone: 'phone', ipv4: 'ip', ipv6: 'ip', credit_card: 'card', us_ssn: 'ssn', iban: 'iban', secret: 'secret',
};

export interface SyntheticScore {
  /** a prediction is a true positive when it overlaps a gold span of the same type */
  per_type: Record<EvalType, TypeScore & { exact_recall: number }>;
  overall: TypeScore;
  /** up to 30 examples each, `<type>/<kind>: <value>` and `<type>: <found text>` */
  missed: string[];
  false_positives: string[];
}

/**
 * Span-level scores per type. Recall: a gold span counts as found when some prediction of its type overlaps
 * it; exact_recall also asks for the same start and end. Precision: a prediction counts as correct when it
 * overlaps a gold span of its type.
 */
export function scoreSynthetic(docs: SyntheticDoc[], detect: (text: string) => PiiMatch[] = detectPii): SyntheticScore {
  const c = Object.fromEntries(EVAL_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0, exact: 0, gold: 0 }])) as Record<EvalType, { tp: number; fp: number; fn: number; exact: number; gold: number }>;
  const missed: string[] = [];
  const falsePositives: string[] = [];
  for (const d of docs) {
    const found = detect(d.text).map((m) => ({ ...m, t: EVAL_TYPE_OF[m.type] }));
    for (const g of d.spans) {
      c[g.type].gold++;
      const hit = found.filter((f) => f.t === g.type && f.start < g.end && f.end > g.start);
      if (hit.length === 0) {
        c[g.type].fn++;
        if (missed.length < 30) missed.push(`${g.type}/${g.kind}: ${g.value}`);
      } else if (hit.some((f) => f.start === g.start && f.end === g.end)) c[g.type].exact++;
    }
    for (const f of found) {
      const ok = d.spans.some((g) => g.type === f.t && f.start < g.end && f.end > g.start);
      if (ok) c[f.t].tp++;
      else {
        c[f.t].fp++;
        if (falsePositives.length < 30) falsePositives.push(`${f.t}: ${d.text.slice(f.start, f.end)}`);
      }
    }
  }
  const perType = {} as SyntheticScore['per_type'];
  let tp = 0;
  let fp = 0;
  let fn = 0;
  for (const t of EVAL_TYPES) {
    const x = c[t];
    // recall over gold spans (found = gold - fn), precision over predictions
    const found = x.gold - x.fn;
    const precision = x.tp + x.fp ? x.tp / (x.tp + x.fp) : 1;
    const recall = x.gold ? found / x.gold : 1;
    const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
    perType[t] = { tp: x.tp, fp: x.fp, fn: x.fn, precision, recall, f1, exact_recall: x.gold ? x.exact / x.gold : 1 };
    tp += found;
    fp += x.fp;
    fn += x.fn;
  }
  return { per_type: perType, overall: score(tp, fp, fn), missed, false_positives: falsePositives };
}
