// The tokenize stage: meta.tokens on every document (GPT-2 or a trained BPE), ids kept on request, nothing dropped.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { tokenize } from '../../stages/tokenize/tokenize.js';
import { STAGES } from '../../stages/index.js';
import { trainBpe } from '../../src/tokenize/bpe-train.js';
import { runFilter } from './filter-harness.js';

const docs = [
  { id: 'a', text: 'Hello world', meta: {} },
  { id: 'b', text: 'First Citizen:\nBefore we proceed any further, hear me speak.', meta: {} },
  { id: 'c', text: '', meta: {} },
];

describe('tokenize stage', () => {
  it('is registered and counts GPT-2 tokens into meta.tokens, dropping nothing', async () => {
    expect(STAGES.tokenize).toBe(tokenize);
    const r = await runFilter(tokenize, structuredClone(docs));
    expect(r.dropped).toEqual([]);
    expect(r.kept.map((d) => d.meta.tokens)).toEqual([2, 14, 0]);
    expect(r.kept[0]!.meta.token_ids).toBeUndefined();
    expect(r.stats.tokens).toBe(16);
  });

  it('keeps the ids with keepIds, and takes a trained BPE', async () => {
    const r = await runFilter(tokenize, structuredClone(docs), { keepIds: true });
    expect(r.kept[0]!.meta.token_ids).toEqual([15496, 995]);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'curate-stage-tok-')), 'bpe.json');
    trainBpe([fs.readFileSync('data/lm/tinyshakespeare.txt', 'utf8')], { vocabSize: 400 }).save(file);
    const b = await runFilter(tokenize, structuredClone(docs), { tokenizer: file });
    expect(b.kept[1]!.meta.tokens).toBeGreaterThan(14);
  });

  it('rejects a tokenizer that is neither gpt2 nor a file when the options are parsed', () => {
    expect(tokenize.options.safeParse({ tokenizer: 'gpt-9' }).success).toBe(false);
    expect(tokenize.options.safeParse({ tokenizer: 'gpt2', maxTokens: 3 }).success).toBe(false);
  });
});
