// Target against achieved for a run with a mix stage: the reduce's plan (_global/<i>-mix/mix-report.json)
// beside the tokens the filter actually emitted per domain (stats.json: counters tokens_out.<domain>).
// `curate inspect` shows these rows.
import fs from 'node:fs';
import path from 'node:path';
import { MIX_REPORT, type MixPlan } from './plan.js';

export interface MixRow {
  domain: string;
  /** the share of the output's tokens the plan aims at (with others dropped: the targets, renormalised) */
  target: number;
  /** the share of the output's tokens this domain actually has */
  achieved: number;
  tokens_in: number;
  tokens_out: number;
  /** targets: the proportion asked for; epochs: the multiplier; null for a domain the mix does not name */
  requested: number | null;
  rate: number;
  expected_tokens_out: number;
}

export interface MixSummary {
  /** position of the mix stage in the pipeline */
  stage: number;
  mode: MixPlan['mode'];
  by: string;
  unit: MixPlan['unit'];
  seed: number;
  warnings: string[];
  rows: MixRow[];
}

interface StatsLike {
  stages?: Array<{ name?: string; counters?: Record<string, number> }>;
}

/** the mix stages of a run: [stage index, its directory], in pipeline order */
function mixDirs(runDir: string): Array<[number, string]> {
  const root = path.join(runDir, '_global');
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .flatMap((name): Array<[number, string]> => {
      const m = /^(\d+)-mix$/.exec(name);
      return m && fs.existsSync(path.join(root, name, MIX_REPORT)) ? [[Number(m[1]), path.join(root, name)]] : [];
    })
    .sort((a, b) => a[0] - b[0]);
}

/**
 * Target and achieved token shares per domain of the run's mix stage (the last one, or the one at
 * `stage`); empty when the run has none. Achieved comes from stats.json, so it counts what the
 * filter emitted, repeats included.
 */
export function mixSummary(runDir: string, stage?: number): MixSummary | undefined {
  const dirs = mixDirs(runDir);
  const found = stage === undefined ? dirs[dirs.length - 1] : dirs.find(([i]) => i === stage);
  if (!found) return undefined;
  const [index, dir] = found;
  const plan = JSON.parse(fs.readFileSync(path.join(dir, MIX_REPORT), 'utf8')) as MixPlan;
  const statsFile = path.join(runDir, 'stats.json');
  const stats: StatsLike = fs.existsSync(statsFile) ? (JSON.parse(fs.readFileSync(statsFile, 'utf8')) as StatsLike) : {};
  const counters = stats.stages?.[index]?.counters ?? {};
  const outOf = (d: string) => counters[`tokens_out.${d}`] ?? 0;
  const totalOut = plan.domains.reduce((a, d) => a + outOf(d.domain), 0);
  return {
    stage: index,
    mode: plan.mode,
    by: plan.by,
    unit: plan.unit,
    seed: plan.seed,
    warnings: plan.warnings,
    rows: plan.domains.map((d) => ({
      domain: d.domain,
      target: d.target,
      achieved: totalOut > 0 ? outOf(d.domain) / totalOut : 0,
      tokens_in: d.tokens_in,
      tokens_out: outOf(d.domain),
      requested: d.requested,
      rate: d.rate,
      expected_tokens_out: d.expected_tokens_out,
    })),
  };
}

/** the rows alone: {domain, target, achieved, tokens_in, tokens_out, ...}; [] for a run without a mix stage */
export function mixTargetRows(runDir: string, stage?: number): MixRow[] {
  return mixSummary(runDir, stage)?.rows ?? [];
}
