// The trainer's view of a tokenized dataset (`curate tokenize --out DIR`): the manifest, a train stream
// read in microbatches of B*T + 1 tokens like llm.c's dataloader (the shards are one continuous stream
// of windows, so any T works), with a position (shard, offset) that a checkpoint records, and a fixed
// validation set. Only one microbatch of tokens is in memory at a time.
import fs from 'node:fs';
import path from 'node:path';
import { FatalError } from '../core/errors.js';
import { readLlmcHeader, readLlmcShard } from '../io/token-shard.js';
import { TokenManifest } from '../../schemas/token-shard.js';
import type { Rng } from './rng.js';

export interface Dataset {
  dir: string;
  manifest: TokenManifest;
  train: { file: string; tokens: number }[];
  val: { file: string; tokens: number }[];
}

export function openDataset(dir: string): Dataset {
  const file = path.join(dir, 'manifest.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new FatalError(`${file}: ${code === 'ENOENT' ? 'no manifest.json: is this a directory written by `curate tokenize`?' : (e as Error).message}`, 'data');
  }
  const parsed = TokenManifest.safeParse(raw);
  if (!parsed.success) throw new FatalError(`${file}: not a token manifest: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`, 'data');
  const manifest = parsed.data;
  if (manifest.format !== 'llmc') throw new FatalError(`${file}: the trainer reads llm.c shards (--format llmc); this dataset is ${manifest.format}`, 'data');
  const shards = (split: 'train' | 'val') =>
    manifest.splits[split].shards.map((s) => {
      const f = path.join(dir, s.file);
      const info = readLlmcHeader(f); // magic, version and size checked before any token is trusted
      return { file: f, tokens: info.tokens };
    });
  const ds = { dir, manifest, train: shards('train'), val: shards('val') };
  if (!ds.train.length) throw new FatalError(`${file}: no train shards`, 'data');
  return ds;
}

export interface DataPosition {
  /** index into `order` */
  shard: number;
  offset: number;
  epoch: number;
  /** the order the train shards are read in this epoch (a seeded permutation per epoch) */
  order: number[];
}

export class TrainStream {
  pos: DataPosition;

  constructor(
    readonly ds: Dataset,
    readonly B: number,
    readonly T: number,
    readonly rng: Rng,
    pos?: DataPosition,
  ) {
    const need = B * T + 1;
    if (!ds.train.some((s) => s.tokens >= need)) {
      throw new FatalError(`${ds.dir}: no train shard holds one microbatch of ${need} tokens (microBatch ${B} x context ${T} + 1); the largest has ${Math.max(...ds.train.map((s) => s.tokens))}: use a smaller microBatch or context, or more data`, 'optimizer.microBatch');
    }
    this.pos = pos ?? { shard: 0, offset: 0, epoch: 0, order: ds.train.length > 1 ? rng.permutation(ds.train.length) : [0] };
    if (this.pos.order.length !== ds.train.length || this.pos.order.some((i) => i >= ds.train.length)) {
      throw new FatalError(`the checkpoint's data position names ${this.pos.order.length} train shards; ${ds.dir} has ${ds.train.length}`, 'data');
    }
  }

  /** the next microbatch: inputs and targets, B*T each, row-major [B, T] */
  next(): { ids: Int32Array; targets: Int32Array } {
    return this.advance(true)!;
  }

  /**
   * Move past the next microbatch without reading it: a data-parallel rank walks the same stream as
   * every other and takes its own microbatches, so the ranks' slices are disjoint and, together, what
   * one process would read (and a checkpoint's position is the same on every rank).
   */
  skip(): void {
    this.advance(false);
  }

  private advance(read: boolean): { ids: Int32Array; targets: Int32Array } | undefined {
    const need = this.B * this.T + 1;
    for (;;) {
      const shard = this.ds.train[this.pos.order[this.pos.shard]!]!;
      if (this.pos.offset + need <= shard.tokens) {
        if (!read) {
          this.pos = { ...this.pos, offset: this.pos.offset + need - 1 };
          return undefined;
        }
        const tokens = readLlmcShard(shard.file, this.pos.offset, need);
        this.pos = { ...this.pos, offset: this.pos.offset + need - 1 };
        const ids = new Int32Array(need - 1);
        const targets = new Int32Array(need - 1);
        for (let i = 0; i < need - 1; i++) {
          ids[i] = tokens[i]!;
          targets[i] = tokens[i + 1]!;
        }
        return { ids, targets };
      }
      // the shard's tail (shorter than a microbatch) is skipped, as llm.c's loader does
      if (this.pos.shard + 1 < this.pos.order.length) this.pos = { ...this.pos, shard: this.pos.shard + 1, offset: 0 };
      else this.pos = { shard: 0, offset: 0, epoch: this.pos.epoch + 1, order: this.ds.train.length > 1 ? this.rng.permutation(this.ds.train.length) : [0] };
    }
  }
}

/** the validation windows: T + 1 tokens each, from the start of the val shards, at most maxTokens targets */
export function validationWindows(ds: Dataset, T: number, maxTokens: number): Int32Array[] {
  const out: Int32Array[] = [];
  const limit = Math.max(1, Math.floor(maxTokens / T));
  for (const s of ds.val) {
    for (let at = 0; at + T + 1 <= s.tokens && out.length < limit; at += T) out.push(Int32Array.from(readLlmcShard(s.file, at, T + 1)));
    if (out.length >= limit) break;
  }
  return out;
}

/**
 * The unigram baseline: the cross-entropy (nats per token) of the validation targets under token
 * frequencies counted on the train shards (add-one smoothed over the vocabulary). A model that has
 * learned anything beyond frequencies beats it.
 */
export function unigramLoss(ds: Dataset, windows: Int32Array[], vocab: number, maxTrainTokens = 50_000_000): number {
  const counts = new Float64Array(vocab).fill(1);
  let total = vocab;
  let budget = maxTrainTokens;
  for (const s of ds.train) {
    for (let at = 0; at < s.tokens && budget > 0; at += 1 << 20) {
      const n = Math.min(1 << 20, s.tokens - at, budget);
      const chunk = readLlmcShard(s.file, at, n);
      for (let i = 0; i < chunk.length; i++) counts[chunk[i]!]! += 1;
      total += n;
      budget -= n;
    }
  }
  let nll = 0;
  let n = 0;
  for (const w of windows) {
    for (let i = 1; i < w.length; i++) {
      nll -= Math.log(counts[w[i]!]! / total);
      n++;
    }
  }
  return n ? nll / n : NaN;
}
