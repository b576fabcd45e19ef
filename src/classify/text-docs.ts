// Plain-text training files cut into documents: blank-line paragraphs accumulated into documents of about
// 2-4 KB (a classifier scores web pages of that size). WikiText files (` = Title = ` article headings,
// pre-tokenized with `@-@` joiners and `<unk>`) start a new document at each article and are detokenized
// first, or a model would learn WikiText's tokenization instead of "reference-like text".

export interface TextDocOptions {
  /** a document is emitted once it reaches this many characters */
  targetChars: number;
  /** a paragraph that would take a document past this starts the next one */
  maxChars: number;
  /** 'auto' recognizes WikiText by its headings and joiners */
  format: 'auto' | 'plain' | 'wikitext';
}

export const DEFAULT_TEXT_DOC_OPTIONS: TextDocOptions = { targetChars: 3000, maxChars: 4096, format: 'auto' };

const WIKI_ARTICLE = /^ ?= ([^=].*?) = ?$/;
const WIKI_SECTION = /^ ?(?:= ){2,}(.*?)(?: =){2,} ?$/;

/** WikiText as shipped (pytorch/examples, Salesforce's wikitext-2): article headings and `@-@` joiners */
export function looksLikeWikitext(sample: string): boolean {
  const lines = sample.split('\n').slice(0, 2000);
  const headings = lines.filter((l) => WIKI_ARTICLE.test(l) || WIKI_SECTION.test(l)).length;
  return headings >= 1 && /\s@[-.,]@\s|\s<unk>\s/.test(sample);
}

/** undo WikiText's tokenization: `@-@` joiners, spaces before punctuation and inside quotes and brackets, `<unk>` */
export function detokenizeWikitext(line: string): string {
  return line
    .replace(/ @([-.,])@ /g, '$1')
    .replace(/\s*<unk>\s*/g, ' ')
    .replace(/ ([.,;:!?%)\]}])/g, '$1')
    .replace(/([([{$]) /g, '$1')
    .replace(/ (n't|'s|'re|'ve|'ll|'d|'m)\b/gi, '$1')
    .replace(/" ([^"]*?) "/g, '"$1"')
    .replace(/ {2,}/g, ' ')
    .trim();
}

/** the documents of one plain-text file's content */
export function* splitTextDocuments(text: string, opts: Partial<TextDocOptions> = {}): Generator<string> {
  const o = { ...DEFAULT_TEXT_DOC_OPTIONS, ...opts };
  const wiki = o.format === 'wikitext' || (o.format === 'auto' && looksLikeWikitext(text.slice(0, 65536)));
  let doc: string[] = [];
  let chars = 0;
  const flush = function* (): Generator<string> {
    const out = doc.join('\n\n').trim();
    doc = [];
    chars = 0;
    if (out) yield out;
  };
  const add = function* (paragraph: string): Generator<string> {
    if (chars > 0 && chars + paragraph.length > o.maxChars) yield* flush();
    doc.push(paragraph);
    chars += paragraph.length + 2;
    if (chars >= o.targetChars) yield* flush();
  };
  // paragraphs: runs of non-blank lines; a heading opens the paragraph after it, so it is never cut from it
  let para: string[] = [];
  let heading: string | undefined;
  const endParagraph = function* (): Generator<string> {
    if (para.length) {
      yield* add((heading !== undefined ? heading + '\n' : '') + para.join('\n'));
      heading = undefined;
    }
    para = [];
  };
  for (const raw of text.split(/\r?\n/)) {
    if (!raw.trim()) {
      yield* endParagraph();
      continue;
    }
    if (wiki) {
      const section = WIKI_SECTION.exec(raw);
      const article = section ? null : WIKI_ARTICLE.exec(raw);
      if (article || section) {
        yield* endParagraph();
        // a new article: whatever was gathered of the last one is a document of its own
        if (article) yield* flush();
        const title = detokenizeWikitext((article ?? section)![1]!);
        heading = heading !== undefined && !article ? `${heading}\n${title}` : title;
        continue;
      }
      para.push(detokenizeWikitext(raw));
    } else para.push(raw.trimEnd());
  }
  yield* endParagraph();
  yield* flush();
}
