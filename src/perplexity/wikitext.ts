// WikiText-2 as the reference text of the perplexity model: its articles, with the corpus's tokenization
// undone (WikiText puts spaces around punctuation and writes `1 @,@ 000`, which web text never does, so a
// model trained on it as it is would score web pages high for their style alone), split by article into a
// training part and a held-out part by a hash of the title, so the same articles fall on the same side on
// every machine.
import crypto from 'node:crypto';

/**
 * Undo WikiText's tokenization: ` @-@ ` joiners, spaces before punctuation and inside brackets and quotes,
 * ` 's`. The rules are those of Megatron-LM's wikitext detokenizer (tasks/zeroshot_gpt/detokenizer.py),
 * written here again.
 */
export function detokenizeWikitext(s: string): string {
  return s
    .replace(/ @([-,.])@ /g, '$1')
    .replace(/ ([.,;:!?%])(?=\s|$)/g, '$1')
    .replace(/\( (.*?) \)/g, '($1)')
    .replace(/\[ (.*?) \]/g, '[$1]')
    .replace(/" (.*?) "/g, '"$1"')
    .replace(/ (['’]s|n't|['’]re|['’]ve|['’]ll|['’]d|['’]m)\b/g, '$1')
    .replace(/ ° /g, '°')
    .replace(/ +/g, ' ')
    .replace(/ ?\n ?/g, '\n')
    .trim();
}

export interface WikiArticle {
  title: string;
  /** the article's text, detokenized: `Title` heading, then paragraphs and `== Section ==` headings, blank-line separated */
  text: string;
}

/** the articles of a WikiText file: a top-level ` = Title = ` line starts one */
export function wikitextArticles(raw: string): WikiArticle[] {
  const out: WikiArticle[] = [];
  let cur: { title: string; lines: string[] } | undefined;
  const flush = () => {
    if (cur && cur.lines.length) out.push({ title: cur.title, text: cur.lines.join('\n\n') });
  };
  for (const line of raw.split('\n')) {
    const t = line.trim();
    if (!t) continue;
    const top = /^= ([^=].*[^=]) =$/.exec(t);
    if (top) {
      flush();
      cur = { title: detokenizeWikitext(top[1]!), lines: [detokenizeWikitext(top[1]!)] };
      continue;
    }
    const section = /^(=(?: =)+) (.*?) (?:= ?)+$/.exec(t);
    if (cur) cur.lines.push(section ? `${'='.repeat(section[1]!.split(' ').length)} ${detokenizeWikitext(section[2]!)} ${'='.repeat(section[1]!.split(' ').length)}` : detokenizeWikitext(t));
  }
  flush();
  return out;
}

/** held out: the articles whose sha1(title) is 0 mod `every` (1 in 5 by default: 15 of the 60 articles of WikiText-2 valid) */
export function isHeldOut(title: string, every = 5): boolean {
  return crypto.createHash('sha1').update(title).digest().readUInt32BE(0) % every === 0;
}
