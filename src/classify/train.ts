// Training a hashed-bag classifier (fastText's supervised model: Joulin et al. 2017) in TensorFlow.js:
// mean of bucket embeddings -> dense -> softmax, mini-batch SGD with fastText's linearly decaying rate
// (or Adam), deterministic given a seed, evaluated on a seeded, stratified held-out split.
//
// The embedding bag is a tf.customGrad: forward sparseSegmentMean (cpu and wasm have it), backward a
// scatterND of each document's gradient onto its rows. tf.gather's own gradient needs UnsortedSegmentSum,
// which wasm lacks and which the cpu backend runs as one pass over the batch per bucket.
import path from 'node:path';
import fs from 'node:fs';
import { FatalError } from '../core/errors.js';
import { uniformFromString } from '../text/hash.js';
import { writeFileAtomic } from '../io/atomic.js';
import { tf, selectBackend, type TfBackend } from '../tensor/backend.js';
import { CARD_FILE, CARD_FORMAT, CARD_VERSION, WEIGHTS_FILE, type ModelCard } from './card.js';
import { createFeaturizer, type Features } from './features.js';
import { evaluate, type ClassifierMetrics } from './metrics.js';
import { HashedBagClassifier, type Classifier } from './model.js';
import { encodeWeights, quantizeInPlace, sha256, weightsBytes, type Weights, type WeightsDtype } from './weights.js';
import type { TrainingFileInfo } from './inputs.js';
import { mulberry32 } from '../core/random.js';

export interface Example {
  text: string;
  label: string;
}

export interface TrainOptions {
  /** label order; default: sorted as found (binary training passes [negative, positive]) */
  labels?: string[];
  /** the label a binary model scores (its probability is "the score"); default none (K > 2) */
  positiveLabel?: string;
  buckets: number;
  dim: number;
  ngrams: number[];
  /** tokens read per document (the rest is ignored, counted as truncated) */
  maxTokens: number;
  epochs: number;
  batchSize: number;
  optimizer: 'sgd' | 'adam';
  /** sgd: the starting rate, decayed linearly to 0 (fastText's schedule); adam: constant */
  learningRate: number;
  seed: number;
  /** share of each label held out for the metrics */
  validFraction: number;
  hashSeed: number;
  /** the embedding as stored: int8 (one scale per row) is 4x smaller; metrics are measured after rounding */
  weightsDtype: WeightsDtype;
  backend?: TfBackend | TfBackend[];
  /** also measure the training split (costs one more pass) */
  trainMetrics: boolean;
  /** the files the examples came from and the command line, recorded in the card */
  files: TrainingFileInfo[];
  command: string | null;
  /** progress lines (epochs, backend) */
  log?: (message: string) => void;
}

export const DEFAULT_TRAIN_OPTIONS: TrainOptions = {
  buckets: 1 << 18,
  dim: 16,
  ngrams: [1, 2],
  maxTokens: 1024,
  epochs: 5,
  batchSize: 32,
  // Adam: on a few thousand documents SGD from fastText's small initialization needs 10x the epochs
  // (measured on the shipped training set: SGD 0.1, 5 epochs, held-out AUC 0.977; Adam 0.01, 0.9996)
  optimizer: 'adam',
  learningRate: 0.01,
  seed: 1,
  validFraction: 0.1,
  hashSeed: 0,
  weightsDtype: 'float32',
  trainMetrics: false,
  files: [],
  command: null,
};

export interface Trained {
  classifier: HashedBagClassifier & Classifier;
  card: ModelCard;
}

const prng = mulberry32;

function shuffle<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function checkOptions(o: TrainOptions): void {
  const bad = (what: string) => {
    throw new FatalError(what);
  };
  if (!Number.isInteger(o.buckets) || o.buckets < 2 || o.buckets > 1 << 24) bad(`buckets must be an integer in [2, 2^24], got ${o.buckets}`);
  if (!Number.isInteger(o.dim) || o.dim < 1 || o.dim > 1024) bad(`dim must be an integer in [1, 1024], got ${o.dim}`);
  if (!Number.isInteger(o.maxTokens) || o.maxTokens < 1) bad(`maxTokens must be a positive integer, got ${o.maxTokens}`);
  if (!Number.isInteger(o.epochs) || o.epochs < 1) bad(`epochs must be a positive integer, got ${o.epochs}`);
  if (!Number.isInteger(o.batchSize) || o.batchSize < 1) bad(`batchSize must be a positive integer, got ${o.batchSize}`);
  if (!(o.learningRate > 0)) bad(`learningRate must be positive, got ${o.learningRate}`);
  if (!(o.validFraction >= 0 && o.validFraction < 1)) bad(`validFraction must be in [0, 1), got ${o.validFraction}`);
  if (!o.ngrams.length || o.ngrams.some((n) => n !== 1 && n !== 2)) bad(`ngrams must be [1], [2] or [1, 2], got [${o.ngrams.join(', ')}]`);
  if (!['sgd', 'adam'].includes(o.optimizer)) bad(`optimizer must be sgd or adam, got ${o.optimizer}`);
}

interface Prepared {
  features: Features;
  label: number;
  /** the split key: the text's hash under the seed (duplicates fall on the same side) */
  key: number;
}

/**
 * The held-out split: per label, the examples whose seeded text hash is lowest, round(fraction x count) of
 * them (at least one when a label has two or more). Stratified, so a small set still has both labels in
 * both halves; and independent of input order.
 */
export function splitIndices(keys: number[], labels: number[], fraction: number): { train: number[]; valid: number[] } {
  const byLabel = new Map<number, number[]>();
  labels.forEach((l, i) => byLabel.set(l, [...(byLabel.get(l) ?? []), i]));
  const valid = new Set<number>();
  for (const idx of byLabel.values()) {
    idx.sort((a, b) => keys[a]! - keys[b]! || a - b);
    let n = Math.round(fraction * idx.length);
    if (fraction > 0 && n === 0 && idx.length >= 2) n = 1;
    for (const i of idx.slice(0, n)) valid.add(i);
  }
  const train: number[] = [];
  const held: number[] = [];
  keys.forEach((_, i) => (valid.has(i) ? held : train).push(i));
  return { train, valid: held };
}

/**
 * Train a classifier on labelled examples (an array or an async iterable, read once; the features of all
 * of them are kept in memory: about 8 bytes per token read). Fewer than two labels, or no examples, is a
 * FatalError before any training.
 */
export async function trainClassifier(examples: Iterable<Example> | AsyncIterable<Example>, options: Partial<TrainOptions> = {}): Promise<Trained> {
  const o: TrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  checkOptions(o);
  const log = o.log ?? (() => {});
  const featurize = createFeaturizer({ buckets: o.buckets, ngrams: o.ngrams, maxTokens: o.maxTokens, hashSeed: o.hashSeed });

  // read and featurize once
  const found = new Map<string, number>();
  const raw: { features: Features; label: string; key: number }[] = [];
  let truncated = 0;
  let empty = 0;
  for await (const ex of examples as AsyncIterable<Example>) {
    const features = featurize(ex.text);
    if (features.truncated) truncated++;
    if (features.ids.length === 0) {
      empty++;
      continue;
    }
    found.set(ex.label, (found.get(ex.label) ?? 0) + 1);
    raw.push({ features, label: ex.label, key: uniformFromString(ex.text, o.seed) });
  }
  const labels = o.labels ?? [...found.keys()].sort();
  if (raw.length === 0) throw new FatalError(`no training examples${empty ? ` (${empty} without a single token)` : ''}`);
  for (const l of found.keys()) if (!labels.includes(l)) throw new FatalError(`label '${l}' of the examples is not one of the labels ${labels.join(', ')}`);
  const missing = labels.filter((l) => !found.has(l));
  if (labels.length < 2 || missing.length) {
    throw new FatalError(`a classifier needs examples of at least two labels; ${missing.length ? `no examples of ${missing.map((m) => `'${m}'`).join(', ')}` : `only '${labels[0]}' found`}`);
  }
  if (o.positiveLabel !== undefined && !labels.includes(o.positiveLabel)) throw new FatalError(`positive label '${o.positiveLabel}' is not one of ${labels.join(', ')}`);
  const data: Prepared[] = raw.map((r) => ({ features: r.features, label: labels.indexOf(r.label), key: r.key }));
  const split = splitIndices(data.map((d) => d.key), data.map((d) => d.label), o.validFraction);
  if (split.train.length === 0) throw new FatalError('the held-out split leaves no training examples: lower validFraction');

  const choice = await selectBackend({ prefer: o.backend });
  log(choice.describe());
  const K = labels.length;
  const { buckets: B, dim: D } = o;
  const random = prng(o.seed);
  // fastText's initialization: input vectors uniform in [-1/dim, 1/dim], output zero
  const init = new Float32Array(B * D);
  for (let i = 0; i < init.length; i++) init[i] = (random() * 2 - 1) / D;
  const embedding = tf.variable(tf.tensor2d(init, [B, D]), true, 'embedding');
  const dense = tf.variable(tf.zeros([D, K]), true, 'dense');
  const bias = tf.variable(tf.zeros([K]), true, 'bias');
  const optimizer = o.optimizer === 'adam' ? tf.train.adam(o.learningRate) : tf.train.sgd(o.learningRate);
  const steps = o.epochs * Math.ceil(split.train.length / o.batchSize);
  let step = 0;
  const started = performance.now();
  try {
    for (let epoch = 0; epoch < o.epochs; epoch++) {
      const order = shuffle([...split.train], prng(o.seed * 1000003 + epoch + 1));
      let lossSum = 0;
      let seen = 0;
      for (let b = 0; b < order.length; b += o.batchSize) {
        const batch = order.slice(b, b + o.batchSize).map((i) => data[i]!);
        if (o.optimizer === 'sgd') (optimizer as tf.SGDOptimizer).setLearningRate(o.learningRate * Math.max(0, 1 - step / steps));
        const loss = trainStep(batch, embedding, dense, bias, optimizer, K);
        lossSum += loss * batch.length;
        seen += batch.length;
        step++;
      }
      log(`epoch ${epoch + 1}/${o.epochs}: loss ${(lossSum / seen).toFixed(4)}, ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }
  } catch (e) {
    embedding.dispose();
    dense.dispose();
    bias.dispose();
    optimizer.dispose();
    throw e;
  }
  const trainSeconds = (performance.now() - started) / 1000;
  const weights: Weights = {
    buckets: B,
    dim: D,
    labels: K,
    embedding: embedding.dataSync() as Float32Array,
    dense: dense.dataSync() as Float32Array,
    bias: bias.dataSync() as Float32Array,
  };
  embedding.dispose();
  dense.dispose();
  bias.dispose();
  optimizer.dispose();
  if (o.weightsDtype === 'int8') quantizeInPlace(weights);

  const byLabel = Object.fromEntries(labels.map((l) => [l, found.get(l) ?? 0]));
  const card: ModelCard = {
    format: CARD_FORMAT,
    format_version: CARD_VERSION,
    labels,
    positive_label: o.positiveLabel ?? null,
    features: { tokenizer: 'lowercase-words-punct-v1', ngrams: [...o.ngrams].sort(), buckets: B, hash: 'fnv1a32-fmix32', hash_seed: o.hashSeed, max_tokens: o.maxTokens },
    model: {
      kind: 'embedding-bag-mean-linear-softmax',
      dim: D,
      weights_file: WEIGHTS_FILE,
      weights_dtype: o.weightsDtype,
      weights_bytes: weightsBytes(B, D, K, o.weightsDtype),
      weights_sha256: '', // set when saved
    },
    training: {
      files: o.files,
      examples: data.length,
      examples_by_label: byLabel,
      truncated,
      empty,
      split: { method: 'stratified-by-label, lowest hash32(text, seed) held out', valid_fraction: o.validFraction, seed: o.seed, train: split.train.length, valid: split.valid.length },
      seed: o.seed,
      epochs: o.epochs,
      batch_size: o.batchSize,
      optimizer: o.optimizer === 'sgd' ? 'sgd, linear decay to 0' : 'adam',
      learning_rate: o.learningRate,
      train_seconds: Math.round(trainSeconds * 100) / 100,
      backend: choice.backend,
      command: o.command,
      created: new Date().toISOString(),
    },
    metrics: { valid: { auc: null, accuracy: null, auc_by_label: {}, examples: 0 } },
  };
  const classifier = new HashedBagClassifier(card, weights, choice.backend) as HashedBagClassifier & Classifier;
  const positive = o.positiveLabel !== undefined ? labels.indexOf(o.positiveLabel) : undefined;
  const measure = (idx: number[]): ClassifierMetrics => round(evaluate(classifier.predictFeatures(idx.map((i) => data[i]!.features)), idx.map((i) => data[i]!.label), labels, positive));
  card.metrics.valid = measure(split.valid);
  if (o.trainMetrics) card.metrics.train = measure(split.train);
  log(`held out ${split.valid.length}: AUC ${card.metrics.valid.auc ?? 'n/a'}, accuracy ${card.metrics.valid.accuracy ?? 'n/a'}`);
  return { classifier, card };
}

function round(m: ClassifierMetrics): ClassifierMetrics {
  const r = (v: number | null) => (v === null ? null : Math.round(v * 1e5) / 1e5);
  return { auc: r(m.auc), accuracy: r(m.accuracy), auc_by_label: Object.fromEntries(Object.entries(m.auc_by_label).map(([k, v]) => [k, r(v)])), examples: m.examples };
}

/** one mini-batch: mean cross-entropy, gradients, update; returns the loss */
function trainStep(batch: Prepared[], embedding: tf.Variable, dense: tf.Variable, bias: tf.Variable, optimizer: tf.Optimizer, K: number): number {
  let total = 0;
  for (const ex of batch) total += ex.features.ids.length;
  const ids = new Int32Array(total);
  const segments = new Int32Array(total);
  const weightOfFeature = new Float32Array(total);
  let at = 0;
  batch.forEach((ex, s) => {
    const f = ex.features.ids;
    ids.set(f, at);
    segments.fill(s, at, at + f.length);
    weightOfFeature.fill(1 / f.length, at, at + f.length);
    at += f.length;
  });
  const labelIds = Int32Array.from(batch, (ex) => ex.label);
  const [B, D] = embedding.shape as [number, number];
  const loss = tf.tidy(() => {
    const idsT = tf.tensor1d(ids, 'int32');
    const segT = tf.tensor1d(segments, 'int32');
    const wT = tf.tensor2d(weightOfFeature, [total, 1]);
    const bag = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => ({
      value: tf.sparse.sparseSegmentMean(args[0] as tf.Tensor2D, idsT, segT),
      // d mean_t E[id_t] / d E[id] = (1 / n) per occurrence: scatter each document's gradient onto its rows
      gradFunc: (dy: tf.Tensor) => tf.scatterND(tf.reshape(idsT, [total, 1]), tf.mul(tf.gather(dy, segT), wT), [B, D]),
    }));
    const onehot = tf.oneHot(tf.tensor1d(labelIds, 'int32'), K);
    // summed over the batch, as fastText's per-example SGD steps add up: the rate does not shrink with the batch size
    const cost = optimizer.minimize(
      () => tf.losses.softmaxCrossEntropy(onehot, tf.add(tf.matMul(bag(embedding) as tf.Tensor2D, dense), bias), undefined, 0, tf.Reduction.SUM) as tf.Scalar,
      true,
      [embedding, dense, bias],
    );
    return tf.div(cost!, batch.length);
  });
  const value = loss.dataSync()[0]!;
  loss.dispose();
  return value;
}

/**
 * Write a model directory: weights.bin (weights.ts's format), then model.json with the weights' size and
 * sha256. Each file appears whole or not at all; the card is written last, so a directory with a card is complete.
 */
export function saveClassifier(dir: string, trained: Trained | (HashedBagClassifier & Classifier)): ModelCard {
  const classifier = 'classifier' in trained ? trained.classifier : trained;
  const card = structuredClone(classifier.card);
  const bytes = encodeWeights(classifier.weights, card.model.weights_dtype);
  card.model.weights_bytes = bytes.length;
  card.model.weights_sha256 = sha256(bytes);
  try {
    fs.mkdirSync(dir, { recursive: true });
    writeFileAtomic(path.join(dir, card.model.weights_file), bytes);
    writeFileAtomic(path.join(dir, CARD_FILE), JSON.stringify(card, null, 2) + '\n');
  } catch (e) {
    throw new FatalError(`${dir}: cannot write the model: ${(e as Error).message}`);
  }
  classifier.card = card;
  if ('card' in trained && trained !== classifier) (trained as Trained).card = card;
  return card;
}
