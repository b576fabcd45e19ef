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
  // An explicit stack instead of recursion: real pages nest 10,000 levels deep at times.
  type Frame = { node: AnyNode; inPre: boolean; exit?: number };
  const stack: Frame[] = [];
  const visit = (node: AnyNode, inPre: boolean) => {
    if (node.type === 'text') {
      const data = (node as unknown as { data: string }).data;
      if (inPre) {
        data.split('\n').forEach((p, i) => {
          if (i > 0) flush(1);
          line += p;
        });
      } else line += data.replace(/\s+/g, ' ');
      return;
    }
    if (node.type !== 'tag' && node.type !== 'root') return;
    const el = node as Element;
    const name = el.name?.toLowerCase();
    if (name && SKIP.has(name)) return;
    if (name === 'br') {
      flush(1);
      return;
    }
    const block = name !== undefined && BLOCK.has(name);
    const level = block ? (PARAGRAPH.has(name) ? 2 : 1) : 0;
    if (block) flush(level);
    if ((name === 'td' || name === 'th') && line.trim()) line += ' | ';
    const pre = inPre || name === 'pre';
    stack.push({ node, inPre: pre, exit: level });
    const children = el.children ?? [];
    for (let i = children.length - 1; i >= 0; i--) stack.push({ node: children[i]!, inPre: pre });
  };
  const walk = (root: AnyNode) => {
    stack.push({ node: root, inPre: false });
    while (stack.length) {
      const f = stack.pop()!;
      if (f.exit !== undefined) {
        if (f.exit) flush(f.exit);
        continue;
      }
      visit(f.node, f.inPre);
    }
  };
  for (const n of nodes) walk(n);
  flush(0);
  return out.join('');
}
