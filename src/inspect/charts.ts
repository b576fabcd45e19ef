// Charts of the inspect reports: Vega-Lite specs compiled to Vega and rendered to SVG strings in Node when
// the report is written (`View.toSVG()` needs no canvas and no browser), so the HTML carries finished SVG and
// no script library. Every mark gets an aria-label ("langid, dropped: 16"), which screen readers and the
// tests read. Vega is loaded on first use: it takes about half a second to import.
import type { TopLevelSpec } from 'vega-lite';

export type ChartSpec = TopLevelSpec;

type VegaModules = { vega: typeof import('vega'); vl: typeof import('vega-lite') };
let modules: Promise<VegaModules> | undefined;

function load(): Promise<VegaModules> {
  modules ??= Promise.all([import('vega'), import('vega-lite')]).then(([vega, vl]) => ({ vega, vl }));
  return modules;
}

export const KEPT_COLOR = '#3a7d44';
export const DROPPED_COLOR = '#c8553d';
const STAGE_COLORS = ['#d1495b', '#edae49', '#00798c', '#30638e', '#8d6a9f', '#e07a5f', '#6d597a', '#b56576', '#4d908e', '#f4a261', '#577590', '#9c6644', '#8a8a8a'];

/** one colour per status ('kept' green, then a colour per stage in pipeline order), the same in every chart */
export function statusScale(statuses: string[]): { domain: string[]; range: string[] } {
  const dropped = statuses.filter((s) => s !== 'kept');
  return { domain: ['kept', ...dropped], range: [KEPT_COLOR, ...dropped.map((_, i) => STAGE_COLORS[i % STAGE_COLORS.length]!)] };
}

const CONFIG = {
  font: 'Helvetica, Arial, sans-serif',
  background: '#ffffff',
  view: { stroke: null },
  axis: { labelFontSize: 11, titleFontSize: 12, labelLimit: 220, gridColor: '#eeeeee' },
  legend: { labelFontSize: 11, titleFontSize: 12, labelLimit: 200 },
  title: { fontSize: 14, anchor: 'start' as const },
};

/** the SVG of a Vega-Lite spec; the data must be inline (`data.values`): nothing is fetched */
export async function renderSvg(spec: ChartSpec): Promise<string> {
  const { vega, vl } = await load();
  const compiled = vl.compile({ ...spec, config: { ...CONFIG, ...(spec.config ?? {}) } } as TopLevelSpec).spec;
  // a loader that refuses everything: a report is rendered from inline data, never from the network or disk
  const loader = vega.loader();
  loader.load = async (uri: string) => {
    throw new Error(`inspect charts load no data (asked for ${uri})`);
  };
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', loader });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

const fmt = (n: number) => n.toLocaleString('en-US');

export interface FunnelBar {
  stage: string;
  order: number;
  /** what continues to the next stage */
  out: number;
  dropped: number;
}

/** documents (or tokens) through the stages: each stage's output and what it dropped, stacked */
export function funnelChart(rows: FunnelBar[], unit: string, title: string): ChartSpec {
  const values = rows.flatMap((r) => [
    { stage: r.stage, order: r.order, part: 'continues', n: r.out, desc: `${r.stage}, continues: ${fmt(r.out)} ${unit}` },
    { stage: r.stage, order: r.order, part: 'dropped', n: r.dropped, desc: `${r.stage}, dropped: ${fmt(r.dropped)} ${unit}` },
  ]);
  return {
    title,
    width: 400,
    height: { step: 22 },
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'stage', type: 'nominal', sort: { field: 'order', op: 'min' }, title: null },
      x: { field: 'n', type: 'quantitative', stack: 'zero', title: unit },
      color: { field: 'part', type: 'nominal', scale: { domain: ['continues', 'dropped'], range: [KEPT_COLOR, DROPPED_COLOR] }, title: null, legend: { orient: 'bottom' } },
      order: { field: 'part', sort: 'ascending' },
      description: { field: 'desc' },
      tooltip: [{ field: 'stage' }, { field: 'part' }, { field: 'n', format: ',' }],
    },
  } as ChartSpec;
}

/** documents dropped per stage and reason, one bar per reason, coloured by stage */
export function dropReasonsChart(rows: Array<{ stage: string; order: number; reason: string; docs: number }>, statuses: string[]): ChartSpec {
  const values = rows.map((r, i) => ({ label: `${r.stage}: ${r.reason}`, stage: r.stage, i, docs: r.docs, desc: `${r.stage}: ${r.reason}: ${fmt(r.docs)} documents` }));
  return {
    title: 'Documents dropped, by stage and reason',
    width: 320,
    height: { step: 18 },
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      y: { field: 'label', type: 'nominal', sort: { field: 'i', op: 'min' }, title: null, axis: { labelLimit: 420 } },
      x: { field: 'docs', type: 'quantitative', title: 'documents' },
      color: { field: 'stage', type: 'nominal', scale: statusScale(statuses), title: 'stage', legend: null },
      description: { field: 'desc' },
      tooltip: [{ field: 'stage' }, { field: 'label', title: 'reason' }, { field: 'docs', format: ',' }],
    },
  } as ChartSpec;
}

/** a pre-binned histogram (bins computed in DuckDB), stacked by status: kept or the stage that dropped it */
export function histogramChart(bins: Array<{ status: string; bin: string; order: number; docs: number }>, statuses: string[], opts: { title: string; xTitle: string; width?: number }): ChartSpec {
  const values = bins.map((b) => ({ ...b, desc: `${opts.xTitle} ${b.bin}, ${b.status === 'kept' ? 'kept' : `dropped by ${b.status}`}: ${fmt(b.docs)} documents` }));
  return {
    title: opts.title,
    width: opts.width ?? 340,
    height: 200,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'bin', type: 'ordinal', sort: { field: 'order', op: 'min' }, title: opts.xTitle, axis: { labelAngle: -40 } },
      y: { field: 'docs', type: 'quantitative', stack: 'zero', title: 'documents' },
      color: { field: 'status', type: 'nominal', scale: statusScale(statuses), title: 'kept / dropped by' },
      order: { field: 'status', sort: 'ascending' },
      description: { field: 'desc' },
      tooltip: [{ field: 'bin', title: opts.xTitle }, { field: 'status' }, { field: 'docs', format: ',' }],
    },
  } as ChartSpec;
}

/** grouped bars of shares per category (target vs achieved mix; documents vs tokens per domain) */
export function sharesChart(rows: Array<{ category: string; series: string; share: number }>, opts: { title: string; xTitle: string; series: string[] }): ChartSpec {
  const values = rows.map((r) => ({ ...r, desc: `${r.category}, ${r.series}: ${(100 * r.share).toFixed(1)}%` }));
  return {
    title: opts.title,
    width: { step: 18 * opts.series.length + 10 } as unknown as number,
    height: 200,
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'category', type: 'nominal', title: opts.xTitle, axis: { labelAngle: -30 } },
      xOffset: { field: 'series', type: 'nominal', sort: opts.series },
      y: { field: 'share', type: 'quantitative', axis: { format: '%' }, title: 'share' },
      color: { field: 'series', type: 'nominal', sort: opts.series, scale: { range: ['#30638e', '#edae49', '#3a7d44', '#8d6a9f'] }, title: null, legend: { orient: 'bottom' } },
      description: { field: 'desc' },
      tooltip: [{ field: 'category' }, { field: 'series' }, { field: 'share', format: '.1%' }],
    },
  } as ChartSpec;
}

/** lines over training steps, one colour per series ('train', 'val'...); a short series (validation) also gets its points */
export function lineChart(points: Array<{ step: number; value: number; series: string }>, opts: { title: string; yTitle: string; log?: boolean; width?: number }): ChartSpec {
  const series = [...new Set(points.map((p) => p.series))];
  const sizes = new Map(series.map((s) => [s, points.filter((p) => p.series === s).length]));
  const values = points.map((p) => ({ ...p, few: (sizes.get(p.series) ?? 0) <= 100, desc: `${p.series} ${opts.yTitle} at step ${p.step}: ${p.value}` }));
  const encoding = {
    x: { field: 'step', type: 'quantitative', title: 'step' },
    y: { field: 'value', type: 'quantitative', title: opts.yTitle, scale: opts.log ? { type: 'log' } : { zero: false } },
    color: { field: 'series', type: 'nominal', sort: series, scale: { range: ['#30638e', '#d1495b', '#3a7d44', '#edae49'] }, title: null, legend: series.length > 1 ? { orient: 'bottom' } : null },
    description: { field: 'desc' },
    tooltip: [{ field: 'series' }, { field: 'step' }, { field: 'value', format: '.4~g' }],
  };
  return {
    title: opts.title,
    width: opts.width ?? 420,
    height: 220,
    data: { values },
    encoding,
    layer: [{ mark: { type: 'line', strokeWidth: 1.5 } }, { mark: { type: 'point', filled: true, size: 22 }, transform: [{ filter: 'datum.few' }] }],
  } as ChartSpec;
}
