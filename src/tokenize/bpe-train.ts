// Byte-level BPE training (GPT-2's scheme, as Hugging Face tokenizers' BpeTrainer does it): count the
// distinct pre-tokens, then merge the most frequent adjacent pair again and again, updating the pair
// counts of only the words that hold the merged pair.
import { FatalError } from '../core/errors.js';
import { gpt2SplitPattern } from './byte-level.js';
import { BpeTokenizer } from './bpe.js';
import { END_OF_TEXT } from './tokenizer.js';

export interface BpeTrainOptions {
  /** the final vocabulary: 256 bytes + merges + special tokens */
  vocabSize: number;
  /** appended after the merges, in order; <|endoftext|> is added when missing (as GPT-2, it is the last id) */
  specialTokens?: string[];
  /** a note every `progressEvery` merges */
  onProgress?(merges: number, total: number): void;
}

/** distinct pre-tokens of a text stream with their frequencies (the only pass over the corpus) */
export class PreTokenCounts {
  readonly counts = new Map<string, number>();
  bytes = 0;
  private readonly pattern = gpt2SplitPattern();

  add(text: string): void {
    this.bytes += Buffer.byteLength(text);
    const re = this.pattern;
    re.lastIndex = 0;
    const counts = this.counts;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) counts.set(m[0], (counts.get(m[0]) ?? 0) + 1);
  }
}

// A pair is keyed left * ID_SPACE + right (ids stay under 2^20, a million tokens).
const ID_SPACE = 2 ** 20;

/**
 * Candidate pairs by count, highest first. Tie-break: of pairs with the same count, the smaller key (the
 * smaller left id, then the smaller right id) wins, so training never depends on insertion order.
 */
class PairHeap {
  private counts = new Float64Array(1024);
  private keys = new Float64Array(1024);
  size = 0;

  private before(c1: number, k1: number, c2: number, k2: number): boolean {
    return c1 > c2 || (c1 === c2 && k1 < k2);
  }

  push(count: number, key: number): void {
    if (this.size === this.counts.length) {
      const c = new Float64Array(this.size * 2);
      c.set(this.counts);
      this.counts = c;
      const k = new Float64Array(this.size * 2);
      k.set(this.keys);
      this.keys = k;
    }
    let i = this.size++;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.before(count, key, this.counts[p]!, this.keys[p]!)) break;
      this.counts[i] = this.counts[p]!;
      this.keys[i] = this.keys[p]!;
      i = p;
    }
    this.counts[i] = count;
    this.keys[i] = key;
  }

  /** removes the top; its count and key are left in `count` and `key` */
  count = 0;
  key = 0;
  pop(): boolean {
    if (this.size === 0) return false;
    this.count = this.counts[0]!;
    this.key = this.keys[0]!;
    const n = --this.size;
    const lc = this.counts[n]!;
    const lk = this.keys[n]!;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && this.before(this.counts[r]!, this.keys[r]!, this.counts[l]!, this.keys[l]!) ? r : l;
      if (!this.before(this.counts[c]!, this.keys[c]!, lc, lk)) break;
      this.counts[i] = this.counts[c]!;
      this.keys[i] = this.keys[c]!;
      i = c;
    }
    if (n > 0) {
      this.counts[i] = lc;
      this.keys[i] = lk;
    }
    return true;
  }
}

/** train a byte-level BPE on pre-token counts; the same counts and options always give the same merges */
export function trainBpe(source: PreTokenCounts | Iterable<string>, opts: BpeTrainOptions): BpeTokenizer {
  let pre: PreTokenCounts;
  if (source instanceof PreTokenCounts) pre = source;
  else {
    pre = new PreTokenCounts();
    for (const t of source) pre.add(t);
  }
  const specials = [...(opts.specialTokens ?? [])];
  if (!specials.includes(END_OF_TEXT)) specials.push(END_OF_TEXT);
  if (new Set(specials).size !== specials.length) throw new FatalError(`special tokens repeat: ${specials.join(', ')}`);
  const target = opts.vocabSize - specials.length;
  if (!Number.isInteger(opts.vocabSize) || target < 256) throw new FatalError(`vocab size must be an integer of at least ${256 + specials.length} (256 bytes + ${specials.length} special), got ${opts.vocabSize}`, 'vocabSize');
  if (opts.vocabSize >= ID_SPACE) throw new FatalError(`vocab size must be under ${ID_SPACE}, got ${opts.vocabSize}`, 'vocabSize');

  // words: the distinct pre-tokens as id sequences (bytes to start with), sorted so that the result
  // does not depend on the order the corpus was read in
  const entries = [...pre.counts].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : 0));
  const utf8 = new TextEncoder();
  const words: Uint32Array[] = new Array(entries.length);
  const lens = new Int32Array(entries.length);
  const freq = new Float64Array(entries.length);
  entries.forEach(([piece, count], w) => {
    const b = utf8.encode(piece);
    words[w] = Uint32Array.from(b);
    lens[w] = b.length;
    freq[w] = count;
  });

  const tokenBytes: Uint8Array[] = [];
  for (let b = 0; b < 256; b++) tokenBytes.push(Uint8Array.of(b));
  const idOfBytes = new Map<string, number>(tokenBytes.map((b, id) => [Buffer.from(b).toString('latin1'), id]));
  const merges: Array<[number, number, number]> = [];

  const pairCount = new Map<number, number>();
  /** words that held the pair when it was first seen there (may be stale: checked when used) */
  const where = new Map<number, number[]>();
  const key = (a: number, b: number) => a * ID_SPACE + b;
  for (let w = 0; w < words.length; w++) {
    const s = words[w]!;
    const f = freq[w]!;
    for (let i = 0; i + 1 < lens[w]!; i++) {
      const k = key(s[i]!, s[i + 1]!);
      pairCount.set(k, (pairCount.get(k) ?? 0) + f);
      const list = where.get(k);
      if (list === undefined) where.set(k, [w]);
      else if (list[list.length - 1] !== w) list.push(w);
    }
  }
  const heap = new PairHeap();
  for (const [k, c] of pairCount) heap.push(c, k);

  const seen = new Int32Array(words.length).fill(-1);
  const total = target - 256;
  while (tokenBytes.length < target) {
    if (!heap.pop()) break;
    const count = heap.count;
    const k = heap.key;
    const current = pairCount.get(k) ?? 0;
    if (current <= 0) continue;
    if (current !== count) {
      heap.push(current, k); // counts only fall after a pair first appears: re-queue at its true count
      continue;
    }
    const a = Math.floor(k / ID_SPACE);
    const b = k - a * ID_SPACE;
    const mergedBytes = new Uint8Array(tokenBytes[a]!.length + tokenBytes[b]!.length);
    mergedBytes.set(tokenBytes[a]!, 0);
    mergedBytes.set(tokenBytes[b]!, tokenBytes[a]!.length);
    const name = Buffer.from(mergedBytes).toString('latin1');
    let c = idOfBytes.get(name);
    if (c === undefined) {
      c = tokenBytes.length;
      tokenBytes.push(mergedBytes);
      idOfBytes.set(name, c);
    }
    merges.push([a, b, c]);
    const step = merges.length;
    const fresh = new Set<number>();
    for (const w of where.get(k) ?? []) {
      if (seen[w] === step) continue;
      seen[w] = step;
      const s = words[w]!;
      const n = lens[w]!;
      let holds = false;
      for (let i = 0; i + 1 < n; i++) if (s[i] === a && s[i + 1] === b) { holds = true; break; }
      if (!holds) continue;
      const f = freq[w]!;
      // take the word's pairs out, merge, put its pairs back: only this word's pairs change
      for (let i = 0; i + 1 < n; i++) {
        const pk = key(s[i]!, s[i + 1]!);
        pairCount.set(pk, pairCount.get(pk)! - f);
      }
      let out = 0;
      for (let i = 0; i < n; ) {
        if (i + 1 < n && s[i] === a && s[i + 1] === b) {
          s[out++] = c;
          i += 2;
        } else s[out++] = s[i++]!;
      }
      lens[w] = out;
      for (let i = 0; i + 1 < out; i++) {
        const pk = key(s[i]!, s[i + 1]!);
        pairCount.set(pk, (pairCount.get(pk) ?? 0) + f);
        if (s[i] === c || s[i + 1] === c) {
          fresh.add(pk);
          const list = where.get(pk);
          if (list === undefined) where.set(pk, [w]);
          else if (list[list.length - 1] !== w) list.push(w);
        }
      }
    }
    pairCount.delete(k);
    where.delete(k);
    for (const pk of fresh) {
      const cnt = pairCount.get(pk)!;
      if (cnt > 0) heap.push(cnt, pk);
    }
    if (opts.onProgress && step % 100 === 0) opts.onProgress(tokenBytes.length - 256, total);
  }
  const specialIds = new Map<string, number>();
  const utf8Enc = new TextEncoder();
  for (const sp of specials) {
    specialIds.set(sp, tokenBytes.length);
    tokenBytes.push(utf8Enc.encode(sp));
  }
  return new BpeTokenizer({ tokenBytes, merges, specials: specialIds }, 'bpe');
}
