import { describe, expect, it } from 'vitest';
import { UnionFind } from '../../src/dedup/union-find.js';
import { bandEdges } from '../../src/dedup/lsh.js';
import { MinHasher } from '../../src/dedup/minhash.js';
import { editWords, seededRandom } from '../../src/dedup/perturb.js';
import { ccDocs } from './fixtures.js';

/** connected components by graph search, each node mapped to the smallest index of its component */
function componentMinima(size: number, edges: Array<[number, number]>): Int32Array {
  const adj: number[][] = Array.from({ length: size }, () => []);
  for (const [a, b] of edges) {
    adj[a]!.push(b);
    adj[b]!.push(a);
  }
  const out = new Int32Array(size).fill(-1);
  for (let s = 0; s < size; s++) {
    if (out[s] !== -1) continue;
    const stack = [s];
    out[s] = s; // s is the smallest unvisited node, so the smallest of its component
    while (stack.length) for (const n of adj[stack.pop()!]!) if (out[n] === -1) (out[n] = s), stack.push(n);
  }
  return out;
}

function forest(size: number, edges: Array<[number, number]>): UnionFind {
  const uf = new UnionFind(size);
  for (const [a, b] of edges) uf.union(a, b);
  return uf;
}

function randomEdges(random: () => number, size: number, count: number): Array<[number, number]> {
  return Array.from({ length: count }, () => [Math.floor(random() * size), Math.floor(random() * size)] as [number, number]);
}

describe('UnionFind', () => {
  it('joins clusters; the root is the smallest index whatever the order of unions', () => {
    const uf = new UnionFind(6);
    expect(uf.union(4, 2)).toBe(true);
    expect(uf.union(5, 4)).toBe(true);
    expect(uf.union(2, 5)).toBe(false);
    expect(uf.union(3, 1)).toBe(true);
    expect([0, 1, 2, 3, 4, 5].map((i) => uf.find(i))).toEqual([0, 1, 2, 1, 2, 2]);
    expect(uf.clusters()).toEqual([[1, 3], [2, 4, 5]]);
    expect(uf.isRoot(2)).toBe(true);
    expect(uf.isRoot(5)).toBe(false);
  });

  it('grows past its initial size, on find and union', () => {
    const uf = new UnionFind();
    expect(uf.size).toBe(0);
    uf.union(1000, 3);
    expect(uf.size).toBe(1001);
    expect(uf.find(1000)).toBe(3);
    expect(uf.find(999)).toBe(999);
    expect(() => uf.find(-1)).toThrow(RangeError);
  });

  it('gives the connected components of the edges, independent of edge order', () => {
    const random = seededRandom(9);
    for (let trial = 0; trial < 20; trial++) {
      const edges = randomEdges(random, 300, 200);
      const expected = componentMinima(300, edges);
      expect(forest(300, edges).roots()).toEqual(expected);
      expect(forest(300, [...edges].reverse().map(([a, b]) => [b, a] as [number, number])).roots()).toEqual(expected);
    }
  });

  it('merging forests built from any partition of the edges gives the clusters of one forest of all edges', () => {
    const random = seededRandom(17);
    for (let trial = 0; trial < 30; trial++) {
      const size = 50 + Math.floor(random() * 400);
      const edges = randomEdges(random, size, Math.floor(random() * size * 1.2));
      const whole = forest(size, edges).roots();
      const parts = 1 + Math.floor(random() * 6);
      const partEdges: Array<Array<[number, number]>> = Array.from({ length: parts }, () => []);
      for (const e of edges) partEdges[Math.floor(random() * parts)]!.push(e);
      // partial forests may know fewer nodes than the whole: a worker only sizes for what it saw
      const partial = partEdges.map((pe) => forest(pe.reduce((m, [a, b]) => Math.max(m, a + 1, b + 1), 0), pe));
      const merged = new UnionFind(size);
      for (const f of partial) merged.mergeForest(f);
      expect(merged.roots()).toEqual(whole);
      // and merging into a partial forest, through a round trip of roots() as a worker would write them
      const [first, ...rest] = partial;
      const acc = UnionFind.fromRoots(first!.roots());
      for (const f of rest) acc.mergeForest(UnionFind.fromRoots(f.roots()));
      acc.grow(size);
      expect(acc.roots()).toEqual(whole);
    }
  });

  it('per-band forests of real LSH edges merge to the clusters of all bands', () => {
    const docs = ccDocs();
    const texts = docs.map((d) => d.text);
    docs.forEach((d, i) => [0.03, 0.05, 0.08].forEach((fraction, k) => texts.push(editWords(d.text, { fraction, seed: 7 * i + k, runWords: 20 }))));
    const mh = new MinHasher();
    const sigs = texts.map((t) => mh.signature(t));
    const perBand = Array.from({ length: 14 }, (_, band) => bandEdges(sigs, band));
    const all = forest(texts.length, perBand.flat());
    const merged = new UnionFind(texts.length);
    for (const edges of perBand) merged.mergeForest(forest(texts.length, edges));
    expect(merged.roots()).toEqual(all.roots());
    // every cluster is one original and its copies, rooted at the original: "keep the first" keeps it
    for (const cluster of all.clusters()) {
      expect(cluster[0]).toBeLessThan(docs.length);
      for (const m of cluster.slice(1)) expect(Math.floor((m - docs.length) / 3)).toBe(cluster[0]);
    }
    expect(all.clusters().length).toBeGreaterThanOrEqual(8);
  });

  it('refuses a roots array pointing outside it', () => {
    expect(() => UnionFind.fromRoots(Int32Array.from([0, 5]))).toThrow(RangeError);
  });
});
