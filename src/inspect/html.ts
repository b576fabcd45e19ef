// The HTML of the inspect reports: one self-contained page (inline CSS, inline SVG charts, one small inline
// script for the sample browser's tabs and filters). Its Content-Security-Policy forbids every fetch, so a
// report opened from disk or mailed around never reaches the network.

export function esc(s: unknown): string {
  return String(s ?? '').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

export const num = (n: number | null | undefined, digits = 0): string =>
  n === null || n === undefined || Number.isNaN(n) ? '-' : n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export const pct = (n: number | null | undefined, digits = 1): string => (n === null || n === undefined || !Number.isFinite(n) ? '-' : `${(100 * n).toFixed(digits)}%`);

export interface Cell {
  /** shown (already escaped HTML when `html` is set) */
  text: string;
  html?: boolean;
  numeric?: boolean;
  /** data-field attribute, for tests and scripts */
  field?: string;
  title?: string;
}

export type CellLike = Cell | string | number | null;

function cell(c: CellLike): Cell {
  if (c === null) return { text: '-' };
  if (typeof c === 'number') return { text: num(c, Number.isInteger(c) ? 0 : 3), numeric: true };
  if (typeof c === 'string') return { text: c };
  return c;
}

/** a table; rows may carry data attributes (`data-stage="langid"`) for tests and scripts */
export function table(headers: string[], rows: Array<{ cells: CellLike[]; attrs?: Record<string, string> }>, attrs: Record<string, string> = {}): string {
  const a = (o: Record<string, string>) => Object.entries(o).map(([k, v]) => ` ${k}="${esc(v)}"`).join('');
  const head = `<thead><tr>${headers.map((h) => `<th>${esc(h)}</th>`).join('')}</tr></thead>`;
  const body = rows
    .map((r) => {
      const tds = r.cells
        .map(cell)
        .map((c) => `<td${c.numeric ? ' class="num"' : ''}${c.field ? ` data-field="${esc(c.field)}"` : ''}${c.title ? ` title="${esc(c.title)}"` : ''}>${c.html ? c.text : esc(c.text)}</td>`)
        .join('');
      return `<tr${a(r.attrs ?? {})}>${tds}</tr>`;
    })
    .join('\n');
  return `<table${a(attrs)}>${head}<tbody>\n${body}\n</tbody></table>`;
}

/** a chart: the rendered SVG in a figure named for tests (`data-chart`), with its caption */
export function figure(id: string, svg: string, caption?: string): string {
  return `<figure class="chart" data-chart="${esc(id)}">${svg}${caption ? `<figcaption>${esc(caption)}</figcaption>` : ''}</figure>`;
}

export interface Section {
  id: string;
  title: string;
  body: string;
}

const CSS = `
*{box-sizing:border-box}
body{font:14px/1.45 Helvetica,Arial,sans-serif;color:#1d1d1f;margin:0;background:#f6f6f4}
header{background:#1f2d3a;color:#fff;padding:18px 28px}
header h1{margin:0;font-size:20px}
header p{margin:4px 0 0;color:#c9d3dc;font-size:13px}
nav{position:sticky;top:0;background:#fff;border-bottom:1px solid #ddd;padding:8px 28px;z-index:2;font-size:13px}
nav a{margin-right:14px;color:#30638e;text-decoration:none}
main{padding:8px 28px 40px;max-width:1320px}
section{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:14px 18px;margin:16px 0}
section h2{margin:0 0 10px;font-size:17px}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:14px 0}
.card{background:#fff;border:1px solid #e2e2e2;border-radius:6px;padding:10px 14px;min-width:150px}
.card b{display:block;font-size:20px}
.card span{color:#666;font-size:12px}
.row{display:flex;flex-wrap:wrap;gap:18px;align-items:flex-start}
figure.chart{margin:6px 0;overflow-x:auto;width:fit-content;max-width:100%}
figure.chart svg{display:block}
figcaption{color:#666;font-size:12px;width:0;min-width:100%}
table{border-collapse:collapse;font-size:13px;margin:6px 0}
th,td{border-bottom:1px solid #eee;padding:3px 8px;text-align:left;vertical-align:top}
th{background:#fafafa;font-weight:600}
td.num{text-align:right;font-variant-numeric:tabular-nums}
.note{color:#8a5a00;background:#fff8e6;border-left:3px solid #edae49;padding:4px 10px;margin:6px 0;font-size:13px}
.muted{color:#777}
.snippet{white-space:pre-wrap;font-size:12.5px;background:#fafafa;border:1px solid #eee;padding:6px 8px;max-height:220px;overflow:auto;margin:4px 0}
details.sample{border:1px solid #e6e6e6;border-radius:5px;margin:6px 0;padding:4px 10px}
details.sample summary{cursor:pointer}
.tag{display:inline-block;border-radius:3px;padding:0 6px;font-size:12px;margin-right:6px;color:#fff}
.tag.kept{background:${'#3a7d44'}}
.tag.dropped{background:${'#c8553d'}}
pre.meta{font-size:12px;background:#f4f6f8;padding:6px 8px;overflow:auto;max-height:240px;margin:4px 0}
.controls{display:flex;gap:8px;align-items:center;flex-wrap:wrap;margin-bottom:8px}
.controls button{border:1px solid #bbb;background:#fff;border-radius:4px;padding:4px 12px;cursor:pointer}
.controls button.active{background:#1f2d3a;color:#fff;border-color:#1f2d3a}
.cluster td{max-width:480px}
`;

const SCRIPT = `
(function(){
  var tab='kept';
  var samples=[].slice.call(document.querySelectorAll('.sample'));
  var sel=document.getElementById('sample-filter');
  var q=document.getElementById('sample-search');
  var count=document.getElementById('sample-count');
  function apply(){
    var f=sel?sel.value:'';var s=q?q.value.toLowerCase():'';var n=0;
    samples.forEach(function(el){
      var ok=el.getAttribute('data-status')===tab;
      if(ok&&tab==='dropped'&&f){ok=(el.getAttribute('data-stage')+':'+el.getAttribute('data-reason'))===f||el.getAttribute('data-stage')===f;}
      if(ok&&s){ok=el.textContent.toLowerCase().indexOf(s)>=0;}
      el.hidden=!ok;if(ok)n++;
    });
    if(sel)sel.disabled=tab!=='dropped';
    if(count)count.textContent=n+' shown';
  }
  [].slice.call(document.querySelectorAll('.controls button[data-tab]')).forEach(function(b){
    b.addEventListener('click',function(){
      tab=b.getAttribute('data-tab');
      [].slice.call(document.querySelectorAll('.controls button[data-tab]')).forEach(function(x){x.classList.toggle('active',x===b);});
      apply();
    });
  });
  if(sel)sel.addEventListener('change',apply);
  if(q)q.addEventListener('input',apply);
  apply();
})();
`;

/** the whole page; nothing in it refers to anything outside it */
export function page(opts: { title: string; subtitle: string; cards: Array<{ label: string; value: string; field?: string }>; sections: Section[]; script?: boolean }): string {
  const nav = opts.sections.map((s) => `<a href="#${esc(s.id)}">${esc(s.title)}</a>`).join('');
  const cards = opts.cards.map((c) => `<div class="card"${c.field ? ` data-field="${esc(c.field)}"` : ''}><b>${esc(c.value)}</b><span>${esc(c.label)}</span></div>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="curate inspect">
<title>${esc(opts.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header><h1>${esc(opts.title)}</h1><p>${esc(opts.subtitle)}</p></header>
<nav>${nav}</nav>
<main>
<div class="cards">${cards}</div>
${opts.sections.map((s) => `<section id="${esc(s.id)}"><h2>${esc(s.title)}</h2>\n${s.body}\n</section>`).join('\n')}
</main>
${opts.script ? `<script>${SCRIPT}</script>` : ''}
</body>
</html>
`;
}
