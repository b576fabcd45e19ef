// HTML (a domhandler tree, as htmlparser2 and cheerio build it) to plain text with block-aware
// newlines: paragraphs, headings, list items and table rows on lines of their own.
import type { AnyNode, Element } from 'domhandler';

const SKIP = new Set(['script', 'style', 'noscript', 'template', 'svg', 'canvas', 'iframe', 'object', 'head', 'select', 'button', 'input', 'textarea', 'form']);
const BLOCK = new Set([
  'address', 'article', 'aside', 'blockquote', 'body', 'dd', 'details', 'dialog', 'div', 'dl', 'dt', 'fieldset', 'figcaption', 'figure',
  'footer', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'header', 'hgroup', 'hr', 'html', 'li', 'main', 'nav', 'ol', 'p', 'pre', 'section',
  'summary', 'table', 'tbody', 'thead', 'tfoot', 'tr', 'ul', 'caption',
]);
const PARAGRAPH = new Set(['p', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'pre', 'blockquote', 'table', 'ul', 'ol', 'dl', 'figure']);

export function nodesToText(nodes: AnyNode[]): string {
  const out: string[] = [];
  let line = '';
  let pendingBreak = 0; // 0 none, 1 newline, 2 blank line
  const flush = (level: number) => {
    const t = line.replace(/[ \t\f\v\u00a0]+/g, ' ').trim();
    if (t) {
      if (out.length && pendingBreak) out.push(pendingBreak >= 2 ? '\n\n' : '\n');
      else if (out.length) out.push('\n');
      out.push(t);
      pendingBreak = 0;
    }
    line = '';
    pendingBreak = Math.max(pendingBreak, level);
  };
  const walk = (node: AnyNode, inPre: boolean) => {
    if (node.type === 'text') {
      const data = (node as unknown as { data: string }).data;
      if (inPre) {
        const parts = data.split('\n');
        parts.forEach((p, i) => {
          if (i > 0) flush(1);
          line += p;
        });
      } else line += data.replace(/\s+/g, ' ');
      return;
    }
    if (node.type !== 'tag' && node.type !== 'root' && node.type !== 'script' && node.type !== 'style') return;
    if (node.type === 'script' || node.type === 'style') return;
    const el = node as Element;
    const name = el.name?.toLowerCase();
    if (name && SKIP.has(name)) return;
    if (name === 'br') {
      flush(1);
      return;
    }
    const block = name !== undefined && BLOCK.has(name);
    if (block) flush(PARAGRAPH.has(name) ? 2 : 1);
    if (name === 'td' || name === 'th') line += line.trim() ? ' | ' : '';
    if (name === 'li') line += '';
    const pre = inPre || name === 'pre';
    for (const child of el.children ?? []) walk(child, pre);
    if (block) flush(PARAGRAPH.has(name) ? 2 : 1);
  };
  for (const n of nodes) walk(n, false);
  flush(0);
  return out.join('');
}
