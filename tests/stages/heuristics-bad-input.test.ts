import { describe, expect, it } from 'vitest';
import { STAGES } from '../../stages/index.js';
import { badInputs, runFilter } from './filter-harness.js';

// every heuristic filter, with options that make it do all its work
const FILTERS: [string, Record<string, unknown>][] = [
  ['gopher_quality', {}],
  ['gopher_repetition', {}],
  ['gopher_repetition', { annotate: true }],
  ['c4', {}],
  ['c4', { annotate: true }],
  ['c4_badwords', {}],
  ['c4_badwords', { defaultLanguage: 'ja' }],
  ['fineweb_quality', { annotate: true }],
  ['url_filter', { blockedDomains: ['example.com'], blockedWords: ['x'], blockedSubwords: ['yz'] }],
  ['length', { minTokens: 10, maxTokens: 100_000 }],
];

describe('heuristic filters on bad input', () => {
  for (const [name, options] of FILTERS) {
    it(`${name} ${JSON.stringify(options)}: empty, 10 MB line, emoji, control characters, lone surrogates, 50,000 '@' or digits`, async () => {
      const docs = badInputs();
      const r = await runFilter(STAGES[name]!, docs, options);
      // every document is kept or dropped with a reason, none lost, nothing thrown
      expect(r.kept.length + r.dropped.length).toBe(docs.length);
      for (const d of r.dropped) expect(d).toMatch(/^[a-z0-9_]+:[a-z0-9_]+$/);
      if (options.annotate) {
        for (const d of r.kept) {
          const values = d.meta[name] as Record<string, unknown>;
          expect(values).toHaveProperty('would_drop');
          // measurements are finite numbers or null, never NaN (they go to JSON and Parquet)
          for (const v of Object.values(values)) if (typeof v === 'number') expect(Number.isFinite(v)).toBe(true);
        }
      }
    });
  }

  it('the quality filters drop what is not text', async () => {
    const docs = badInputs().filter((d) => d.id !== 'one_line_10mb');
    for (const name of ['gopher_quality', 'fineweb_quality']) {
      const r = await runFilter(STAGES[name]!, docs);
      expect(r.kept.map((d) => d.id)).toEqual([]);
    }
  });
});
