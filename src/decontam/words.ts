// The words of a text as decontamination compares them, the same for eval sets and documents: lower
// case, diacritics folded, punctuation gone, split at everything else that is not a letter or a number.
// Each word is kept as a range of the original text (so a match can be cut out with its margin) and two
// independent 32-bit hashes, computed while scanning: no string is built per word.
//
// The rule, per character (UTF-16 unit, or code point for astral characters):
// - a letter, number or spacing mark (\p{L}, \p{N}, \p{Mc}, \p{Me}) is part of a word, lower-cased and with
//   its diacritics folded (NFD, nonspacing marks dropped: "Café" and "cafe" are one word, as DataTrove's
//   simplify_text does before its n-gram decontamination);
// - a Han, Hiragana or Katakana character is a word of its own (those scripts put no spaces between words,
//   so a run of them would otherwise be one "word" and never make a 13-gram);
// - apostrophes, full stops, commas, soft hyphens, zero-width characters and nonspacing marks are deleted
//   inside a word ("don't" -> "dont", "U.S." -> "us", "1,000" -> "1000"), as GPT-3's janitor deletes
//   string.punctuation before splitting on whitespace (EleutherAI lm-evaluation-harness, janitor.py);
// - everything else (whitespace, other punctuation, symbols, emoji, controls) ends a word, so "well-known"
//   and "well known" are the same two words.
import { fmix32 } from '../text/hash.js';

const SEPARATOR = 1;
const WORD = 2;
const DELETED = 3;
const IDEOGRAPH = 4;

const RE_WORD = /^[\p{L}\p{N}\p{Mc}\p{Me}]$/u;
const RE_IDEOGRAPH = /^[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]$/u;
const RE_NONSPACING = /^\p{Mn}$/u;
const RE_MARKS = /\p{Mn}/gu;
// deleted without ending a word: apostrophes and quotes used as apostrophes, full stop, comma, middle dot,
// soft hyphen, zero-width space / non-joiner / joiner, word joiner, BOM
const DELETED_CHARS = new Set("'’ʼ`´.,·\u00ad\u200b\u200c\u200d\u2060\ufeff");

// per BMP unit: its class (0: not yet computed) and the unit it folds to
const bmpClass = new Uint8Array(0x10000);
const bmpFold = new Uint16Array(0x10000);

/** lower case, NFD, nonspacing marks dropped; '' when nothing is left */
function foldString(ch: string): string {
  return ch.toLowerCase().normalize('NFD').replace(RE_MARKS, '');
}

function classify(c: number): number {
  const ch = String.fromCharCode(c);
  let k: number;
  let fold = c;
  if (DELETED_CHARS.has(ch) || RE_NONSPACING.test(ch)) k = DELETED;
  else if (RE_IDEOGRAPH.test(ch)) k = RE_WORD.test(ch) ? IDEOGRAPH : SEPARATOR;
  else if (RE_WORD.test(ch)) {
    k = WORD;
    const folded = foldString(ch);
    const lower = ch.toLowerCase();
    // a character that folds to more than one unit (Hangul syllables to jamo, "İ" to "i̇") keeps its
    // lower case when that is one unit, else itself
    if (folded.length === 1) fold = folded.charCodeAt(0);
    else if (folded.length === 0) k = DELETED;
    else if (lower.length === 1) fold = lower.charCodeAt(0);
  } else k = SEPARATOR;
  bmpClass[c] = k;
  bmpFold[c] = fold;
  return k;
}

const astralClass = new Map<number, number>();
function classifyAstral(cp: number): number {
  let k = astralClass.get(cp);
  if (k === undefined) {
    const ch = String.fromCodePoint(cp);
    if (RE_NONSPACING.test(ch)) k = DELETED;
    else if (!RE_WORD.test(ch)) k = SEPARATOR;
    else k = RE_IDEOGRAPH.test(ch) ? IDEOGRAPH : WORD;
    astralClass.set(cp, k);
  }
  return k;
}

/** murmur3's 32-bit finalizer (src/text/hash.ts), re-exported for the index */
export { fmix32 };

/** The words of one text: ranges of the original text and two hashes per word (valid until the next scan). */
export interface Words {
  count: number;
  /** [starts[i], ends[i]) is word i in the original text */
  starts: Int32Array;
  ends: Int32Array;
  /** two 32-bit hashes of the folded word: FNV-1a and a polynomial hash, each finalized (murmur3's fmix) with the length */
  hash1: Int32Array;
  hash2: Int32Array;
}

// Scratch buffers shared by every scan, grown on demand: documents are scanned one at a time.
const scratch: Words = { count: 0, starts: new Int32Array(1024), ends: new Int32Array(1024), hash1: new Int32Array(1024), hash2: new Int32Array(1024) };

function grow(): void {
  const size = scratch.starts.length * 2;
  const g = (a: Int32Array) => {
    const b = new Int32Array(size);
    b.set(a);
    return b;
  };
  scratch.starts = g(scratch.starts);
  scratch.ends = g(scratch.ends);
  scratch.hash1 = g(scratch.hash1);
  scratch.hash2 = g(scratch.hash2);
}

const FNV_OFFSET = 0x811c9dc5 | 0;
const FNV_PRIME = 0x01000193;
// the second lane: a polynomial (Horner) hash with an odd multiplier, a structure unlike FNV-1a's
const POLY_SEED = 0x2545f491;
const POLY_BASE = 0x2c1b3c6d;

/**
 * Scan `text` into words (see the rule at the top of this file). The result lives in shared buffers and
 * is valid until the next call.
 */
export function scanWords(text: string): Words {
  const len = text.length;
  // locals only inside the loop (a closure or module binding there costs a memory access per use)
  let starts = scratch.starts;
  let ends = scratch.ends;
  let hash1 = scratch.hash1;
  let hash2 = scratch.hash2;
  let capacity = starts.length - 1; // room for the word being closed at the end
  const classes = bmpClass;
  const folds = bmpFold;
  let count = 0;
  let inWord = false;
  let start = 0;
  let end = 0;
  let h1 = 0;
  let h2 = 0;
  let units = 0;
  for (let i = 0; i < len; i++) {
    const c = text.charCodeAt(i);
    let k: number;
    let u1 = c;
    let u2 = -1;
    if (c < 0xd800 || c > 0xdfff) {
      k = classes[c]! || classify(c);
      u1 = folds[c]!;
    } else if (c <= 0xdbff && i + 1 < len && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      u2 = text.charCodeAt(i + 1);
      k = classifyAstral((c - 0xd800) * 0x400 + (u2 - 0xdc00) + 0x10000);
    } else k = SEPARATOR; // a lone surrogate
    if (k === WORD) {
      if (!inWord) {
        inWord = true;
        start = i;
        h1 = FNV_OFFSET;
        h2 = POLY_SEED;
        units = 0;
      }
      h1 = Math.imul(h1 ^ u1, FNV_PRIME);
      h2 = (Math.imul(h2, POLY_BASE) + u1) | 0;
      units++;
      end = i + 1;
      if (u2 >= 0) {
        h1 = Math.imul(h1 ^ u2, FNV_PRIME);
        h2 = (Math.imul(h2, POLY_BASE) + u2) | 0;
        units++;
        end = ++i + 1;
      }
      continue;
    }
    if (k === DELETED) {
      if (u2 >= 0) i++;
      continue; // neither starts nor ends a word
    }
    if (count >= capacity) {
      grow();
      starts = scratch.starts;
      ends = scratch.ends;
      hash1 = scratch.hash1;
      hash2 = scratch.hash2;
      capacity = starts.length - 1;
    }
    // a separator or an ideograph ends the word being read
    if (inWord) {
      starts[count] = start;
      ends[count] = end;
      hash1[count] = fmix32(h1 ^ units);
      hash2[count] = fmix32(h2 ^ units);
      count++;
      inWord = false;
    }
    if (k === IDEOGRAPH) {
      // a word of its own
      let a = Math.imul(FNV_OFFSET ^ u1, FNV_PRIME);
      let b = (Math.imul(POLY_SEED, POLY_BASE) + u1) | 0;
      starts[count] = i;
      if (u2 >= 0) {
        a = Math.imul(a ^ u2, FNV_PRIME);
        b = (Math.imul(b, POLY_BASE) + u2) | 0;
        i++;
      }
      ends[count] = i + 1;
      const n = u2 >= 0 ? 2 : 1;
      hash1[count] = fmix32(a ^ n);
      hash2[count] = fmix32(b ^ n);
      count++;
    } else if (u2 >= 0) i++;
  }
  if (inWord) {
    starts[count] = start;
    ends[count] = end;
    hash1[count] = fmix32(h1 ^ units);
    hash2[count] = fmix32(h2 ^ units);
    count++;
  }
  scratch.count = count;
  return scratch;
}

/** the normalized words of `text` as strings (for meta and tests; the scan itself builds no strings) */
export function normalizedWords(text: string): string[] {
  const out: string[] = [];
  let word = '';
  const flush = () => {
    if (word) out.push(word);
    word = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      const pair = text.slice(i, i + 2);
      const k = classifyAstral(pair.codePointAt(0)!);
      if (k === WORD) word += pair;
      else if (k === IDEOGRAPH) {
        flush();
        out.push(pair);
      } else if (k === SEPARATOR) flush();
      i++;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      flush();
      continue;
    }
    const k = bmpClass[c] || classify(c);
    if (k === WORD) word += String.fromCharCode(bmpFold[c]!);
    else if (k === IDEOGRAPH) {
      flush();
      out.push(String.fromCharCode(c));
    } else if (k === SEPARATOR) flush();
  }
  flush();
  return out;
}

/**
 * true when a cut next to this unit could split a word: a letter or number of a spaced script, or half of
 * a surrogate pair (span removal widens its cuts past such units)
 */
export function insideWord(c: number): boolean {
  if (c >= 0xd800 && c <= 0xdfff) return true;
  return (bmpClass[c] || classify(c)) === WORD;
}
