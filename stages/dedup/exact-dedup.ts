// Exact deduplication across every input: documents whose normalized text (Unicode NFC, lower
// case, whitespace runs folded) or URL hashes the same as an earlier one are dropped. In a
// pipeline it is a global stage: pass 1 writes a 64-bit hash per document to the run dir, one
// reduce keeps the first occurrence in input order (task, then position: deterministic), pass 2
// drops the rest. Alone (`curate stage exact_dedup`) the same steps run over its one stream.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Doc } from '../../src/core/doc.js';
import type { GlobalStage, StageDefinition } from '../../src/core/stage.js';
import { fmix32, hash32 } from '../../src/text/hash.js';
import { runGlobalOnStream } from '../../src/core/global.js';
import { dropOrMark } from '../../src/dedup/decide.js';
import { bytesOf, openAtomic, writeFileAtomic } from '../../src/io/atomic.js';

const options = z
  .object({
    /** what must be equal: the text (normalized) or the URL (scheme and host lower-cased, #fragment cut) */
    field: z.enum(['text', 'url']).default('text'),
    /** drop nothing: set meta.dedup_keep (false on later copies) instead */
    annotate: z.boolean().default(false),
  })
  .strict();
type Options = z.output<typeof options>;

/** the key a document is compared by; undefined for a document without one (kept, counted) */
export function dedupKey(doc: Doc, field: Options['field']): string | undefined {
  if (field === 'url') {
    const url = typeof doc.meta.url === 'string' ? doc.meta.url.trim() : '';
    if (!url) return undefined;
    const cut = url.replace(/#.*$/, '');
    return cut.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i, (origin) => origin.toLowerCase());
  }
  return doc.text.normalize('NFC').toLowerCase().replace(/\s+/g, ' ').trim();
}

/** two independent 32-bit hashes (FNV-1a and a 0x5bd1e995 polynomial, both finalized by murmur3's fmix) */
export function hash64(s: string): [number, number] {
  let h = 0x9747b28c;
  for (let i = 0; i < s.length; i++) h = (Math.imul(h, 0x5bd1e995) + s.charCodeAt(i)) | 0;
  return [hash32(s), fmix32(h ^ s.length)];
}

const RECORD_BYTES = 12; // h1, h2, document index: uint32 each, little-endian
const WRITE_BATCH = 4096;

function reasonOf(field: Options['field']): string {
  return field === 'url' ? 'duplicate_url' : 'exact_duplicate';
}

function exactGlobal(o: Options): GlobalStage {
  return {
    collector(dir, task) {
      const out = openAtomic(path.join(dir, `${task}.hashes`));
      const buf = Buffer.alloc(RECORD_BYTES * WRITE_BATCH);
      let n = 0;
      const flush = () => {
        out.write(buf.subarray(0, n * RECORD_BYTES));
        n = 0;
      };
      return {
        add(doc, index) {
          const key = dedupKey(doc, o.field);
          if (key === undefined) return;
          const [h1, h2] = hash64(key);
          buf.writeUInt32LE(h1, n * RECORD_BYTES);
          buf.writeUInt32LE(h2, n * RECORD_BYTES + 4);
          buf.writeUInt32LE(index, n * RECORD_BYTES + 8);
          if (++n === WRITE_BATCH) flush();
        },
        async close() {
          flush();
          out.commit();
        },
      };
    },
    async reduce(dir, tasks) {
      // Memory: one entry per distinct document (about 80 bytes); an external sort of the hash
      // files takes over when corpora outgrow that (the MinHash stage's bucket sort).
      const seen = new Set<string>();
      let docs = 0;
      let duplicates = 0;
      for (const task of tasks) {
        const file = path.join(dir, `${task}.hashes`);
        const data = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
        const drop: number[] = [];
        for (let at = 0; at + RECORD_BYTES <= data.length; at += RECORD_BYTES) {
          docs++;
          const key = `${data.readUInt32LE(at)}:${data.readUInt32LE(at + 4)}`;
          if (seen.has(key)) {
            drop.push(data.readUInt32LE(at + 8));
            duplicates++;
          } else seen.add(key);
        }
        writeFileAtomic(path.join(dir, `${task}.drop`), bytesOf(Uint32Array.from(drop)));
      }
      return { docs, distinct: docs - duplicates, duplicates };
    },
    filter(dir, task) {
      return {
        name: 'exact_dedup',
        async *run(input, ctx) {
          const file = path.join(dir, `${task}.drop`);
          if (!fs.existsSync(file)) throw new Error(`exact_dedup: ${file} is missing: the reduce step did not run for task ${task}`);
          const raw = fs.readFileSync(file);
          const drop = new Uint32Array(raw.buffer, raw.byteOffset, raw.length / 4);
          let next = 0; // drop lists are in document order
          let index = 0;
          for await (const doc of input) {
            if (o.field === 'url' && dedupKey(doc, 'url') === undefined) ctx.stats.inc('no_url');
            if (next < drop.length && drop[next] === index) {
              next++;
              const marked = dropOrMark(doc, reasonOf(o.field), o.annotate, ctx);
              if (marked) yield marked;
            } else yield doc;
            index++;
          }
        },
      };
    },
  };
}

export const exactDedup: StageDefinition<typeof options> = {
  name: 'exact_dedup',
  kind: 'dedup',
  description: 'drop documents whose normalized text (or URL) equals an earlier one, across all inputs; the first occurrence is kept',
  options,
  create(o) {
    return { name: 'exact_dedup', run: (input, ctx) => runGlobalOnStream(exactGlobal(o), input, ctx) };
  },
  global: exactGlobal,
};
