import { describe, expect, it } from 'vitest';
import { langid } from '../../stages/langid/langid.js';
import { runFilter } from './filter-harness.js';
import type { Doc } from '../../src/core/doc.js';
import { udhrSamples } from '../../bench/langid-udhr.js';

async function run(docs: Doc[], options: Record<string, unknown> = {}) {
  const r = await runFilter(langid, docs, options);
  return { out: r.kept, dropped: r.dropped, stats: r.stats };
}

describe('langid', () => {
  it('identifies 50 major languages in 200+ character texts with at least 97% accuracy', async () => {
    const samples = udhrSamples(5);
    expect(samples.length).toBeGreaterThanOrEqual(240);
    const { out } = await run(samples.map((s, i) => ({ id: `${s.language}-${i}`, text: s.text, meta: {} })));
    const right = out.filter((d) => d.id.startsWith(`${d.meta.language}-`)).length;
    expect(right / samples.length).toBeGreaterThanOrEqual(0.97);
    for (const d of out) expect(d.meta.language_score).toBeGreaterThan(0);
  });

  it('keeps only the languages asked for, above a score, and says why the rest went', async () => {
    const docs: Doc[] = [
      { id: 'en', text: 'All human beings are born free and equal in dignity and rights. They are endowed with reason and conscience.', meta: {} },
      { id: 'de', text: 'Alle Menschen sind frei und gleich an Würde und Rechten geboren. Sie sind mit Vernunft und Gewissen begabt.', meta: {} },
      { id: 'mixed', text: 'ok 123 !!! ?? ..', meta: {} },
      { id: 'empty', text: '   \n ', meta: {} },
    ];
    const { out, dropped, stats } = await run(docs, { languages: ['en'], minScore: 0.65 });
    expect(out.map((d) => [d.id, d.meta.language])).toEqual([['en', 'en']]);
    expect(dropped).toContain('de:language_not_kept');
    expect(dropped).toContain('empty:no_text');
    expect(dropped).toHaveLength(3);
    expect(stats['language.de']).toBe(1);
  });

  it('emoji, control characters, lone surrogates and a 3 MB line get a low-confidence label, not an error', async () => {
    const docs: Doc[] = [
      { id: 'emoji', text: '😀😀😀🎉🎉', meta: {} },
      { id: 'control', text: '\u0001\u0002\u0003\u0007', meta: {} },
      { id: 'surrogates', text: 'abc \ud800 def \udc00 ghi', meta: {} },
      { id: 'giant', text: 'a'.repeat(3_000_000), meta: {} },
    ];
    const { out } = await run(docs);
    expect(out.map((d) => d.id)).toEqual(['emoji', 'control', 'surrogates', 'giant']);
    for (const d of out) expect(d.meta.language_score).toBeLessThan(0.65);
  });
});
