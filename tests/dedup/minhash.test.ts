import { describe, expect, it } from 'vitest';
import { DEFAULT_NUM_PERMUTATIONS, MERSENNE_PRIME, MinHasher, foldToField, jaccard, jaccardEstimate, permute } from '../../src/dedup/minhash.js';
import { seededRandom, editWords } from '../../src/dedup/perturb.js';
import { shingleHashes } from '../../src/dedup/shingles.js';
import { ccDocs } from './fixtures.js';

const P = BigInt(MERSENNE_PRIME);

describe('permutation arithmetic', () => {
  it('(a x + b) mod 2^31-1 is exact: equal to BigInt arithmetic, extremes included', () => {
    const random = seededRandom(42);
    const cases: Array<[number, number, number]> = [
      [MERSENNE_PRIME - 1, MERSENNE_PRIME - 1, MERSENNE_PRIME - 1],
      [1, 0, 0],
      [MERSENNE_PRIME - 1, 0, MERSENNE_PRIME - 1],
      [0x7ffeffff, 0x12345, 0x7fff0000],
    ];
    for (let i = 0; i < 20000; i++) {
      const r = () => Math.floor(random() * MERSENNE_PRIME);
      cases.push([r() || 1, r(), r()]);
    }
    for (const [a, b, x] of cases) expect(permute(a, b, x)).toBe(Number((BigInt(a) * BigInt(x) + BigInt(b)) % P));
  });

  it('folds a 32-bit hash into the field exactly', () => {
    for (const x of [0, 1, MERSENNE_PRIME - 1, MERSENNE_PRIME, MERSENNE_PRIME + 1, 2 ** 32 - 2, 2 ** 32 - 1, 0x9e3779b9]) {
      expect(foldToField(x)).toBe(Number(BigInt(x) % P));
    }
  });

  it('the inlined signature loop agrees with permute', () => {
    const mh = new MinHasher({ numPermutations: 16, seed: 3 });
    const shingles = shingleHashes(ccDocs()[0]!.text);
    const sig = mh.signatureOfShingles(shingles);
    for (let i = 0; i < 16; i++) {
      let min = Infinity;
      for (const s of shingles) min = Math.min(min, permute(mh.a[i]!, mh.b[i]!, foldToField(s)));
      expect(sig[i]).toBe(min);
    }
  });
});

describe('MinHasher', () => {
  const text = ccDocs()[1]!.text;

  it('defaults to 112 permutations (DataTrove: 14 buckets x 8 hashes) and values below 2^31 - 1', () => {
    const sig = new MinHasher().signature(text)!;
    expect(DEFAULT_NUM_PERMUTATIONS).toBe(112);
    expect(sig).toBeInstanceOf(Uint32Array);
    expect(sig).toHaveLength(112);
    for (const v of sig) expect(v).toBeLessThan(MERSENNE_PRIME);
  });

  it('is deterministic: the same seed gives the same signature, in a fresh hasher too', () => {
    expect(new MinHasher({ seed: 5 }).signature(text)).toEqual(new MinHasher({ seed: 5 }).signature(text));
    const mh = new MinHasher();
    const first = mh.signature(text);
    mh.signature(ccDocs()[2]!.text);
    expect(mh.signature(text)).toEqual(first);
  });

  it('a different seed gives a different signature', () => {
    const a = new MinHasher({ seed: 1 }).signature(text)!;
    const b = new MinHasher({ seed: 2 }).signature(text)!;
    expect(jaccardEstimate(a, b)).toBeLessThan(0.1);
  });

  it('gives no signature for text without shingles, and a signature for a single word', () => {
    const mh = new MinHasher();
    expect(mh.signature('')).toBeNull();
    expect(mh.signature(' ?! ')).toBeNull();
    expect(mh.signature('word')).toHaveLength(112);
    expect(() => mh.signatureOfShingles(new Uint32Array(0))).toThrow(RangeError);
  });

  it('estimates 1 for texts equal after normalization, and refuses signatures of different lengths', () => {
    const mh = new MinHasher();
    expect(jaccardEstimate(mh.signature(text)!, mh.signature(text.toUpperCase())!)).toBe(1);
    expect(() => jaccardEstimate(new Uint32Array(112), new Uint32Array(64))).toThrow(RangeError);
  });
});

describe('Jaccard estimate on real document pairs', () => {
  // pairs from the fixtures: each document against copies with 5-30% of words edited, and unrelated pairs
  const docs = ccDocs();
  const pairs: Array<[string, string]> = [];
  docs.forEach((d, i) => {
    for (const [k, fraction] of [0.05, 0.1, 0.2, 0.3].entries()) pairs.push([d.text, editWords(d.text, { fraction, seed: i * 10 + k, runWords: 1 + (k % 3) * 10 })]);
    pairs.push([d.text, docs[(i + 1) % docs.length]!.text]);
  });

  it('each estimate is within 0.05 of the true Jaccard with 1024 permutations', () => {
    const mh = new MinHasher({ numPermutations: 1024 });
    for (const [a, b] of pairs) {
      const truth = jaccard(shingleHashes(a), shingleHashes(b));
      expect(Math.abs(jaccardEstimate(mh.signature(a)!, mh.signature(b)!) - truth)).toBeLessThan(0.05);
    }
  });

  it('with the default 112 permutations the mean error is under 0.05 (one estimate errs by ~0.045 s.d. at J = 0.5)', () => {
    const mh = new MinHasher();
    let sumError = 0;
    let sumSigned = 0;
    for (const [a, b] of pairs) {
      const d = jaccardEstimate(mh.signature(a)!, mh.signature(b)!) - jaccard(shingleHashes(a), shingleHashes(b));
      sumError += Math.abs(d);
      sumSigned += d;
    }
    expect(sumError / pairs.length).toBeLessThan(0.05);
    expect(Math.abs(sumSigned / pairs.length)).toBeLessThan(0.02); // unbiased
  });
});
