// Builds data/models/perplexity, the reference language model of the `perplexity` stage, from what the
// repository ships: the training articles of WikiText-2 valid (data/lm, detokenized; the held-out ones
// stay out for the evaluation in bench/perplexity.ts), a byte-level BPE of 4,096 tokens trained on them
// (`curate bpe train`), shards (`curate tokenize`), and `curate train data/models/perplexity/train.yaml`.
// The final checkpoint's model.bin, state.json and tokenizer.json are copied into data/models/perplexity.
// node dist/bench/make-perplexity-model.js [--steps N]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isHeldOut, wikitextArticles } from '../src/perplexity/wikitext.js';
import { resolveCheckpoint } from '../src/train/checkpoint.js';
import { REPO_ROOT, flag, note, runMain } from './common.js';

const MODEL_DIR = path.join(REPO_ROOT, 'data', 'models', 'perplexity');
const WORK = path.join(REPO_ROOT, 'data', 'runs', 'perplexity-model');

function curate(args: string[]): void {
  note(`make-perplexity-model: curate ${args.join(' ')}`);
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'curate.js'), ...args], { stdio: ['ignore', 'inherit', 'inherit'], cwd: REPO_ROOT, env: { ...process.env, CI: '1' } });
}

async function main(): Promise<void> {
  fs.rmSync(WORK, { recursive: true, force: true });
  fs.mkdirSync(WORK, { recursive: true });
  const articles = wikitextArticles(fs.readFileSync(path.join(REPO_ROOT, 'data', 'lm', 'wikitext-2-valid.txt'), 'utf8'));
  const train = articles.filter((a) => !isHeldOut(a.title));
  const docs = path.join(WORK, 'wikitext-train.jsonl');
  fs.writeFileSync(docs, train.map((a, i) => JSON.stringify({ id: `wikitext-2-valid:${i}`, text: a.text })).join('\n') + '\n');
  note(`make-perplexity-model: ${train.length} of ${articles.length} articles for training`);
  const bpe = path.join(WORK, 'bpe.json');
  curate(['bpe', 'train', '--input', docs, '--vocab-size', '4096', '--out', bpe]);
  curate(['tokenize', '--input', docs, '--tokenizer', bpe, '--context', '128', '--out', path.join(WORK, 'tokens'), '--val-fraction', '0.05']);
  const steps = flag('steps');
  curate(['train', path.join(MODEL_DIR, 'train.yaml'), ...(steps ? ['--steps', steps] : [])]);
  const ckpt = resolveCheckpoint(path.join(WORK, 'train'));
  if (!ckpt) throw new Error(`no checkpoint under ${path.join(WORK, 'train')}`);
  for (const f of ['model.bin', 'state.json', 'tokenizer.json']) fs.copyFileSync(path.join(ckpt, f), path.join(MODEL_DIR, f));
  fs.copyFileSync(path.join(WORK, 'train', 'log.jsonl'), path.join(MODEL_DIR, 'log.jsonl'));
  note(`make-perplexity-model: ${ckpt} -> ${MODEL_DIR}`);
}

runMain(main);
