// `curate sample`: text from a checkpoint. The prompt is encoded with the tokenizer the shards were made
// with (carried in the checkpoint), after an <|endoftext|> as every training document starts; each new
// token is drawn from the last position's logits with temperature and top-k, by the seeded generator,
// so the same seed gives the same tokens.
import path from 'node:path';
import { FatalError } from '../core/errors.js';
import { tf } from '../tensor/backend.js';
import { loadTokenizer, type Tokenizer } from '../tokenize/tokenizer.js';
import { readCheckpoint, resolveCheckpoint } from './checkpoint.js';
import { Gpt } from './model.js';
import { Rng, seedState } from './rng.js';
import { setupBackend } from './trainer.js';

export interface SampleOptions {
  /** a checkpoint directory or a run directory (its newest checkpoint) */
  checkpoint: string;
  prompt?: string;
  /** tokens to generate */
  tokens: number;
  /** 0: always the most likely token */
  temperature: number;
  /** keep the k most likely tokens (0: all) */
  topK: number;
  seed: number;
  /** a tokenizer to use instead of the checkpoint's ('gpt2' or a tokenizer.json) */
  tokenizer?: string;
}

export interface SampleResult {
  checkpoint: string;
  step: number;
  promptIds: number[];
  ids: number[];
  /** the prompt and the generated text, decoded together */
  text: string;
  backend: string;
}

export async function loadCheckpointTokenizer(dir: string, state: { spec: string; file: string | null }, override?: string): Promise<Tokenizer> {
  if (override) return loadTokenizer(override);
  if (state.file) return loadTokenizer(path.join(dir, state.file));
  try {
    return await loadTokenizer(state.spec);
  } catch {
    throw new FatalError(`${dir}: the checkpoint does not carry its tokenizer and '${state.spec}' is not found: pass --tokenizer`);
  }
}

/** draw one token id from logits: temperature, top-k, then a categorical draw */
export function drawToken(logits: Float32Array, temperature: number, topK: number, rng: Rng): number {
  const V = logits.length;
  if (temperature <= 0) {
    let best = 0;
    for (let i = 1; i < V; i++) if (logits[i]! > logits[best]!) best = i;
    return best;
  }
  let ids = Array.from({ length: V }, (_, i) => i);
  if (topK > 0 && topK < V) ids = ids.sort((a, b) => logits[b]! - logits[a]! || a - b).slice(0, topK);
  let max = -Infinity;
  for (const i of ids) max = Math.max(max, logits[i]! / temperature);
  const p = ids.map((i) => Math.exp(logits[i]! / temperature - max));
  const total = p.reduce((a, b) => a + b, 0);
  let u = rng.next() * total;
  for (let j = 0; j < ids.length; j++) {
    u -= p[j]!;
    if (u < 0) return ids[j]!;
  }
  return ids[ids.length - 1]!;
}

export async function sample(o: SampleOptions): Promise<SampleResult> {
  if (!Number.isInteger(o.tokens) || o.tokens < 0) throw new FatalError(`--tokens must be a non-negative integer, got ${o.tokens}`);
  if (!(o.temperature >= 0)) throw new FatalError(`--temperature must be 0 or more, got ${o.temperature}`);
  if (!Number.isInteger(o.topK) || o.topK < 0) throw new FatalError(`--top-k must be a non-negative integer, got ${o.topK}`);
  const dir = resolveCheckpoint(o.checkpoint);
  if (!dir) throw new FatalError(`${o.checkpoint}: no checkpoint here (a run directory of \`curate train\` or one of its checkpoints/step-N directories)`);
  const { state, weights } = readCheckpoint(dir, false);
  const tokenizer = await loadCheckpointTokenizer(dir, state.tokenizer, o.tokenizer);
  const setup = await setupBackend(state.config);
  const model = new Gpt({ layers: state.model.layers, heads: state.model.heads, width: state.model.width, context: state.model.context, vocab: state.model.vocab }, weights);
  const rng = new Rng(seedState(o.seed));
  const promptIds = [state.tokenizer.eot, ...Array.from(o.prompt ? tokenizer.encode(o.prompt) : [])];
  const ids = [...promptIds];
  const C = state.model.context;
  try {
    for (let i = 0; i < o.tokens; i++) {
      const window = Int32Array.from(ids.slice(-C));
      const logits = tf.tidy(() => model.logits(model.hidden(window, 1, window.length, true)));
      const values = logits.dataSync() as Float32Array;
      logits.dispose();
      ids.push(drawToken(values, o.temperature, o.topK, rng));
    }
  } finally {
    model.dispose();
  }
  const generated = ids.slice(promptIds.length);
  return { checkpoint: dir, step: state.step, promptIds, ids: generated, text: tokenizer.decode(ids.slice(1)), backend: setup.label };
}
