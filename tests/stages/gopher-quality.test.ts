import { describe, expect, it } from 'vitest';
import { gopherQuality, gopherQualityOptions, gopherQualityRules } from '../../stages/filter/gopher-quality.js';
import { docsOf, fixture, runFilter, verdict } from './filter-harness.js';

// real pages: a clean English news post (3.8 kB) and a short English page
const NEWS = 'blj5uzvcoa4iybpd5o6kom5nir6ngmoj';
const WOMEN = 'http://100women.ng/category/celebrating-female-entrepreneurs/';

describe('gopher_quality', () => {
  it('defaults are the Gopher thresholds (Rae et al. 2021, A.1.1)', () => {
    expect(gopherQualityOptions.parse({})).toEqual({
      minDocWords: 50, maxDocWords: 100_000, minAvgWordLength: 3, maxAvgWordLength: 10, maxSymbolWordRatio: 0.1,
      maxBulletLinesRatio: 0.9, maxEllipsisLinesRatio: 0.3, minAlphaWordsRatio: 0.8, minStopWords: 2,
      stopWords: ['the', 'be', 'to', 'of', 'and', 'that', 'have', 'with'],
    });
  });

  it('keeps clean English prose', async () => {
    const r = await runFilter(gopherQuality, [fixture(NEWS), fixture(WOMEN)]);
    expect(r.kept.map((d) => d.id)).toEqual([NEWS, WOMEN]);
    expect(r.dropped).toEqual([]);
  });

  it('drops real pages with the reason of the first rule they fail (DataTrove reason names)', async () => {
    expect(await verdict(gopherQuality, fixture('5ihsi5a2uueyemjod2xhozkulbmwbug5'))).toBe('gopher_short_doc');
    // a Stack Overflow page holding a 1,900-character URL
    expect(await verdict(gopherQuality, fixture('ilsswvbmd3a6hrqsh4om2gvx7oawd3c3'))).toBe('gopher_above_avg_threshold');
    expect(await verdict(gopherQuality, fixture('4nb4dbwmy64y6dgtnyo7uufv6k7dkfzd'))).toBe('gopher_below_alpha_threshold');
    // a French page: too few English stop words
    expect(await verdict(gopherQuality, fixture('rtr5s2la4ysgu2rw33xcwyebasou7a7l'))).toBe('gopher_enough_stop_words');
  });

  it('word bounds, mean word length', async () => {
    expect(await verdict(gopherQuality, fixture(NEWS), { maxDocWords: 100 })).toBe('gopher_long_doc');
    expect(await verdict(gopherQuality, fixture(NEWS), { minAvgWordLength: 6 })).toBe('gopher_below_avg_threshold');
    expect(await verdict(gopherQuality, fixture(NEWS), { minDocWords: null, maxDocWords: null, minAvgWordLength: null })).toBe('kept');
  });

  it('hashes, ellipses, bullets and trailing ellipses, on real text marked up', async () => {
    const text = fixture(WOMEN).text;
    const hashtags = text.replace(/(^|\s)(\w)/g, '$1#$2');
    expect(await verdict(gopherQuality, docsOf(hashtags)[0]!)).toBe('gopher_too_many_hashes');
    const trailing = text.replace(/(\w) /g, '$1... ');
    expect(await verdict(gopherQuality, docsOf(trailing)[0]!)).toBe('gopher_too_many_ellipsis');
    const bullets = text.split('\n').map((l) => `• ${l}`).join('\n');
    expect(await verdict(gopherQuality, docsOf(bullets)[0]!)).toBe('gopher_too_many_bullets');
    const dashes = text.split('\n').map((l) => `  - ${l}`).join('\n');
    expect(await verdict(gopherQuality, docsOf(dashes)[0]!)).toBe('gopher_too_many_bullets');
    // a real post: 1 of its 1 lines ends with "..."
    expect(await verdict(gopherQuality, fixture('http://blogs.boardprospects.com/'))).toBe('gopher_too_many_end_ellipsis');
  });

  it('measures as DataTrove does: punctuation tokens are words without letters, stop words are case-sensitive', () => {
    const { values } = gopherQualityRules('The cat and the dog, with a bone.', gopherQualityOptions.parse({}));
    // tokens: The cat and the dog , with a bone .  -> 10, of which 8 hold a letter
    expect(values).toMatchObject({ words: 10, non_symbol_words: 8, alpha_words_ratio: 0.8, stop_words: 3, hash_ratio: 0 });
    expect(values.avg_word_length).toBe(24 / 8);
  });

  it('annotate mode drops nothing and writes every measure and the would-be reason to meta', async () => {
    const docs = [fixture(NEWS), fixture('5ihsi5a2uueyemjod2xhozkulbmwbug5')];
    const r = await runFilter(gopherQuality, docs, { annotate: true });
    expect(r.dropped).toEqual([]);
    expect(r.kept).toHaveLength(2);
    const [news, short] = r.kept.map((d) => d.meta.gopher_quality as Record<string, unknown>);
    expect(news).toMatchObject({ would_drop: null });
    expect(news!.non_symbol_words as number).toBeGreaterThan(500);
    expect(Object.keys(news!).sort()).toEqual([
      'alpha_words_ratio', 'avg_word_length', 'bullet_lines_ratio', 'ellipsis_ratio', 'end_ellipsis_lines_ratio', 'hash_ratio',
      'non_symbol_words', 'stop_words', 'words', 'would_drop',
    ]);
    expect(short).toMatchObject({ would_drop: 'gopher_short_doc' });
    expect(r.stats).toEqual({ 'would_drop.gopher_short_doc': 1 });
  });
});
