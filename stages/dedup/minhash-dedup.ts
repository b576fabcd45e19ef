// MinHash-LSH near-duplicate removal across every input (Broder 1997; DataTrove's four MinHash steps:
// signatures, buckets, clusters, filter). A global stage: pass 1 writes, per task and band, sorted runs
// of each document's band key and rows (and its shingle set, for the candidate check); the reduce merges
// each band's runs from disk, checks the documents that share a band's rows, unions them on several
// workers (bands split between them) and merges their forests, then writes each task's clusters; pass 2
// keeps the first document of each cluster in input order (the root is the cluster's smallest index:
// the same whatever the number of workers or the order of bands) and drops the rest.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { GlobalStage, StageDefinition } from '../../src/core/stage.js';
import { runGlobalOnStream } from '../../src/core/global.js';
import { dropOrMark } from '../../src/dedup/decide.js';
import { MinHasher } from '../../src/dedup/minhash.js';
import { bandKey } from '../../src/dedup/lsh.js';
import { shingleHashes } from '../../src/dedup/shingles.js';
import { BandRunWriter } from '../../src/dedup/band-files.js';
import { ShingleSetWriter } from '../../src/dedup/shingle-store.js';
import { clusterBands, defaultClusterWorkers } from '../../src/dedup/cluster.js';
import { bytesOf, writeFileAtomic } from '../../src/io/atomic.js';

const options = z
  .object({
    /** DataTrove's MinhashConfig defaults: 14 buckets (bands) of 8 hashes (rows), word 5-grams */
    bands: z.number().int().min(1).max(64).default(14),
    rows: z.number().int().min(1).max(32).default(8),
    ngrams: z.number().int().min(1).max(20).default(5),
    seed: z.number().int().default(1),
    /**
     * What makes two documents that share a band duplicates: 'jaccard' (default) checks the exact Jaccard
     * similarity of their shingle sets against thresholdJaccard, as NeMo Curator's false positive check does
     * (LSH alone also pairs documents well below the threshold: 14 x 8 bands rise at J ~ 0.72); 'none'
     * takes every candidate, as DataTrove does, and skips writing the shingle sets.
     */
    verify: z.enum(['jaccard', 'none']).default('jaccard'),
    thresholdJaccard: z.number().min(0).max(1).default(0.8),
    /** threads for the clustering pass (bands dealt round-robin); default 1 below 50,000 documents, else up to 4 */
    clusterWorkers: z.number().int().min(1).max(64).optional(),
    /** drop nothing: write meta.dedup_cluster, meta.dedup_cluster_size and meta.dedup_keep on every clustered document */
    annotate: z.boolean().default(false),
  })
  .strict();
type Options = z.output<typeof options>;

/** what a task's collector leaves beside its band files */
interface TaskCount {
  docs: number;
  unsigned: number;
  /** per band, the lengths of its sorted runs */
  runs: number[][];
}

const MAX_BUCKET_HEADS = 16;

function minhashGlobal(o: Options): GlobalStage {
  const bandFile = (dir: string, task: string, b: number) => path.join(dir, `${task}.band-${b}`);
  const setsFile = (dir: string, task: string) => path.join(dir, `${task}.shingles`);
  const offsetsFile = (dir: string, task: string) => path.join(dir, `${task}.shingle-offsets`);
  return {
    collector(dir, task) {
      const hasher = new MinHasher({ numPermutations: o.bands * o.rows, seed: o.seed, shingles: { n: o.ngrams } });
      const shingleOptions = { seed: o.seed, n: o.ngrams };
      const signature = new Uint32Array(o.bands * o.rows);
      const writers = Array.from({ length: o.bands }, (_, b) => new BandRunWriter(bandFile(dir, task, b), o.rows));
      const sets = o.verify === 'jaccard' ? new ShingleSetWriter(setsFile(dir, task), offsetsFile(dir, task)) : undefined;
      let docs = 0;
      let unsigned = 0;
      return {
        add(doc, index) {
          docs = Math.max(docs, index + 1);
          const shingles = shingleHashes(doc.text, shingleOptions);
          if (shingles.length === 0) {
            unsigned++;
            return; // no shingle: never a duplicate candidate (as in DataTrove)
          }
          hasher.signatureOfShingles(shingles, signature);
          sets?.add(index, shingles);
          for (let b = 0; b < o.bands; b++) writers[b]!.add(bandKey(signature, b, o.rows), index, signature, b * o.rows);
        },
        async close() {
          const runs = writers.map((w) => w.close());
          sets?.close(docs);
          const count: TaskCount = { docs, unsigned, runs };
          writeFileAtomic(path.join(dir, `${task}.count`), JSON.stringify(count));
        },
      };
    },

    async reduce(dir, tasks, log) {
      // global id = the task's base + the document's index in it
      const bases: number[] = [];
      const counts: TaskCount[] = [];
      let total = 0;
      let unsigned = 0;
      for (const task of tasks) {
        const file = path.join(dir, `${task}.count`);
        if (!fs.existsSync(file)) throw new Error(`minhash_dedup: ${file} is missing: the signatures of task ${task} were not written (rerun to redo its pass)`);
        const c = JSON.parse(fs.readFileSync(file, 'utf8')) as TaskCount;
        counts.push(c);
        bases.push(total);
        total += c.docs;
        unsigned += c.unsigned;
      }
      const bandSources = Array.from({ length: o.bands }, (_, b) => tasks.map((task, t) => ({ file: bandFile(dir, task, b), runs: counts[t]!.runs[b] ?? [], base: bases[t]! })));
      const shingles = tasks.map((task, t) => ({ setsFile: setsFile(dir, task), offsetsFile: offsetsFile(dir, task), base: bases[t]!, docs: counts[t]!.docs }));
      const workers = o.clusterWorkers ?? defaultClusterWorkers(total, o.bands);
      log.info(`minhash_dedup: clustering ${total} documents, ${o.bands} bands on ${Math.min(workers, o.bands)} worker(s)${o.verify === 'jaccard' ? `, candidates checked at Jaccard >= ${o.thresholdJaccard}` : ''}`);
      const { uf, counters } = await clusterBands({ bands: o.bands, rows: o.rows, total, bandSources, verify: o.verify, threshold: o.thresholdJaccard, shingles, maxHeads: MAX_BUCKET_HEADS }, workers);
      const size = new Uint32Array(total);
      for (let g = 0; g < total; g++) size[uf.find(g)]!++;
      let clusters = 0;
      let duplicates = 0;
      let largest = 0;
      for (let g = 0; g < total; g++) {
        if (uf.find(g) === g && size[g]! > 1) {
          clusters++;
          duplicates += size[g]! - 1;
          largest = Math.max(largest, size[g]!);
        }
      }
      tasks.forEach((task, t) => {
        const end = t + 1 < tasks.length ? bases[t + 1]! : total;
        const out: number[] = [];
        for (let g = bases[t]!; g < end; g++) {
          const root = uf.find(g);
          if (size[root]! > 1) out.push(g - bases[t]!, root, size[root]!);
        }
        writeFileAtomic(path.join(dir, `${task}.clusters`), bytesOf(Uint32Array.from(out)));
        writeFileAtomic(path.join(dir, `${task}.bases`), JSON.stringify({ tasks, bases }));
      });
      return { docs: total, unsigned, ...counters, clusters, duplicates, largest_cluster: largest };
    },

    filter(dir, task) {
      return {
        name: 'minhash_dedup',
        async *run(input, ctx) {
          const file = path.join(dir, `${task}.clusters`);
          if (!fs.existsSync(file)) throw new Error(`minhash_dedup: ${file} is missing: the reduce step did not run for task ${task}`);
          const raw = fs.readFileSync(file);
          const rec = new Uint32Array(raw.buffer, raw.byteOffset, raw.length / 4);
          const { tasks, bases } = JSON.parse(fs.readFileSync(path.join(dir, `${task}.bases`), 'utf8')) as { tasks: string[]; bases: number[] };
          const base = bases[tasks.indexOf(task)]!;
          // a cluster is named by its kept document: task#index
          const clusterName = (root: number) => {
            let t = 0;
            while (t + 1 < bases.length && bases[t + 1]! <= root) t++;
            return `${tasks[t]}#${root - bases[t]!}`;
          };
          let next = 0;
          let index = 0;
          for await (const doc of input) {
            if (next < rec.length && rec[next] === index) {
              const root = rec[next + 1]!;
              const keep = root === base + index;
              doc.meta.dedup_cluster = clusterName(root);
              doc.meta.dedup_cluster_size = rec[next + 2]!;
              next += 3;
              if (keep) {
                if (o.annotate) doc.meta.dedup_keep = true;
                yield doc;
              } else {
                const marked = dropOrMark(doc, 'near_duplicate', o.annotate, ctx);
                if (marked) yield marked;
              }
            } else yield doc;
            index++;
          }
        },
      };
    },
  };
}

export const minhashDedup: StageDefinition<typeof options> = {
  name: 'minhash_dedup',
  kind: 'dedup',
  description: 'MinHash-LSH near-duplicate removal across all inputs (14 bands x 8 rows, word 5-grams, candidates checked at exact Jaccard >= 0.8); keeps the first document of each cluster',
  options,
  create(o) {
    return { name: 'minhash_dedup', run: (input, ctx) => runGlobalOnStream(minhashGlobal(o), input, ctx) };
  },
  global: minhashGlobal,
};
