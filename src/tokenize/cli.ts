// The `curate tokenize` and `curate bpe train` verbs (wired into src/cli/main.ts), with the same
// conventions as the other verbs: node:util parseArgs, a usage line on --help, FatalError for what a user
// can fix (exit code 2), progress on a TTY only.
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FatalError } from '../core/errors.js';
import { Counters } from '../core/stats.js';
import { createProgress } from '../run/progress.js';
import { loadTokenizer } from './tokenizer.js';
import { tokenizeToShards, type ShardFormat } from './build.js';
import { listTextInputs, readTextDocs, type TxtSplit } from './inputs.js';
import { PreTokenCounts, trainBpe } from './bpe-train.js';

type Out = { out: (s: string) => void; err: (s: string) => void };

const TOKENIZE_USAGE = `usage: curate tokenize --input <file|dir ...> --tokenizer gpt2|<bpe.json> --context N --out <dir>
         [--val-fraction 0.01] [--seed 0] [--format llmc|megatron] [--boundaries] [--shard-tokens 100000000]
         [--txt-split paragraph|file] [--force]
  inputs: .parquet (the pipeline's output), .jsonl(.gz), .txt (a document per paragraph, or per file), .warc(.gz)
  writes <dir>/train_NNNNNN.bin, val_NNNNNN.bin (llm.c shards; Megatron: .bin + .idx) and manifest.json`;

const BPE_USAGE = `usage: curate bpe train --input <file|dir ...> --vocab-size N --out bpe.json [--special TOKEN ...] [--txt-split paragraph|file]
  trains a byte-level BPE (GPT-2 pre-tokenizer, <|endoftext|> added as the last id) and writes a Hugging Face tokenizer.json`;

function int(value: string, flag: string): number {
  const n = Number(value);
  if (!Number.isInteger(n)) throw new FatalError(`${flag} must be an integer, got '${value}'`);
  return n;
}

function txtSplit(value: string): TxtSplit {
  if (value !== 'paragraph' && value !== 'file') throw new FatalError(`--txt-split must be paragraph or file, got '${value}'`);
  return value;
}

export async function cmdTokenize(args: string[], io: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true, // `--input a b c`: the words after --input are inputs too
    options: {
      input: { type: 'string', multiple: true },
      tokenizer: { type: 'string' },
      context: { type: 'string' },
      out: { type: 'string' },
      'val-fraction': { type: 'string', default: '0.01' },
      seed: { type: 'string', default: '0' },
      format: { type: 'string', default: 'llmc' },
      boundaries: { type: 'boolean', default: false },
      'shard-tokens': { type: 'string', default: '100000000' },
      'txt-split': { type: 'string', default: 'paragraph' },
      force: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  const inputs = [...(values.input ?? []), ...positionals];
  if (values.help || !inputs.length || !values.tokenizer || !values.context || !values.out) {
    if (!values.help) io.err(`curate tokenize: ${[inputs.length ? '' : '--input', values.tokenizer ? '' : '--tokenizer', values.context ? '' : '--context', values.out ? '' : '--out'].filter(Boolean).join(', ')} missing`);
    io.out(TOKENIZE_USAGE);
    return values.help ? 0 : 2;
  }
  const format = values.format as ShardFormat;
  if (format !== 'llmc' && format !== 'megatron') throw new FatalError(`--format must be llmc or megatron, got '${values.format}'`);
  const valFraction = Number(values['val-fraction']);
  const tokenizer = await loadTokenizer(values.tokenizer);
  const progress = createProgress();
  const badRecords: string[] = [];
  const m = await tokenizeToShards({
    inputs,
    tokenizer,
    tokenizerSpec: values.tokenizer,
    contextTokens: int(values.context, '--context'),
    outDir: values.out,
    valFraction,
    seed: int(values.seed, '--seed'),
    format,
    boundaries: values.boundaries,
    maxShardTokens: int(values['shard-tokens'], '--shard-tokens'),
    txtSplit: txtSplit(values['txt-split']),
    force: values.force,
    progress,
    recordError: (e) => {
      badRecords.push(e.describe());
      progress.clear();
      io.err(`bad record: ${e.describe()}`);
    },
  });
  const line = (split: 'train' | 'val') => {
    const s = m.splits[split];
    return `${split}: ${s.documents} documents, ${s.tokens} tokens in ${s.shards.length} shard(s)${s.shards.length ? ` (${s.shards.map((x) => `${x.file} ${x.tokens}`).join(', ')})` : ''}`;
  };
  io.err(`tokenizer ${m.tokenizer.name} (vocab ${m.tokenizer.vocab_size}, eot ${m.tokenizer.eot}), ${m.format} ${m.token_dtype} shards, context ${m.context}`);
  io.err(line('train'));
  io.err(line('val'));
  if (badRecords.length) io.err(`${badRecords.length} bad record(s) skipped`);
  io.err(`manifest: ${path.join(values.out, 'manifest.json')}`);
  return 0;
}

export async function cmdBpe(args: string[], io: Out): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'train') {
    io.out(BPE_USAGE);
    return sub === '--help' || sub === '-h' ? 0 : 2;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      input: { type: 'string', multiple: true },
      'vocab-size': { type: 'string' },
      out: { type: 'string' },
      special: { type: 'string', multiple: true, default: [] },
      'txt-split': { type: 'string', default: 'paragraph' },
      help: { type: 'boolean', default: false },
    },
  });
  const inputPaths = [...(values.input ?? []), ...positionals];
  if (values.help || !inputPaths.length || !values['vocab-size'] || !values.out) {
    io.out(BPE_USAGE);
    return values.help ? 0 : 2;
  }
  const vocabSize = int(values['vocab-size'], '--vocab-size');
  const inputs = listTextInputs(inputPaths);
  const progress = createProgress();
  progress.setTotalBytes(inputs.reduce((s, i) => s + i.bytes, 0));
  const counts = new PreTokenCounts();
  const stats = new Counters();
  let docs = 0;
  let bytes = 0;
  const start = Date.now();
  for await (const doc of readTextDocs(inputs, { stats, recordError: (e) => io.err(`bad record: ${e.describe()}`), onBytes: (n) => (bytes = n), txtSplit: txtSplit(values['txt-split']) })) {
    counts.add(doc.text);
    progress.update(++docs, bytes, 'counting pre-tokens');
  }
  progress.done();
  if (counts.counts.size === 0) throw new FatalError(`--input: no text in ${inputPaths.join(', ')}`);
  const tok = trainBpe(counts, { vocabSize, specialTokens: values.special });
  tok.save(values.out);
  io.err(`trained on ${docs} documents (${counts.bytes} bytes, ${counts.counts.size} distinct pre-tokens) in ${((Date.now() - start) / 1000).toFixed(1)} s: ${tok.merges.length} merges, vocab ${tok.vocabSize}, <|endoftext|> = ${tok.eot}`);
  io.err(`wrote ${values.out} (Hugging Face tokenizer.json, BPE)`);
  return 0;
}
