// MinHash signatures (issue 6, pass 1): per document, the minimum of each of numPermutations seeded hash
// permutations over its shingle hashes; two signatures agree at a position with probability = Jaccard.
//
// Permutations are h_i(x) = (a_i * x + b_i) mod p as in DataTrove's MinhashDedupSignature.get_signature,
// with p = 2^31 - 1 (a Mersenne prime) instead of DataTrove's 2^61 - 1 so that every intermediate stays an
// exact integer below 2^53 in float64 (see permute and signatureOfShingles): no BigInt, no precision loss,
// about 8 float ops per (shingle, permutation). A 32-bit shingle hash is first folded mod p (two preimages per value: a shingle
// collision chance of 2^-31 instead of 2^-32, negligible beside the estimate's own variance).
import { shingleHashes, type ShingleOptions } from './shingles.js';

/** 2^31 - 1 */
export const MERSENNE_PRIME = 0x7fffffff;
const TWO_31 = 2147483648;
/** 2^-31: multiplying by it is exact and far cheaper than dividing by 2^31 */
const INV_TWO_31 = 1 / TWO_31;

/** 112 = 14 bands x 8 rows, DataTrove's MinhashConfig defaults (num_buckets=14, hashes_per_bucket=8) */
export const DEFAULT_NUM_PERMUTATIONS = 112;
/** DataTrove's MinhashConfig.seed; every worker must use the same seed for signatures to be comparable */
export const DEFAULT_MINHASH_SEED = 1;

export interface MinHasherOptions {
  numPermutations?: number;
  seed?: number;
  /** shingling of signature(text); the shingle seed defaults to this seed too */
  shingles?: ShingleOptions;
}

/** splitmix32: a small deterministic generator, so a seed gives the same permutations on every machine */
function splitmix32(seed: number): () => number {
  let state = seed | 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** x mod (2^31 - 1) for 0 <= x < 2^32, using 2^31 = 1 (mod p) */
export function foldToField(x: number): number {
  let r = (x & 0x7fffffff) + (x >>> 31);
  if (r >= MERSENNE_PRIME) r -= MERSENNE_PRIME;
  return r;
}

/**
 * (a * x + b) mod (2^31 - 1), exact, for a, b, x in [0, p). a * x can reach 2^62, past float64's 2^53, so
 * x is split into 16-bit halves: a * xh < 2^46 is folded below 2^31 + 2^15 (2^31 = 1 mod p), shifted by
 * 2^16 (< 2^47 + 2^31), added to a * xl (< 2^47) and b: < 2^49, folded once more to < 2p.
 */
export function permute(a: number, b: number, x: number): number {
  const m = a * (x >>> 16);
  const mh = (m * INV_TWO_31) | 0;
  const v = (m - mh * TWO_31 + mh) * 65536 + a * (x & 0xffff) + b;
  const vh = (v * INV_TWO_31) | 0;
  let r = v - vh * TWO_31 + vh;
  if (r >= MERSENNE_PRIME) r -= MERSENNE_PRIME;
  return r;
}

export class MinHasher {
  readonly numPermutations: number;
  readonly seed: number;
  /** the a_i in [1, p) and b_i in [0, p) of each permutation, fixed by the seed */
  readonly a: Float64Array;
  readonly b: Float64Array;
  private readonly shingleOptions: ShingleOptions;
  /** a split as a_high 2^16 + a_low, for the signature loop */
  private readonly aHigh: Float64Array;
  private readonly aLow: Float64Array;
  private xs = new Float64Array(1024);
  private ys = new Float64Array(1024);

  constructor(options: MinHasherOptions = {}) {
    const k = options.numPermutations ?? DEFAULT_NUM_PERMUTATIONS;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`numPermutations must be a positive integer, got ${k}`);
    this.numPermutations = k;
    this.seed = options.seed ?? DEFAULT_MINHASH_SEED;
    this.shingleOptions = { seed: this.seed, ...options.shingles };
    const next = splitmix32(this.seed);
    this.a = new Float64Array(k);
    this.b = new Float64Array(k);
    for (let i = 0; i < k; i++) {
      // a = 0 would map every shingle to b; rejection keeps a and b uniform on their ranges
      let a = 0;
      while (a === 0 || a >= MERSENNE_PRIME) a = next() >>> 1;
      let b = MERSENNE_PRIME;
      while (b >= MERSENNE_PRIME) b = next() >>> 1;
      this.a[i] = a;
      this.b[i] = b;
    }
    this.aHigh = this.a.map((a) => Math.floor(a / 65536));
    this.aLow = this.a.map((a) => a % 65536);
  }

  /**
   * The signature of a text (normalized and shingled as shingles.ts says), or null when it has no
   * shingle (empty or punctuation-only text): DataTrove writes no signature for such a document either,
   * so it is never a duplicate candidate, and a caller counts it rather than comparing empty signatures.
   */
  signature(text: string, out?: Uint32Array): Uint32Array | null {
    const shingles = shingleHashes(text, this.shingleOptions);
    return shingles.length === 0 ? null : this.signatureOfShingles(shingles, out);
  }

  /** the signature of a non-empty set of 32-bit shingle hashes; values are in [0, 2^31 - 1) */
  signatureOfShingles(shingles: Uint32Array, out: Uint32Array = new Uint32Array(this.numPermutations)): Uint32Array {
    const count = shingles.length;
    if (count === 0) throw new RangeError('a signature needs at least one shingle');
    if (out.length !== this.numPermutations) throw new RangeError(`signature buffer has ${out.length} slots, expected ${this.numPermutations}`);
    if (this.xs.length < count) {
      this.xs = new Float64Array(count * 2);
      this.ys = new Float64Array(count * 2);
    }
    const xs = this.xs;
    const ys = this.ys;
    for (let s = 0; s < count; s++) {
      const x = foldToField(shingles[s]!);
      xs[s] = x;
      ys[s] = permute(65536, 0, x); // x * 2^16 mod p, once per shingle rather than once per permutation
    }
    const AH = this.aHigh;
    const AL = this.aLow;
    const B = this.b;
    // a x = (ah 2^16 + al) x = ah (x 2^16 mod p) + al x (mod p): with ah < 2^15 and al < 2^16 both products
    // and b sum below 2^48, exact in float64, and one Mersenne fold brings the sum below 2p
    // two permutations per pass over the shingles: each shingle is loaded once for both
    const k = this.numPermutations;
    let i = 0;
    for (; i + 1 < k; i += 2) {
      const ah0 = AH[i]!;
      const al0 = AL[i]!;
      const b0 = B[i]!;
      const ah1 = AH[i + 1]!;
      const al1 = AL[i + 1]!;
      const b1 = B[i + 1]!;
      let min0 = MERSENNE_PRIME;
      let min1 = MERSENNE_PRIME;
      for (let s = 0; s < count; s++) {
        const y = ys[s]!;
        const x = xs[s]!;
        const v0 = ah0 * y + al0 * x + b0;
        const v1 = ah1 * y + al1 * x + b1;
        const h0 = (v0 * INV_TWO_31) | 0;
        const h1 = (v1 * INV_TWO_31) | 0;
        let r0 = v0 - h0 * TWO_31 + h0;
        let r1 = v1 - h1 * TWO_31 + h1;
        if (r0 >= MERSENNE_PRIME) r0 -= MERSENNE_PRIME;
        if (r1 >= MERSENNE_PRIME) r1 -= MERSENNE_PRIME;
        if (r0 < min0) min0 = r0;
        if (r1 < min1) min1 = r1;
      }
      out[i] = min0;
      out[i + 1] = min1;
    }
    for (; i < k; i++) {
      const ah = AH[i]!;
      const al = AL[i]!;
      const b = B[i]!;
      let min = MERSENNE_PRIME;
      for (let s = 0; s < count; s++) {
        const v = ah * ys[s]! + al * xs[s]! + b;
        const vh = (v * INV_TWO_31) | 0;
        let r = v - vh * TWO_31 + vh;
        if (r >= MERSENNE_PRIME) r -= MERSENNE_PRIME;
        if (r < min) min = r;
      }
      out[i] = min;
    }
    return out;
  }
}

/** the fraction of positions where two signatures agree: an unbiased estimate of the Jaccard similarity */
export function jaccardEstimate(a: Uint32Array, b: Uint32Array): number {
  if (a.length !== b.length) throw new RangeError(`signatures differ in length: ${a.length} vs ${b.length}`);
  if (a.length === 0) throw new RangeError('empty signatures');
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/** the exact Jaccard similarity of two shingle sets, for tests and benchmarks */
export function jaccard(a: Uint32Array, b: Uint32Array): number {
  const sa = new Set(a);
  const sb = new Set(b);
  let inter = 0;
  for (const x of sa) if (sb.has(x)) inter++;
  const union = sa.size + sb.size - inter;
  return union === 0 ? 1 : inter / union;
}
