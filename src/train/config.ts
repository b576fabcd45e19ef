// Loading pipelines/pretrain.yaml: YAML -> schemas/train.ts, every problem a FatalError naming the field
// (`pretrain.yaml: optimizer.warmupStep: unknown option 'warmupStep' (did you mean 'warmupSteps'?)`), and
// the checks zod cannot make alone (heads divide width, batchTokens divides into microbatches).
import fs from 'node:fs';
import YAML from 'yaml';
import { FatalError } from '../core/errors.js';
import { TrainConfig, TRAIN_CONFIG_KEYS } from '../../schemas/train.js';

// src/run/config.ts has the same hint for pipelines; importing it would load every stage's module
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

function suggest(word: string, candidates: string[]): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dd = distance(word.toLowerCase(), c.toLowerCase());
    if (dd < bestD) [best, bestD] = [c, dd];
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

export function parseTrainConfig(text: string, file = '<train config>'): TrainConfig {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (e) {
    throw new FatalError(`${file}: not valid YAML: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new FatalError(`${file}: a training config is a YAML mapping with data, model, optimizer and steps`);
  const parsed = TrainConfig.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const at = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      const key = issue.keys[0]!;
      const field = [...at, key].join('.');
      throw new FatalError(`${file}: ${field}: unknown option '${key}'${suggest(key, TRAIN_CONFIG_KEYS[at.join('.')] ?? [])}`, field);
    }
    const field = at.join('.') || '(top level)';
    throw new FatalError(`${file}: ${field}: ${issue.message}`, field);
  }
  return checkTrainConfig(parsed.data, file);
}

/** the cross-field rules; also applied after command-line overrides */
export function checkTrainConfig(c: TrainConfig, file = '<train config>'): TrainConfig {
  const { model: m, optimizer: o } = c;
  if (m.width % m.heads) throw new FatalError(`${file}: model.heads: width ${m.width} is not a multiple of heads ${m.heads}`, 'model.heads');
  const micro = o.microBatch * m.context;
  if (o.batchTokens % micro) {
    const lower = Math.max(micro, Math.floor(o.batchTokens / micro) * micro);
    throw new FatalError(
      `${file}: optimizer.batchTokens: ${o.batchTokens} is not a multiple of microBatch x context = ${o.microBatch} x ${m.context} = ${micro} tokens (gradient accumulation runs whole microbatches); try ${lower} or ${lower + micro}`,
      'optimizer.batchTokens',
    );
  }
  if (o.minLr !== undefined && o.minLr > o.lr) throw new FatalError(`${file}: optimizer.minLr: ${o.minLr} is above lr ${o.lr}`, 'optimizer.minLr');
  return c;
}

export function loadTrainConfig(file: string): TrainConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new FatalError(`cannot read training config ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseTrainConfig(text, file);
}
