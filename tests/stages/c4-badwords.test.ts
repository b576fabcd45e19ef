import { describe, expect, it } from 'vitest';
import { c4Badwords, c4BadwordsOptions } from '../../stages/filter/c4-badwords.js';
import type { Doc } from '../../src/core/doc.js';
import { fixture, runFilter, verdict } from './filter-harness.js';

const withLanguage = (doc: Doc, language: string): Doc => ({ ...doc, meta: { ...doc.meta, language } });
const text = (id: string, t: string, language?: string): Doc => ({ id, text: t, meta: language ? { language } : {} });

describe('c4_badwords', () => {
  it('defaults: DataTrove\'s keep_fraction 0.0 and default language en', () => {
    expect(c4BadwordsOptions.parse({})).toEqual({ keepFraction: 0, seed: 0, defaultLanguage: 'en' });
  });

  it('drops a real page holding an English list word; keeps a clean one', async () => {
    const r = await runFilter(c4Badwords, [fixture('bhmapoyzv3qgryb2lmodc26oaz2fz7vi'), fixture('blj5uzvcoa4iybpd5o6kom5nir6ngmoj')]);
    expect(r.dropped).toEqual(['bhmapoyzv3qgryb2lmodc26oaz2fz7vi:document_removed_with_badwords']);
    expect(r.kept.map((d) => d.id)).toEqual(['blj5uzvcoa4iybpd5o6kom5nir6ngmoj']);
    expect(r.stats['with_badwords.en']).toBe(1);
  });

  it('uses the list of meta.language: the Spanish list does not hold that English word', async () => {
    expect(await verdict(c4Badwords, withLanguage(fixture('bhmapoyzv3qgryb2lmodc26oaz2fz7vi'), 'es'))).toBe('kept');
  });

  it('matches whole words only, outside ja/th/zh', async () => {
    expect(await verdict(c4Badwords, text('a', 'The class passed the assessment with a classic assignment.'))).toBe('kept');
    expect(await verdict(c4Badwords, text('b', 'Nobody said "ass", not even once.'))).toBe('document_removed_with_badwords');
    expect(await verdict(c4Badwords, text('c', 'ASS'))).toBe('document_removed_with_badwords');
  });

  it('Japanese, Thai and Chinese match anywhere (no spaces between words), minus the allowlist', async () => {
    expect(await verdict(c4Badwords, text('ja1', 'これはアナルという言葉を含む文です。', 'ja'))).toBe('document_removed_with_badwords');
    // 女の子 (girl) is on DataTrove's allowlist: too common a sub-word to filter on
    expect(await verdict(c4Badwords, text('ja2', 'かわいい女の子が公園で遊んでいます。', 'ja'))).toBe('kept');
  });

  it('a language without a list passes and is counted', async () => {
    const r = await runFilter(c4Badwords, [text('x', 'ass ass ass', 'xx')]);
    expect(r.kept).toHaveLength(1);
    expect(r.stats['missing_badwords_lang.xx']).toBe(1);
  });

  it('keepFraction keeps a reproducible share, chosen by document id', async () => {
    const docs = Array.from({ length: 400 }, (_, i) => text(`doc-${i}`, 'what an ass'));
    const first = await runFilter(c4Badwords, docs, { keepFraction: 0.25 });
    const again = await runFilter(c4Badwords, docs, { keepFraction: 0.25 });
    expect(again.kept.map((d) => d.id)).toEqual(first.kept.map((d) => d.id));
    expect(first.kept.length).toBeGreaterThan(60);
    expect(first.kept.length).toBeLessThan(140);
    expect(first.stats.kept_with_badwords).toBe(first.kept.length);
    const otherSeed = await runFilter(c4Badwords, docs, { keepFraction: 0.25, seed: 7 });
    expect(otherSeed.kept.map((d) => d.id)).not.toEqual(first.kept.map((d) => d.id));
  });
});
