import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { length } from '../../stages/filter/length.js';
import { runFilter } from './filter-harness.js';
import type { Doc } from '../../src/core/doc.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'docs');

async function run(texts: string[], options: Record<string, unknown>) {
  const r = await runFilter(length, texts.map((text, i) => ({ id: String(i), text, meta: {} })), options);
  return { kept: r.kept.map((d) => d.id), dropped: r.dropped };
}

describe('length filter', () => {
  it('keeps documents inside the word bounds and names each drop', async () => {
    const words = (n: number) => Array.from({ length: n }, (_, i) => `w${i}`).join(' ');
    const r = await run([words(49), words(50), words(200), words(201)], { minWords: 50, maxWords: 200 });
    expect(r.kept).toEqual(['1', '2']);
    expect(r.dropped).toEqual(['0:too_few_words', '3:too_many_words']);
  });

  it('character bounds', async () => {
    const r = await run(['abc', 'abcdef', 'abcdefghij'], { minChars: 4, maxChars: 8, minWords: 0 });
    expect(r.kept).toEqual(['1']);
    expect(r.dropped).toEqual(['0:too_few_chars', '2:too_many_chars']);
  });

  it('annotate mode drops nothing and writes the measurements and the would-be reason', async () => {
    const docs: Doc[] = [{ id: 'a', text: 'two words', meta: {} }, { id: 'b', text: 'one two three four five', meta: {} }];
    const r = await runFilter(length, docs, { minWords: 3, annotate: true });
    expect(r.dropped).toEqual([]);
    expect(r.kept.map((d) => d.meta.length)).toEqual([
      { chars: 9, words: 2, would_drop: 'too_few_words' },
      { chars: 23, words: 5, would_drop: null },
    ]);
    expect(r.stats).toEqual({ 'would_drop.too_few_words': 1 });
  });

  it('the defaults are Gopher\'s 50..100,000 words', () => {
    expect(length.options.parse({})).toMatchObject({ minWords: 50, maxWords: 100_000 });
  });

  describe('GPT-2 token bounds', () => {
    // a real page: the 3.8 kB news post of tests/fixtures/docs/heuristic-filters.jsonl (877 GPT-2 tokens)
    const news = fs.readFileSync(path.join(FIXTURES, 'heuristic-filters.jsonl'), 'utf8').split('\n').map((l) => l && JSON.parse(l)).find((d) => d && d.id === 'blj5uzvcoa4iybpd5o6kom5nir6ngmoj').text as string;

    it('drops below minTokens and above maxTokens, with their own reasons', async () => {
      expect((await run([news], { minTokens: 1000 })).dropped).toEqual(['0:too_few_tokens']);
      expect((await run([news], { maxTokens: 500 })).dropped).toEqual(['0:too_many_tokens']);
      expect((await run([news], { minTokens: 800, maxTokens: 900 })).kept).toEqual(['0']);
    });

    it('counts with the GPT-2 encoding, special tokens as plain text', async () => {
      const out = await annotated(['Hello world', 'hi <|endoftext|> there', news], { minWords: 0, minTokens: 1 });
      expect(out.map((d) => (d.meta.length as { tokens: number }).tokens)).toEqual([2, 9, 877]);
    });

    it('tokenizes only when a token bound is set', async () => {
      const out = await annotated(['Hello world'], { minWords: 0 });
      expect(out[0]!.meta.length).toEqual({ chars: 11, words: 2, would_drop: null });
    });

    it('a 10 MB line of one character, 50,000 digits: counted without stalling, no throw', async () => {
      const out = await annotated(['@'.repeat(10_000_000), '7'.repeat(50_000)], { minWords: 0, maxWords: 1e9, minTokens: 0, maxTokens: 1e9 });
      const tokens = out.map((d) => (d.meta.length as { tokens: number }).tokens);
      // GPT-2 merges '@' in runs of up to 8 and digits in pairs; the count is within one token a 256-character slice
      expect(tokens[0]).toBeGreaterThan(1_200_000);
      expect(tokens[0]).toBeLessThan(1_300_000);
      expect(tokens[1]).toBeGreaterThanOrEqual(25_000);
      expect(tokens[1]).toBeLessThan(25_200);
    });
  });
});

async function annotated(texts: string[], options: Record<string, unknown>): Promise<Doc[]> {
  const r = await runFilter(length, texts.map((text, i) => ({ id: String(i), text, meta: {} })), { ...options, annotate: true });
  if (r.dropped.length) throw new Error('annotate mode must not drop');
  return r.kept;
}
