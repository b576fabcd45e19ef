// Line-level deduplication across every input (CCNet, Wenzek et al. 2020, §3.3: hash every
// paragraph, remove those seen elsewhere): a line found in at least `minDocuments` different
// documents (menus, cookie notices, legal footers) is removed from every document that carries it;
// a document left with no text is dropped. A global stage: pass 1 writes the hashes of each
// document's distinct lines, the reduce counts in how many documents each occurs, pass 2 rewrites.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { GlobalStage, StageDefinition } from '../../src/core/stage.js';
import { runGlobalOnStream } from '../../src/core/global.js';
import { bytesOf, openAtomic, writeFileAtomic } from '../../src/io/atomic.js';
import { hash64 } from './exact-dedup.js';

const options = z
  .object({
    /** a line in at least this many documents is boilerplate */
    minDocuments: z.number().int().min(2).default(3),
    /** lines shorter than this (after normalization) are never removed */
    minChars: z.number().int().nonnegative().default(0),
  })
  .strict();
type Options = z.output<typeof options>;

function normalizeLine(line: string): string {
  return line.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
}

const key = (h: [number, number]) => `${h[0]}:${h[1]}`;

function lineGlobal(o: Options): GlobalStage {
  return {
    collector(dir, task) {
      const out = openAtomic(path.join(dir, `${task}.lines`));
      return {
        add(doc) {
          const seen = new Set<string>();
          const words: number[] = [];
          for (const raw of doc.text.split('\n')) {
            const line = normalizeLine(raw);
            if (!line || line.length < o.minChars) continue;
            const h = hash64(line);
            const k = key(h);
            if (seen.has(k)) continue; // count documents, not occurrences
            seen.add(k);
            words.push(h[0], h[1]);
          }
          out.write(bytesOf(Uint32Array.from(words)));
        },
        async close() {
          out.commit();
        },
      };
    },
    async reduce(dir, tasks) {
      // Memory: one entry per distinct line of the corpus; DataTrove's sentence dedup sorts hash
      // files on disk instead, which is what a corpus larger than this needs.
      const counts = new Map<string, number>();
      let lines = 0;
      for (const task of tasks) {
        const raw = fs.readFileSync(path.join(dir, `${task}.lines`));
        const h = new Uint32Array(raw.buffer, raw.byteOffset, raw.length / 4);
        for (let i = 0; i + 1 < h.length; i += 2) {
          lines++;
          const k = `${h[i]}:${h[i + 1]}`;
          counts.set(k, (counts.get(k) ?? 0) + 1);
        }
      }
      const boiler: number[] = [];
      for (const [k, n] of counts) {
        if (n < o.minDocuments) continue;
        const [a, b] = k.split(':');
        boiler.push(Number(a), Number(b));
      }
      writeFileAtomic(path.join(dir, 'boilerplate.lines'), bytesOf(Uint32Array.from(boiler)));
      return { line_hashes: lines, distinct_lines: counts.size, boilerplate_lines: boiler.length / 2 };
    },
    filter(dir) {
      return {
        name: 'line_dedup',
        async *run(input, ctx) {
          const raw = fs.readFileSync(path.join(dir, 'boilerplate.lines'));
          const h = new Uint32Array(raw.buffer, raw.byteOffset, raw.length / 4);
          const boiler = new Set<string>();
          for (let i = 0; i + 1 < h.length; i += 2) boiler.add(`${h[i]}:${h[i + 1]}`);
          for await (const doc of input) {
            let removed = 0;
            const kept = doc.text.split('\n').filter((raw) => {
              const line = normalizeLine(raw);
              if (!line || line.length < o.minChars || !boiler.has(key(hash64(line)))) return true;
              removed++;
              return false;
            });
            if (removed === 0) {
              yield doc;
              continue;
            }
            ctx.stats.inc('lines_removed', removed);
            const text = kept.join('\n').replace(/\n{3,}/g, '\n\n').trim();
            if (!text) ctx.drop(doc, 'only_duplicate_lines');
            else {
              ctx.stats.inc('changed');
              yield { ...doc, text, meta: { ...doc.meta, dup_lines_removed: removed } };
            }
          }
        },
      };
    },
  };
}

export const lineDedup: StageDefinition<typeof options> = {
  name: 'line_dedup',
  kind: 'dedup',
  description: 'remove lines that recur in many documents across all inputs (menus, footers; CCNet-style); drop documents left empty',
  options,
  create(o) {
    return { name: 'line_dedup', run: (input, ctx) => runGlobalOnStream(lineGlobal(o), input, ctx) };
  },
  global: lineGlobal,
};
