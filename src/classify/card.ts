// The model card of a classifier directory (model.json): what the model is, how its features are made,
// what it was trained on and how well it did. Read and checked here before any weight is trusted.
import fs from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { FatalError } from '../core/errors.js';

/** the directory layout: the card, and the weights it describes (src/classify/weights.ts) */
export const CARD_FILE = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';
export const CARD_FORMAT = 'curate-hashed-bag-classifier';
export const CARD_VERSION = 1;

const trainingFile = z.object({
  path: z.string(),
  /** the label its documents got (binary training), absent for labelled JSONL */
  label: z.string().optional(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string(),
  documents: z.number().int().nonnegative(),
});

const metrics = z.object({
  /** binary: AUC of the positive label; K > 2: the macro average of one-vs-rest AUCs */
  auc: z.number().nullable(),
  accuracy: z.number().nullable(),
  /** one-vs-rest AUC per label */
  auc_by_label: z.record(z.string(), z.number().nullable()),
  examples: z.number().int().nonnegative(),
});

export const ModelCardSchema = z.object({
  format: z.string(),
  format_version: z.number().int(),
  labels: z.array(z.string()).min(2),
  /** the label whose probability is "the score" of a binary model (the quality stage's meta.quality_score) */
  positive_label: z.string().nullable(),
  features: z.object({
    tokenizer: z.literal('lowercase-words-punct-v1'),
    ngrams: z.array(z.number().int().min(1).max(2)).min(1),
    buckets: z.number().int().min(2),
    hash: z.literal('fnv1a32-fmix32'),
    hash_seed: z.number().int(),
    /** tokens read per document; longer documents are truncated to their first max_tokens tokens */
    max_tokens: z.number().int().positive(),
  }),
  model: z.object({
    kind: z.literal('embedding-bag-mean-linear-softmax'),
    dim: z.number().int().positive(),
    weights_file: z.string(),
    weights_dtype: z.enum(['float32', 'int8']),
    weights_bytes: z.number().int().positive(),
    weights_sha256: z.string(),
  }),
  training: z.object({
    files: z.array(trainingFile),
    examples: z.number().int().nonnegative(),
    examples_by_label: z.record(z.string(), z.number().int().nonnegative()),
    /** documents longer than max_tokens, read only up to it */
    truncated: z.number().int().nonnegative(),
    /** documents without a single token, left out */
    empty: z.number().int().nonnegative(),
    split: z.object({ method: z.string(), valid_fraction: z.number(), seed: z.number().int(), train: z.number().int(), valid: z.number().int() }),
    seed: z.number().int(),
    epochs: z.number().int().positive(),
    batch_size: z.number().int().positive(),
    optimizer: z.string(),
    learning_rate: z.number(),
    train_seconds: z.number(),
    backend: z.string(),
    command: z.string().nullable(),
    created: z.string(),
  }),
  metrics: z.object({ valid: metrics, train: metrics.optional() }),
});
export type ModelCard = z.infer<typeof ModelCardSchema>;

/** the card of a model directory, checked: a missing file, another format or version, a malformed card are FatalErrors naming the file */
export function readCard(dir: string): ModelCard {
  const file = path.join(dir, CARD_FILE);
  if (!fs.existsSync(dir)) throw new FatalError(`${dir}: no such model directory (expected ${CARD_FILE} and ${WEIGHTS_FILE} of a curate classifier; make one with \`curate classifier train\`)`);
  if (!fs.existsSync(file)) throw new FatalError(`${file}: missing: expected the model card of a curate classifier (${CARD_FORMAT}, version ${CARD_VERSION})`);
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new FatalError(`${file}: not valid JSON (${(e as Error).message}): expected the model card of a curate classifier`);
  }
  const head = raw as { format?: unknown; format_version?: unknown };
  if (head?.format !== CARD_FORMAT) throw new FatalError(`${file}: format is ${JSON.stringify(head?.format)}, expected "${CARD_FORMAT}"`);
  if (head.format_version !== CARD_VERSION) {
    throw new FatalError(`${file}: format version ${JSON.stringify(head.format_version)}, this curate reads version ${CARD_VERSION} of ${CARD_FORMAT}; retrain the model with this curate (\`curate classifier train\`, the command is in the card's training.command)`);
  }
  const parsed = ModelCardSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new FatalError(`${file}: ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  const card = parsed.data;
  if (card.positive_label !== null && !card.labels.includes(card.positive_label)) throw new FatalError(`${file}: positive_label '${card.positive_label}' is not one of the labels ${card.labels.join(', ')}`);
  return card;
}
