// Tokenizers (src/tokenize/): encoding speed of our byte-level BPE and of GPT-2's encoding (gpt-tokenizer)
// on real text, one document (paragraph) at a time as `curate tokenize` feeds them, in MB of UTF-8 per CPU
// second on one thread; and BPE training time on 10 MB: data/lm's tinyshakespeare + wikitext-2 valid
// (2.2 MB) repeated to 10 MB, so the pre-token counts are 4.5x those of 2.2 MB of distinct text.
// Prints one JSON line: `npx tsc -p . && node dist/bench/tokenizer.js [--vocab 8192] [--seconds 2]`.
import fs from 'node:fs';
import path from 'node:path';
import { MB, REPO_ROOT, codeRevision, flag, isEntryPoint, machine, note, printResult, round, runMain } from './common.js';
import { PreTokenCounts, trainBpe } from '../src/tokenize/bpe-train.js';
import { BpeTokenizer } from '../src/tokenize/bpe.js';
import { loadTokenizer, type Tokenizer } from '../src/tokenize/tokenizer.js';

const TEXTS = {
  tinyshakespeare: path.join(REPO_ROOT, 'data', 'lm', 'tinyshakespeare.txt'),
  wikitext2_valid: path.join(REPO_ROOT, 'data', 'lm', 'wikitext-2-valid.txt'),
};

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** documents as `curate tokenize` cuts a .txt: paragraphs between blank lines */
function paragraphs(text: string): string[] {
  return text.split(/\n\s*\n/).filter((p) => p.trim());
}

/** MB per CPU second: the first pass (cold pre-token cache) and the best of the passes after it */
function encodeRate(make: () => Tokenizer, docs: string[], seconds: number) {
  const bytes = docs.reduce((s, d) => s + Buffer.byteLength(d), 0);
  const tok = make();
  let t = cpuSeconds();
  let tokens = 0;
  for (const d of docs) tokens += tok.encode(d).length;
  const cold = bytes / MB / (cpuSeconds() - t);
  let warm = 0;
  const until = cpuSeconds() + seconds;
  do {
    t = cpuSeconds();
    for (const d of docs) tok.encode(d);
    warm = Math.max(warm, bytes / MB / (cpuSeconds() - t));
  } while (cpuSeconds() < until);
  return { mb_per_cpu_s_cold: round(cold, 1), mb_per_cpu_s_warm: round(warm, 1), bytes_per_token: round(bytes / tokens, 2), tokens };
}

async function main(): Promise<void> {
  const vocab = Number(flag('vocab') ?? 8192);
  const seconds = Number(flag('seconds') ?? 2);
  const env = machine();
  const texts = Object.fromEntries(Object.entries(TEXTS).map(([k, f]) => [k, fs.readFileSync(f, 'utf8')]));

  // training on 10 MB: the two texts repeated
  const both = Object.values(texts).join('\n\n');
  const repeats = Math.ceil((10 * MB) / Buffer.byteLength(both));
  note(`BPE training: ${repeats} x ${round(Buffer.byteLength(both) / MB, 2)} MB, vocab ${vocab}`);
  const start = process.hrtime.bigint();
  const counts = new PreTokenCounts();
  for (let i = 0; i < repeats; i++) for (const p of paragraphs(both)) counts.add(p);
  const counted = process.hrtime.bigint();
  const bpe = trainBpe(counts, { vocabSize: vocab });
  const trained = process.hrtime.bigint();
  const secs = (a: bigint, b: bigint) => round(Number(b - a) / 1e9, 2);

  const gpt2 = await loadTokenizer('gpt2');
  const json = bpe.toJSON();
  const encode: Record<string, unknown> = {};
  for (const [name, text] of Object.entries(texts)) {
    const docs = paragraphs(text);
    note(`encoding ${name}: ${docs.length} documents`);
    encode[name] = {
      documents: docs.length,
      bytes: Buffer.byteLength(text),
      // a fresh instance per measurement, so the cold figure starts with an empty cache
      bpe: encodeRate(() => BpeTokenizer.fromJSON(json as Parameters<typeof BpeTokenizer.fromJSON>[0], 'bpe'), docs, seconds),
      gpt2_gpt_tokenizer: encodeRate(() => gpt2, docs, seconds),
    };
  }
  printResult({
    bench: 'tokenizer',
    ...env,
    ...codeRevision(),
    bpe_train: {
      input_mb: round(counts.bytes / MB, 2),
      input: `data/lm tinyshakespeare + wikitext-2 valid repeated ${repeats}x`,
      vocab_size: vocab,
      merges: bpe.merges.length,
      distinct_pre_tokens: counts.counts.size,
      count_s: secs(start, counted),
      merge_s: secs(counted, trained),
      total_s: secs(start, trained),
    },
    encode,
  });
}

if (isEntryPoint(import.meta.url)) runMain(main);
