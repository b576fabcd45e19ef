// C4's bad-words rule (Raffel et al. 2020, section 2.2: "removed any page that contained any word on the
// List of Dirty, Naughty, Obscene or Otherwise Bad Words"), per language as DataTrove's C4BadWordsFilter
// (c4_filters.py) applies it, with the LDNOOBW lists shipped in data/wordlists/naughty-words/.
import fs from 'node:fs';
import { z } from 'zod';
import { FatalError } from '../../src/core/errors.js';
import { defineFilter, type FilterVerdict } from '../../src/core/stage.js';
import { dataPath } from '../../src/text/data-files.js';
import { uniformFromString } from '../../src/text/hash.js';

// DataTrove's _BADWORDS_ALLOWLIST: common sub-words of languages written without spaces, each of which
// alone filtered >10% of the documents of its language (from tensorflow_datasets' C4). DataTrove removes
// them from every list; so do we.
const ALLOWLIST = new Set(['sm', 'グロ', '女の子', '性']);
// languages without spaces between words: a bad word matches anywhere, not only between non-word characters
const NO_WORD_BOUNDARIES = new Set(['ja', 'th', 'zh']);
// codes our langid stage (fastText lid.176) gives for languages whose list has another name
const ALIASES: Record<string, string> = { tl: 'fil', nb: 'no' };

/** The options, as a pipeline's YAML gives them (the stage adds `annotate`). */
export const c4BadwordsOptions = z
  .object({
    /**
     * the fraction of pages with bad words kept anyway, chosen by a hash of the document id (so a rerun
     * keeps the same ones). DataTrove's default is 0.0 (C4 removed every such page).
     */
    keepFraction: z.number().min(0).max(1).default(0),
    /** seed of that choice */
    seed: z.number().int().default(0),
    /** the language of documents without meta.language (DataTrove: default_language "en") */
    defaultLanguage: z.string().min(2).default('en'),
    /** directory of <language>.json lists; default: the shipped LDNOOBW lists */
    wordlistDir: z.string().min(1).optional(),
  })
  .strict();

/**
 * A bad-words matcher for one language: a trie over the lower-cased entries, with dense child tables
 * for ASCII characters and a map for the others.
 */
export class BadWordsMatcher {
  /** node * 128 + ASCII code -> child node (0: none; the root is node 0) */
  private ascii: Int32Array;
  /** node * 0x10000 + code unit -> child node, for non-ASCII units */
  private readonly other = new Map<number, number>();
  /** 1 where a node ends an entry */
  private ends: Uint8Array;
  private nodes = 1;
  /** the first UTF-16 unit of some entry: every other position is skipped at once */
  private readonly startUnits = new Uint8Array(0x10000);
  readonly size: number;

  constructor(words: readonly string[], readonly anywhere: boolean) {
    const entries = [...new Set(words.map((w) => w.trim().toLowerCase()))].filter((w) => w && !ALLOWLIST.has(w));
    const maxNodes = entries.reduce((n, w) => n + w.length, 1);
    this.ascii = new Int32Array(maxNodes * 128);
    this.ends = new Uint8Array(maxNodes);
    for (const w of entries) {
      this.startUnits[w.charCodeAt(0)] = 1;
      let node = 0;
      for (let i = 0; i < w.length; i++) {
        const c = w.charCodeAt(i);
        let child = this.child(node, c);
        if (child === 0) {
          child = this.nodes++;
          if (c < 0x80) this.ascii[node * 128 + c] = child;
          else this.other.set(node * 0x10000 + c, child);
        }
        node = child;
      }
      this.ends[node] = 1;
    }
    this.size = entries.length;
  }

  private child(node: number, c: number): number {
    return c < 0x80 ? this.ascii[node * 128 + c]! : (this.other.get(node * 0x10000 + c) ?? 0);
  }

  /**
   * The first bad word in `text` (lower-cased here), or undefined. Outside ja/th/zh a match needs a
   * non-word character or the text's edge on both sides, as DataTrove's (?:\W|^)(...)(?:\W|$).
   */
  find(text: string): string | undefined {
    const s = text.toLowerCase();
    const n = s.length;
    const starts = this.startUnits;
    const ends = this.ends;
    const anywhere = this.anywhere;
    let prevWord = false;
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      // the second half of a surrogate pair is not a position of its own (Python sees one code point)
      if (c >= 0xdc00 && c <= 0xdfff && i > 0 && (s.charCodeAt(i - 1) & 0xfc00) === 0xd800) continue;
      const atBoundary = anywhere || !prevWord;
      prevWord = c < 0x80 ? ASCII_WORD[c] === 1 : isWordCharAt(s, i);
      if (!atBoundary || starts[c] === 0) continue;
      let node = this.child(0, c);
      let j = i + 1;
      while (node !== 0) {
        if (ends[node] === 1 && (anywhere || j === n || !isWordCharAt(s, j))) return s.slice(i, j);
        if (j >= n) break;
        node = this.child(node, s.charCodeAt(j));
        j++;
      }
    }
    return undefined;
  }
}

const ASCII_WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII_WORD[c] = /\w/.test(String.fromCharCode(c)) ? 1 : 0;

const WORD = /[\p{L}\p{N}_]/u;
// BMP characters classified on first sight: 0 not yet, 1 word, 2 not a word
const bmpWord = new Uint8Array(0x10000);

/** Python's \w: a letter, a number or "_" (marks are not word characters in Python's re) */
function isWordCode(c: number, s: string, i: number, len: number): boolean {
  if (c < 0x80) return (c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
  if (len === 1) {
    let k = bmpWord[c]!;
    if (k === 0) bmpWord[c] = k = WORD.test(String.fromCharCode(c)) ? 1 : 2;
    return k === 1;
  }
  return WORD.test(s.slice(i, i + len));
}
function isWordCharAt(s: string, i: number): boolean {
  const c = s.charCodeAt(i);
  const pair = c >= 0xd800 && c <= 0xdbff && i + 1 < s.length ? 2 : 1;
  return isWordCode(c, s, i, pair);
}
const matchers = new Map<string, BadWordsMatcher | null>();

/** the matcher of a language's list in `dir`, or null when there is no list for it */
export function badWordsMatcher(language: string, dir = dataPath('wordlists', 'naughty-words')): BadWordsMatcher | null {
  const key = `${dir}\u0000${language}`;
  const cached = matchers.get(key);
  if (cached !== undefined) return cached;
  let matcher: BadWordsMatcher | null = null;
  const candidates = [language, ALIASES[language], language.split(/[-_]/)[0]].filter((c): c is string => !!c);
  for (const code of candidates) {
    if (!/^[A-Za-z0-9-]+$/.test(code)) continue;
    const file = `${dir}/${code}.json`;
    if (!fs.existsSync(file)) continue;
    let words: unknown;
    try {
      words = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new FatalError(`c4_badwords: cannot read the word list ${file}: ${(e as Error).message}`, 'wordlistDir');
    }
    if (!Array.isArray(words) || !words.every((w) => typeof w === 'string')) {
      throw new FatalError(`c4_badwords: ${file} is not a JSON array of strings`, 'wordlistDir');
    }
    matcher = new BadWordsMatcher(words, NO_WORD_BOUNDARIES.has(code.split('-')[0]!));
    break;
  }
  matchers.set(key, matcher);
  return matcher;
}

export const c4Badwords = defineFilter({
  name: 'c4_badwords',
  description: "C4's bad-words rule: drop pages holding a word of the LDNOOBW list of their language (meta.language, default en)",
  options: c4BadwordsOptions,
  keep(doc, o, ctx): FilterVerdict {
    const language = typeof doc.meta.language === 'string' && doc.meta.language ? doc.meta.language : o.defaultLanguage;
    const matcher = badWordsMatcher(language, o.wordlistDir);
    if (!matcher) {
      // DataTrove raises unless fail_on_missing_language=False; a document is no reason to stop a run
      ctx.stats.inc(`missing_badwords_lang.${language}`);
      return { keep: true, values: { language, badword: null } };
    }
    const found = matcher.find(doc.text);
    if (found === undefined) return { keep: true, values: { language, badword: null } };
    ctx.stats.inc(`with_badwords.${language}`);
    if (o.keepFraction > 0 && uniformFromString(doc.id, o.seed) < o.keepFraction) {
      ctx.stats.inc('kept_with_badwords');
      return { keep: true, values: { language, badword: found, kept_by_fraction: true } };
    }
    return { keep: 'document_removed_with_badwords', values: { language, badword: found } };
  },
});
