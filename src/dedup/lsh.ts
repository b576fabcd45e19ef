// LSH banding of MinHash signatures (issue 6, pass 2): a signature is cut into `bands` bands of `rows`
// values; two documents whose rows agree in any one band are duplicate candidates.
//
// DataTrove (MinhashDedupSignature.run / MinhashDedupBuckets) writes each band's rows to its own bucket
// file, sorts it, and pairs documents whose whole row tuples are equal. Here a band is also given a 32-bit
// key (bandKey) to bucket by in memory or to shard by; over a large corpus 32-bit keys collide by chance
// (about N^2 / 2^33 pairs per band for N documents), so a key match is confirmed with bandRowsEqual, as
// bandEdges does, before it becomes an edge.
import { fmix32 } from './shingles.js';

export interface LshParams {
  /** DataTrove's MinhashConfig.num_buckets: 14 */
  bands: number;
  /** DataTrove's MinhashConfig.hashes_per_bucket: 8 */
  rows: number;
}

/** DataTrove's defaults: threshold ~ (1/14)^(1/8) = 0.72, P(candidate | J = 0.8) = 0.924 */
export const DEFAULT_LSH: LshParams = { bands: 14, rows: 8 };

function checkShape(signature: Uint32Array, lsh: LshParams): void {
  if (signature.length !== lsh.bands * lsh.rows) {
    throw new RangeError(`signature has ${signature.length} values, ${lsh.bands} bands x ${lsh.rows} rows need ${lsh.bands * lsh.rows}`);
  }
}

/** a deterministic 32-bit key of band `band`'s rows; the band index is mixed in so equal rows in two bands differ */
export function bandKey(signature: Uint32Array, band: number, rows: number): number {
  let h = Math.imul(band + 1, 0x9e3779b1);
  const start = band * rows;
  for (let r = start; r < start + rows; r++) {
    let k = Math.imul(signature[r]!, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    h ^= Math.imul(k, 0x1b873593);
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  return fmix32(h ^ rows);
}

/** the key of every band of a signature */
export function bandKeys(signature: Uint32Array, lsh: LshParams = DEFAULT_LSH): Uint32Array {
  checkShape(signature, lsh);
  const keys = new Uint32Array(lsh.bands);
  for (let band = 0; band < lsh.bands; band++) keys[band] = bandKey(signature, band, lsh.rows);
  return keys;
}

/** whether two signatures agree on every row of a band: what makes them candidates, not just their keys */
export function bandRowsEqual(a: Uint32Array, b: Uint32Array, band: number, rows: number): boolean {
  for (let r = band * rows; r < (band + 1) * rows; r++) if (a[r] !== b[r]) return false;
  return true;
}

/**
 * The S-curve: the probability that two documents of Jaccard similarity j share at least one band,
 * 1 - (1 - j^rows)^bands (Leskovec, Rajaraman & Ullman, Mining of Massive Datasets, 3.4.2).
 */
export function candidateProbability(jaccard: number, lsh: LshParams = DEFAULT_LSH): number {
  return 1 - (1 - jaccard ** lsh.rows) ** lsh.bands;
}

/** the similarity where the S-curve rises most steeply, about (1/bands)^(1/rows) */
export function lshThreshold(lsh: LshParams = DEFAULT_LSH): number {
  return (1 / lsh.bands) ** (1 / lsh.rows);
}

/**
 * The candidate edges of one band over in-memory signatures (null = a document without a signature):
 * each document whose band rows equal an earlier document's gives the edge [first, it], with `first` the
 * smallest index of that bucket, so the edges of a bucket form a star and union-find gets the same
 * clusters as from all pairs. Bands are independent, which is how the work splits across workers.
 */
export function bandEdges(signatures: ReadonlyArray<Uint32Array | null>, band: number, lsh: LshParams = DEFAULT_LSH): Array<[number, number]> {
  const buckets = new Map<number, number[]>(); // key -> the first index of each distinct row tuple with that key
  const edges: Array<[number, number]> = [];
  for (let i = 0; i < signatures.length; i++) {
    const sig = signatures[i];
    if (!sig) continue;
    checkShape(sig, lsh);
    const key = bandKey(sig, band, lsh.rows);
    const heads = buckets.get(key);
    if (!heads) {
      buckets.set(key, [i]);
      continue;
    }
    const head = heads.find((h) => bandRowsEqual(signatures[h]!, sig, band, lsh.rows));
    if (head === undefined) heads.push(i);
    else edges.push([head, i]);
  }
  return edges;
}

/** the candidate edges of every band, in band order (an edge found by several bands appears once per band) */
export function candidateEdges(signatures: ReadonlyArray<Uint32Array | null>, lsh: LshParams = DEFAULT_LSH): Array<[number, number]> {
  const edges: Array<[number, number]> = [];
  for (let band = 0; band < lsh.bands; band++) for (const e of bandEdges(signatures, band, lsh)) edges.push(e);
  return edges;
}
