import { describe, expect, it } from 'vitest';
import { length } from '../../stages/filter/length.js';
import { collect, fromArray } from '../../src/core/iterables.js';
import { Counters } from '../../src/core/stats.js';
import { silentLogger } from '../../src/core/log.js';
import type { Doc } from '../../src/core/doc.js';

async function run(texts: string[], options: Record<string, unknown>) {
  const stats = new Counters();
  const dropped: string[] = [];
  const docs: Doc[] = texts.map((text, i) => ({ id: String(i), text, meta: {} }));
  const stage = length.create(length.options.parse(options));
  const out = await collect(
    stage.run(fromArray(docs), {
      rank: 0, worldSize: 1, stats, log: silentLogger, signal: new AbortController().signal, runDir: '/tmp', stage: 'length',
      drop: (d, r) => dropped.push(`${d.id}:${r}`),
      recordError: () => {},
    }),
  );
  return { kept: out.map((d) => d.id), dropped };
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
    const stats = new Counters();
    const docs: Doc[] = [{ id: 'a', text: 'two words', meta: {} }, { id: 'b', text: 'one two three four five', meta: {} }];
    const out = await collect(
      length.create(length.options.parse({ minWords: 3, annotate: true })).run(fromArray(docs), {
        rank: 0, worldSize: 1, stats, log: silentLogger, signal: new AbortController().signal, runDir: '/tmp', stage: 'length',
        drop: () => { throw new Error('annotate mode must not drop'); },
        recordError: () => {},
      }),
    );
    expect(out.map((d) => d.meta.length)).toEqual([
      { chars: 9, words: 2, would_drop: 'too_few_words' },
      { chars: 23, words: 5, would_drop: null },
    ]);
    expect(stats.toJSON()).toEqual({ 'would_drop.too_few_words': 1 });
  });

  it('the defaults are Gopher\'s 50..100,000 words', () => {
    expect(length.options.parse({})).toMatchObject({ minWords: 50, maxWords: 100_000 });
  });
});
