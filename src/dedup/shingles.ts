// Word n-gram shingles for MinHash near-duplicate detection (issue 6, pass 1: one signature per document):
// text normalized the way DataTrove's MinhashDedupSignature does it, each n-gram hashed to 32 bits.
//
// DataTrove (src/datatrove/pipeline/dedup/minhash.py, MinhashDedupSignature.get_shingles) computes
// `sha1_hash32(" ".join(g).encode())` for g in `nltk.ngrams(word_tokenize(simplify_text(text)), 5)`, with
// simplify_text from datatrove/utils/text.py: lower case, whitespace runs -> " ", DataTrove's PUNCTUATION
// characters removed, NFD then combining marks (category Mn) removed, digit runs -> "0". We mirror
// simplify_text (normalizeForDedup; up to the Unicode versions of V8's ICU and Python's unicodedata) and
// differ in two places, on purpose:
// - words are split on whitespace, not with NLTK's word_tokenize: after punctuation removal the two mostly
//   agree (NLTK would still split off the few symbols outside PUNCTUATION, e.g. "¿" or "·");
// - the hash is our own (murmur3-style, Math.imul over UTF-16 code units, combined per n-gram without
//   building the n-gram string), not SHA-1: far faster in JS, and signatures are only compared with
//   signatures made by this same code, so bit-compatibility with DataTrove's files is not a goal.
//   Normalization plus shingling runs at ~19k docs/s of ~2 KB per core (bench/minhash.ts), a third of a
//   signature's cost, so xxhash-wasm (not measured here) could gain little; this needs no dependency.
import { PUNCTUATION_CHARS } from '../text/words.js';
import { isPyWhitespace } from '../text/python-str.js';
import { fmix32 } from '../text/hash.js';

export interface ShingleOptions {
  /** words per shingle; 5 as DataTrove's MinhashConfig.n_grams */
  n?: number;
  /** seed of the shingle hash; signatures are only comparable when made with the same seed */
  seed?: number;
  /**
   * a document with fewer than n words (but at least one): 'whole' gives one shingle of all its words,
   * so exact short duplicates still meet; 'none' gives no shingle, which is what DataTrove does
   * (nltk.ngrams yields nothing, `shingles.size == 0`, and no signature is written: the document is
   * never a duplicate candidate)
   */
  shortDocs?: 'whole' | 'none';
}

export const DEFAULT_SHINGLE_WORDS = 5;

const isPunctuation = new Uint8Array(0x10000);
for (const ch of PUNCTUATION_CHARS) isPunctuation[ch.charCodeAt(0)] = 1;

// Unicode classes of BMP characters, filled lazily (one regex test per distinct character seen)
const MARK = 1; // category Mn: dropped after NFD, as DataTrove's `unicodedata.category(c) != "Mn"`
const DIGIT = 2; // category Nd: Python's \d in a str pattern, so "٢٠١٩" is a digit run too
const COMPUTED = 4;
const charClass = new Uint8Array(0x10000);
const RE_MARK = /^\p{Mn}$/u;
const RE_DIGIT = /^\p{Nd}$/u;
function classOf(code: number): number {
  let c = charClass[code]!;
  if (c === 0) {
    const ch = String.fromCharCode(code);
    c = COMPUTED | (RE_MARK.test(ch) ? MARK : 0) | (RE_DIGIT.test(ch) ? DIGIT : 0);
    charClass[code] = c;
  }
  return c;
}
function classOfAstral(codePoint: number): number {
  const ch = String.fromCodePoint(codePoint);
  return (RE_MARK.test(ch) ? MARK : 0) | (RE_DIGIT.test(ch) ? DIGIT : 0);
}

let stage1 = new Uint16Array(4096);
let stage2 = new Uint16Array(4096);
const utf16 = new TextDecoder('utf-16le');

/**
 * simplify_text into `stage2` (UTF-16 code units); returns its [start, end). Two passes over the code
 * units instead of DataTrove's five string rewrites: (1) lower-cased text with Python-whitespace runs as
 * one " ", PUNCTUATION dropped; (2) after NFD (skipped for ASCII, which it leaves unchanged), Mn dropped
 * and each run of Nd digits (runs are counted after the marks go, as in DataTrove) written as "0".
 */
function normalizeToBuffer(text: string): { start: number; end: number } {
  const lower = text.toLowerCase();
  const n = lower.length;
  if (stage1.length < n) stage1 = new Uint16Array(n * 2);
  let len = 0;
  let nonAscii = false;
  let pendingSpace = false;
  for (let i = 0; i < n; i++) {
    const c = lower.charCodeAt(i);
    if (isPyWhitespace(c)) {
      pendingSpace = true; // strip(): a run before the first kept character writes nothing
      continue;
    }
    if (pendingSpace) {
      if (len > 0) stage1[len++] = 32;
      pendingSpace = false;
    }
    if (isPunctuation[c] === 1) continue;
    if (c >= 0x80) nonAscii = true;
    stage1[len++] = c;
  }
  const decomposed = nonAscii ? utf16.decode(stage1.subarray(0, len)).normalize('NFD') : null;
  const m = decomposed ? decomposed.length : len;
  if (stage2.length < m) stage2 = new Uint16Array(m * 2);
  let out = 0;
  let inDigits = false;
  for (let i = 0; i < m; i++) {
    const c = decomposed ? decomposed.charCodeAt(i) : stage1[i]!;
    let cls: number;
    let units = 1;
    if (c < 0x80) cls = c >= 48 && c <= 57 ? DIGIT : 0;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < m) {
      const d = decomposed!.charCodeAt(i + 1);
      units = d >= 0xdc00 && d <= 0xdfff ? 2 : 1;
      cls = units === 2 ? classOfAstral(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000) : 0;
    } else cls = classOf(c);
    if (cls & MARK) {
      i += units - 1;
      continue;
    }
    if (cls & DIGIT) {
      if (!inDigits) stage2[out++] = 48;
      inDigits = true;
      i += units - 1;
      continue;
    }
    inDigits = false;
    stage2[out++] = c;
    if (units === 2) stage2[out++] = decomposed!.charCodeAt(++i);
  }
  let start = 0;
  while (start < out && stage2[start] === 32) start++;
  while (out > start && stage2[out - 1] === 32) out--;
  return { start, end: out };
}

/**
 * DataTrove's simplify_text with its default TextNormConfig (datatrove/utils/text.py), step for step:
 * lower case; strip and collapse whitespace to " "; remove PUNCTUATION; NFD and drop combining marks
 * (so "café" and "cafe" meet); digit runs -> "0" (so pages that differ only in dates and counts meet);
 * strip. Whitespace is Python's (str.isspace), not JavaScript's \s.
 */
export function normalizeForDedup(text: string): string {
  const { start, end } = normalizeToBuffer(text);
  return utf16.decode(stage2.subarray(start, end));
}

export { fmix32 };

/** murmur3 body step: mix one 32-bit block into the running hash */
function mixBlock(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** a 32-bit hash of s[a, b), UTF-16 code units taken two at a time (murmur3-style) */
function hashRange(s: Uint16Array, a: number, b: number, seed: number): number {
  let h = seed | 0;
  let i = a;
  for (; i + 1 < b; i += 2) h = mixBlock(h, s[i]! | (s[i + 1]! << 16));
  if (i < b) h = mixBlock(h, s[i]!);
  return fmix32(h ^ (b - a));
}

/** the words of normalized text: runs of non-space characters, as [start, end) offsets */
function wordRanges(t: Uint16Array, from: number, len: number, starts: Int32Array, ends: Int32Array): { count: number; starts: Int32Array; ends: Int32Array } {
  let count = 0;
  let i = from;
  while (i < len) {
    while (i < len && t[i] === 32) i++;
    if (i >= len) break;
    const s = i;
    while (i < len && t[i] !== 32) i++;
    if (count === starts.length) {
      const grow = (x: Int32Array) => {
        const y = new Int32Array(x.length * 2);
        y.set(x);
        return y;
      };
      starts = grow(starts);
      ends = grow(ends);
    }
    starts[count] = s;
    ends[count] = i;
    count++;
  }
  return { count, starts, ends };
}

let scratchStarts: Int32Array = new Int32Array(1024);
let scratchEnds: Int32Array = new Int32Array(1024);
let scratchWordHashes = new Int32Array(1024);

/**
 * The 32-bit hashes of the word n-gram shingles of a document's normalized text, one per n-gram
 * position (repeats kept: MinHash takes a minimum, so a repeated shingle changes nothing).
 * Empty (or all-punctuation) text gives no shingle; see ShingleOptions.shortDocs for fewer than n words.
 * A shingle's hash is a hash of its words' hashes, so n-gram strings are never built.
 */
export function shingleHashes(text: string, options: ShingleOptions = {}): Uint32Array {
  const { start, end } = normalizeToBuffer(text);
  return hashShingles(stage2, start, end, options);
}

/** shingleHashes for text already passed through normalizeForDedup */
export function shingleHashesOfNormalized(normalized: string, options: ShingleOptions = {}): Uint32Array {
  const units = new Uint16Array(normalized.length);
  for (let i = 0; i < units.length; i++) units[i] = normalized.charCodeAt(i);
  return hashShingles(units, 0, units.length, options);
}

function hashShingles(normalized: Uint16Array, from: number, to: number, options: ShingleOptions): Uint32Array {
  const n = options.n ?? DEFAULT_SHINGLE_WORDS;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`shingle size n must be a positive integer, got ${n}`);
  const seed = options.seed ?? 0;
  const words = wordRanges(normalized, from, to, scratchStarts, scratchEnds);
  scratchStarts = words.starts;
  scratchEnds = words.ends;
  const count = words.count;
  if (count === 0) return new Uint32Array(0);
  if (count < n && (options.shortDocs ?? 'whole') === 'none') return new Uint32Array(0);
  if (scratchWordHashes.length < count) scratchWordHashes = new Int32Array(scratchStarts.length);
  const wh = scratchWordHashes;
  for (let w = 0; w < count; w++) wh[w] = hashRange(normalized, scratchStarts[w]!, scratchEnds[w]!, seed);
  const width = Math.min(n, count);
  const out = new Uint32Array(count - width + 1);
  const shingleSeed = (seed ^ 0x9e3779b9) | 0;
  for (let s = 0; s < out.length; s++) {
    let h = shingleSeed;
    for (let k = 0; k < width; k++) h = mixBlock(h, wh[s + k]!);
    out[s] = fmix32(h ^ width);
  }
  return out;
}
