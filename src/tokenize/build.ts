// `curate tokenize`: documents in, token shards out. Each document goes to train or val by its id
// (split.ts), is encoded, and is packed (llm.c shards: pack.ts, EOT before each document, shards rolled at
// whole windows) or written as one sequence (Megatron: EOT after it); manifest.json is written last.
import fs from 'node:fs';
import path from 'node:path';
import { FatalError, type RecordError } from '../core/errors.js';
import { Counters } from '../core/stats.js';
import { writeFileAtomic } from '../io/atomic.js';
import { LlmcShardWriter, writeBoundaries } from '../io/token-shard.js';
import { MegatronWriter } from '../io/megatron.js';
import type { Progress } from '../run/progress.js';
import { BOUNDARIES_SUFFIX, llmcKindFor, megatronDtypeFor, type LlmcKind, type ShardEntry, type TokenManifest } from '../../schemas/token-shard.js';
import { Packer, type PackedWindow } from './pack.js';
import { splitOf, type Split } from './split.js';
import { listTextInputs, readTextDocs, type TxtSplit } from './inputs.js';
import type { Tokenizer } from './tokenizer.js';

export type ShardFormat = 'llmc' | 'megatron';

export interface TokenizeOptions {
  inputs: string[];
  tokenizer: Tokenizer;
  /** what --tokenizer said ('gpt2' or the JSON's path), recorded in the manifest */
  tokenizerSpec: string;
  contextTokens: number;
  outDir: string;
  valFraction: number;
  seed: number;
  format: ShardFormat;
  /** llm.c only: a .bnd file of document starts per window beside each shard */
  boundaries: boolean;
  maxShardTokens: number;
  txtSplit: TxtSplit;
  /** remove an earlier run's shards and manifest in outDir first */
  force: boolean;
  progress?: Progress;
  recordError?(err: RecordError): void;
}

interface SplitWriter {
  add(ids: ArrayLike<number>): void;
  finish(): { documents: number; tokens: number; shards: ShardEntry[] };
  abort(): void;
}

const shardName = (split: Split, i: number) => `${split}_${String(i).padStart(6, '0')}`;

/** llm.c shards of whole windows: n*T + 1 tokens each, consecutive shards sharing one token */
class LlmcSplitWriter implements SplitWriter {
  private readonly packer: Packer;
  private readonly windowsPerShard: number;
  private shard?: { writer: LlmcShardWriter; name: string; windows: number; documents: number; starts: number[][] };
  private readonly shards: ShardEntry[] = [];
  private tokens = 0;

  constructor(
    private readonly split: Split,
    private readonly dir: string,
    private readonly kind: LlmcKind,
    private readonly contextTokens: number,
    maxShardTokens: number,
    eot: number,
    private readonly boundaries: boolean,
  ) {
    this.packer = new Packer(contextTokens, eot);
    this.windowsPerShard = Math.floor((maxShardTokens - 1) / contextTokens);
  }

  add(ids: ArrayLike<number>): void {
    for (const w of this.packer.push(ids)) this.window(w);
  }

  private window(w: PackedWindow): void {
    if (!this.shard) {
      const name = shardName(this.split, this.shards.length);
      this.shard = { writer: new LlmcShardWriter(path.join(this.dir, name + '.bin'), this.kind), name, windows: 0, documents: 0, starts: [] };
      this.shard.writer.append(w.tokens);
    } else this.shard.writer.append(w.tokens, 1);
    this.shard.windows++;
    this.shard.documents += w.docStarts.length;
    if (this.boundaries) this.shard.starts.push(w.docStarts);
    if (this.shard.windows === this.windowsPerShard) this.close();
  }

  private close(): void {
    const s = this.shard;
    if (!s) return;
    s.writer.commit();
    const entry: ShardEntry = { file: s.name + '.bin', tokens: s.writer.tokens, windows: s.windows, documents: s.documents };
    if (this.boundaries) {
      writeBoundaries(path.join(this.dir, s.name + BOUNDARIES_SUFFIX), this.contextTokens, s.starts);
      entry.boundaries = s.name + BOUNDARIES_SUFFIX;
    }
    this.shards.push(entry);
    this.tokens += entry.tokens;
    this.shard = undefined;
  }

  finish() {
    for (const w of this.packer.finish()) this.window(w);
    this.close();
    return { documents: this.packer.documents, tokens: this.tokens, shards: this.shards };
  }

  abort(): void {
    this.shard?.writer.abort();
  }
}

/** Megatron .bin/.idx pairs, one sequence per document (tokens, then EOT), rolled between documents */
class MegatronSplitWriter implements SplitWriter {
  private writer?: MegatronWriter;
  private readonly shards: ShardEntry[] = [];
  private documents = 0;
  private tokens = 0;
  private buf = new Uint32Array(1024);

  constructor(
    private readonly split: Split,
    private readonly dir: string,
    private readonly vocabSize: number,
    private readonly maxShardTokens: number,
    private readonly eot: number,
  ) {}

  add(ids: ArrayLike<number>): void {
    if (this.writer && this.writer.documents > 0 && this.writer.tokens + ids.length + 1 > this.maxShardTokens) this.close();
    this.writer ??= new MegatronWriter(path.join(this.dir, shardName(this.split, this.shards.length)), megatronDtypeFor(this.vocabSize));
    if (this.buf.length < ids.length + 1) this.buf = new Uint32Array((ids.length + 1) * 2);
    for (let i = 0; i < ids.length; i++) this.buf[i] = ids[i]!;
    this.buf[ids.length] = this.eot;
    this.writer.addDocument(this.buf.subarray(0, ids.length + 1));
    this.documents++;
  }

  private close(): void {
    const w = this.writer;
    if (!w) return;
    w.commit();
    const name = path.basename(w.prefix);
    this.shards.push({ file: name + '.bin', index: name + '.idx', tokens: w.tokens, windows: w.documents, documents: w.documents });
    this.tokens += w.tokens;
    this.writer = undefined;
  }

  finish() {
    this.close();
    return { documents: this.documents, tokens: this.tokens, shards: this.shards };
  }

  abort(): void {
    this.writer?.abort();
  }
}

const OUTPUT_FILE = /^(train|val)_\d{6}\.(bin|idx|bnd)$|^manifest\.json$/;

function prepareOutDir(dir: string, force: boolean): void {
  if (fs.existsSync(dir)) {
    if (!fs.statSync(dir).isDirectory()) throw new FatalError(`--out: ${dir} exists and is not a directory`, 'out');
    const earlier = fs.readdirSync(dir).filter((f) => OUTPUT_FILE.test(f));
    if (earlier.length && !force) throw new FatalError(`--out: ${dir} already holds a tokenized dataset (${earlier.length} files, e.g. ${earlier[0]}); --force replaces it`, 'out');
    for (const f of earlier) fs.rmSync(path.join(dir, f));
  }
  fs.mkdirSync(dir, { recursive: true });
}

export async function tokenizeToShards(opts: TokenizeOptions): Promise<TokenManifest> {
  const T = opts.contextTokens;
  if (!Number.isInteger(T) || T < 1) throw new FatalError(`--context must be a positive integer, got ${T}`, 'context');
  if (!(opts.valFraction >= 0 && opts.valFraction <= 1)) throw new FatalError(`--val-fraction must be in [0, 1], got ${opts.valFraction}`, 'val-fraction');
  if (!Number.isInteger(opts.seed)) throw new FatalError(`--seed must be an integer, got ${opts.seed}`, 'seed');
  if (!Number.isInteger(opts.maxShardTokens) || opts.maxShardTokens < T + 1) throw new FatalError(`--shard-tokens must be an integer of at least context + 1 (${T + 1}), got ${opts.maxShardTokens}`, 'shard-tokens');
  if (opts.format === 'megatron' && opts.boundaries) throw new FatalError(`--boundaries applies to llm.c shards; a Megatron .idx already holds every document's boundaries`, 'boundaries');
  const inputs = listTextInputs(opts.inputs);
  prepareOutDir(opts.outDir, opts.force);
  const tok = opts.tokenizer;
  const kind = llmcKindFor(tok.vocabSize);
  const make = (split: Split): SplitWriter =>
    opts.format === 'llmc'
      ? new LlmcSplitWriter(split, opts.outDir, kind, T, opts.maxShardTokens, tok.eot, opts.boundaries)
      : new MegatronSplitWriter(split, opts.outDir, tok.vocabSize, opts.maxShardTokens, tok.eot);
  const writers: Record<Split, SplitWriter> = { train: make('train'), val: make('val') };
  const stats = new Counters();
  const progress = opts.progress;
  progress?.setTotalBytes(inputs.reduce((s, i) => s + i.bytes, 0));
  let bytes = 0;
  let docs = 0;
  let tokens = 0;
  let train: ReturnType<SplitWriter['finish']>;
  let val: ReturnType<SplitWriter['finish']>;
  try {
    const source = readTextDocs(inputs, {
      stats,
      recordError: (e) => opts.recordError?.(e),
      onBytes: (n) => (bytes = n),
      txtSplit: opts.txtSplit,
    });
    for await (const doc of source) {
      const split = opts.valFraction > 0 ? splitOf(doc.id, opts.seed, opts.valFraction) : 'train';
      const ids = tok.encode(doc.text);
      writers[split].add(ids);
      docs++;
      tokens += ids.length + 1;
      stats.inc(`documents.${split}`);
      progress?.update(docs, bytes, `${(tokens / 1e6).toFixed(1)}M tokens`);
    }
    train = writers.train.finish();
    val = writers.val.finish();
  } catch (e) {
    writers.train.abort();
    writers.val.abort();
    throw e;
  } finally {
    progress?.done();
  }
  const manifest: TokenManifest = {
    version: 1,
    format: opts.format,
    tokenizer: { spec: opts.tokenizerSpec, name: tok.name, vocab_size: tok.vocabSize, eot: tok.eot },
    token_dtype: opts.format === 'llmc' ? kind.dtype : megatronDtypeFor(tok.vocabSize),
    eot_position: opts.format === 'llmc' ? 'before' : 'after',
    context: T,
    seed: opts.seed,
    val_fraction: opts.valFraction,
    max_shard_tokens: opts.maxShardTokens,
    inputs: inputs.map((i) => i.file),
    splits: { train, val },
    counts: stats.toJSON(),
  };
  writeFileAtomic(path.join(opts.outDir, 'manifest.json'), JSON.stringify(manifest, null, 2) + '\n');
  return manifest;
}
