// The mix stage's arithmetic: from the tokens each domain holds and the YAML's targets or epochs, a
// sampling rate per domain (the reduce), and from a rate and a seeded hash of the document id, how many
// copies of a document the output gets (the filter). Formulas: docs/domains-and-mixing.md.
import path from 'node:path';
import type { Doc } from '../core/doc.js';
import { uniformFromString } from '../text/hash.js';
import { countGpt2Tokens } from '../text/tokens.js';
import type { MixOptions } from './options.js';

/** the group of a document that has none (no meta.domain: the domain stage did not run) */
export const UNKNOWN = 'unknown';

/** the file name of the reduce's report in the stage directory */
export const MIX_REPORT = 'mix-report.json';

/** `wiki.jsonl.gz` -> `wiki` */
function stem(file: string): string {
  return path.basename(file).replace(/(\.(gz|zst|bz2|jsonl|json|parquet|warc|wet|arc|txt))+$/i, '');
}

/** the value a document is weighed by (see the `by` option) */
export function groupOf(doc: Doc, by: string): string {
  if (by === 'source') {
    if (typeof doc.meta.dataset === 'string' && doc.meta.dataset) return doc.meta.dataset; // Dolma's `source`
    const s = doc.meta.source as unknown;
    if (typeof s === 'string' && s) return s;
    if (s && typeof s === 'object' && typeof (s as { file?: unknown }).file === 'string') return stem((s as { file: string }).file);
    return UNKNOWN;
  }
  const v = doc.meta[by];
  if (typeof v === 'string' && v) return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return UNKNOWN;
}

function countWords(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 0x20 || (c >= 0x09 && c <= 0x0d) || c === 0xa0 || c === 0x3000;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}

/** tokens of a text in the mix's unit */
export function countTokens(text: string, unit: MixOptions['tokens']): number | Promise<number> {
  return unit === 'words' ? countWords(text) : countGpt2Tokens(text);
}

/** how many copies of a document the output gets at `rate`: floor(rate), plus one with probability frac(rate) */
export function copiesFor(rate: number, id: string, seed: number): number {
  if (!(rate > 0)) return 0;
  const whole = Math.floor(rate);
  const frac = rate - whole;
  // a stream of its own ("mix:"), so the draw is independent of other seeded stages' (c4_badwords keepFraction)
  return whole + (frac > 0 && uniformFromString(`mix:${seed}:${id}`) < frac ? 1 : 0);
}

export interface DomainPlan {
  domain: string;
  docs_in: number;
  tokens_in: number;
  /** targets: the proportion asked for (renormalised when targeted domains have no documents); epochs: the multiplier given; null when the mix does not name it */
  requested: number | null;
  /** documents are repeated floor(rate) times, plus once more with probability frac(rate) */
  rate: number;
  expected_tokens_out: number;
  /** expected share of every token the stage emits */
  target: number;
  /** why the rate is what it is when not as asked: `others_drop`, `others_keep`, `no_documents`, `capped_at_max_repeat` */
  note?: string;
}

export interface MixPlan {
  version: 1;
  mode: 'targets' | 'epochs';
  by: string;
  unit: 'gpt2_tokens' | 'words';
  seed: number;
  /** the targets or epochs as the YAML gives them */
  targets?: Record<string, number>;
  epochs?: Record<string, number>;
  /** targets: the proportions used, renormalised over the domains that have documents */
  targets_used?: Record<string, number>;
  others: 'drop' | 'keep';
  max_repeat?: number;
  total_tokens?: { requested: number | null; used: number };
  tokens_in: number;
  expected_tokens_out: number;
  /** named by the mix, but no document has them */
  missing_domains: string[];
  domains: DomainPlan[];
  warnings: string[];
}

export interface DomainTotals {
  docs: number;
  tokens: number;
}

/** the rate of every domain, from the tokens each holds; `warn` hears what a user should know */
export function planMix(totals: Map<string, DomainTotals>, o: MixOptions, warn: (msg: string) => void = () => {}): MixPlan {
  const warnings: string[] = [];
  const say = (msg: string) => {
    warnings.push(msg);
    warn(msg);
  };
  const mode = o.targets !== undefined ? 'targets' : 'epochs';
  const others = o.others ?? (mode === 'targets' ? 'drop' : 'keep');
  const named = o.targets ?? o.epochs ?? {};
  const tokensOf = (d: string) => totals.get(d)?.tokens ?? 0;
  const missing = Object.keys(named).filter((d) => named[d]! > 0 && tokensOf(d) === 0).sort();
  const rates = new Map<string, { rate: number; note?: string; requested: number | null }>();
  const plan: Partial<MixPlan> = {};

  if (mode === 'targets') {
    const maxRepeat = o.maxRepeat ?? 1;
    const present = Object.keys(named).filter((d) => named[d]! > 0 && tokensOf(d) > 0);
    const mass = present.reduce((a, d) => a + named[d]!, 0);
    if (missing.length) say(`targets name ${missing.join(', ')}, but no document has ${missing.length > 1 ? 'them' : 'it'}; the other proportions are renormalised to sum to 1`);
    const used: Record<string, number> = {};
    for (const d of present) used[d] = named[d]! / mass;
    // the largest total no domain must repeat beyond maxRepeat to reach: min over d of maxRepeat * T_d / p_d
    const reachable = present.length ? Math.min(...present.map((d) => (maxRepeat * tokensOf(d)) / used[d]!)) : 0;
    const total = o.totalTokens ?? reachable;
    if (!present.length) say(`no document belongs to a targeted domain (${Object.keys(named).join(', ')}); nothing of them is emitted`);
    for (const d of Object.keys(named)) {
      if (!present.includes(d)) {
        rates.set(d, { rate: 0, requested: named[d]!, note: named[d]! > 0 ? 'no_documents' : undefined });
        continue;
      }
      let rate = (used[d]! * total) / tokensOf(d);
      // 0.7499999999999999 / 0.75 * ... : a rate a rounding error off a whole number is that number
      if (Math.abs(rate - Math.round(rate)) < 1e-9) rate = Math.round(rate);
      let note: string | undefined;
      if (rate > maxRepeat * (1 + 1e-12)) {
        say(`${d}: totalTokens ${total} needs rate ${rate.toFixed(3)}, over maxRepeat ${maxRepeat}; capped, so ${d} falls short of its target (raise maxRepeat or lower totalTokens)`);
        rate = maxRepeat;
        note = 'capped_at_max_repeat';
      }
      rates.set(d, { rate, note, requested: used[d]! });
    }
    plan.targets = { ...named };
    plan.targets_used = used;
    plan.max_repeat = maxRepeat;
    plan.total_tokens = { requested: o.totalTokens ?? null, used: total };
  } else {
    if (missing.length) say(`epochs name ${missing.join(', ')}, but no document has ${missing.length > 1 ? 'them' : 'it'}`);
    for (const d of Object.keys(named)) rates.set(d, { rate: named[d]!, requested: named[d]!, note: missing.includes(d) ? 'no_documents' : undefined });
    plan.epochs = { ...named };
  }
  for (const d of totals.keys()) {
    if (!rates.has(d)) rates.set(d, { rate: others === 'keep' ? 1 : 0, requested: null, note: `others_${others}` });
  }

  const domains: DomainPlan[] = [...rates.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([domain, r]) => ({
      domain,
      docs_in: totals.get(domain)?.docs ?? 0,
      tokens_in: tokensOf(domain),
      requested: r.requested,
      rate: r.rate,
      expected_tokens_out: r.rate * tokensOf(domain),
      target: 0,
      ...(r.note ? { note: r.note } : {}),
    }));
  const expected = domains.reduce((a, d) => a + d.expected_tokens_out, 0);
  for (const d of domains) d.target = expected > 0 ? d.expected_tokens_out / expected : 0;
  return {
    version: 1,
    mode,
    by: o.by,
    unit: o.tokens === 'words' ? 'words' : 'gpt2_tokens',
    seed: o.seed,
    ...plan,
    others,
    tokens_in: domains.reduce((a, d) => a + d.tokens_in, 0),
    expected_tokens_out: expected,
    missing_domains: missing,
    domains,
    warnings,
  };
}
