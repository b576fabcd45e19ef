import { describe, expect, it } from 'vitest';
import { c4, c4Options } from '../../stages/filter/c4.js';
import { docsOf, fixture, runFilter, verdict } from './filter-harness.js';

const NEWS = 'blj5uzvcoa4iybpd5o6kom5nir6ngmoj';
const WOMEN = 'http://100women.ng/category/celebrating-female-entrepreneurs/';

describe('c4', () => {
  it('defaults are C4\'s (Raffel et al. 2020, 2.2) as DataTrove sets them', () => {
    expect(c4Options.parse({})).toEqual({
      removeCitations: true, filterNoTerminalPunct: true, minNumSentences: 5, minWordsPerLine: 3, maxWordLength: 1000,
      filterLoremIpsum: true, filterJavascript: true, filterCurlyBracket: true, filterPolicy: true,
    });
  });

  it('keeps a news page and removes its lines without terminal punctuation (headings, dates, menus)', async () => {
    const doc = fixture(NEWS);
    const before = doc.text;
    const r = await runFilter(c4, [doc]);
    expect(r.kept).toHaveLength(1);
    const after = r.kept[0]!.text;
    expect(before.split('\n')).toContain('A New Home?');
    expect(after.split('\n')).toContain('A New Home?');
    expect(after.length).toBeLessThan(before.length);
    for (const line of after.split('\n')) expect(line).toMatch(/[.?!"']$/);
    expect(after).not.toMatch(/\n\n/); // kept lines are joined by single line breaks
    expect(r.stats.changed).toBe(1);
    expect(r.stats['lines_removed.no_terminal_punct']).toBe(38);
  });

  it('a page already made of sentences passes unchanged', async () => {
    const doc = fixture(WOMEN);
    const text = doc.text;
    const r = await runFilter(c4, [doc]);
    expect(r.kept[0]!.text).toBe(text.trim());
    expect(r.stats.changed).toBeUndefined();
  });

  it('drops pages with a curly bracket or too few sentences', async () => {
    // a Stack Overflow (es) answer with PHP code
    expect(await verdict(c4, fixture('xxhi5tgaf3kefeecjiy5ez6xu67cuare'))).toBe('curly_bracket');
    expect(await verdict(c4, fixture('5vfthqpipzsjz57aunyw5mbj57a7fogu'))).toBe('too_few_sentences');
    expect(await verdict(c4, fixture('5vfthqpipzsjz57aunyw5mbj57a7fogu'), { minNumSentences: -1, filterNoTerminalPunct: false })).toBe('kept');
  });

  it('lorem ipsum drops the page; javascript and cookie-notice lines go; citations are cut', async () => {
    const text = fixture(WOMEN).text;
    expect(await verdict(c4, docsOf(`${text}\nLorem ipsum dolor sit amet, consectetur adipiscing elit.`)[0]!)).toBe('lorem_ipsum');
    const r = await runFilter(c4, docsOf(
      `${text}\nPlease enable JavaScript to view the comments powered by Disqus.\nThis website uses cookies to improve your experience.\nThe plan was approved in 2019.[1][citation needed]`,
    ));
    const out = r.kept[0]!.text;
    expect(out).not.toMatch(/JavaScript|cookies/);
    expect(out.endsWith('The plan was approved in 2019.')).toBe(true);
    expect(r.stats).toMatchObject({ 'lines_removed.javascript': 1, 'lines_removed.policy': 1 });
  });

  it('a line with a word over 1000 characters goes (a page quoting a 1,900-character URL)', async () => {
    const r = await runFilter(c4, [fixture('ilsswvbmd3a6hrqsh4om2gvx7oawd3c3')]);
    expect(r.stats['lines_removed.too_long_word']).toBe(1);
  });

  it('annotate mode measures, leaves the text alone and drops nothing', async () => {
    const doc = fixture(NEWS);
    const before = doc.text;
    const r = await runFilter(c4, [doc, fixture('5vfthqpipzsjz57aunyw5mbj57a7fogu')], { annotate: true });
    expect(r.dropped).toEqual([]);
    expect(r.kept[0]!.text).toBe(before);
    expect(r.kept[0]!.meta.c4).toMatchObject({ would_drop: null, lines_kept: expect.any(Number), sentences: expect.any(Number) });
    expect(r.kept[1]!.meta.c4).toMatchObject({ would_drop: 'too_few_sentences' });
  });
});
