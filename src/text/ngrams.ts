// Duplicate and n-gram measures of Gopher's repetition rules (Rae et al. 2021, appendix A, table A1),
// computed as DataTrove's gopher_repetition_filter.py defines them, with hashed n-grams so the cost per
// document stays linear in its length (no n-gram string is built unless two hashes collide).

import { codePointLength } from './python-str.js';
import { sameToken, type Tokens } from './words.js';

/**
 * DataTrove's find_duplicates: how many elements repeat an earlier one, and their total length
 * (`len` counts characters the way Python's len does; see python-str.ts).
 */
export function findDuplicates(items: readonly string[], len: (s: string) => number): { count: number; chars: number } {
  const seen = new Set<string>();
  let count = 0;
  let chars = 0;
  for (const item of items) {
    if (seen.has(item)) {
      count++;
      chars += len(item);
    } else seen.add(item);
  }
  return { count, chars };
}

let segStarts = new Int32Array(256);
let segEnds = new Int32Array(256);
/**
 * An open-addressing table keyed by a pair of 32-bit hashes, reused across documents (its arrays
 * grow, never shrink) so the per-document cost is a fill, not an allocation. v = 0 marks a free slot.
 */
class PairHashTable {
  k1: Int32Array;
  k2: Int32Array;
  v: Int32Array;
  constructor(initial: number) {
    this.k1 = new Int32Array(initial);
    this.k2 = new Int32Array(initial);
    this.v = new Int32Array(initial);
  }
  /** empty the table for `entries` keys (load factor at most 1/2); returns the slot mask */
  reset(entries: number): number {
    let cap = 16;
    while (cap < entries * 2) cap *= 2;
    if (this.v.length < cap) {
      this.k1 = new Int32Array(cap);
      this.k2 = new Int32Array(cap);
      this.v = new Int32Array(cap);
    } else this.v.fill(0, 0, cap);
    return cap - 1;
  }
}

const segTable = new PairHashTable(512);

function sameRange(text: string, a: number, b: number, len: number): boolean {
  for (let k = 0; k < len; k++) if (text.charCodeAt(a + k) !== text.charCodeAt(b + k)) return false;
  return true;
}

/** Python len of text[a..b): code points when `surrogates`, else UTF-16 units */
function rangeLength(text: string, a: number, b: number, surrogates: boolean): number {
  if (!surrogates) return b - a;
  let n = b - a;
  for (let i = a; i < b - 1; i++) {
    if ((text.charCodeAt(i) & 0xfc00) === 0xd800 && (text.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n--;
      i++;
    }
  }
  return n;
}

/**
 * findDuplicates over the pieces of text[start..end) split at runs of at least `minBreak` line feeds
 * (re.split(r"\n+") for lines, r"\n{2,}" for paragraphs), without building the pieces: each is hashed
 * in place, equal hashes are checked character by character. Also returns how many pieces there are.
 */
export function findDuplicateSegments(
  text: string, start: number, end: number, minBreak: number, surrogates: boolean,
): { count: number; chars: number; segments: number } {
  // the pieces
  let segments = 0;
  let pieceStart = start;
  let i = start;
  while (i <= end) {
    if (i < end && text.charCodeAt(i) !== 0x0a) {
      i++;
      continue;
    }
    let j = i;
    while (j < end && text.charCodeAt(j) === 0x0a) j++;
    if (i === end || j - i >= minBreak) {
      if (segments >= segStarts.length) {
        const s2 = new Int32Array(segStarts.length * 2);
        const e2 = new Int32Array(segStarts.length * 2);
        s2.set(segStarts);
        e2.set(segEnds);
        segStarts = s2;
        segEnds = e2;
      }
      segStarts[segments] = pieceStart;
      segEnds[segments] = i;
      segments++;
      pieceStart = j;
      if (i === end) break;
    }
    i = j === i ? i + 1 : j;
  }
  const mask = segTable.reset(segments);
  const { k1: segK1, k2: segK2, v: segV } = segTable;
  let count = 0;
  let chars = 0;
  for (let k = 0; k < segments; k++) {
    const a = segStarts[k]!;
    const b = segEnds[k]!;
    let h1 = b - a;
    let h2 = 0x9747b28c | 0;
    for (let x = a; x < b; x++) {
      const c = text.charCodeAt(x);
      h1 = (Math.imul(h1, B1) + c) | 0;
      h2 = (Math.imul(h2 ^ c, B2) + 1) | 0;
    }
    let slot = (Math.imul(h1 ^ h2, 0x9e3779b1) >>> 7) & mask;
    for (;;) {
      const v = segV[slot]!;
      if (v === 0) {
        segK1[slot] = h1;
        segK2[slot] = h2;
        segV[slot] = k + 1;
        break;
      }
      if (segK1[slot] === h1 && segK2[slot] === h2) {
        const f = v - 1;
        const fa = segStarts[f]!;
        if (segEnds[f]! - fa === b - a && sameRange(text, fa, a, b - a)) {
          count++;
          chars += rangeLength(text, a, b, surrogates);
          break;
        }
      }
      slot = (slot + 1) & mask;
    }
  }
  return { count, chars, segments };
}

// N-grams are keyed by two 32-bit polynomial hashes (mod 2^32, two odd bases) of their words, kept in an
// open-addressing table of typed arrays. Equal keys are checked against the words themselves, and a true
// collision (different n-grams, equal hashes) falls back to string keys, so the results are exact.
//
// Work shrinks with n: an n-gram can only repeat if the (n-1)-grams... inside it repeat, so the
// positions examined for n are those whose shorter n-grams repeated (most text repeats few 5-grams).
//
// One knowing difference from DataTrove: its duplicated n-grams are the words joined with no separator
// ("".join), so ["ab", "c"] and ["a", "bc"] count as the same n-gram there; here n-grams are compared
// word by word, as its top n-grams (" ".join) are. The characters counted are DataTrove's: the words'
// characters for duplicated n-grams, plus one space between words for the top n-gram.
const B1 = 0x01000193;
const B2 = 0x5bd1e995;

/** B^k mod 2^32 for k up to what has been asked, grown on demand (shared by every document) */
let pow1 = new Int32Array([1]);
let pow2 = new Int32Array([1]);
function ensurePowers(k: number): void {
  if (pow1.length > k) return;
  const size = Math.max(k + 1, pow1.length * 2);
  const p1 = new Int32Array(size);
  const p2 = new Int32Array(size);
  p1.set(pow1);
  p2.set(pow2);
  for (let i = pow1.length; i < size; i++) {
    p1[i] = Math.imul(p1[i - 1]!, B1);
    p2[i] = Math.imul(p2[i - 1]!, B2);
  }
  pow1 = p1;
  pow2 = p2;
}

// Scratch buffers shared by every NGramIndex, grown on demand: a document's index is built and used
// synchronously, and allocating typed arrays per document costs more than the measures themselves.
let lenPrefixBuf = new Float64Array(1024);
let seq1Buf = new Int32Array(1024);
let seq2Buf = new Int32Array(1024);
let countsBuf = new Int32Array(1024);
let groupBuf = new Int32Array(1024);
let maskBuf = new Uint8Array(1024);
let candidatesBuf = new Int32Array(1024);
// open-addressing table: hash pair -> position + 1 (0: empty)
const ngramTable = new PairHashTable(2048);

function ensureBuffers(n: number): void {
  if (seq1Buf.length > n) return;
  const size = Math.max(n + 1, seq1Buf.length * 2);
  lenPrefixBuf = new Float64Array(size);
  seq1Buf = new Int32Array(size);
  seq2Buf = new Int32Array(size);
  countsBuf = new Int32Array(size);
  groupBuf = new Int32Array(size);
  maskBuf = new Uint8Array(size);
  candidatesBuf = new Int32Array(size);
}

/** the n-grams that occur more than once, and the most frequent one */
interface Repeats {
  /** start positions of every occurrence of a repeated n-gram, ascending */
  positions: Int32Array;
  /** the most frequent n-gram's first position and count (the first n-gram, count 1, if none repeats) */
  bestFirst: number;
  bestCount: number;
}

/**
 * The words of one document, prepared once for every n-gram measure. It lives in shared buffers: an
 * index is valid until the next one is built (documents are measured one at a time).
 */
export class NGramIndex {
  private readonly tokens: Tokens;
  private readonly n: number;
  private readonly repeats = new Map<number, Repeats>();

  /** the tokens of a document (words.ts tokensOf); `surrogates`: count characters as Python's len */
  constructor(tokens: Tokens, surrogates: boolean) {
    this.tokens = tokens;
    const n = tokens.count;
    this.n = n;
    const { starts, ends, hashes, text } = tokens;
    ensureBuffers(n);
    const lenPrefix = lenPrefixBuf;
    const seq1 = seq1Buf;
    const seq2 = seq2Buf;
    lenPrefix[0] = 0;
    seq1[0] = 0;
    seq2[0] = 0;
    // prefix hashes of the word sequence, each word standing for a hash of its characters
    let s1 = 0;
    let s2 = 0;
    let chars = 0;
    for (let i = 0; i < n; i++) {
      const wh = hashes[i]!;
      s1 = (Math.imul(s1, B1) + wh) | 0;
      s2 = (Math.imul(s2, B2) + (wh ^ 0x5a5a5a5a)) | 0;
      chars += surrogates ? codePointLength(text.slice(starts[i]!, ends[i]!)) : ends[i]! - starts[i]!;
      lenPrefix[i + 1] = chars;
      seq1[i + 1] = s1;
      seq2[i + 1] = s2;
    }
    ensurePowers(n);
  }

  /** the number of words */
  get size(): number {
    return this.n;
  }

  private words(i: number, n: number): string[] {
    const out: string[] = [];
    for (let k = i; k < i + n; k++) out.push(this.tokens.text.slice(this.tokens.starts[k]!, this.tokens.ends[k]!));
    return out;
  }

  /** characters of words[i..i+n) without separators */
  private chars(i: number, n: number): number {
    return lenPrefixBuf[i + n]! - lenPrefixBuf[i]!;
  }

  private sameWords(a: number, b: number, n: number): boolean {
    for (let k = 0; k < n; k++) if (!sameToken(this.tokens, a + k, b + k)) return false;
    return true;
  }

  /** the repeated n-grams: from the positions whose shorter n-grams repeat, or every position */
  private repeated(n: number): Repeats {
    const cached = this.repeats.get(n);
    if (cached) return cached;
    const total = this.n - n + 1;
    // candidates: n-grams whose first and last m-grams repeat, for the longest m < n already known
    let m = 0;
    for (const k of this.repeats.keys()) if (k < n && k > m) m = k;
    const candidates = candidatesBuf;
    let count = 0;
    if (m > 0) {
      const shorter = this.repeats.get(m)!.positions;
      const mask = maskBuf;
      mask.fill(0, 0, this.n);
      for (const p of shorter) mask[p] = 1;
      const shift = n - m;
      for (const p of shorter) if (p < total && mask[p + shift] === 1) candidates[count++] = p;
    } else {
      for (let i = 0; i < total; i++) candidates[i] = i;
      count = total;
    }
    const result = this.countCandidates(n, candidates, count) ?? this.countCandidatesByString(n, candidates, count);
    this.repeats.set(n, result);
    return result;
  }

  /** group the candidate n-grams by hash; undefined on a hash collision */
  private countCandidates(n: number, candidates: Int32Array, count: number): Repeats | undefined {
    const mask = ngramTable.reset(count);
    const { k1: k1s, k2: k2s, v: vs } = ngramTable;
    const counts = countsBuf;
    const groups = groupBuf;
    const p1 = pow1[n]!;
    const p2 = pow2[n]!;
    const h1s = seq1Buf;
    const h2s = seq2Buf;
    for (let c = 0; c < count; c++) {
      const i = candidates[c]!;
      const h1 = (h1s[i + n]! - Math.imul(h1s[i]!, p1)) | 0;
      const h2 = (h2s[i + n]! - Math.imul(h2s[i]!, p2)) | 0;
      let slot = (Math.imul(h1 ^ h2, 0x9e3779b1) >>> 7) & mask;
      for (;;) {
        const v = vs[slot]!;
        if (v === 0) {
          k1s[slot] = h1;
          k2s[slot] = h2;
          vs[slot] = i + 1;
          counts[i] = 1;
          groups[i] = i;
          break;
        }
        if (k1s[slot] === h1 && k2s[slot] === h2) {
          const first = v - 1;
          if (!this.sameWords(first, i, n)) return undefined;
          counts[first]!++;
          groups[i] = first;
          break;
        }
        slot = (slot + 1) & mask;
      }
    }
    return this.collect(candidates, count);
  }

  private countCandidatesByString(n: number, candidates: Int32Array, count: number): Repeats {
    const firstOf = new Map<string, number>();
    for (let c = 0; c < count; c++) {
      const i = candidates[c]!;
      const key = this.words(i, n).join(' ');
      const first = firstOf.get(key);
      if (first === undefined) {
        firstOf.set(key, i);
        countsBuf[i] = 1;
        groupBuf[i] = i;
      } else {
        countsBuf[first]!++;
        groupBuf[i] = first;
      }
    }
    return this.collect(candidates, count);
  }

  private collect(candidates: Int32Array, count: number): Repeats {
    let repeated = 0;
    for (let c = 0; c < count; c++) {
      const i = candidates[c]!;
      if (countsBuf[groupBuf[i]!]! >= 2) repeated++;
    }
    const positions = new Int32Array(repeated);
    let next = 0;
    let bestFirst = 0;
    let bestCount = 1;
    for (let c = 0; c < count; c++) {
      const i = candidates[c]!;
      const group = groupBuf[i]!;
      const k = countsBuf[group]!;
      if (k < 2) continue;
      positions[next++] = i;
      // ties go to the n-gram seen first (Counter.most_common keeps insertion order)
      if (group === i && k > bestCount) {
        bestCount = k;
        bestFirst = i;
      }
    }
    return { positions, bestFirst, bestCount };
  }

  /**
   * DataTrove's find_top_duplicate over get_n_grams(words, n): the characters of the most frequent
   * n-gram (words joined by one space) times its count; when nothing repeats, the first n-gram counts
   * once. 0 when there are fewer than n words (DataTrove skips the rule then).
   */
  topNGramChars(n: number): number {
    if (this.n - n + 1 <= 0) return 0;
    const r = this.repeated(n);
    return (this.chars(r.bestFirst, n) + (n - 1)) * r.bestCount;
  }

  /**
   * DataTrove's find_all_duplicate(words, n): walk the n-grams; one already seen adds its characters
   * (no separators) and the walk jumps n words ahead, so overlapping repeats count once; an unseen one
   * is remembered and the walk moves one word. N-grams jumped over are not remembered, as in DataTrove.
   * Only repeated n-grams can ever be seen again, so only they are looked at.
   */
  duplicatedNGramChars(n: number): number {
    if (this.n - n + 1 <= 0) return 0;
    const positions = this.repeated(n).positions;
    if (positions.length === 0) return 0;
    const mask = ngramTable.reset(positions.length);
    const { k1: k1s, k2: k2s, v: vs } = ngramTable;
    const p1 = pow1[n]!;
    const p2 = pow2[n]!;
    const h1s = seq1Buf;
    const h2s = seq2Buf;
    let repeated = 0;
    let idx = 0;
    for (const i of positions) {
      if (i < idx) continue; // jumped over
      const h1 = (h1s[i + n]! - Math.imul(h1s[i]!, p1)) | 0;
      const h2 = (h2s[i + n]! - Math.imul(h2s[i]!, p2)) | 0;
      let slot = (Math.imul(h1 ^ h2, 0x9e3779b1) >>> 7) & mask;
      let seen = false;
      for (;;) {
        const v = vs[slot]!;
        if (v === 0) {
          k1s[slot] = h1;
          k2s[slot] = h2;
          vs[slot] = i + 1;
          break;
        }
        // equal hashes of repeated n-grams: countCandidates has checked the words of such pairs, or
        // fell back to strings; a pair it never compared is compared here
        if (k1s[slot] === h1 && k2s[slot] === h2 && this.sameWords(v - 1, i, n)) {
          seen = true;
          break;
        }
        slot = (slot + 1) & mask;
      }
      if (seen) {
        repeated += this.chars(i, n);
        idx = i + n;
      } else idx = i + 1;
    }
    return repeated;
  }
}
