// Perplexity under a reference language model, as CCNet (Wenzek et al. 2019) filters Common Crawl and
// RedPajama and Dolma keep its buckets: `perplexity` scores each document with a GPT from `curate train`
// (default the shipped data/models/perplexity, trained on WikiText-2: src/perplexity/, docs/perplexity.md)
// and may drop documents above `maxPerplexity`; `perplexity_bucket` is the global stage that finds, per
// language over the whole run, the perplexity percentiles (CCNet's 33rd and 66th) and puts each document
// in the head, middle or tail bucket, keeping the buckets named in `keep`.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { batch } from '../../src/core/iterables.js';
import type { Doc } from '../../src/core/doc.js';
import type { GlobalStage, Stage, StageContext, StageDefinition } from '../../src/core/stage.js';
import { globalStageDefinition } from '../../src/core/global.js';
import { openAtomic, writeFileAtomic } from '../../src/io/atomic.js';
import { dataPath } from '../../src/text/data-files.js';
import { FatalError } from '../../src/core/errors.js';
import { resolveCheckpoint } from '../../src/train/checkpoint.js';

/** the reference model shipped in data/models/perplexity (its README says how it was made) */
export function defaultPerplexityModel(): string {
  return dataPath('models', 'perplexity');
}

const options = z
  .object({
    /** a `curate train` run directory or checkpoint (model.bin + state.json [+ tokenizer.json]); default the shipped model */
    model: z.string().min(1).optional(),
    /** the tokenizer, when the checkpoint does not carry one ('gpt2' or a tokenizer.json) */
    tokenizer: z.string().min(1).optional(),
    /** a document's tokens scored at most, from its start */
    maxTokens: z.number().int().positive().default(512),
    /** documents per scoring call */
    batchSize: z.number().int().positive().default(32),
    /** windows (of the model's context) per forward pass */
    windowBatch: z.number().int().positive().default(16),
    /** drop documents whose perplexity is above this (high_perplexity); default: keep all, annotate */
    maxPerplexity: z.number().positive().optional(),
    /** drop nothing: meta.perplexity, and would_drop counted */
    annotate: z.boolean().default(false),
  })
  .strict();

function resolveModel(model: string | undefined): string {
  const dir = model ? path.resolve(model) : defaultPerplexityModel();
  if (!resolveCheckpoint(dir)) throw new FatalError(`perplexity: ${dir} holds no checkpoint (model.bin + state.json, or a \`curate train\` run directory)`, 'model');
  return dir;
}

const logged = new Set<string>();

export const perplexity: StageDefinition<typeof options> = {
  name: 'perplexity',
  kind: 'classify',
  description: "score each document's perplexity under a reference language model (CCNet; our own GPT from curate train): meta.perplexity, drop above maxPerplexity",
  options,
  create(o): Stage {
    const dir = resolveModel(o.model);
    return {
      name: 'perplexity',
      async *run(input, ctx) {
        const { sharedScorer } = await import('../../src/perplexity/scorer.js'); // TensorFlow.js loads only when the stage runs
        const scorer = await sharedScorer(dir, o.tokenizer);
        if (!logged.has(dir)) {
          logged.add(dir);
          ctx.log.info(`perplexity: model ${scorer.dir} (step ${scorer.step}, ${scorer.parameters.toLocaleString('en-US')} parameters, context ${scorer.context}), backend ${scorer.backend}`);
        }
        for await (const docs of batch(input, o.batchSize)) {
          const scores = scorer.score(
            docs.map((d) => d.text),
            o,
          );
          for (let i = 0; i < docs.length; i++) {
            const doc = docs[i]!;
            const s = scores[i]!;
            ctx.stats.inc('tokens_scored', s.tokens);
            if (s.truncated) ctx.stats.inc('truncated');
            doc.meta.perplexity = s.perplexity === null ? null : Math.round(s.perplexity * 100) / 100;
            if (s.perplexity === null) ctx.stats.inc('no_tokens');
            const high = o.maxPerplexity !== undefined && s.perplexity !== null && s.perplexity > o.maxPerplexity;
            if (!high) yield doc;
            else if (o.annotate) {
              ctx.stats.inc('would_drop.high_perplexity');
              doc.meta.perplexity_filter = { would_drop: 'high_perplexity' };
              yield doc;
            } else ctx.drop(doc, 'high_perplexity');
          }
        }
      },
    };
  },
};

// --- perplexity_bucket ---

const BUCKETS = ['head', 'middle', 'tail'] as const;
type Bucket = (typeof BUCKETS)[number];

const bucketOptions = z
  .object({
    /** the percentiles between head and middle, middle and tail (CCNet: the 33rd and 66th, per language) */
    cutoffs: z
      .tuple([z.number().gt(0).lt(1), z.number().gt(0).lt(1)])
      .refine(([a, b]) => a < b, 'the first cutoff must be below the second')
      .default([1 / 3, 2 / 3]),
    /** percentiles per language (meta.language, from langid), or over the whole run */
    perLanguage: z.boolean().default(true),
    /** buckets kept; the others are dropped as perplexity_<bucket> (RedPajama keeps head and middle) */
    keep: z.array(z.enum(BUCKETS)).min(1).default(['head', 'middle', 'tail']),
    /** drop nothing: meta.perplexity_bucket, and would_drop counted */
    annotate: z.boolean().default(false),
  })
  .strict();

/**
 * The percentiles come from a histogram of ln(perplexity) in bins of 1/1000 (a tenth of a percent of
 * perplexity), per language, so the reduce holds 20,000 counts per language whatever the run's size; a
 * cutoff is the upper edge of the bin where the cumulative share passes it.
 */
const BINS_PER_NAT = 1000;
const MAX_LN = 20;
const BINS = BINS_PER_NAT * MAX_LN;
const binOf = (ppl: number) => Math.min(BINS - 1, Math.max(0, Math.floor(Math.log(Math.max(ppl, 1)) * BINS_PER_NAT)));
const edgeOf = (bin: number) => Math.exp((bin + 1) / BINS_PER_NAT);

// files per task in the stage dir: <task>.ppl (float32 per document, NaN without a score),
// <task>.lang (uint16 per document, into <task>.langs.json); after the reduce, cutoffs.json
function bucketGlobal(o: z.output<typeof bucketOptions>): GlobalStage {
  const langOf = (doc: Doc) => (o.perLanguage && typeof doc.meta.language === 'string' ? doc.meta.language : 'all');
  return {
    collector(dir, task) {
      const ppl: number[] = [];
      const lang: number[] = [];
      const langs = new Map<string, number>();
      return {
        add(doc, index) {
          if (index !== ppl.length) throw new Error(`perplexity_bucket: documents out of order (${index})`);
          const p = doc.meta.perplexity;
          if (p === undefined) throw new FatalError('perplexity_bucket: a document has no meta.perplexity: put the perplexity stage before perplexity_bucket', 'stages');
          ppl.push(typeof p === 'number' ? p : NaN);
          const l = langOf(doc);
          if (!langs.has(l)) langs.set(l, langs.size);
          lang.push(langs.get(l)!);
        },
        async close() {
          const f = openAtomic(path.join(dir, `${task}.ppl`));
          f.write(new Uint8Array(Float32Array.from(ppl).buffer));
          f.commit();
          const g = openAtomic(path.join(dir, `${task}.lang`));
          g.write(new Uint8Array(Uint16Array.from(lang).buffer));
          g.commit();
          writeFileAtomic(path.join(dir, `${task}.langs.json`), JSON.stringify([...langs.keys()]));
        },
      };
    },
    async reduce(dir, tasks, log) {
      const hist = new Map<string, Uint32Array>();
      let unscored = 0;
      for (const task of tasks) {
        const { ppl, lang, langs } = readTask(dir, task);
        for (let i = 0; i < ppl.length; i++) {
          if (Number.isNaN(ppl[i]!)) {
            unscored++;
            continue;
          }
          const l = langs[lang[i]!]!;
          let h = hist.get(l);
          if (!h) hist.set(l, (h = new Uint32Array(BINS)));
          h[binOf(ppl[i]!)]!++;
        }
      }
      const cutoffs: Record<string, { documents: number; head_max: number; middle_max: number }> = {};
      const counters: Record<string, number> = { unscored };
      for (const [l, h] of [...hist].sort(([a], [b]) => a.localeCompare(b))) {
        const total = h.reduce((a, b) => a + b, 0);
        const at = (q: number) => {
          let cum = 0;
          for (let b = 0; b < BINS; b++) if ((cum += h[b]!) >= q * total) return edgeOf(b);
          return edgeOf(BINS - 1);
        };
        cutoffs[l] = { documents: total, head_max: Math.round(at(o.cutoffs[0]) * 100) / 100, middle_max: Math.round(at(o.cutoffs[1]) * 100) / 100 };
        counters[`documents.${l}`] = total;
        log.info(`perplexity_bucket: ${l}: ${total} documents, head <= ${cutoffs[l].head_max}, middle <= ${cutoffs[l].middle_max}`);
      }
      writeFileAtomic(path.join(dir, 'cutoffs.json'), JSON.stringify({ percentiles: o.cutoffs, per_language: o.perLanguage, languages: cutoffs }, null, 2) + '\n');
      return counters;
    },
    filter(dir, task) {
      return {
        name: 'perplexity_bucket',
        async *run(input, ctx: StageContext) {
          const file = path.join(dir, 'cutoffs.json');
          if (!fs.existsSync(file)) throw new Error(`perplexity_bucket: ${file} is missing: the reduce step did not run`);
          const { languages } = JSON.parse(fs.readFileSync(file, 'utf8')) as { languages: Record<string, { head_max: number; middle_max: number }> };
          const { ppl, lang, langs } = readTask(dir, task);
          let index = 0;
          for await (const doc of input) {
            if (index >= ppl.length) throw new Error(`perplexity_bucket: task ${task} has more documents than the ${ppl.length} collected in the pass before`);
            const p = ppl[index]!;
            const c = languages[langs[lang[index]!]!];
            index++;
            // the cutoffs are bin edges: a stored value exactly at one is on the lower side
            const bucket: Bucket | null = Number.isNaN(p) || !c ? null : p <= c.head_max ? 'head' : p <= c.middle_max ? 'middle' : 'tail';
            doc.meta.perplexity_bucket = bucket;
            ctx.stats.inc(`bucket.${bucket ?? 'none'}`);
            if (bucket === null || o.keep.includes(bucket)) yield doc;
            else if (o.annotate) {
              ctx.stats.inc(`would_drop.perplexity_${bucket}`);
              yield doc;
            } else ctx.drop(doc, `perplexity_${bucket}`);
          }
        },
      };
    },
  };
}

function readTask(dir: string, task: string): { ppl: Float32Array; lang: Uint16Array; langs: string[] } {
  const file = path.join(dir, `${task}.ppl`);
  if (!fs.existsSync(file)) throw new Error(`perplexity_bucket: ${file} is missing: the collecting pass did not finish task ${task}`);
  const a = fs.readFileSync(file);
  const b = fs.readFileSync(path.join(dir, `${task}.lang`));
  return {
    ppl: new Float32Array(a.buffer.slice(a.byteOffset, a.byteOffset + a.length)),
    lang: new Uint16Array(b.buffer.slice(b.byteOffset, b.byteOffset + b.length)),
    langs: JSON.parse(fs.readFileSync(path.join(dir, `${task}.langs.json`), 'utf8')) as string[],
  };
}

export const perplexityBucket = globalStageDefinition({
  name: 'perplexity_bucket',
  kind: 'classify',
  description: "CCNet's head/middle/tail buckets: the perplexity percentiles per language over the whole run (a global stage), meta.perplexity_bucket, keep the buckets named",
  options: bucketOptions,
  global: bucketGlobal,
});
