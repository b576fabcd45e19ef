// Small real datasets for the trainer tests: a byte-level BPE trained on a slice of data/lm text, then
// `curate tokenize`'s own code writing llm.c shards and manifest.json, as a user's run would.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trainBpe } from '../../src/tokenize/bpe-train.js';
import { tokenizeToShards } from '../../src/tokenize/build.js';
import { TrainConfig } from '../../schemas/train.js';

export const SHAKESPEARE = path.resolve('data/lm/tinyshakespeare.txt');

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), `curate-train-${prefix}-`));
}

/** shards of `text` (paragraph documents) with a BPE of `vocabSize` ids; returns the shard directory */
export async function makeDataset(root: string, text: string, opts: { vocabSize?: number; context?: number; valFraction?: number } = {}): Promise<string> {
  const txt = path.join(root, 'corpus.txt');
  fs.writeFileSync(txt, text);
  const tok = trainBpe(text.split(/\n\s*\n/), { vocabSize: opts.vocabSize ?? 300 });
  const tokFile = path.join(root, 'bpe.json');
  tok.save(tokFile);
  const out = path.join(root, 'tokens');
  await tokenizeToShards({
    inputs: [txt],
    tokenizer: tok,
    tokenizerSpec: tokFile,
    contextTokens: opts.context ?? 32,
    outDir: out,
    valFraction: opts.valFraction ?? 0.1,
    seed: 0,
    format: 'llmc',
    boundaries: false,
    maxShardTokens: 100_000_000,
    txtSplit: 'paragraph',
    force: false,
  });
  return out;
}

/** a tiny config: 1 layer, width 32, context 16 */
export function tinyConfig(data: string, out: string, over: Record<string, unknown> = {}, optimizer: Record<string, unknown> = {}, model: Record<string, unknown> = {}): TrainConfig {
  return TrainConfig.parse({
    data,
    out,
    model: { layers: 1, heads: 2, width: 32, context: 16, ...model },
    optimizer: { lr: 3e-3, warmupSteps: 2, batchTokens: 128, microBatch: 4, ...optimizer },
    steps: 10,
    evalIntervalSteps: 0,
    evalTokens: 512,
    checkpointIntervalSteps: 0,
    backend: 'cpu',
    ...over,
  });
}
