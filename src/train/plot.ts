// The loss curve of a run as <run>/loss.svg: training loss per logged step and validation loss, rendered
// by Vega-Lite when the `vega` and `vega-lite` packages are installed (the HTML report's renderer), else
// by the small SVG writer below (axes, two polylines, a legend), so the trainer needs neither.
import { writeFileAtomic } from '../io/atomic.js';

export interface CurvePoint {
  step: number;
  loss: number;
}

type VegaLite = { compile(spec: object): { spec: object } };
type Vega = { parse(spec: object): object; View: new (runtime: object, opts: { renderer: string }) => { toSVG(): Promise<string>; finalize(): void } };

async function importOptional(name: string): Promise<unknown> {
  return await import(name);
}

let vegaPair: Promise<{ vl: VegaLite; vega: Vega } | null> | undefined;

function loadVega(): Promise<{ vl: VegaLite; vega: Vega } | null> {
  vegaPair ??= (async () => {
    try {
      const vl = (await importOptional('vega-lite')) as VegaLite & { default?: VegaLite };
      const vega = (await importOptional('vega')) as Vega & { default?: Vega };
      return { vl: typeof vl.default?.compile === 'function' ? vl.default : vl, vega: typeof vega.default?.parse === 'function' ? vega.default : vega };
    } catch {
      return null;
    }
  })();
  return vegaPair;
}

/** which renderer writeLossCurve will use: 'vega-lite' or 'builtin' */
export async function plotRenderer(): Promise<'vega-lite' | 'builtin'> {
  return (await loadVega()) ? 'vega-lite' : 'builtin';
}

export async function writeLossCurve(file: string, train: CurvePoint[], val: CurvePoint[], title: string): Promise<void> {
  const v = await loadVega();
  let svg: string | undefined;
  if (v) {
    try {
      const values = [...train.map((p) => ({ ...p, split: 'train' })), ...val.map((p) => ({ ...p, split: 'val' }))].filter((p) => Number.isFinite(p.loss));
      const spec = {
        $schema: 'https://vega.github.io/schema/vega-lite/v5.json',
        title,
        width: 640,
        height: 320,
        data: { values },
        mark: { type: 'line', point: false },
        encoding: {
          x: { field: 'step', type: 'quantitative', title: 'step' },
          y: { field: 'loss', type: 'quantitative', title: 'loss (nats/token)', scale: { zero: false } },
          color: { field: 'split', type: 'nominal', title: null },
        },
      };
      const view = new v.vega.View(v.vega.parse(v.vl.compile(spec).spec), { renderer: 'none' });
      svg = await view.toSVG();
      view.finalize();
    } catch {
      svg = undefined; // a Vega that fails here falls back to the builtin plot
    }
  }
  writeFileAtomic(file, svg ?? builtinSvg(train, val, title));
}

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** a plain line chart: 640 x 320 plot area, ticks on both axes */
export function builtinSvg(train: CurvePoint[], val: CurvePoint[], title: string): string {
  const W = 720;
  const H = 400;
  const L = 60;
  const R = 20;
  const T = 40;
  const B = 50;
  const all = [...train, ...val].filter((p) => Number.isFinite(p.loss));
  const xs = all.map((p) => p.step);
  const ys = all.map((p) => p.loss);
  const x0 = Math.min(0, ...xs);
  const x1 = Math.max(1, ...xs);
  let y0 = ys.length ? Math.min(...ys) : 0;
  let y1 = ys.length ? Math.max(...ys) : 1;
  if (y1 - y0 < 1e-9) [y0, y1] = [y0 - 0.5, y1 + 0.5];
  const sx = (x: number) => L + ((x - x0) / (x1 - x0)) * (W - L - R);
  const sy = (y: number) => H - B - ((y - y0) / (y1 - y0)) * (H - T - B);
  const line = (pts: CurvePoint[], color: string) =>
    pts.length ? `<polyline fill="none" stroke="${color}" stroke-width="1.5" points="${pts.filter((p) => Number.isFinite(p.loss)).map((p) => `${sx(p.step).toFixed(1)},${sy(p.loss).toFixed(1)}`).join(' ')}"/>` : '';
  const ticks = (a: number, b: number) => Array.from({ length: 6 }, (_, i) => a + ((b - a) * i) / 5);
  const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toFixed(2));
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="11">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2}" y="20" text-anchor="middle" font-size="13">${esc(title)}</text>`,
    `<line x1="${L}" y1="${H - B}" x2="${W - R}" y2="${H - B}" stroke="black"/>`,
    `<line x1="${L}" y1="${T}" x2="${L}" y2="${H - B}" stroke="black"/>`,
    ...ticks(x0, x1).map((v) => `<text x="${sx(v).toFixed(1)}" y="${H - B + 15}" text-anchor="middle">${Math.round(v)}</text>`),
    ...ticks(y0, y1).map((v) => `<text x="${L - 5}" y="${(sy(v) + 4).toFixed(1)}" text-anchor="end">${fmt(v)}</text><line x1="${L}" y1="${sy(v).toFixed(1)}" x2="${W - R}" y2="${sy(v).toFixed(1)}" stroke="#eee"/>`),
    `<text x="${W / 2}" y="${H - 12}" text-anchor="middle">step</text>`,
    `<text x="15" y="${H / 2}" text-anchor="middle" transform="rotate(-90 15 ${H / 2})">loss (nats/token)</text>`,
    line(train, '#4c78a8'),
    line(val, '#f58518'),
    `<rect x="${W - R - 110}" y="${T}" width="100" height="36" fill="white" stroke="#ccc"/>`,
    `<line x1="${W - R - 100}" y1="${T + 12}" x2="${W - R - 80}" y2="${T + 12}" stroke="#4c78a8" stroke-width="2"/><text x="${W - R - 75}" y="${T + 16}">train</text>`,
    `<line x1="${W - R - 100}" y1="${T + 26}" x2="${W - R - 80}" y2="${T + 26}" stroke="#f58518" stroke-width="2"/><text x="${W - R - 75}" y="${T + 30}">val</text>`,
    '</svg>',
  ];
  return parts.join('\n') + '\n';
}
