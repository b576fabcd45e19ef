// The clustering pass of MinHash dedup (issue 6): the bands are split across workers; each worker merges
// its bands' sorted bucket files, checks candidates (exact Jaccard of shingle sets, NeMo Curator's false
// positive check) and unions them in its own union-find; the partial forests are then merged. Every
// edge is a function of one band's bucket alone and every root is its cluster's smallest index, so the
// clusters, and what is kept, are the same whatever the number of workers.
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import { compiledScript } from '../core/compiled.js';
import { mergeBand, type BandSource } from './band-files.js';
import { jaccardSorted, ShingleSetReader, type ShingleSource } from './shingle-store.js';
import { UnionFind } from './union-find.js';

export interface ClusterJob {
  /** the bands this worker clusters */
  bands: number[];
  rows: number;
  /** documents in the run (global indexes 0 .. total - 1) */
  total: number;
  /** per band, every task's sorted runs */
  bandSources: BandSource[][];
  /** 'jaccard': a candidate pair becomes an edge only at exact Jaccard >= threshold; 'none': every candidate (DataTrove) */
  verify: 'jaccard' | 'none';
  threshold: number;
  shingles: ShingleSource[];
  /**
   * A bucket's members are compared with its heads (the members no earlier head matched), at most this
   * many: a bucket of thousands of unrelated documents sharing a band by chance costs bounded work.
   */
  maxHeads: number;
}

/** counts that depend only on the bands, so they add up to the same totals for any split */
export interface ClusterCounters {
  buckets: number;
  candidate_pairs: number;
  verified_pairs: number;
  rejected_pairs: number;
}

export interface ClusterResult {
  roots: Int32Array;
  counters: ClusterCounters;
}

/** one worker's share: the union-find of the verified edges of its bands */
export function clusterBandPartition(job: ClusterJob): ClusterResult {
  const uf = new UnionFind(job.total);
  const counters: ClusterCounters = { buckets: 0, candidate_pairs: 0, verified_pairs: 0, rejected_pairs: 0 };
  const reader = job.verify === 'jaccard' ? new ShingleSetReader(job.shingles) : undefined;
  // a pair that shares several bands is checked once per worker
  const checked = new Map<string, boolean>();
  const similar = (a: number, b: number): boolean => {
    if (!reader) return true;
    const key = `${a},${b}`;
    let v = checked.get(key);
    if (v === undefined) {
      v = jaccardSorted(reader.get(a), reader.get(b)) >= job.threshold;
      if (checked.size >= 1 << 20) checked.clear();
      checked.set(key, v);
    }
    return v;
  };
  try {
    for (const band of job.bands) {
      mergeBand(job.bandSources[band]!, job.rows, (members) => {
        counters.buckets++;
        const heads = [members[0]!];
        for (let i = 1; i < members.length; i++) {
          const m = members[i]!;
          let matched = false;
          for (const h of heads) {
            counters.candidate_pairs++;
            if (similar(h, m)) {
              counters.verified_pairs++;
              uf.union(h, m);
              matched = true;
              break;
            }
            counters.rejected_pairs++;
          }
          if (!matched && heads.length < job.maxHeads) heads.push(m);
        }
      });
    }
  } finally {
    reader?.close();
  }
  return { roots: uf.roots(), counters };
}

function runInWorker(job: ClusterJob): Promise<ClusterResult> {
  return new Promise((resolve, reject) => {
    const w = new Worker(compiledScript(import.meta.url, './cluster-worker.js'), { workerData: job });
    let result: ClusterResult | undefined;
    w.once('message', (r: ClusterResult) => (result = r));
    w.once('error', reject);
    w.once('exit', (code) => (result ? resolve(result) : reject(new Error(`cluster worker exited with code ${code} and no result`))));
  });
}

/** the default split: one worker below 50,000 documents (threads cost more than they save), else up to 4 */
export function defaultClusterWorkers(total: number, bands: number): number {
  return total < 50_000 ? 1 : Math.max(1, Math.min(4, bands, os.availableParallelism()));
}

/**
 * Clusters every band on `workers` workers (bands dealt round-robin) and merges their forests into one
 * union-find whose roots are the clusters' smallest indexes.
 */
export async function clusterBands(job: Omit<ClusterJob, 'bands'> & { bands: number }, workers: number): Promise<{ uf: UnionFind; counters: ClusterCounters }> {
  const n = Math.max(1, Math.min(workers, job.bands));
  const parts = Array.from({ length: n }, (_, w) => ({ ...job, bands: Array.from({ length: job.bands }, (_, b) => b).filter((b) => b % n === w) }));
  const results = n === 1 ? [clusterBandPartition(parts[0]!)] : await Promise.all(parts.map(runInWorker));
  const uf = new UnionFind(job.total);
  const counters: ClusterCounters = { buckets: 0, candidate_pairs: 0, verified_pairs: 0, rejected_pairs: 0 };
  for (const r of results) {
    for (let i = 0; i < r.roots.length; i++) if (r.roots[i] !== i) uf.union(i, r.roots[i]!);
    for (const k of Object.keys(counters) as Array<keyof ClusterCounters>) counters[k] += r.counters[k];
  }
  return { uf, counters };
}
