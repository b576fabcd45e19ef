// Model-based quality: a hashed-bag classifier (src/classify/) trained to tell reference-like text
// (Wikipedia, books) from ordinary web pages scores each document, as GPT-3's and DCLM's quality
// classifiers do. `quality` keeps documents scoring at least `threshold`; `quality_top` is its global
// twin that keeps the top `fraction` of the whole run (collect scores, one reduce finds the cutoff, filter).
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FatalError } from '../../src/core/errors.js';
import { batch } from '../../src/core/iterables.js';
import type { GlobalStage, Stage, StageContext, StageDefinition } from '../../src/core/stage.js';
import { globalStageDefinition } from '../../src/core/global.js';
import { bytesOf, openAtomic, writeFileAtomic } from '../../src/io/atomic.js';
import { dataPath } from '../../src/text/data-files.js';
import { readCard, type ModelCard } from '../../src/classify/card.js';
import { createFeaturizer, type Features } from '../../src/classify/features.js'; // no TensorFlow.js in it
import type { HashedBagClassifier } from '../../src/classify/model.js';

/** the model shipped in data/models/quality (its README says how it was trained, on what) */
export function defaultQualityModel(): string {
  return dataPath('models', 'quality');
}

const common = {
  /** model directory (model.json + weights.bin); default the shipped data/models/quality */
  model: z.string().min(1).optional(),
  /** the label whose probability is the score; default the model's positive label */
  label: z.string().min(1).optional(),
  /** documents scored per call into the model */
  batchSize: z.number().int().positive().max(65536).default(256),
  /** drop nothing: write meta.quality_score and count would_drop.<reason> */
  annotate: z.boolean().default(false),
};

const options = z
  .object({
    ...common,
    /** keep documents whose score is at least this */
    threshold: z.number().min(0).max(1).default(0.5),
  })
  .strict();

const topOptions = z
  .object({
    ...common,
    /** keep this share of the run's documents, the best scored (ties: the earlier in input order) */
    fraction: z.number().gt(0).max(1),
  })
  .strict();

type Common = { model?: string; label?: string; batchSize: number; annotate: boolean };

/** the model directory and the index of the scored label, checked when the stage is created (before a run starts) */
function resolveModel(o: Common): { dir: string; card: ModelCard; labelIndex: number } {
  const dir = o.model ? path.resolve(o.model) : defaultQualityModel();
  const card = readCard(dir);
  const label = o.label ?? card.positive_label;
  if (label === null) throw new FatalError(`quality: the model ${dir} has labels ${card.labels.join(', ')} and no positive label: set the stage's label option`, 'label');
  const labelIndex = card.labels.indexOf(label);
  if (labelIndex < 0) throw new FatalError(`quality: label '${label}' is not one of the model's labels (${card.labels.join(', ')})`, 'label');
  return { dir, card, labelIndex };
}

const logged = new Set<string>();

/** load (once per process and directory) and log the backend once */
async function classifierFor(dir: string, log?: StageContext['log']): Promise<HashedBagClassifier> {
  const { sharedClassifier } = await import('../../src/classify/model.js'); // TensorFlow.js loads only when a model is used
  const classifier = await sharedClassifier(dir);
  if (log && !logged.has(dir)) {
    logged.add(dir);
    const { selectBackend } = await import('../../src/tensor/backend.js');
    log.info(`quality: model ${dir}, ${(await selectBackend()).describe()}`);
  }
  return classifier;
}

function roundScore(s: number): number {
  return Math.round(s * 1e6) / 1e6;
}

export const quality: StageDefinition<typeof options> = {
  name: 'quality',
  kind: 'classify',
  description: 'score documents with a quality classifier (meta.quality_score: probability of reference-like text) and keep those at or above a threshold',
  options,
  create(o): Stage {
    const { dir, labelIndex } = resolveModel(o);
    return {
      name: 'quality',
      async *run(input, ctx) {
        const classifier = await classifierFor(dir, ctx.log);
        for await (const docs of batch(input, o.batchSize)) {
          const before = classifier.truncated;
          const probs = await classifier.predict(docs.map((d) => d.text));
          ctx.stats.inc(`backend.${classifier.backend}`, docs.length);
          if (classifier.truncated > before) ctx.stats.inc('truncated', classifier.truncated - before);
          for (let i = 0; i < docs.length; i++) {
            const doc = docs[i]!;
            const score = probs[i]![labelIndex]!;
            doc.meta.quality_score = roundScore(score);
            const keep = score >= o.threshold;
            if (o.annotate) {
              if (!keep) ctx.stats.inc('would_drop.low_quality_score');
              doc.meta.quality = { would_drop: keep ? null : 'low_quality_score' };
              yield doc;
            } else if (keep) yield doc;
            else ctx.drop(doc, 'low_quality_score');
          }
        }
      },
    };
  },
};

// quality_top's files in its stage dir, per task: <task>.scores (float32 per document, in order),
// <task>.json (backend, documents, truncated); after the reduce <task>.drop (uint32 indices, ascending)
// and cutoff.json.
const SCORES = '.scores';
const DROP = '.drop';

function topGlobal(o: z.output<typeof topOptions>): GlobalStage {
  const { dir: modelDir, card, labelIndex } = resolveModel(o);
  return {
    collector(dir, task) {
      // add() is synchronous: features are made at once (they need only the card), scoring waits for the
      // model to load and then runs a batch at a time
      const loading = classifierFor(modelDir);
      let classifier: HashedBagClassifier | undefined;
      let failed: unknown;
      loading.then((c) => (classifier = c), (e) => (failed = e));
      let featurize: ((text: string) => Features) | undefined;
      const scores: number[] = [];
      let pending: Features[] = [];
      let truncated = 0;
      const score = () => {
        for (const p of classifier!.predictFeatures(pending)) scores.push(p[labelIndex]!);
        pending = [];
      };
      return {
        add(doc, index) {
          if (index !== scores.length + pending.length) throw new Error(`quality_top: documents out of order (${index})`);
          featurize ??= createFeaturizer({ buckets: card.features.buckets, ngrams: card.features.ngrams, maxTokens: card.features.max_tokens, hashSeed: card.features.hash_seed });
          const f = featurize(doc.text);
          if (f.truncated) truncated++;
          pending.push(f);
          if (classifier && pending.length >= o.batchSize) score();
        },
        async close() {
          await loading.catch(() => {});
          if (failed) throw failed;
          score();
          const out = openAtomic(path.join(dir, task + SCORES));
          out.write(new Uint8Array(Float32Array.from(scores).buffer));
          out.commit();
          writeFileAtomic(path.join(dir, `${task}.json`), JSON.stringify({ backend: classifier!.backend, documents: scores.length, truncated }));
        },
      };
    },
    async reduce(dir, tasks, log) {
      const perTask = tasks.map((task) => readScores(path.join(dir, task + SCORES), task));
      const total = perTask.reduce((n, s) => n + s.length, 0);
      const keep = Math.ceil(o.fraction * total);
      // the run's documents ordered best first; equal scores keep input order (task, then position)
      const all = new Float32Array(total);
      let at = 0;
      for (const s of perTask) {
        all.set(s, at);
        at += s.length;
      }
      const order = new Uint32Array(total).map((_, i) => i).sort((a, b) => all[b]! - all[a]! || a - b);
      const kept = new Uint8Array(total);
      for (let r = 0; r < keep; r++) kept[order[r]!] = 1;
      const cutoff = keep > 0 ? all[order[keep - 1]!]! : 1;
      at = 0;
      const counters: Record<string, number> = { docs: total, kept: keep, dropped: total - keep, cutoff_score: roundScore(cutoff) };
      for (let t = 0; t < tasks.length; t++) {
        const drop: number[] = [];
        for (let i = 0; i < perTask[t]!.length; i++) if (!kept[at + i]) drop.push(i);
        at += perTask[t]!.length;
        writeFileAtomic(path.join(dir, tasks[t]! + DROP), bytesOf(Uint32Array.from(drop)));
        const info = JSON.parse(fs.readFileSync(path.join(dir, `${tasks[t]}.json`), 'utf8')) as { backend: string; truncated: number };
        counters[`backend.${info.backend}`] = (counters[`backend.${info.backend}`] ?? 0) + perTask[t]!.length;
        counters.truncated = (counters.truncated ?? 0) + info.truncated;
      }
      writeFileAtomic(path.join(dir, 'cutoff.json'), JSON.stringify({ fraction: o.fraction, documents: total, kept: keep, cutoff_score: cutoff }) + '\n');
      log.info(`quality_top: keeping ${keep} of ${total} documents (fraction ${o.fraction}), score >= ${roundScore(cutoff)}`);
      return counters;
    },
    filter(dir, task) {
      return {
        name: 'quality_top',
        async *run(input, ctx) {
          const scores = readScores(path.join(dir, task + SCORES), task);
          const dropFile = path.join(dir, task + DROP);
          if (!fs.existsSync(dropFile)) throw new Error(`quality_top: ${dropFile} is missing: the reduce step did not run for task ${task}`);
          const raw = fs.readFileSync(dropFile);
          const drop = new Uint32Array(raw.buffer, raw.byteOffset, raw.length / 4);
          let next = 0;
          let index = 0;
          for await (const doc of input) {
            if (index >= scores.length) throw new Error(`quality_top: task ${task} has more documents than the ${scores.length} scored in the pass before`);
            doc.meta.quality_score = roundScore(scores[index]!);
            const below = next < drop.length && drop[next] === index;
            if (below) next++;
            index++;
            if (!below) yield doc;
            else if (o.annotate) {
              ctx.stats.inc('would_drop.below_top_fraction');
              doc.meta.quality_top = { would_drop: 'below_top_fraction' };
              yield doc;
            } else ctx.drop(doc, 'below_top_fraction');
          }
        },
      };
    },
  };
}

function readScores(file: string, task: string): Float32Array {
  if (!fs.existsSync(file)) throw new Error(`quality_top: ${file} is missing: the collecting pass did not finish task ${task}`);
  const raw = fs.readFileSync(file);
  return new Float32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length));
}

export const qualityTop = globalStageDefinition({
  name: 'quality_top',
  kind: 'classify',
  description: 'keep the best-scored fraction of all documents of the run by the quality classifier (a global stage: scores are collected, one cutoff found, then applied)',
  options: topOptions,
  global: topGlobal,
});
