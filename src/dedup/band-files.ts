// The LSH bucket files of MinHash dedup (issue 6, "band buckets sorted on disk"): per task and band, records
// [band key, document index, the band's rows] in sorted runs; the reduce merges every task's runs of a band
// into one sorted stream, so documents sharing a band's rows arrive together and memory holds only a
// buffer per run, whatever the corpus size (DataTrove's MinhashDedupBuckets merges its sorted signature
// files with a heap the same way).
import fs from 'node:fs';
import { bytesOf, openAtomic, type AtomicFile } from '../io/atomic.js';

/** records sorted in memory before a run is written: 14 bands x 16,384 x 40 bytes = 9 MB per task */
export const RUN_RECORDS = 16_384;

/** uint32 words per record: key, index, rows */
export function recordWords(rows: number): number {
  return 2 + rows;
}

/** compares two records of one array by key, then rows, then index */
function compareRecords(r: Uint32Array, x: number, y: number, words: number): number {
  const a = x * words;
  const c = y * words;
  if (r[a] !== r[c]) return r[a]! - r[c]!;
  for (let k = 2; k < words; k++) if (r[a + k] !== r[c + k]) return r[a + k]! - r[c + k]!;
  return r[a + 1]! - r[c + 1]!;
}

/** Writes one band's records of one task as sorted runs; `runs()` gives their lengths for the reduce. */
export class BandRunWriter {
  private readonly words: number;
  private readonly buf: Uint32Array;
  private readonly sorted: Uint32Array;
  private readonly order: Uint32Array;
  private pending = 0;
  private readonly runLengths: number[] = [];
  private readonly file: AtomicFile;

  constructor(file: string, rows: number, runRecords = RUN_RECORDS) {
    this.words = recordWords(rows);
    this.buf = new Uint32Array(runRecords * this.words);
    this.sorted = new Uint32Array(runRecords * this.words);
    this.order = new Uint32Array(runRecords);
    this.file = openAtomic(file);
  }

  add(key: number, index: number, signature: Uint32Array, from: number): void {
    const at = this.pending * this.words;
    this.buf[at] = key;
    this.buf[at + 1] = index;
    for (let k = 2; k < this.words; k++) this.buf[at + k] = signature[from + k - 2]!;
    if (++this.pending * this.words === this.buf.length) this.flush();
  }

  private flush(): void {
    const n = this.pending;
    if (n === 0) return;
    const w = this.words;
    const order = this.order.subarray(0, n);
    for (let i = 0; i < n; i++) order[i] = i;
    order.sort((x, y) => compareRecords(this.buf, x, y, w));
    for (let i = 0; i < n; i++) this.sorted.set(this.buf.subarray(order[i]! * w, order[i]! * w + w), i * w);
    this.file.write(bytesOf(this.sorted.subarray(0, n * w)));
    this.runLengths.push(n);
    this.pending = 0;
  }

  /** writes the last run and names the file; returns the run lengths in records */
  close(): number[] {
    this.flush();
    this.file.commit();
    return this.runLengths;
  }
}

/** one sorted run being read: a window of records in memory */
interface RunCursor {
  fd: number;
  /** next byte to read from the file, and records left to read */
  filePos: number;
  left: number;
  buf: Uint32Array;
  /** current record's offset in buf (in words) and the end of the loaded records */
  at: number;
  end: number;
  /** added to the record's index: the task's first global document number */
  base: number;
}

export interface BandSource {
  file: string;
  /** run lengths in records, in file order */
  runs: number[];
  /** the task's first global document number */
  base: number;
}

/**
 * Merges the sorted runs of every task for one band and calls `onBucket` with the global indexes
 * (ascending) of each group of two or more documents whose band rows are equal.
 */
export function mergeBand(sources: BandSource[], rows: number, onBucket: (members: number[]) => void, bufferBytes = 32 << 20): void {
  const words = recordWords(rows);
  const runCount = sources.reduce((a, s) => a + s.runs.length, 0);
  const windowRecords = Math.max(64, Math.min(4096, Math.floor(bufferBytes / Math.max(1, runCount) / (words * 4))));
  const cursors: RunCursor[] = [];
  const fds: number[] = [];
  try {
    for (const s of sources) {
      if (!s.runs.length) continue;
      const fd = fs.openSync(s.file, 'r');
      fds.push(fd);
      let pos = 0;
      for (const len of s.runs) {
        const c: RunCursor = { fd, filePos: pos, left: len, buf: new Uint32Array(windowRecords * words), at: 0, end: 0, base: s.base };
        pos += len * words * 4;
        if (refill(c, words)) cursors.push(c);
      }
    }
    // a binary heap of cursors ordered by their current record: key, rows, global index
    const less = (p: RunCursor, q: RunCursor): boolean => {
      const a = p.buf;
      const b = q.buf;
      if (a[p.at] !== b[q.at]) return a[p.at]! < b[q.at]!;
      for (let k = 2; k < words; k++) if (a[p.at + k] !== b[q.at + k]) return a[p.at + k]! < b[q.at + k]!;
      return p.base + a[p.at + 1]! < q.base + b[q.at + 1]!;
    };
    const heap = cursors;
    const down = (i: number) => {
      const n = heap.length;
      for (;;) {
        const l = 2 * i + 1;
        if (l >= n) return;
        const r = l + 1;
        const m = r < n && less(heap[r]!, heap[l]!) ? r : l;
        if (!less(heap[m]!, heap[i]!)) return;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    };
    for (let i = (heap.length >> 1) - 1; i >= 0; i--) down(i);
    const groupRows = new Uint32Array(words); // the current group's key and rows (index slot unused)
    let members: number[] = [];
    let open = false;
    while (heap.length) {
      const c = heap[0]!;
      const b = c.buf;
      let same = open && groupRows[0] === b[c.at];
      for (let k = 2; same && k < words; k++) same = groupRows[k] === b[c.at + k];
      if (!same) {
        if (members.length > 1) onBucket(members);
        members = [];
        groupRows.set(b.subarray(c.at, c.at + words));
        open = true;
      }
      members.push(c.base + b[c.at + 1]!);
      c.at += words;
      if (c.at >= c.end && !refill(c, words)) {
        const last = heap.pop()!;
        if (heap.length && last !== c) heap[0] = last;
        if (heap.length) down(0);
      } else down(0);
    }
    if (members.length > 1) onBucket(members);
  } finally {
    for (const fd of fds) fs.closeSync(fd);
  }
}

/** loads the next window of a run; false when the run is done */
function refill(c: RunCursor, words: number): boolean {
  if (c.left === 0) return false;
  const records = Math.min(c.left, c.buf.length / words);
  const bytes = records * words * 4;
  const view = new Uint8Array(c.buf.buffer, 0, bytes);
  let got = 0;
  while (got < bytes) {
    const n = fs.readSync(c.fd, view, got, bytes - got, c.filePos + got);
    if (n === 0) throw new Error(`band file ends early: expected ${bytes - got} more bytes at offset ${c.filePos + got}`);
    got += n;
  }
  c.filePos += bytes;
  c.left -= records;
  c.at = 0;
  c.end = records * words;
  return true;
}
