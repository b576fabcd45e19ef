// `curate inspect <train dir>`: the training log (<train dir>/log.jsonl, one JSON object per line, written
// by `curate train`) as a table of last and best values and, with --report, curves of loss, perplexity,
// learning rate and tokens/s. Tolerant of what a line holds: any line with a numeric `step` is a point,
// every finite number on it a metric; a line that is not JSON is counted and skipped.
import fs from 'node:fs';
import path from 'node:path';
import { FatalError } from '../core/errors.js';
import { formatTable } from '../cli/table.js';
import { lineChart, renderSvg } from './charts.js';
import { esc, figure, num, page, table, type Section } from './html.js';

export const TRAIN_LOG = 'log.jsonl';

/** the log file of a training run directory (or the .jsonl itself), or undefined when `target` is not one */
export function trainLogOf(target: string): string | undefined {
  if (!fs.existsSync(target)) return undefined;
  if (fs.statSync(target).isFile()) return target.endsWith('.jsonl') ? target : undefined;
  const log = path.join(target, TRAIN_LOG);
  // a pipeline run's stats.json wins: inspect it as a run
  return fs.existsSync(log) && !fs.existsSync(path.join(target, 'stats.json')) ? log : undefined;
}

export interface TrainLog {
  file: string;
  /** lines with a numeric step: their finite numeric fields */
  points: Array<Record<string, number>>;
  /** lines without a step (a start line with the config, an end line...), the first few */
  events: Array<Record<string, unknown>>;
  lines: number;
  bad_lines: number;
}

export function readTrainLog(file: string): TrainLog {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new FatalError(`cannot read training log ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const log: TrainLog = { file, points: [], events: [], lines: 0, bad_lines: 0 };
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    log.lines++;
    let obj: unknown;
    try {
      obj = JSON.parse(line);
    } catch {
      log.bad_lines++; // a line cut by a crash or still being written
      continue;
    }
    if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) {
      log.bad_lines++;
      continue;
    }
    const o = obj as Record<string, unknown>;
    const step = o.step ?? o.iter ?? o.iteration;
    // `curate train` writes {event: 'start' | 'resume', step, parameters, model...}: a record, not a point
    if (typeof step !== 'number' || !Number.isFinite(step) || typeof o.event === 'string') {
      if (log.events.length < 10) log.events.push(o);
      continue;
    }
    const p: Record<string, number> = { step };
    for (const [k, v] of Object.entries(o)) if (typeof v === 'number' && Number.isFinite(v) && k !== 'iter' && k !== 'iteration') p[k] = v;
    log.points.push(p);
  }
  return log;
}

/** the metrics we know, under the names a log may use; the first name found wins */
const KNOWN: Array<{ metric: string; names: string[]; better: 'lower' | 'higher' | null }> = [
  { metric: 'loss', names: ['loss', 'train_loss'], better: 'lower' },
  { metric: 'val_loss', names: ['val_loss', 'eval_loss', 'valid_loss'], better: 'lower' },
  { metric: 'ppl', names: ['ppl', 'perplexity', 'train_ppl'], better: 'lower' },
  { metric: 'val_ppl', names: ['val_ppl', 'val_perplexity', 'eval_ppl'], better: 'lower' },
  { metric: 'lr', names: ['lr', 'learning_rate'], better: null },
  { metric: 'tokens_per_s', names: ['tokens_per_s', 'tok_per_s', 'tokens_per_sec', 'tokens_per_second'], better: 'higher' },
];
const NOT_PLOTTED = new Set(['step', 'time', 'timestamp', 'ts', 'epoch_time', 'unigram_val_ppl', 'unigram_val_loss']);
const MAX_EXTRA = 8;
const MAX_POINTS = 2000;

export interface Series {
  metric: string;
  /** the log's field it came from, or 'exp(loss)' where perplexity is derived */
  source: string;
  better: 'lower' | 'higher' | null;
  points: Array<{ step: number; value: number }>;
}

export interface MetricSummary {
  metric: string;
  source: string;
  points: number;
  last: number;
  last_step: number;
  best: number | null;
  best_step: number | null;
}

export interface TrainSummary {
  kind: 'train';
  log: string;
  lines: number;
  bad_lines: number;
  steps_logged: number;
  first_step: number | null;
  last_step: number | null;
  metrics: MetricSummary[];
  /** the fields beyond the known ones (plotted too) */
  extra_fields: string[];
  events: Array<Record<string, unknown>>;
}

function seriesOf(log: TrainLog, field: string): Array<{ step: number; value: number }> {
  return log.points.filter((p) => p[field] !== undefined).map((p) => ({ step: p.step!, value: p[field]! }));
}

/** every metric of the log as a series: the known ones (perplexity derived from loss where not logged), then the rest */
export function trainSeries(log: TrainLog): Series[] {
  const fields = new Set(log.points.flatMap((p) => Object.keys(p)));
  const out: Series[] = [];
  const used = new Set<string>();
  for (const k of KNOWN) {
    const name = k.names.find((n) => fields.has(n));
    if (name) {
      out.push({ metric: k.metric, source: name, better: k.better, points: seriesOf(log, name) });
      for (const n of k.names) used.add(n);
    }
  }
  // perplexity = exp(mean token cross-entropy) where the log gives only the loss
  for (const [ppl, loss] of [
    ['ppl', 'loss'],
    ['val_ppl', 'val_loss'],
  ] as const) {
    const l = out.find((s) => s.metric === loss);
    if (l && !out.some((s) => s.metric === ppl)) {
      const points = l.points.filter((p) => p.value < 50).map((p) => ({ step: p.step, value: Math.exp(p.value) }));
      if (points.length) out.push({ metric: ppl, source: `exp(${l.source})`, better: 'lower', points });
    }
  }
  const order = KNOWN.map((k) => k.metric);
  out.sort((a, b) => order.indexOf(a.metric) - order.indexOf(b.metric));
  const extra = [...fields].filter((f) => !used.has(f) && !NOT_PLOTTED.has(f)).sort();
  for (const f of extra) out.push({ metric: f, source: f, better: null, points: seriesOf(log, f) });
  return out;
}

export function summarizeTrain(log: TrainLog): TrainSummary {
  const series = trainSeries(log);
  const steps = log.points.map((p) => p.step!);
  const metrics = series
    .filter((s) => s.points.length)
    .map((s): MetricSummary => {
      const last = s.points[s.points.length - 1]!;
      let best: { step: number; value: number } | null = null;
      if (s.better) for (const p of s.points) if (!best || (s.better === 'lower' ? p.value < best.value : p.value > best.value)) best = p;
      return { metric: s.metric, source: s.source, points: s.points.length, last: last.value, last_step: last.step, best: best?.value ?? null, best_step: best?.step ?? null };
    });
  return {
    kind: 'train',
    log: log.file,
    lines: log.lines,
    bad_lines: log.bad_lines,
    steps_logged: new Set(steps).size,
    first_step: steps.length ? Math.min(...steps) : null,
    last_step: steps.length ? Math.max(...steps) : null,
    metrics,
    extra_fields: series.filter((s) => !KNOWN.some((k) => k.metric === s.metric)).map((s) => s.metric),
    events: log.events,
  };
}

/** a value as people read it: 4 significant digits, whole numbers from 1000 up (3714, 2.63, 0.0006) */
const g = (n: number | null): string => (n === null ? '' : Math.abs(n) >= 1000 ? String(Math.round(n)) : String(Number(n.toPrecision(4))));

export function formatTrainSummary(s: TrainSummary): string {
  const lines = [`training log ${s.log}: ${s.lines} lines, ${s.steps_logged} steps logged (${s.first_step ?? '-'} to ${s.last_step ?? '-'})${s.bad_lines ? `, ${s.bad_lines} unreadable lines skipped` : ''}`, ''];
  if (!s.metrics.length) lines.push('no metrics: no line has a numeric step');
  else
    lines.push(
      formatTable(
        ['metric', 'last', 'at step', 'best', 'at step', 'points'],
        s.metrics.map((m) => [m.source === m.metric ? m.metric : `${m.metric} (${m.source})`, g(m.last), m.last_step, g(m.best), m.best_step, m.points]),
      ),
    );
  return lines.join('\n');
}

/** at most MAX_POINTS points, evenly strided, the last one always kept */
function thin(points: Array<{ step: number; value: number }>): Array<{ step: number; value: number }> {
  if (points.length <= MAX_POINTS) return points;
  const stride = Math.ceil(points.length / MAX_POINTS);
  const out = points.filter((_, i) => i % stride === 0);
  if (out[out.length - 1] !== points[points.length - 1]) out.push(points[points.length - 1]!);
  return out;
}

export async function trainReportHtml(log: TrainLog, opts: { title?: string; generatedAt?: Date } = {}): Promise<string> {
  const s = summarizeTrain(log);
  const series = trainSeries(log);
  const by = (m: string) => series.find((x) => x.metric === m);
  const unigram = seriesOf(log, 'unigram_val_ppl');
  const chart = async (id: string, title: string, yTitle: string, parts: Array<[string, Series | undefined]>, log10 = false) => {
    const pts = parts.flatMap(([name, ser]) => (ser ? thin(ser.points).map((p) => ({ ...p, series: name })) : []));
    // a log scale needs positive values
    return pts.length ? figure(id, await renderSvg(lineChart(log10 ? pts.filter((p) => p.value > 0) : pts, { title, yTitle, log: log10 }))) : '';
  };
  const main = [
    await chart('loss', 'Loss', 'loss (nats/token)', [
      ['train', by('loss')],
      ['val', by('val_loss')],
    ]),
    await chart(
      'perplexity',
      'Perplexity',
      'perplexity',
      [
        ['train', by('ppl')],
        ['val', by('val_ppl')],
        // `curate train` logs the perplexity of a unigram model of the train tokens on the val set: the bar to clear
        ['unigram baseline (val)', unigram.length ? { metric: 'unigram_val_ppl', source: 'unigram_val_ppl', better: null, points: unigram } : undefined],
      ],
      true,
    ),
    await chart('lr', 'Learning rate', 'learning rate', [['lr', by('lr')]]),
    await chart('tokens-per-s', 'Throughput', 'tokens/s', [['tokens/s', by('tokens_per_s')]]),
  ].filter(Boolean);
  const extras: string[] = [];
  for (const f of s.extra_fields.slice(0, MAX_EXTRA)) extras.push(await chart(`extra-${f}`, f, f, [[f, by(f)]]));
  const thinned = series.some((x) => x.points.length > MAX_POINTS);
  const sections: Section[] = [
    {
      id: 'curves',
      title: 'Curves',
      body: `${main.length ? `<div class="row">${main.join('')}</div>` : '<p class="note">No loss, perplexity, learning rate or tokens/s in the log.</p>'}${thinned ? `<p class="muted">Series longer than ${MAX_POINTS} points are drawn with every k-th point (and the last).</p>` : ''}`,
    },
    {
      id: 'values',
      title: 'Last and best values',
      body: table(
        ['metric', 'from', 'last', 'at step', 'best', 'at step', 'points'],
        s.metrics.map((m) => ({
          attrs: { 'data-metric': m.metric },
          cells: [m.metric, m.source, { text: g(m.last), numeric: true, field: 'last' }, { text: num(m.last_step), numeric: true }, { text: g(m.best), numeric: true, field: 'best' }, { text: m.best_step === null ? '' : num(m.best_step), numeric: true }, { text: num(m.points), numeric: true }],
        })),
        { id: 'metrics-table' },
      ),
    },
  ];
  if (extras.length) sections.push({ id: 'other', title: 'Other logged values', body: `<div class="row">${extras.join('')}</div>${s.extra_fields.length > MAX_EXTRA ? `<p class="muted">${s.extra_fields.length - MAX_EXTRA} more fields not drawn: ${esc(s.extra_fields.slice(MAX_EXTRA).join(', '))}</p>` : ''}` });
  if (s.events.length) sections.push({ id: 'events', title: 'Other log lines', body: s.events.map((e) => `<pre class="meta">${esc(JSON.stringify(e, null, 1).slice(0, 4000))}</pre>`).join('') });
  const m = (k: string) => s.metrics.find((x) => x.metric === k);
  const cards: Array<{ label: string; value: string; field?: string }> = [{ label: 'last step', value: num(s.last_step), field: 'last_step' }];
  if (m('loss')) cards.push({ label: 'last train loss', value: g(m('loss')!.last), field: 'last_loss' });
  if (m('val_loss')) cards.push({ label: `best val loss (step ${m('val_loss')!.best_step})`, value: g(m('val_loss')!.best), field: 'best_val_loss' });
  if (m('val_ppl')) cards.push({ label: 'best val perplexity', value: g(m('val_ppl')!.best), field: 'best_val_ppl' });
  if (m('tokens_per_s')) cards.push({ label: 'last tokens/s', value: num(m('tokens_per_s')!.last), field: 'last_tokens_per_s' });
  if (s.bad_lines) cards.push({ label: 'unreadable log lines', value: num(s.bad_lines), field: 'bad_lines' });
  const generated = (opts.generatedAt ?? new Date()).toISOString().replace(/\.\d+Z$/, 'Z');
  return page({ title: opts.title ?? `curate inspect: training ${path.basename(path.dirname(path.resolve(log.file)))}`, subtitle: `${log.file} · ${s.lines} lines · report generated ${generated} by curate inspect`, cards, sections });
}
