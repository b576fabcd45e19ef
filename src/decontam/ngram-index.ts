// The index of eval-set n-grams that the decontaminate stage looks documents up in: each n-gram of
// normalized words (words.ts) hashed to 64 bits (two 32-bit lanes), kept as sorted arrays with a
// directory on the top bits of the first lane, so a lookup reads one directory slot (a small array that
// stays in cache) and one 64-byte line of keys. Three such tables: the n-grams of full-length entries; the
// whole short entries (fewer words than an n-gram); and those entries' first minEvalWords words (anchors),
// so a document is probed once per position for short entries too, and at their lengths only on an anchor hit.
// It is written to one file (a small JSON header, then the arrays) that every worker of a run reads.
import { fmix32, scanWords, type Words } from './words.js';

/** what one eval set gave the index */
export interface EvalSetInfo {
  name: string;
  /** entries read (lines, paragraphs, JSON values) */
  entries: number;
  /** entries of at least ngramWords words: every n-gram indexed */
  full: number;
  /** entries of minEvalWords..ngramWords-1 words: indexed whole, as one shorter n-gram */
  short: number;
  /** entries under minEvalWords words (or empty): nothing indexed */
  skipped: number;
  /** n-grams added (repeats included) */
  ngrams: number;
}

export interface IndexHeader {
  version: number;
  /** words per n-gram */
  ngramWords: number;
  minEvalWords: number;
  /** distinct n-grams of ngramWords words */
  count: number;
  /** distinct short entries (minEvalWords..ngramWords-1 words) */
  shortCount: number;
  /** distinct anchors: the first minEvalWords words of the short entries */
  anchorCount: number;
  /** bits of the first lane that pick a directory slot, in the three tables */
  dirBits: number;
  shortDirBits: number;
  anchorDirBits: number;
  /** the lengths of the short entries, ascending */
  shortLengths: number[];
  sets: EvalSetInfo[];
  /** what the index was built from (options and eval files), to tell a stale file */
  fingerprint: string;
}

const MAGIC = 'CURDECON';
export const INDEX_VERSION = 2;

// An n-gram's key is a polynomial (Rabin-Karp) hash of its words' hashes in each of two lanes, mod 2^32,
// then murmur3's finalizer: from prefix hashes, the key of any n-gram (any length) costs a few multiplies,
// however long the n-gram. The bases are odd and 3 mod 8, so B^k - 1 has at most 2 + log2(k) factors of two
// and even two n-grams that differ only by swapped words collide in one lane with p <= 2^-27 (2^-32 for
// unrelated ones); the lanes take independent word hashes (FNV-1a and murmur3, words.ts).
const BASE1 = 0x9e3779b3;
const BASE2 = 0x85ebca6b;
const LENGTH_SALT1 = 0x27d4eb2f;
const LENGTH_SALT2 = 0x165667b1;

const MAX_LENGTH = 64;
const pow1 = new Int32Array(MAX_LENGTH + 1);
const pow2 = new Int32Array(MAX_LENGTH + 1);
pow1[0] = 1;
pow2[0] = 1;
for (let k = 1; k <= MAX_LENGTH; k++) {
  pow1[k] = Math.imul(pow1[k - 1]!, BASE1);
  pow2[k] = Math.imul(pow2[k - 1]!, BASE2);
}

// prefix hashes of the words last prepared: prefix[j] is the hash of words[0..j)
let prefix1 = new Int32Array(1024);
let prefix2 = new Int32Array(1024);

/** fill the prefix hashes of `words` (valid until the next call) */
function preparePrefixes(words: Words): void {
  const count = words.count;
  if (prefix1.length < count + 1) {
    prefix1 = new Int32Array((count + 1) * 2);
    prefix2 = new Int32Array((count + 1) * 2);
  }
  const h1 = words.hash1;
  const h2 = words.hash2;
  let a = 0;
  let b = 0;
  prefix1[0] = 0;
  prefix2[0] = 0;
  for (let j = 0; j < count; j++) {
    a = (Math.imul(a, BASE1) + h1[j]!) | 0;
    b = (Math.imul(b, BASE2) + h2[j]!) | 0;
    prefix1[j + 1] = a;
    prefix2[j + 1] = b;
  }
}

/** lane 1 of the key of the prepared words [i, i+len) */
function lane1(i: number, len: number): number {
  return fmix32(((prefix1[i + len]! - Math.imul(prefix1[i]!, pow1[len]!)) | 0) ^ Math.imul(len, LENGTH_SALT1));
}
function lane2(i: number, len: number): number {
  return fmix32(((prefix2[i + len]! - Math.imul(prefix2[i]!, pow2[len]!)) | 0) ^ Math.imul(len, LENGTH_SALT2));
}

/** the key of words[i..i+len) into out[0], out[1] (both unsigned) */
export function ngramKey(words: Words, i: number, len: number, out: Uint32Array): void {
  preparePrefixes(words);
  out[0] = lane1(i, len);
  out[1] = lane2(i, len);
}

/** a match found in a document: word position, length in words and the eval set (index into header.sets) */
export interface NgramMatch {
  word: number;
  words: number;
  set: number;
}

// per position of the document being looked up: the entry of its key in a table, or -1
let hits1 = new Int32Array(4096);
let hits2 = new Int32Array(4096);

/**
 * Look up the key of every `len`-word n-gram of the prepared words in `table`; hits[i] is its entry or -1.
 * Returns the number of positions. Everything the loop reads is a local: V8 reloads module bindings and
 * fields on every iteration (about 2x slower, measured).
 */
function probe(count: number, len: number, table: KeyTable, hits: Int32Array): number {
  const positions = count - len + 1;
  const pre1 = prefix1;
  const pre2 = prefix2;
  const q1 = pow1[len]!;
  const q2 = pow2[len]!;
  const salt1 = Math.imul(len, LENGTH_SALT1);
  const salt2 = Math.imul(len, LENGTH_SALT2);
  const { dir, hi, lo, shift } = table;
  // A table larger than the caches costs a memory read (and a TLB miss) per probe. First a pass without
  // branches computes every first lane and loads its slot's first key: those loads are independent, so
  // the CPU keeps many in flight instead of waiting for each in turn behind the search's unpredictable
  // branches (measured: 1.35x faster on a 4 M n-gram index; on a cache-sized one it only adds work).
  if (table.prefetch) {
    if (keysBuf.length < positions) keysBuf = new Uint32Array(positions * 2);
    const keys = keysBuf;
    let touched = 0;
    for (let i = 0; i < positions; i++) {
      const k1 = fmix32(((pre1[i + len]! - Math.imul(pre1[i]!, q1)) | 0) ^ salt1);
      keys[i] = k1;
      touched ^= hi[dir[k1 >>> shift]!]!;
    }
    sink ^= touched;
  }
  for (let i = 0; i < positions; i++) {
    const k1 = fmix32(((pre1[i + len]! - Math.imul(pre1[i]!, q1)) | 0) ^ salt1);
    let found = -1;
    const slot = k1 >>> shift;
    const end = dir[slot + 1]!;
    for (let j = dir[slot]!; j < end; j++) {
      const h = hi[j]!;
      if (h < k1) continue;
      if (h > k1) break;
      // the second lane only for a first-lane hit: about one position in 2^32 / table size
      if (lo[j] === fmix32(((pre2[i + len]! - Math.imul(pre2[i]!, q2)) | 0) ^ salt2)) {
        found = j;
        break;
      }
    }
    hits[i] = found;
  }
  return positions;
}

let keysBuf = new Uint32Array(4096);
/** where the prefetch pass's loads go, so that they are not optimized away */
let sink = 0;
export function prefetchSink(): number {
  return sink;
}

function ensureHits(n: number): void {
  if (hits1.length >= n) return;
  hits1 = new Int32Array(n * 2);
  hits2 = new Int32Array(n * 2);
}

/** tables whose first lanes fill more than this take the prefetch pass (a typical L2 cache) */
const PREFETCH_ABOVE_BYTES = 1 << 20;

/** sorted 64-bit keys (two lanes) with the eval set of each, and a directory on the first lane's top bits */
export class KeyTable {
  readonly shift: number;
  constructor(
    /** dir[s]..dir[s+1]: the keys whose first lane's top dirBits bits are s (about 16 keys a slot) */
    readonly dir: Uint32Array,
    /** the keys' first lanes, sorted: a slot's keys are about one cache line */
    readonly hi: Uint32Array,
    /** their second lanes, read only when a first lane matches */
    readonly lo: Uint32Array,
    readonly setOf: Uint16Array,
    readonly dirBits: number,
  ) {
    this.shift = 32 - dirBits;
    this.prefetch = hi.byteLength > PREFETCH_ABOVE_BYTES;
  }

  /** whether lookups first touch their slots in a pass of their own (tables larger than the caches) */
  readonly prefetch: boolean;

  get count(): number {
    return this.hi.length;
  }

  get byteLength(): number {
    return this.dir.byteLength + this.hi.byteLength + this.lo.byteLength + this.setOf.byteLength;
  }

  /** the entry holding key (k1, k2), or -1 */
  find(k1: number, k2: number): number {
    const hi = this.hi;
    const slot = k1 >>> this.shift;
    const end = this.dir[slot + 1]!;
    for (let j = this.dir[slot]!; j < end; j++) {
      const h = hi[j]!;
      if (h < k1) continue;
      if (h > k1) break;
      if (this.lo[j] === k2) return j; // else another key with the same first lane: go on
    }
    return -1;
  }

  /** sort (hi, lo, set) triples, keep each key once with the first set that gave it, build the directory */
  static build(hi: Uint32Array, lo: Uint32Array, setOf: Uint16Array): KeyTable {
    const n = hi.length;
    const sorted = radixSort(hi, lo, setOf);
    let count = 0;
    const h = sorted.hi;
    const l = sorted.lo;
    const s = sorted.setOf;
    for (let j = 0; j < n; j++) {
      if (count > 0 && h[j] === h[count - 1] && l[j] === l[count - 1]) continue; // stable sort: the first set stays
      h[count] = h[j]!;
      l[count] = l[j]!;
      s[count] = s[j]!;
      count++;
    }
    // about 16 keys per directory slot: the directory (a quarter byte per key) stays in cache and a
    // slot's first lanes are about one 64-byte line; at most 2^24 slots (64 MiB)
    const dirBits = Math.max(1, Math.min(24, Math.round(Math.log2(Math.max(2, count / 16)))));
    const shift = 32 - dirBits;
    const slots = 2 ** dirBits;
    const dir = new Uint32Array(slots + 1);
    for (let j = 0; j < count; j++) dir[(h[j]! >>> shift) + 1]!++;
    for (let k = 0; k < slots; k++) dir[k + 1]! += dir[k]!;
    return new KeyTable(dir, h.slice(0, count), l.slice(0, count), s.slice(0, count), dirBits);
  }
}

export class NgramIndex {
  readonly header: IndexHeader;
  /** the n-grams of full-length entries */
  readonly full: KeyTable;
  /** the short entries, whole */
  readonly short: KeyTable;
  /** the short entries' first minEvalWords words: one probe per position says whether to try them */
  readonly anchors: KeyTable;
  private readonly shortLengthsDown: Int32Array;

  constructor(header: IndexHeader, full: KeyTable, short: KeyTable, anchors: KeyTable) {
    this.header = header;
    this.full = full;
    this.short = short;
    this.anchors = anchors;
    this.shortLengthsDown = Int32Array.from([...header.shortLengths].sort((x, y) => y - x));
  }

  /** distinct keys: n-grams and short entries */
  get size(): number {
    return this.full.count + this.short.count;
  }

  /** bytes of the arrays held in memory */
  get bytes(): number {
    return this.full.byteLength + this.short.byteLength + this.anchors.byteLength;
  }

  /**
   * Every position of `words` where an indexed n-gram (or a whole short entry) starts, in order: one
   * match per position, the longest. `limit` stops the search after that many matches.
   */
  matches(words: Words, limit = Infinity): NgramMatch[] {
    const out: NgramMatch[] = [];
    const count = words.count;
    const n = this.header.ngramWords;
    const anchor = this.header.minEvalWords;
    const withShort = this.short.count > 0 && count >= anchor;
    if ((this.full.count === 0 || count < n) && !withShort) return out;
    preparePrefixes(words);
    ensureHits(count);
    const fullHits = this.full.count > 0 && count >= n ? probe(count, n, this.full, hits1) : 0;
    // a short entry is looked for only where its first minEvalWords words (its anchor) match an anchor
    const anchorHits = withShort ? probe(count, anchor, this.anchors, hits2) : 0;
    const positions = Math.max(fullHits, anchorHits);
    for (let i = 0; i < positions; i++) {
      if (i < fullHits && hits1[i]! >= 0) out.push({ word: i, words: n, set: this.full.setOf[hits1[i]!]! });
      else if (i < anchorHits && hits2[i]! >= 0) {
        const lengths = this.shortLengthsDown;
        for (let l = 0; l < lengths.length; l++) {
          const len = lengths[l]!;
          if (i + len > count) continue;
          const e = this.short.find(lane1(i, len), lane2(i, len));
          if (e < 0) continue;
          out.push({ word: i, words: len, set: this.short.setOf[e]! });
          break;
        }
      } else continue;
      if (out.length >= limit) break;
    }
    return out;
  }

  /** the index as one file: magic, version, header length, JSON header, then the arrays (little-endian) */
  toBytes(): Uint8Array {
    const json = Buffer.from(JSON.stringify(this.header), 'utf8');
    const headBytes = align4(16 + json.length);
    const tables = [this.full, this.short, this.anchors];
    const total = headBytes + tables.reduce((n, t) => n + t.dir.byteLength + t.hi.byteLength + t.lo.byteLength + align4(t.setOf.byteLength), 0);
    const out = Buffer.alloc(total);
    out.write(MAGIC, 0, 'latin1');
    out.writeUInt32LE(INDEX_VERSION, 8);
    out.writeUInt32LE(json.length, 12);
    json.copy(out, 16);
    let at = headBytes;
    for (const t of tables) {
      for (const a of [t.dir, t.hi, t.lo, t.setOf]) {
        out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
        at += align4(a.byteLength);
      }
    }
    return out;
  }

  /** read an index file's bytes back; throws when they are not a whole index of this version */
  static fromBytes(bytes: Uint8Array): NgramIndex {
    const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    if (buf.length < 16 || buf.toString('latin1', 0, 8) !== MAGIC) throw new Error('not a decontamination index (bad magic)');
    const version = buf.readUInt32LE(8);
    if (version !== INDEX_VERSION) throw new Error(`decontamination index version ${version}, this code reads ${INDEX_VERSION}`);
    const jsonLength = buf.readUInt32LE(12);
    if (16 + jsonLength > buf.length) throw new Error('decontamination index cut short in its header');
    const header = JSON.parse(buf.toString('utf8', 16, 16 + jsonLength)) as IndexHeader;
    if (!(header.ngramWords >= 1 && header.ngramWords <= MAX_LENGTH) || header.shortLengths.some((l) => !(l >= 1 && l < header.ngramWords))) {
      throw new Error('decontamination index holds an n-gram length out of range');
    }
    const tableBytes = (count: number, dirBits: number) => 4 * (2 ** dirBits + 1) + 8 * count + align4(2 * count);
    const headBytes = align4(16 + jsonLength);
    const expected = headBytes + tableBytes(header.count, header.dirBits) + tableBytes(header.shortCount, header.shortDirBits) + tableBytes(header.anchorCount, header.anchorDirBits);
    if (buf.length !== expected) throw new Error(`decontamination index is ${buf.length} bytes, its header says ${expected}`);
    // typed arrays need aligned offsets: copy once if the bytes are not 4-aligned
    const base = buf.byteOffset % 4 === 0 ? buf : Buffer.from(buf);
    let at = base.byteOffset + headBytes;
    const table = (count: number, dirBits: number): KeyTable => {
      const slots = 2 ** dirBits + 1;
      const dir = new Uint32Array(base.buffer, at, slots);
      at += 4 * slots;
      const hi = new Uint32Array(base.buffer, at, count);
      at += 4 * count;
      const lo = new Uint32Array(base.buffer, at, count);
      at += 4 * count;
      const setOf = new Uint16Array(base.buffer, at, count);
      at += align4(2 * count);
      if (dir[slots - 1] !== count) throw new Error('decontamination index directory does not match its keys');
      return new KeyTable(dir, hi, lo, setOf, dirBits);
    };
    const full = table(header.count, header.dirBits);
    const short = table(header.shortCount, header.shortDirBits);
    const anchors = table(header.anchorCount, header.anchorDirBits);
    return new NgramIndex(header, full, short, anchors);
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

/** growable parallel arrays of keys and their sets */
class KeyList {
  hi = new Uint32Array(1 << 12);
  lo = new Uint32Array(1 << 12);
  setOf = new Uint16Array(1 << 12);
  size = 0;

  push(k1: number, k2: number, set: number): void {
    if (this.size === this.hi.length) {
      const grow = <T extends Uint32Array | Uint16Array>(a: T): T => {
        const b = new (a.constructor as new (n: number) => T)(a.length * 2);
        b.set(a);
        return b;
      };
      this.hi = grow(this.hi);
      this.lo = grow(this.lo);
      this.setOf = grow(this.setOf);
    }
    this.hi[this.size] = k1;
    this.lo[this.size] = k2;
    this.setOf[this.size] = set;
    this.size++;
  }

  table(): KeyTable {
    return KeyTable.build(this.hi.subarray(0, this.size), this.lo.subarray(0, this.size), this.setOf.subarray(0, this.size));
  }
}

/** Collects the n-grams of eval entries, then sorts them into an NgramIndex. */
export class NgramIndexBuilder {
  private readonly full = new KeyList();
  private readonly short = new KeyList();
  private readonly anchors = new KeyList();
  private readonly shortLengths = new Set<number>();
  readonly sets: EvalSetInfo[] = [];

  constructor(
    readonly ngramWords: number,
    readonly minEvalWords: number,
  ) {
    if (!(ngramWords >= 1 && ngramWords <= MAX_LENGTH)) throw new RangeError(`ngramWords must be 1..${MAX_LENGTH}, got ${ngramWords}`);
  }

  /** start the next eval set; entries added from now on belong to it */
  startSet(name: string): void {
    if (this.sets.length >= 0xffff) throw new Error('at most 65,535 eval sets');
    this.sets.push({ name, entries: 0, full: 0, short: 0, skipped: 0, ngrams: 0 });
  }

  /** add one eval entry (a question, a passage...) of the current set */
  add(text: string): void {
    const set = this.sets.length - 1;
    const info = this.sets[set];
    if (!info) throw new Error('startSet before add');
    info.entries++;
    const words = scanWords(text);
    const n = this.ngramWords;
    if (words.count >= n) {
      info.full++;
      preparePrefixes(words);
      for (let i = 0; i + n <= words.count; i++) this.full.push(lane1(i, n), lane2(i, n), set);
      info.ngrams += words.count - n + 1;
    } else if (words.count >= this.minEvalWords && words.count > 0) {
      // NeMo Curator's DownstreamTask._update_ngrams: an entry shorter than the n-gram is kept whole
      info.short++;
      this.shortLengths.add(words.count);
      preparePrefixes(words);
      this.short.push(lane1(0, words.count), lane2(0, words.count), set);
      this.anchors.push(lane1(0, this.minEvalWords), lane2(0, this.minEvalWords), set);
      info.ngrams++;
    } else info.skipped++;
  }

  finish(fingerprint: string): NgramIndex {
    const full = this.full.table();
    const short = this.short.table();
    const anchors = this.anchors.table();
    const header: IndexHeader = {
      version: INDEX_VERSION,
      ngramWords: this.ngramWords,
      minEvalWords: this.minEvalWords,
      count: full.count,
      shortCount: short.count,
      anchorCount: anchors.count,
      dirBits: full.dirBits,
      shortDirBits: short.dirBits,
      anchorDirBits: anchors.dirBits,
      shortLengths: [...this.shortLengths].sort((a, b) => a - b),
      sets: this.sets,
      fingerprint,
    };
    return new NgramIndex(header, full, short, anchors);
  }
}

/** LSD radix sort of (hi, lo) keys with their set ids, 16 bits a pass; stable, no BigInt */
function radixSort(hi: Uint32Array, lo: Uint32Array, setOf: Uint16Array): { hi: Uint32Array; lo: Uint32Array; setOf: Uint16Array } {
  const n = hi.length;
  let h = hi.slice();
  let l = lo.slice();
  let s = setOf.slice();
  let h2 = new Uint32Array(n);
  let l2 = new Uint32Array(n);
  let s2 = new Uint16Array(n);
  const counts = new Uint32Array(0x10000);
  for (let pass = 0; pass < 4; pass++) {
    const src = pass < 2 ? l : h;
    const shift = pass % 2 === 0 ? 0 : 16;
    counts.fill(0);
    for (let j = 0; j < n; j++) counts[(src[j]! >>> shift) & 0xffff]!++;
    let sum = 0;
    for (let d = 0; d < 0x10000; d++) {
      const c = counts[d]!;
      counts[d] = sum;
      sum += c;
    }
    for (let j = 0; j < n; j++) {
      const at = counts[(src[j]! >>> shift) & 0xffff]!++;
      h2[at] = h[j]!;
      l2[at] = l[j]!;
      s2[at] = s[j]!;
    }
    [h, h2] = [h2, h];
    [l, l2] = [l2, l];
    [s, s2] = [s2, s];
  }
  return { hi: h, lo: l, setOf: s };
}
