// Each document's shingle set on disk, for the candidate check after LSH (NeMo Curator's fuzzy dedup
// "false positive check"): two documents that share a band are kept as duplicates only if the exact
// Jaccard similarity of their shingle sets reaches the threshold. Per task: `<task>.shingles` holds the
// sorted distinct 32-bit shingle hashes of every document back to back, `<task>.shingle-offsets` where
// each document's set starts (uint32, in values; n + 1 entries). The reduce reads only the sets of
// candidates, by offset, so memory does not grow with the corpus.
import fs from 'node:fs';
import { bytesOf, openAtomic, type AtomicFile } from '../io/atomic.js';

export class ShingleSetWriter {
  private readonly sets: AtomicFile;
  private readonly offsets: AtomicFile;
  private readonly offsetBuf = new Uint32Array(4096);
  private pendingOffsets = 0;
  private written = 0;
  private docs = 0;

  constructor(setsFile: string, offsetsFile: string) {
    this.sets = openAtomic(setsFile);
    this.offsets = openAtomic(offsetsFile);
    this.pushOffset(0);
  }

  private pushOffset(at: number): void {
    this.offsetBuf[this.pendingOffsets++] = at;
    if (this.pendingOffsets === this.offsetBuf.length) {
      this.offsets.write(bytesOf(this.offsetBuf));
      this.pendingOffsets = 0;
    }
  }

  /** the set of document `index` (documents arrive in order; skipped indexes get empty sets) */
  add(index: number, shingles: Uint32Array): void {
    while (this.docs < index) this.addSet(new Uint32Array(0));
    this.addSet(shingles);
  }

  private addSet(shingles: Uint32Array): void {
    const set = sortedDistinct(shingles);
    if (this.written + set.length > 0xffffffff) throw new Error('shingle store: more than 2^32 shingles in one task; split the input into smaller files');
    this.sets.write(bytesOf(set));
    this.written += set.length;
    this.docs++;
    this.pushOffset(this.written);
  }

  /** pads the store to `docs` documents (trailing documents without a set) and names the files */
  close(docs: number): void {
    while (this.docs < docs) this.addSet(new Uint32Array(0));
    this.offsets.write(bytesOf(this.offsetBuf.subarray(0, this.pendingOffsets)));
    this.offsets.commit();
    this.sets.commit();
  }
}

export function sortedDistinct(values: Uint32Array): Uint32Array {
  const s = Uint32Array.from(values).sort();
  let n = 0;
  for (let i = 0; i < s.length; i++) if (i === 0 || s[i] !== s[n - 1]) s[n++] = s[i]!;
  return s.subarray(0, n);
}

/** the Jaccard similarity of two sorted distinct sets; two empty sets are not similar */
export function jaccardSorted(a: Uint32Array, b: Uint32Array): number {
  if (a.length === 0 || b.length === 0) return 0;
  let i = 0;
  let j = 0;
  let inter = 0;
  while (i < a.length && j < b.length) {
    const x = a[i]!;
    const y = b[j]!;
    if (x === y) {
      inter++;
      i++;
      j++;
    } else if (x < y) i++;
    else j++;
  }
  return inter / (a.length + b.length - inter);
}

export interface ShingleSource {
  setsFile: string;
  offsetsFile: string;
  /** the task's first global document number and its document count */
  base: number;
  docs: number;
}

/** Reads the shingle sets of documents by global index, with a small cache for bucket heads. */
export class ShingleSetReader {
  private readonly fds = new Map<number, { sets: number; offsets: number }>();
  private readonly cache = new Map<number, Uint32Array>();
  private readonly pair = new Uint32Array(2);

  constructor(
    private readonly sources: ShingleSource[],
    private readonly cacheSize = 4096,
  ) {}

  get(global: number): Uint32Array {
    const hit = this.cache.get(global);
    if (hit) return hit;
    let t = 0;
    let lo = 0;
    let hi = this.sources.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.sources[mid]!.base <= global) {
        t = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    const src = this.sources[t]!;
    const local = global - src.base;
    if (local < 0 || local >= src.docs) throw new RangeError(`document ${global} is in no task's shingle store`);
    let fd = this.fds.get(t);
    if (!fd) {
      fd = { sets: fs.openSync(src.setsFile, 'r'), offsets: fs.openSync(src.offsetsFile, 'r') };
      this.fds.set(t, fd);
    }
    readExactly(fd.offsets, new Uint8Array(this.pair.buffer), local * 4, src.offsetsFile);
    const [start, end] = [this.pair[0]!, this.pair[1]!];
    const set = new Uint32Array(end - start);
    readExactly(fd.sets, new Uint8Array(set.buffer), start * 4, src.setsFile);
    if (this.cache.size >= this.cacheSize) this.cache.clear();
    this.cache.set(global, set);
    return set;
  }

  close(): void {
    for (const fd of this.fds.values()) {
      fs.closeSync(fd.sets);
      fs.closeSync(fd.offsets);
    }
    this.fds.clear();
  }
}

function readExactly(fd: number, into: Uint8Array, position: number, file: string): void {
  let got = 0;
  while (got < into.length) {
    const n = fs.readSync(fd, into, got, into.length - got, position + got);
    if (n === 0) throw new Error(`${file}: ends early at byte ${position + got}`);
    got += n;
  }
}
