// Word splitting shared by the heuristic filters (gopher_quality, gopher_repetition, fineweb_quality),
// consistent with DataTrove's English word tokenizer, so that word counts and ratios match its thresholds.
//
// DataTrove splits words with `load_word_tokenizer(language).word_tokenize(text)` (datatrove/utils/
// word_tokenizers.py; `split_into_words` in older utils/text.py). For English that is spaCy's rule-based
// tokenizer (`spacy.blank("en")`, assets/tokenizer_assignment.csv; NLTK's word_tokenize before), whose
// tokens are then stripped and the empty ones dropped. Both split punctuation off words ("end." ->
// "end", "."), split contractions ("don't" -> "do", "n't") and keep URLs, numbers and abbreviations
// whole. What follows is our own implementation of spaCy's English rules (prefixes, suffixes, infixes,
// a short list of exceptions), not a port, and not checked against spaCy itself (no Python here). Known
// differences: a much shorter exception list (abbreviations, emoticons), no unit suffixes other than %
// ("5km" stays one token), and every Python whitespace character separating words (spaCy splits on
// spaces and drops other whitespace tokens). Tokens are kept as ranges of the text with a hash each
// (tokensOf), so the filters read them without a string per word.
import { isPyWhitespace } from './python-str.js';

/**
 * DataTrove's PUNCTUATION (datatrove/utils/text.py): a "word" made only of these is a symbol, not a
 * word, for Gopher's word count and mean word length. It includes the C0/C1 control characters except
 * tab and line feed.
 */
export const PUNCTUATION_CHARS =
  '!/—”:％１〈&(、━\\【#%「」，】；+^]~“《„\';’{|∶´[=-`*．（–？！：$～«〉,><》)?）。…@_."}►»' +
  String.fromCharCode(...[[0, 9], [11, 13], [13, 32], [127, 160]].flatMap(([a, b]) => Array.from({ length: b! - a! }, (_, i) => a! + i)));
export const PUNCTUATION_SET: ReadonlySet<string> = new Set(PUNCTUATION_CHARS);
const isPunctuation = new Uint8Array(0x10000);
for (const ch of PUNCTUATION_CHARS) isPunctuation[ch.charCodeAt(0)] = 1;

/** a token made only of DataTrove's punctuation characters (Gopher does not count it as a word) */
export function isSymbolWord(word: string, a = 0, b = word.length): boolean {
  for (let i = a; i < b; i++) if (isPunctuation[word.charCodeAt(i)] === 0) return false;
  return true;
}

// Character classes, computed once per BMP character (a lazily filled table) so that splitting costs a
// few table reads per character.
const LETTER = 1;
const LOWER = 2;
const UPPER = 4;
const DIGIT = 8; // ASCII digits, as spaCy's [0-9]
const ICON = 16; // spaCy's LIST_ICONS: symbols (So) other than "°", split off as tokens of their own
const PREFIX = 32; // split off the front of a word
const SUFFIX = 64; // split off the end of a word
const PERIOD_AFTER = 128; // a final "." after it is split off (spaCy: (?<=[0-9{al}{e}{p}(?:{q})])\.)
const ASCII_ALNUM = 256;
const WHITESPACE = 512; // Python's str.isspace()
const SIMPLE = 1024; // no rule splits at it: a run of such characters is one word
const COMPUTED = 0x8000;

const RE_LETTER = /\p{L}/u;
const RE_LOWER = /\p{Ll}/u;
const RE_UPPER = /\p{Lu}/u;
const RE_ICON = /\p{So}/u;

// spaCy's LIST_PUNCT and LIST_QUOTES (spacy/lang/char_classes.py), split off either end of a word
const PUNCT = '…,:;!?¿؟¡()[]{}<>_#*&。？！，、；：～·।،۔؛٪' + '\'"”“`‘´’‚„»«「」『』（）〔〕【】《》〈〉〈〉⟦⟧';
// spaCy's single-character currency symbols, split off the front ("$100" -> "$", "100")
const CURRENCY = '$£€¥฿₽₴₠₡₢₣₤₥₦₧₨₩₪₫₭₮₯₰₱₲₳₵₶₷₸₹₺₻₼₾₿';
const PREFIX_CHARS = new Set(PUNCT + CURRENCY + '§%=—–');
const SUFFIX_CHARS = new Set(PUNCT + '—–');
const PERIOD_AFTER_CHARS = new Set(PUNCT + '%²-+');
// characters some rule looks at besides the prefix and suffix sets (infixes, contractions, URLs, exceptions)
const RULE_CHARS = new Set('.+-%\'’…:<>=/,*^~–—@');

function computeFlags(ch: string): number {
  let f = 0;
  if (RE_LETTER.test(ch)) f |= LETTER;
  if (RE_LOWER.test(ch)) f |= LOWER;
  if (RE_UPPER.test(ch)) f |= UPPER;
  if (ch.length === 1) {
    const c = ch.charCodeAt(0);
    if (c >= 0x30 && c <= 0x39) f |= DIGIT;
    if (c < 0x80 && (f & LETTER || f & DIGIT)) f |= ASCII_ALNUM;
  }
  if (ch !== '°' && ch.charCodeAt(0) >= 0x80 && RE_ICON.test(ch)) f |= ICON;
  if (PREFIX_CHARS.has(ch)) f |= PREFIX;
  if (SUFFIX_CHARS.has(ch)) f |= SUFFIX;
  if (PERIOD_AFTER_CHARS.has(ch)) f |= PERIOD_AFTER;
  const c = ch.charCodeAt(0);
  if (ch.length === 1 && isPyWhitespace(c)) f |= WHITESPACE;
  else if (!(f & (PREFIX | SUFFIX | ICON)) && !RULE_CHARS.has(ch) && !(c >= 0xd800 && c <= 0xdfff)) f |= SIMPLE;
  return f;
}

const bmpFlags = new Uint16Array(0x10000);

/** the class flags of a code point */
function flagsOf(cp: number): number {
  if (cp < 0x10000) {
    const f = bmpFlags[cp]!;
    if (f !== 0) return f & ~COMPUTED;
    const g = computeFlags(String.fromCharCode(cp));
    bmpFlags[cp] = g | COMPUTED;
    return g;
  }
  return computeFlags(String.fromCodePoint(cp));
}

/** Python's any(c.isalpha() for c in word), for word or word[a..b): a letter of any script */
export function hasAlpha(word: string, a = 0, b = word.length): boolean {
  for (let i = a; i < b; i++) {
    const c = word.charCodeAt(i);
    if (c < 0x80) {
      if ((c >= 0x61 && c <= 0x7a) || (c >= 0x41 && c <= 0x5a)) return true;
    } else if (c < 0xd800 || c > 0xdfff) {
      if ((bmpFlags[c] || flagsOf(c)) & LETTER) return true;
    } else if (c <= 0xdbff && i + 1 < b) {
      if (flagsOf(word.codePointAt(i)!) & LETTER) return true;
      i++;
    }
  }
  return false;
}

/** the code point at i (a lone surrogate is itself) */
function cpAt(s: string, i: number): number {
  return s.codePointAt(i) ?? 0;
}
/** the code point ending just before `end` */
function cpBefore(s: string, end: number): number {
  const c = s.charCodeAt(end - 1);
  if (c >= 0xdc00 && c <= 0xdfff && end >= 2) {
    const h = s.charCodeAt(end - 2);
    if (h >= 0xd800 && h <= 0xdbff) return (h - 0xd800) * 0x400 + (c - 0xdc00) + 0x10000;
  }
  return c;
}
const cpLength = (cp: number) => (cp > 0xffff ? 2 : 1);

/**
 * Abbreviations that keep their period, and emoticons kept whole (a short list in the spirit of
 * spaCy's English tokenizer exceptions). Compared lower-cased.
 */
const EXCEPTIONS: ReadonlySet<string> = new Set([
  'mr.', 'mrs.', 'ms.', 'dr.', 'st.', 'jr.', 'sr.', 'vs.', 'etc.', 'e.g.', 'i.e.', 'a.m.', 'p.m.', 'inc.', 'ltd.', 'co.',
  'corp.', 'mt.', 'no.', 'jan.', 'feb.', 'mar.', 'apr.', 'jun.', 'jul.', 'aug.', 'sep.', 'sept.', 'oct.', 'nov.', 'dec.',
  'gov.', 'sen.', 'rep.', 'prof.', 'gen.', 'col.', 'lt.', 'sgt.', 'capt.', 'rev.', 'messrs.', 'mass.', 'calif.', 'fla.',
  'ala.', 'ariz.', 'ark.', 'conn.', 'ga.', 'ill.', 'ind.', 'kan.', 'ky.', 'la.', 'md.', 'mich.', 'minn.', 'miss.', 'mo.',
  'neb.', 'nev.', 'okla.', 'ore.', 'pa.', 'tenn.', 'va.', 'wash.', 'wis.', 'n.y.', 'n.j.', 'd.c.', 'u.s.', 'u.k.',
  ':)', ':-)', ':(', ':-(', ';)', ';-)', ':d', ':p', ':-p', ':o', '<3', '</3', ':/', ':\'(', '^_^', '-_-', '=)', '(:', '):',
]);

const URL_LIKE = /^(?:[a-z][a-z0-9+.-]*:\/\/|www\.)[^\s]*$|^(?:[\p{L}\p{N}_-]+\.)+(?:com|org|net|edu|gov|io|co|uk|de|fr|info|biz|us|ca|au|ru|jp|cn|in|nl|es|it)(?::\d+)?(?:[/?#][^\s]*)?$/iu;
const EMAIL_LIKE = /^[\p{L}\p{N}._%+-]+@[\p{L}\p{N}.-]+\.\p{L}{2,}$/u;

/**
 * a cheap test before the URL expressions: a URL or e-mail address has a dot, and a URL followed by
 * punctuation ("see example.com.") first loses that punctuation as a suffix
 */
function mayBeUrl(s: string, a: number, b: number): boolean {
  // a "URL" of more than 2,048 characters is split like any word (and keeps the expressions' work small)
  if (b - a <= 3 || b - a > 2048) return false;
  let dot = false;
  for (let i = a + 1; i < b - 1; i++) {
    if (s.charCodeAt(i) === 0x2e) {
      dot = true;
      break;
    }
  }
  if (!dot) return false;
  const last = cpBefore(s, b);
  return last === 0x2f || (flagsOf(last) & (LETTER | DIGIT)) !== 0 || (last >= 0x30 && last <= 0x39);
}

function isWholeToken(s: string, a: number, b: number): boolean {
  if (b - a <= 8) {
    for (let i = a; i < b; i++) {
      const c = s.charCodeAt(i);
      // every exception holds one of . : ; < ^ = ( ) -
      if (c === 0x2e || c === 0x3a || c === 0x3b || c === 0x3c || c === 0x5e || c === 0x3d || c === 0x28 || c === 0x29 || c === 0x2d) {
        if (EXCEPTIONS.has(s.slice(a, b).toLowerCase())) return true;
        break;
      }
    }
  }
  return mayBeUrl(s, a, b) && URL_LIKE.test(s.slice(a, b));
}

/** length of the prefix to split off s[a..b), 0 if none */
function prefixLength(s: string, a: number, b: number): number {
  const c = s.charCodeAt(a);
  if (c === 0x2e) {
    // an ellipsis ".." or longer, not a single leading period (".net" stays)
    let j = a + 1;
    while (j < b && s.charCodeAt(j) === 0x2e) j++;
    return j - a >= 2 ? j - a : 0;
  }
  if (c === 0x2b) return a + 1 < b && s.charCodeAt(a + 1) >= 0x30 && s.charCodeAt(a + 1) <= 0x39 ? 0 : 1; // "+" unless a signed number
  if (c < 0x80 && flagsOf(c) & ASCII_ALNUM) return 0;
  const cp = cpAt(s, a);
  return flagsOf(cp) & (PREFIX | ICON) ? cpLength(cp) : 0;
}

/** length of the suffix to split off s[a..b), 0 if none */
function suffixLength(s: string, a: number, b: number): number {
  const n = b - a;
  const last = s.charCodeAt(b - 1);
  if (last < 0x80 && flagsOf(last) & ASCII_ALNUM) {
    // 's (the apostrophe checked below), else nothing
    if (n >= 3 && (last === 0x73 || last === 0x53)) {
      const q = s.charCodeAt(b - 2);
      if (q === 0x27 || q === 0x2019) return 2;
    }
    return 0;
  }
  if (last === 0x2e) {
    let j = b - 1;
    while (j > a && s.charCodeAt(j - 1) === 0x2e) j--;
    if (b - j >= 2) return b - j; // an ellipsis
    if (n === 1) return 0;
    const before = cpBefore(s, b - 1);
    const f = flagsOf(before);
    if (f & (DIGIT | LOWER | PERIOD_AFTER)) return 1;
    // two capitals before the period ("USA.") but not an initial ("J.", "U.S.")
    const b2 = b - 1 - cpLength(before);
    if (f & UPPER && b2 > a && flagsOf(cpBefore(s, b2)) & UPPER) return 1;
    return 0;
  }
  if ((last === 0x2b || last === 0x25) && n >= 2 && s.charCodeAt(b - 2) >= 0x30 && s.charCodeAt(b - 2) <= 0x39) return 1; // 5+, 100%
  const cp = cpBefore(s, b);
  return flagsOf(cp) & (SUFFIX | ICON) ? cpLength(cp) : 0;
}

const CONTRACTION = /^(\p{L}+)(n['’]t|['’](?:re|ve|ll|d|m))$/iu;
const HYPHENS = new Set([0x2d, 0x2013, 0x2014, 0x7e]);
const INFIX_SYMBOLS = new Set([0x3a, 0x3c, 0x3e, 0x3d, 0x2f]); // : < > = /

// Every token is a range of the text (even "do" + "n't" of "don't"), so tokens are kept as ranges:
// splitting allocates no strings. These growable buffers collect the ranges of the text being split.
let startsBuf = new Int32Array(4096);
let endsBuf = new Int32Array(4096);
let hashesBuf = new Int32Array(4096);
let count = 0;

function emit(a: number, b: number): void {
  if (count >= startsBuf.length) {
    const size = startsBuf.length * 2;
    const s2 = new Int32Array(size);
    const e2 = new Int32Array(size);
    const h2 = new Int32Array(size);
    s2.set(startsBuf);
    e2.set(endsBuf);
    h2.set(hashesBuf);
    startsBuf = s2;
    endsBuf = e2;
    hashesBuf = h2;
  }
  startsBuf[count] = a;
  endsBuf[count] = b;
  count++;
}

function isSimple(s: string, a: number, b: number): boolean {
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i);
    if (!((bmpFlags[c] || flagsOf(c)) & SIMPLE)) return false;
  }
  return true;
}

/** split text[a..b), a word without outer punctuation, at infixes (hyphens, slashes, ellipses... between letters) */
function splitInfixes(s: string, a: number, b: number): void {
  if (b - a === 6 && (s.charCodeAt(a) | 0x20) === 0x63 && s.slice(a, b).toLowerCase() === 'cannot') {
    emit(a, a + 3);
    emit(a + 3, b);
    return;
  }
  if (isSimple(s, a, b)) {
    emit(a, b);
    return;
  }
  if (mayBeUrl(s, a, b)) {
    const w = s.slice(a, b);
    if (URL_LIKE.test(w) || EMAIL_LIKE.test(w)) {
      emit(a, b);
      return;
    }
  }
  let apostrophe = false;
  for (let i = a + 1; i < b; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x27 || c === 0x2019) {
      apostrophe = true;
      break;
    }
  }
  if (apostrophe && b - a <= 64) {
    const contraction = CONTRACTION.exec(s.slice(a, b));
    if (contraction) {
      // "don't" -> "do", "n't"; "can't" -> "ca", "n't" (as spaCy and the Penn Treebank split them)
      const stem = contraction[1]!.length;
      emit(a, a + stem);
      emit(a + stem, b);
      return;
    }
  }
  let start = a;
  let i = a;
  while (i < b) {
    const c = s.charCodeAt(i);
    let sep = 0;
    if (c === 0x2e && i + 1 < b && s.charCodeAt(i + 1) === 0x2e) {
      sep = 2;
      while (i + sep < b && s.charCodeAt(i + sep) === 0x2e) sep++;
    } else if (c === 0x2026) sep = 1;
    else if (c >= 0x80 && flagsOf(cpAt(s, i)) & ICON) sep = cpLength(cpAt(s, i));
    else if (i > a && i + 1 < b && c < 0x80 && !(flagsOf(c) & ASCII_ALNUM)) {
      const prev = flagsOf(cpBefore(s, i));
      const next = flagsOf(cpAt(s, i + 1));
      if ((c === 0x2b || c === 0x2d || c === 0x2a || c === 0x5e) && prev & DIGIT && (next & DIGIT || s.charCodeAt(i + 1) === 0x2d)) sep = 1;
      else if (c === 0x2e && (prev & LOWER || s.charCodeAt(i - 1) === 0x22 || s.charCodeAt(i - 1) === 0x27) && next & UPPER) sep = 1;
      else if (c === 0x2c && prev & LETTER && next & LETTER) sep = 1;
      else if (INFIX_SYMBOLS.has(c) && prev & (LETTER | DIGIT) && next & LETTER) sep = 1;
    }
    if (sep === 0 && HYPHENS.has(c) && i > a) {
      // hyphens between a letter or digit and a letter ("well-known" -> "well", "-", "known")
      const prev = flagsOf(cpBefore(s, i));
      if (prev & (LETTER | DIGIT)) {
        let j = i + 1;
        while (j < b && j - i < 3 && s.charCodeAt(j) === c) j++;
        if (j < b && flagsOf(cpAt(s, j)) & LETTER) sep = j - i;
      }
    }
    if (sep > 0) {
      if (i > start) emit(start, i);
      emit(i, i + sep);
      i += sep;
      start = i;
    } else i++;
  }
  if (start < b) emit(start, b);
}

let suffixStack = new Int32Array(64);

/** tokens of the whitespace-free chunk text[a..b): prefixes, the core split at infixes, then suffixes */
function splitChunk(s: string, a: number, b: number): void {
  // the most common case: a plain word and one closing punctuation mark ("word," "word)")
  const last = s.charCodeAt(b - 1);
  if (b - a > 1 && (last === 0x2c || last === 0x3b || last === 0x21 || last === 0x3f || last === 0x29 || last === 0x22) && isSimple(s, a, b - 1)) {
    emit(a, b - 1);
    emit(b - 1, b);
    return;
  }
  const end = b;
  let suffixes = 0;
  while (a < b) {
    if (isWholeToken(s, a, b)) {
      emit(a, b);
      a = b;
      break;
    }
    const p = prefixLength(s, a, b);
    if (p > 0) {
      emit(a, a + p);
      a += p;
      continue;
    }
    const q = suffixLength(s, a, b);
    if (q > 0 && q < b - a) {
      if (suffixes >= suffixStack.length) {
        const grown = new Int32Array(suffixStack.length * 2);
        grown.set(suffixStack);
        suffixStack = grown;
      }
      suffixStack[suffixes++] = b - q;
      b -= q;
      continue;
    }
    if (q > 0) {
      // the whole rest is one suffix (a lone "'s")
      emit(a, b);
      a = b;
    }
    break;
  }
  if (a < b) splitInfixes(s, a, b);
  // the suffixes, innermost first: suffix k (peeled k-th, from the end) runs to where suffix k-1 starts
  for (let k = suffixes - 1; k >= 0; k--) emit(suffixStack[k]!, k === 0 ? end : suffixStack[k - 1]!);
}

/** the multiplier of wordHash: a polynomial over UTF-16 units, mod 2^32 */
const WORD_HASH_MUL = 0x2f0b3c6d;

/** a 32-bit hash of a word's characters (equal words, equal hashes), as Tokens.hashes holds them */
export function wordHash(w: string, a = 0, b = w.length): number {
  let h = 0;
  for (let k = a; k < b; k++) h = (Math.imul(h, WORD_HASH_MUL) + w.charCodeAt(k) + 1) | 0;
  return h;
}

/**
 * The words of a text as ranges of it, with a hash of each (wordHash): what the filters read, without
 * a string per word. Token i is text.slice(starts[i], ends[i]).
 */
export interface Tokens {
  readonly text: string;
  readonly count: number;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  readonly hashes: Int32Array;
}

/** split a text into token ranges (see the file header for the rules) */
function tokenize(text: string): Tokens {
  count = 0;
  const n = text.length;
  const table = bmpFlags;
  let i = 0;
  while (i < n) {
    // skip whitespace
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      const f = table[c] || flagsOf(c);
      if (!(f & WHITESPACE)) break;
    }
    if (i >= n) break;
    const start = i;
    let plain = true;
    let h = 0;
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      const f = table[c] || flagsOf(c);
      if (f & WHITESPACE) break;
      if (!(f & SIMPLE)) plain = false;
      h = (Math.imul(h, WORD_HASH_MUL) + c + 1) | 0;
    }
    if (plain && !(i - start === 6 && (text.charCodeAt(start) | 0x20) === 0x63 && text.slice(start, i).toLowerCase() === 'cannot')) {
      emit(start, i);
      hashesBuf[count - 1] = h;
    } else {
      const before = count;
      splitChunk(text, start, i);
      for (let k = before; k < count; k++) hashesBuf[k] = wordHash(text, startsBuf[k]!, endsBuf[k]!);
    }
  }
  return { text, count, starts: startsBuf.slice(0, count), ends: endsBuf.slice(0, count), hashes: hashesBuf.slice(0, count) };
}

// A document passes several filters in a row (gopher_repetition, gopher_quality, fineweb_quality): the
// tokens of the last few texts are kept so that each text is split once.
const CACHE_SIZE = 4;
const cachedTexts: string[] = [];
const cachedTokens: Tokens[] = [];

/** the tokens of a text, with a small cache of the last texts; shared: do not modify */
export function tokensOf(text: string): Tokens {
  for (let i = 0; i < cachedTexts.length; i++) if (cachedTexts[i] === text) return cachedTokens[i]!;
  const tokens = tokenize(text);
  if (cachedTexts.length >= CACHE_SIZE) {
    cachedTexts.shift();
    cachedTokens.shift();
  }
  cachedTexts.push(text);
  cachedTokens.push(tokens);
  return tokens;
}

/** the words of a text as DataTrove's English word tokenizer splits them (see the file header) */
export function splitWords(text: string): string[] {
  const t = tokensOf(text);
  const out = new Array<string>(t.count);
  for (let i = 0; i < t.count; i++) out[i] = text.slice(t.starts[i]!, t.ends[i]!);
  return out;
}

/** whether tokens i and j are the same string */
export function sameToken(t: Tokens, i: number, j: number): boolean {
  if (t.hashes[i] !== t.hashes[j]) return false;
  const a = t.starts[i]!;
  const b = t.starts[j]!;
  const len = t.ends[i]! - a;
  if (t.ends[j]! - b !== len) return false;
  const s = t.text;
  for (let k = 0; k < len; k++) if (s.charCodeAt(a + k) !== s.charCodeAt(b + k)) return false;
  return true;
}
