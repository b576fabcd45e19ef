// A document's perplexity under a reference language model (CCNet, Wenzek et al. 2019, with a KenLM
// 5-gram model trained on Wikipedia; here our own GPT from src/train/, any `curate train` checkpoint).
// A document is its tokens after an <|endoftext|> (as every training document starts), cut at
// `maxTokens`, scored in windows of the model's context: window k predicts tokens kC+1 .. (k+1)C from
// the ones before it in the same window, so each token is predicted once and a window's first tokens see
// little context (the price of batching windows of many documents without overlap). Windows of many
// documents go through the model together, longest first, padded to the longest of a batch: the
// attention is causal, so padding after a window's end changes none of its scores.
import { FatalError } from '../core/errors.js';
import { tf } from '../tensor/backend.js';
import type { Tokenizer } from '../tokenize/tokenizer.js';
import { readCheckpoint, resolveCheckpoint } from '../train/checkpoint.js';
import { Gpt } from '../train/model.js';
import { loadCheckpointTokenizer } from '../train/sample.js';
import { setupBackend } from '../train/trainer.js';

export interface PerplexityScore {
  /** exp(mean negative log-likelihood per token); null when the text has no token */
  perplexity: number | null;
  /** tokens scored */
  tokens: number;
  /** the text had more than maxTokens tokens (the rest is not scored) */
  truncated: boolean;
}

export interface ScoreOptions {
  /** tokens of a document scored at most (from its start) */
  maxTokens: number;
  /** windows per forward pass */
  windowBatch: number;
}

interface Window {
  doc: number;
  /** the window's tokens: inputs are [0, n-1), targets [1, n) */
  ids: Int32Array;
}

export class PerplexityScorer {
  /** tokens and windows scored so far, for docs/s and tokens/s */
  tokensScored = 0;
  windowsScored = 0;

  private constructor(
    readonly dir: string,
    readonly step: number,
    private readonly model: Gpt,
    private readonly tokenizer: Tokenizer,
    private readonly eot: number,
    /** the backend line, as `curate train` prints it */
    readonly backend: string,
  ) {}

  static async load(target: string, tokenizer?: string): Promise<PerplexityScorer> {
    const dir = resolveCheckpoint(target);
    if (!dir) throw new FatalError(`perplexity: ${target} holds no checkpoint (a \`curate train\` run directory or one of its checkpoints/step-N directories)`, 'model');
    const { state, weights } = readCheckpoint(dir, false);
    const tok = await loadCheckpointTokenizer(dir, state.tokenizer, tokenizer);
    const setup = await setupBackend({ backend: 'auto', nativeMatmul: true, threads: 0 });
    const model = new Gpt({ layers: state.model.layers, heads: state.model.heads, width: state.model.width, context: state.model.context, vocab: state.model.vocab }, weights);
    return new PerplexityScorer(dir, state.step, model, tok, state.tokenizer.eot, setup.label);
  }

  get context(): number {
    return this.model.shape.context;
  }

  get parameters(): number {
    return this.model.parameterCount;
  }

  /** the perplexity of each text */
  score(texts: string[], o: ScoreOptions): PerplexityScore[] {
    const C = this.model.shape.context;
    const nll = new Float64Array(texts.length);
    const out: PerplexityScore[] = texts.map(() => ({ perplexity: null, tokens: 0, truncated: false }));
    const windows: Window[] = [];
    texts.forEach((text, d) => {
      const enc = this.tokenizer.encode(text);
      const n = Math.min(enc.length, o.maxTokens);
      out[d]!.truncated = enc.length > o.maxTokens;
      out[d]!.tokens = n;
      const all = new Int32Array(n + 1);
      all[0] = this.eot;
      for (let i = 0; i < n; i++) all[i + 1] = enc[i]!;
      for (let s = 0; s < n; s += C) windows.push({ doc: d, ids: all.subarray(s, Math.min(s + C + 1, n + 1)) });
    });
    windows.sort((a, b) => b.ids.length - a.ids.length || a.doc - b.doc);
    for (let w = 0; w < windows.length; w += o.windowBatch) {
      const group = windows.slice(w, w + o.windowBatch);
      const T = group[0]!.ids.length - 1;
      const B = group.length;
      const ids = new Int32Array(B * T).fill(this.eot);
      const picks: number[] = [];
      const rows: number[] = [];
      group.forEach((win, b) => {
        const L = win.ids.length - 1;
        ids.set(win.ids.subarray(0, L), b * T);
        for (let t = 0; t < L; t++) {
          rows.push(b * T + t);
          picks.push(b * T + t, win.ids[t + 1]!);
        }
      });
      const logits = tf.tidy(() => this.model.logits(this.model.hidden(ids, B, T)));
      // -log softmax at the target, row by row in JS: tfjs-cpu's logSumExp over [B*T, V] took 4x the
      // forward pass itself (600 ms against 150 ms for 16 x 128 tokens, vocab 4,096)
      const z = logits.dataSync() as Float32Array;
      logits.dispose();
      const V = this.model.shape.vocab;
      let r = 0;
      for (const win of group) {
        let s = 0;
        for (let t = 0; t < win.ids.length - 1; t++, r++) s += rowNll(z, rows[r]! * V, V, picks[2 * r + 1]!);
        nll[win.doc]! += s;
      }
      this.windowsScored += B;
    }
    out.forEach((s, d) => {
      if (s.tokens > 0) s.perplexity = Math.exp(nll[d]! / s.tokens);
      this.tokensScored += s.tokens;
    });
    return out;
  }

  dispose(): void {
    this.model.dispose();
  }
}

/** -log softmax(z[at .. at+V))[target], with the max taken out first */
function rowNll(z: Float32Array, at: number, V: number, target: number): number {
  let max = -Infinity;
  for (let j = 0; j < V; j++) if (z[at + j]! > max) max = z[at + j]!;
  let sum = 0;
  for (let j = 0; j < V; j++) sum += Math.exp(z[at + j]! - max);
  return Math.log(sum) + max - z[at + target]!;
}

const shared = new Map<string, Promise<PerplexityScorer>>();

/** one scorer per process and checkpoint (a pipeline's tasks share it) */
export function sharedScorer(target: string, tokenizer?: string): Promise<PerplexityScorer> {
  const key = `${target}\0${tokenizer ?? ''}`;
  let p = shared.get(key);
  if (!p) {
    p = PerplexityScorer.load(target, tokenizer);
    shared.set(key, p);
    p.catch(() => shared.delete(key));
  }
  return p;
}
