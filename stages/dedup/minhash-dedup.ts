// MinHash-LSH near-duplicate removal across every input (Broder 1997; DataTrove's four MinHash steps:
// signatures, buckets, clusters, filter). A global stage: pass 1 writes, per task and band, each
// document's band key and rows; the reduce sorts each band's records, unions the documents that share
// a band (rows compared, not just keys) in a union-find over all documents, and writes each task's
// clusters; pass 2 keeps the first document of each cluster in input order (the union-find root is
// the smallest index: deterministic whatever the order bands are processed in) and drops the rest.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { GlobalStage, StageDefinition } from '../../src/core/stage.js';
import { runGlobalOnStream } from '../../src/core/global.js';
import { dropOrMark } from '../../src/dedup/decide.js';
import { MinHasher } from '../../src/dedup/minhash.js';
import { bandKey } from '../../src/dedup/lsh.js';
import { UnionFind } from '../../src/dedup/union-find.js';
import { bytesOf, openAtomic, writeFileAtomic } from '../../src/io/atomic.js';

const options = z
  .object({
    /** DataTrove's MinhashConfig defaults: 14 buckets (bands) of 8 hashes (rows), word 5-grams */
    bands: z.number().int().min(1).max(64).default(14),
    rows: z.number().int().min(1).max(32).default(8),
    ngrams: z.number().int().min(1).max(20).default(5),
    seed: z.number().int().default(1),
    /** drop nothing: write meta.dedup_cluster, meta.dedup_cluster_size and meta.dedup_keep on every clustered document */
    annotate: z.boolean().default(false),
  })
  .strict();
type Options = z.output<typeof options>;

const CLUSTER_RECORD = 12; // document index, cluster root (global id), cluster size: uint32 each

function minhashGlobal(o: Options): GlobalStage {
  const rowsPerBand = o.rows;
  const recordWords = 2 + rowsPerBand; // key, local index, rows
  return {
    collector(dir, task) {
      const hasher = new MinHasher({ numPermutations: o.bands * o.rows, seed: o.seed, shingles: { n: o.ngrams } });
      const signature = new Uint32Array(o.bands * o.rows);
      const files = Array.from({ length: o.bands }, (_, b) => openAtomic(path.join(dir, `${task}.band-${b}`)));
      const batch = 1024;
      const bufs = Array.from({ length: o.bands }, () => new Uint32Array(batch * recordWords));
      let pending = 0;
      let docs = 0;
      let unsigned = 0;
      const flush = () => {
        for (let b = 0; b < o.bands; b++) files[b]!.write(bytesOf(bufs[b]!.subarray(0, pending * recordWords)));
        pending = 0;
      };
      return {
        add(doc, index) {
          docs = Math.max(docs, index + 1);
          if (!hasher.signature(doc.text, signature)) {
            unsigned++;
            return; // no shingle: never a duplicate candidate (as in DataTrove)
          }
          for (let b = 0; b < o.bands; b++) {
            const rec = bufs[b]!;
            const at = pending * recordWords;
            rec[at] = bandKey(signature, b, rowsPerBand);
            rec[at + 1] = index;
            rec.set(signature.subarray(b * rowsPerBand, (b + 1) * rowsPerBand), at + 2);
          }
          if (++pending === batch) flush();
        },
        async close() {
          flush();
          for (const f of files) f.commit();
          writeFileAtomic(path.join(dir, `${task}.count`), JSON.stringify({ docs, unsigned }));
        },
      };
    },

    async reduce(dir, tasks) {
      // global id = the task's base + the document's index in it
      const bases: number[] = [];
      let total = 0;
      let unsigned = 0;
      for (const task of tasks) {
        const c = JSON.parse(fs.readFileSync(path.join(dir, `${task}.count`), 'utf8')) as { docs: number; unsigned: number };
        bases.push(total);
        total += c.docs;
        unsigned += c.unsigned;
      }
      const uf = new UnionFind(total);
      let unions = 0;
      for (let b = 0; b < o.bands; b++) {
        // one band at a time: memory is this band's records (4 x (2 + rows) bytes a document) and the union-find
        const parts = tasks.map((task) => {
          const raw = fs.readFileSync(path.join(dir, `${task}.band-${b}`));
          return new Uint32Array(raw.buffer, raw.byteOffset, raw.length / 4);
        });
        const n = parts.reduce((a, p) => a + p.length / recordWords, 0);
        const records = new Uint32Array(n * recordWords);
        let at = 0;
        parts.forEach((p, t) => {
          records.set(p, at);
          for (let r = at; r < at + p.length; r += recordWords) records[r + 1] = bases[t]! + records[r + 1]!;
          at += p.length;
        });
        const order = new Uint32Array(n);
        for (let i = 0; i < n; i++) order[i] = i;
        const cmp = (x: number, y: number) => {
          const a = x * recordWords;
          const c = y * recordWords;
          if (records[a] !== records[c]) return records[a]! - records[c]!;
          for (let r = 2; r < recordWords; r++) if (records[a + r] !== records[c + r]) return records[a + r]! - records[c + r]!;
          return records[a + 1]! - records[c + 1]!;
        };
        order.sort(cmp);
        for (let i = 1; i < n; i++) {
          const prev = order[i - 1]!;
          const cur = order[i]!;
          let same = records[prev * recordWords] === records[cur * recordWords];
          for (let r = 2; same && r < recordWords; r++) same = records[prev * recordWords + r] === records[cur * recordWords + r];
          if (same && uf.union(records[prev * recordWords + 1]!, records[cur * recordWords + 1]!)) unions++;
        }
      }
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
        fs.writeFileSync(path.join(dir, `${task}.bases`), JSON.stringify({ tasks, bases }));
      });
      return { docs: total, unsigned, band_unions: unions, clusters, duplicates, largest_cluster: largest };
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
  description: 'MinHash-LSH near-duplicate removal across all inputs (14 bands x 8 rows, word 5-grams); keeps the first document of each cluster',
  options,
  create(o) {
    return { name: 'minhash_dedup', run: (input, ctx) => runGlobalOnStream(minhashGlobal(o), input, ctx) };
  },
  global: minhashGlobal,
};
