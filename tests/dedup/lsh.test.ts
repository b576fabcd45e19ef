import { describe, expect, it } from 'vitest';
import { DEFAULT_LSH, bandEdges, bandKeys, bandRowsEqual, candidateEdges, candidateProbability, lshThreshold } from '../../src/dedup/lsh.js';
import { MinHasher, jaccard } from '../../src/dedup/minhash.js';
import { editWords } from '../../src/dedup/perturb.js';
import { shingleHashes } from '../../src/dedup/shingles.js';
import { ccDocs } from './fixtures.js';

describe('S-curve', () => {
  it('matches DataTrove\'s figures for 14 bands x 8 rows', () => {
    expect(DEFAULT_LSH).toEqual({ bands: 14, rows: 8 });
    // datatrove/pipeline/dedup/minhash.py: "threshold is (1/14)^(1/8)~0.72", "for s=0.8: 1-(1-0.8^8)^14=0.924"
    expect(lshThreshold()).toBeCloseTo(0.719, 3);
    expect(candidateProbability(0.8)).toBeCloseTo(0.924, 3);
    expect(candidateProbability(0)).toBe(0);
    expect(candidateProbability(1)).toBe(1);
    for (let j = 0; j < 1; j += 0.05) expect(candidateProbability(j + 0.05)).toBeGreaterThan(candidateProbability(j));
  });
});

describe('band keys', () => {
  const sig = new MinHasher().signature(ccDocs()[0]!.text)!;

  it('give one deterministic key per band', () => {
    const keys = bandKeys(sig);
    expect(keys).toHaveLength(14);
    expect(bandKeys(new Uint32Array(sig))).toEqual(keys);
    expect(new Set(keys).size).toBe(14);
  });

  it('depend on the band index: equal rows in two bands give two keys', () => {
    const flat = new Uint32Array(112).fill(7);
    const keys = bandKeys(flat);
    expect(new Set(keys).size).toBe(14);
    expect(bandRowsEqual(flat, flat, 3, 8)).toBe(true);
  });

  it('change when one row of the band changes, and only that band', () => {
    const other = new Uint32Array(sig);
    other[8 * 5 + 2]! ^= 1;
    const a = bandKeys(sig);
    const b = bandKeys(other);
    for (let band = 0; band < 14; band++) expect(a[band] === b[band]).toBe(band !== 5);
    expect(bandRowsEqual(sig, other, 5, 8)).toBe(false);
  });

  it('refuse a signature of the wrong length', () => {
    expect(() => bandKeys(sig, { bands: 10, rows: 10 })).toThrow(RangeError);
  });
});

describe('candidates on real documents', () => {
  const docs = ccDocs();
  const mh = new MinHasher();

  it('finds near-duplicates with 5-15% of words edited (in runs, as a changed sentence or footer) at the S-curve\'s rate, and no unrelated pair', () => {
    // documents 0..9, then for each its copies with 5%, 10%, 15% of words edited: index 10 + 3 i + k
    const texts = docs.map((d) => d.text);
    docs.forEach((d, i) => [0.05, 0.1, 0.15].forEach((fraction, k) => texts.push(editWords(d.text, { fraction, seed: 100 + 3 * i + k, runWords: 20 }))));
    const origin = (t: number) => (t < docs.length ? t : Math.floor((t - docs.length) / 3));
    const sigs = texts.map((t) => mh.signature(t));
    const found = new Set(candidateEdges(sigs).map(([a, b]) => `${a},${b}`));
    const connected = (a: number, b: number) => found.has(`${a},${b}`) || found.has(`${b},${a}`);

    // unrelated: no edge between documents of different origins
    for (const key of found) {
      const [a, b] = key.split(',').map(Number) as [number, number];
      expect(origin(a)).toBe(origin(b));
    }
    // near-duplicates: every copy of true Jaccard >= 0.85 (P >= 0.98) is found; overall, the rate the S-curve predicts
    let expected = 0;
    let hits = 0;
    for (let i = 0; i < docs.length; i++) {
      for (let k = 0; k < 3; k++) {
        const copy = docs.length + 3 * i + k;
        const j = jaccard(shingleHashes(texts[i]!), shingleHashes(texts[copy]!));
        const p = candidateProbability(j);
        expected += p;
        // the original is the smallest index of any bucket it shares, so a shared band is a direct edge
        if (j >= 0.85) expect(connected(i, copy)).toBe(true);
        if (connected(i, copy)) hits++;
      }
    }
    expect(Math.abs(hits - expected)).toBeLessThan(3 * Math.sqrt(expected * (1 - expected / 30)) + 1);
  });

  it('finds exact duplicates (after normalization) in every band', () => {
    const sigs = [mh.signature(docs[0]!.text), mh.signature(docs[1]!.text), mh.signature(docs[0]!.text.toUpperCase()), null];
    for (let band = 0; band < 14; band++) expect(bandEdges(sigs, band)).toEqual([[0, 2]]);
    expect(candidateEdges(sigs)).toHaveLength(14);
  });
});
