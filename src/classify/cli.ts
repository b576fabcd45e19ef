// `curate classifier train`: a hashed-bag classifier from positive and negative files (binary, the quality
// model) or from labelled JSONL (any number of labels, the domain model), written as a model directory.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FatalError } from '../core/errors.js';
import { Counters } from '../core/stats.js';
import { parseBackendList } from '../tensor/backend.js';
import { describeFile, readLabelledJsonl, readTrainingTexts, type TrainingFileInfo } from './inputs.js';
import { DEFAULT_TRAIN_OPTIONS, saveClassifier, trainClassifier, type Example, type TrainOptions } from './train.js';

type Out = { out: (s: string) => void; err: (s: string) => void };

const TRAIN_USAGE = `usage: curate classifier train --pos FILE... --neg FILE... --out DIR [options]     binary (quality)
       curate classifier train --data LABELLED.jsonl... --out DIR [options]          any number of labels

inputs: .jsonl/.jsonl.gz (a "text" field; --data also "label"), .parquet, .warc/.warc.gz (text extracted
by the extract stage), .txt/.txt.gz (blank-line paragraphs gathered into ~3 KB documents; WikiText is
detected, detokenized and cut at its article headings). Several files may follow one flag.

options:
  --pos-label NAME / --neg-label NAME   label names of a binary model (pos, neg)
  --epochs N (${DEFAULT_TRAIN_OPTIONS.epochs})   --dim N (${DEFAULT_TRAIN_OPTIONS.dim})   --buckets N (${DEFAULT_TRAIN_OPTIONS.buckets})   --max-tokens N (${DEFAULT_TRAIN_OPTIONS.maxTokens}: longer documents are truncated)
  --ngrams 1,2 (word unigrams and bigrams)   --batch-size N (${DEFAULT_TRAIN_OPTIONS.batchSize})   --optimizer adam|sgd (${DEFAULT_TRAIN_OPTIONS.optimizer})   --lr X (${DEFAULT_TRAIN_OPTIONS.learningRate})
  --seed N (${DEFAULT_TRAIN_OPTIONS.seed}: initialization, shuffling and the held-out split)   --valid-fraction X (${DEFAULT_TRAIN_OPTIONS.validFraction}, per label)
  --weights float32|int8 (${DEFAULT_TRAIN_OPTIONS.weightsDtype}: int8 stores the embedding 4x smaller)
  --backend NAME[,NAME] (tfjs-node-gpu, tfjs-node, webgpu, wasm, cpu; default CURATE_TF_BACKEND or the best that loads)`;

function intFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n)) throw new FatalError(`--${name} must be an integer, got '${value}'`);
  return n;
}

function numberFlag(value: string | undefined, name: string, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new FatalError(`--${name} must be a number, got '${value}'`);
  return n;
}

/** the command line as a user would type it again, for the model card */
function commandLine(args: string[]): string {
  return ['curate', 'classifier', ...args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

export async function cmdClassifier(args: string[], io: Out): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'train') return cmdTrain(rest, io, args);
  io.out(`usage: curate classifier train ...   (curate classifier train --help)`);
  return sub === undefined || sub === '--help' || sub === '-h' ? (sub ? 0 : 2) : 2;
}

async function cmdTrain(args: string[], io: Out, all: string[]): Promise<number> {
  const { values, tokens } = parseArgs({
    args,
    allowPositionals: true,
    tokens: true,
    options: {
      pos: { type: 'string', multiple: true },
      neg: { type: 'string', multiple: true },
      data: { type: 'string', multiple: true },
      out: { type: 'string' },
      'pos-label': { type: 'string', default: 'pos' },
      'neg-label': { type: 'string', default: 'neg' },
      epochs: { type: 'string' },
      dim: { type: 'string' },
      buckets: { type: 'string' },
      'max-tokens': { type: 'string' },
      ngrams: { type: 'string' },
      'batch-size': { type: 'string' },
      optimizer: { type: 'string' },
      lr: { type: 'string' },
      seed: { type: 'string' },
      'valid-fraction': { type: 'string' },
      weights: { type: 'string' },
      backend: { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    io.out(TRAIN_USAGE);
    return 0;
  }
  // `--pos a.txt b.txt --neg c.jsonl`: a bare path belongs to the file flag before it
  const files: Record<'pos' | 'neg' | 'data', string[]> = { pos: [], neg: [], data: [] };
  let current: keyof typeof files | undefined;
  for (const t of tokens ?? []) {
    if (t.kind === 'option') {
      current = t.name === 'pos' || t.name === 'neg' || t.name === 'data' ? t.name : undefined;
      if (current && t.value !== undefined) files[current].push(t.value);
    } else if (t.kind === 'positional') {
      if (!current) throw new FatalError(`unexpected argument '${t.value}': input files follow --pos, --neg or --data`);
      files[current].push(t.value);
    }
  }
  const binary = files.pos.length > 0 || files.neg.length > 0;
  if (!values.out || (!binary && !files.data.length)) {
    io.out(TRAIN_USAGE);
    return 2;
  }
  if (binary && files.data.length) throw new FatalError('give either --pos/--neg (binary) or --data (labelled JSONL), not both');
  if (binary && !files.pos.length) throw new FatalError(`no --pos files: a binary classifier needs examples of '${values['pos-label']}' too`);
  if (binary && !files.neg.length) throw new FatalError(`no --neg files: a binary classifier needs examples of '${values['neg-label']}' too`);
  const posLabel = values['pos-label']!;
  const negLabel = values['neg-label']!;
  if (binary && posLabel === negLabel) throw new FatalError(`--pos-label and --neg-label are both '${posLabel}'`);
  const optimizer = values.optimizer ?? DEFAULT_TRAIN_OPTIONS.optimizer;
  if (optimizer !== 'adam' && optimizer !== 'sgd') throw new FatalError(`--optimizer must be adam or sgd, got '${optimizer}'`);
  const weights = values.weights ?? DEFAULT_TRAIN_OPTIONS.weightsDtype;
  if (weights !== 'float32' && weights !== 'int8') throw new FatalError(`--weights must be float32 or int8, got '${weights}'`);
  const ngrams = values.ngrams ? values.ngrams.split(',').map((s) => Number(s.trim())) : DEFAULT_TRAIN_OPTIONS.ngrams;

  const log = (m: string) => io.err(m);
  const skipped = new Counters();
  let warned = 0;
  const reading = { skipped, warn: (m: string) => void (warned++ < 5 && log(`warning: ${m}`)) };
  const infos: TrainingFileInfo[] = [];
  const labelled: Array<{ file: string; label?: string }> = binary
    ? [...files.pos.map((file) => ({ file, label: posLabel })), ...files.neg.map((file) => ({ file, label: negLabel }))]
    : files.data.map((file) => ({ file }));
  // read every file through once before training: an empty file or a missing class stops here
  async function* examples(): AsyncGenerator<Example> {
    const seenLabels = new Map<string, number>();
    for (const { file, label } of labelled) {
      const info: TrainingFileInfo = { path: file, ...(label ? { label } : {}), ...describeFile(file), documents: 0 };
      log(`reading ${file}${label ? ` (${label})` : ''}`);
      if (label) {
        for await (const text of readTrainingTexts(file, reading)) {
          info.documents++;
          yield { text, label };
        }
      } else {
        for await (const ex of readLabelledJsonl(file, reading)) {
          info.documents++;
          seenLabels.set(ex.label, (seenLabels.get(ex.label) ?? 0) + 1);
          yield ex;
        }
      }
      if (info.documents === 0) throw new FatalError(`${file}: no documents${info.bytes === 0 ? ' (empty file)' : ' with text'}${label ? ` for label '${label}'` : ''}`);
      infos.push(info);
    }
    if (!binary && seenLabels.size < 2) {
      const [only] = seenLabels.keys();
      throw new FatalError(`${files.data.join(', ')}: only one label ('${only}', ${seenLabels.get(only!)} examples): a classifier needs two or more`);
    }
  }
  const options: Partial<TrainOptions> = {
    labels: binary ? [negLabel, posLabel] : undefined,
    positiveLabel: binary ? posLabel : undefined,
    epochs: intFlag(values.epochs, 'epochs', DEFAULT_TRAIN_OPTIONS.epochs),
    dim: intFlag(values.dim, 'dim', DEFAULT_TRAIN_OPTIONS.dim),
    buckets: intFlag(values.buckets, 'buckets', DEFAULT_TRAIN_OPTIONS.buckets),
    maxTokens: intFlag(values['max-tokens'], 'max-tokens', DEFAULT_TRAIN_OPTIONS.maxTokens),
    ngrams,
    batchSize: intFlag(values['batch-size'], 'batch-size', DEFAULT_TRAIN_OPTIONS.batchSize),
    optimizer,
    learningRate: numberFlag(values.lr, 'lr', optimizer === DEFAULT_TRAIN_OPTIONS.optimizer ? DEFAULT_TRAIN_OPTIONS.learningRate : 0.1),
    seed: intFlag(values.seed, 'seed', DEFAULT_TRAIN_OPTIONS.seed),
    validFraction: numberFlag(values['valid-fraction'], 'valid-fraction', DEFAULT_TRAIN_OPTIONS.validFraction),
    weightsDtype: weights,
    backend: values.backend ? parseBackendList(values.backend, '--backend') : undefined,
    files: infos,
    command: commandLine(all),
    log,
  };
  const trained = await trainClassifier(examples(), options);
  const card = saveClassifier(values.out, trained);
  trained.classifier.dispose();
  const m = card.metrics.valid;
  const dropped = Object.entries(skipped.toJSON());
  io.out(
    [
      `model: ${path.resolve(values.out)} (${card.labels.join(', ')}; ${card.features.buckets} buckets x ${card.model.dim} dims, ${card.model.weights_dtype}, ${(card.model.weights_bytes / 1e6).toFixed(2)} MB)`,
      `examples: ${card.training.examples} (${Object.entries(card.training.examples_by_label).map(([k, v]) => `${k} ${v}`).join(', ')}); ${card.training.truncated} truncated to ${card.features.max_tokens} tokens${dropped.length ? `; skipped ${dropped.map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}`,
      `held out: ${m.examples} examples, AUC ${m.auc ?? 'n/a'}, accuracy ${m.accuracy ?? 'n/a'}`,
      `trained in ${card.training.train_seconds} s on ${card.training.backend}`,
    ].join('\n'),
  );
  return 0;
}
