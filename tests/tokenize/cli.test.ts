// `curate bpe train` and `curate tokenize` as a user runs them: shards, boundaries and manifest that read
// back to exactly the documents that went in, in their split, the same bytes on a rerun.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { main } from '../../src/cli/main.js';
import { TokenManifest } from '../../schemas/token-shard.js';
import { readBoundaries, readLlmcHeader, readLlmcShard } from '../../src/io/token-shard.js';
import { readMegatronIndex, readMegatronSequence } from '../../src/io/megatron.js';
import { parquetWriter } from '../../src/io/parquet-write.js';
import { loadTokenizer } from '../../src/tokenize/tokenizer.js';
import { splitOf } from '../../src/tokenize/split.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-tokenize-'));
const SHAKESPEARE = 'data/lm/tinyshakespeare.txt';
const paragraphs = fs.readFileSync(SHAKESPEARE, 'utf8').split(/\n\s*\n/).map((p) => p.replace(/\n$/, '')).filter((p) => p.trim());

async function curate(...args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, { out: (s) => out.push(s), err: (s) => err.push(s) });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const manifestOf = (dir: string) => TokenManifest.parse(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')));

describe('curate bpe train + curate tokenize (llm.c shards)', () => {
  const bpe = path.join(tmp, 'bpe.json');
  const out = path.join(tmp, 'llmc');
  const T = 256;
  const args = ['tokenize', '--input', SHAKESPEARE, '--tokenizer', bpe, '--context', String(T), '--out', out, '--val-fraction', '0.05', '--seed', '7', '--boundaries', '--shard-tokens', '40000'];

  it('trains a BPE from a text file and tokenizes the file into train/val shards with a manifest', async () => {
    const trained = await curate('bpe', 'train', '--input', SHAKESPEARE, '--vocab-size', '512', '--out', bpe);
    expect(trained.code).toBe(0);
    expect(trained.stderr).toMatch(/trained on 7222 documents .* 255 merges, vocab 512, <\|endoftext\|> = 511/);
    const r = await curate(...args);
    expect(r.stderr).toContain('llmc uint16 shards, context 256');
    expect(r.code).toBe(0);
    const m = manifestOf(out);
    expect(m).toMatchObject({ format: 'llmc', tokenizer: { spec: bpe, vocab_size: 512, eot: 511 }, token_dtype: 'uint16', eot_position: 'before', context: T, seed: 7, val_fraction: 0.05 });
    expect(m.splits.train.documents + m.splits.val.documents).toBe(paragraphs.length);
    expect(m.splits.val.documents / paragraphs.length).toBeGreaterThan(0.04);
    expect(m.splits.val.documents / paragraphs.length).toBeLessThan(0.06);
    expect(m.splits.train.shards.length).toBeGreaterThan(5);
  });

  it('shards hold whole windows (n*T + 1 tokens, sharing one token) and read back to the documents of their split', async () => {
    const m = manifestOf(out);
    const tok = await loadTokenizer(bpe);
    for (const split of ['train', 'val'] as const) {
      const shards = m.splits[split].shards;
      const stream: number[] = [];
      shards.forEach((s, i) => {
        const ids = readLlmcShard(path.join(out, s.file));
        expect(readLlmcHeader(path.join(out, s.file)).tokens).toBe(s.tokens);
        if (i < shards.length - 1) {
          expect(s.tokens).toBe(s.windows * T + 1);
          expect(s.tokens).toBeLessThanOrEqual(40000);
        }
        if (i > 0) expect(ids[0]).toBe(stream[stream.length - 1]);
        stream.push(...(i === 0 ? ids : ids.subarray(1)));
      });
      // EOT before every document: cutting the stream at EOTs gives the documents back, in input order
      expect(stream[0]).toBe(tok.eot);
      const docs: string[] = [];
      let start = 1;
      for (let i = 1; i <= stream.length; i++) {
        if (i === stream.length || stream[i] === tok.eot) {
          docs.push(tok.decode(stream.slice(start, i)));
          start = i + 1;
        }
      }
      const expected = paragraphs.filter((_, n) => splitOf(`tinyshakespeare.txt#${n}`, 7, 0.05) === split);
      expect(docs).toEqual(expected);
    }
  });

  it('boundary files list, per window, exactly the input positions holding the EOT that opens a document', () => {
    const m = manifestOf(out);
    for (const s of m.splits.train.shards) {
      const ids = readLlmcShard(path.join(out, s.file));
      const b = readBoundaries(path.join(out, s.boundaries!));
      expect(b.contextTokens).toBe(T);
      expect(b.windows).toHaveLength(s.windows);
      b.windows.forEach((starts, w) => {
        const window = ids.subarray(w * T, w * T + T + 1);
        const eots = [...window.subarray(0, window.length - 1)].flatMap((id, i) => (id === 511 ? [i] : []));
        expect(starts).toEqual(eots);
      });
      expect(b.windows.reduce((n, w) => n + w.length, 0)).toBe(s.documents);
    }
  });

  it('will not write over an earlier dataset without --force; with it, the output is byte-identical', async () => {
    const before = Object.fromEntries(fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f)).toString('base64')]));
    const again = await curate(...args);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/already holds a tokenized dataset .* --force replaces it/);
    expect((await curate(...args, '--force')).code).toBe(0);
    const after = Object.fromEntries(fs.readdirSync(out).map((f) => [f, fs.readFileSync(path.join(out, f)).toString('base64')]));
    expect(after).toEqual(before);
  });
});

describe('curate tokenize (Megatron, GPT-2, JSONL and Parquet inputs)', () => {
  it('writes .bin/.idx pairs, one sequence per document with EOT after it', async () => {
    const docs = paragraphs.slice(0, 300).map((text, i) => ({ id: `d${i}`, text }));
    const jsonl = path.join(tmp, 'docs.jsonl.gz');
    fs.writeFileSync(jsonl, zlib.gzipSync(docs.slice(0, 150).map((d) => JSON.stringify(d)).join('\n') + '\n'));
    const pq = parquetWriter({ dir: path.join(tmp, 'pq'), prefix: 'docs', maxFileBytes: 1 << 30, rowGroupRows: 100, dropped: false });
    for (const d of docs.slice(150)) await pq.write({ ...d, meta: {} });
    const [parquet] = await pq.close();
    const out = path.join(tmp, 'megatron');
    const r = await curate('tokenize', '--input', jsonl, parquet!, '--tokenizer', 'gpt2', '--context', '1024', '--out', out, '--format', 'megatron', '--val-fraction', '0.1');
    expect(r.code).toBe(0);
    const m = manifestOf(out);
    expect(m).toMatchObject({ format: 'megatron', token_dtype: 'uint16', eot_position: 'after', tokenizer: { name: 'gpt2', eot: 50256 } });
    const gpt2 = await loadTokenizer('gpt2');
    const val = docs.filter((d) => splitOf(d.id, 0, 0.1) === 'val');
    expect(m.splits.val.documents).toBe(val.length);
    const prefix = path.join(out, m.splits.val.shards[0]!.file.replace(/\.bin$/, ''));
    const index = readMegatronIndex(prefix);
    expect(index.sequenceLengths.length).toBe(val.length);
    val.forEach((d, i) => expect([...readMegatronSequence(prefix, index, i)]).toEqual([...gpt2.encode(d.text), 50256]));
  });

  it('says what is wrong with the flags, exit code 2', async () => {
    const r = await curate('tokenize', '--input', SHAKESPEARE, '--tokenizer', 'gpt2', '--out', path.join(tmp, 'x'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--context missing');
    const m = await curate('tokenize', '--input', SHAKESPEARE, '--tokenizer', 'gpt2', '--context', '64', '--out', path.join(tmp, 'x'), '--format', 'megatron', '--boundaries');
    expect(m).toMatchObject({ code: 2, stderr: expect.stringContaining('--boundaries applies to llm.c shards') });
    const t = await curate('tokenize', '--input', SHAKESPEARE, '--tokenizer', 'nope.json', '--context', '64', '--out', path.join(tmp, 'x'));
    expect(t).toMatchObject({ code: 2, stderr: expect.stringContaining("'nope.json' is neither 'gpt2' nor an existing tokenizer JSON file") });
    expect((await curate('tokenize', '--help')).code).toBe(0);
    expect((await curate('bpe', 'train', '--input', SHAKESPEARE, '--vocab-size', '100', '--out', path.join(tmp, 'small.json'))).stderr).toContain('vocab size must be an integer of at least 257');
  });
});
