import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { gopherRepetition, gopherRepetitionOptions, gopherRepetitionRules } from '../../stages/filter/gopher-repetition.js';
import { codePointLength, pyStrip } from '../../src/text/python-str.js';
import { splitWords } from '../../src/text/words.js';
import { docsOf, fixture, runFilter, verdict } from './filter-harness.js';

// DataTrove's gopher_repetition_filter.py, written out plainly (strings, sets, Counter order) to check
// the hashed implementation against; n-grams of duplicated_n are compared word by word (see ngrams.ts)
function findDuplicates(items: string[]): [number, number] {
  const seen = new Set<string>();
  let count = 0;
  let chars = 0;
  for (const x of items) {
    if (seen.has(x)) {
      count++;
      chars += codePointLength(x);
    } else seen.add(x);
  }
  return [count, chars];
}
function topNGramChars(words: string[], n: number): number {
  const counter = new Map<string, number>();
  for (let i = 0; i + n <= words.length; i++) {
    const g = words.slice(i, i + n).join(' ');
    counter.set(g, (counter.get(g) ?? 0) + 1);
  }
  let best = '';
  let count = 0;
  for (const [g, c] of counter) if (c > count) [best, count] = [g, c];
  return codePointLength(best) * count;
}
function allDuplicateChars(words: string[], n: number): number {
  const unique = new Set<string>();
  let repeated = 0;
  let idx = 0;
  while (idx < words.length - n + 1) {
    const gram = words.slice(idx, idx + n);
    const key = gram.join('\u0000');
    if (unique.has(key)) {
      repeated += codePointLength(gram.join(''));
      idx += n;
    } else {
      unique.add(key);
      idx += 1;
    }
  }
  return repeated;
}
function reference(text: string): Record<string, number> {
  const len = codePointLength(text);
  const paragraphs = pyStrip(text).split(/\n{2,}/);
  const [pd, pc] = findDuplicates(paragraphs);
  const lines = text.split(/\n+/);
  const [ld, lc] = findDuplicates(lines);
  const words = splitWords(text);
  const out: Record<string, number> = { dup_para_frac: pd / paragraphs.length, dup_para_char_frac: pc / len, dup_line_frac: ld / lines.length, dup_line_char_frac: lc / len };
  for (const n of [2, 3, 4]) if (words.length >= n) out[`top_${n}_gram_char_frac`] = topNGramChars(words, n) / len;
  for (const n of [5, 6, 7, 8, 9, 10]) if (words.length >= n) out[`dup_${n}_gram_char_frac`] = allDuplicateChars(words, n) / len;
  return out;
}

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'docs');

describe('gopher_repetition', () => {
  it('defaults are Gopher table A1', () => {
    expect(gopherRepetitionOptions.parse({})).toEqual({
      dupLineFrac: 0.3, dupParaFrac: 0.3, dupLineCharFrac: 0.2, dupParaCharFrac: 0.2,
      topNGrams: [[2, 0.2], [3, 0.18], [4, 0.16]],
      dupNGrams: [[5, 0.15], [6, 0.14], [7, 0.13], [8, 0.12], [9, 0.11], [10, 0.1]],
    });
  });

  it('keeps pages that do not repeat themselves', async () => {
    const r = await runFilter(gopherRepetition, [fixture('blj5uzvcoa4iybpd5o6kom5nir6ngmoj'), fixture('http://100women.ng/')]);
    expect(r.kept).toHaveLength(2);
  });

  it('drops real repetitive pages with the first rule they fail', async () => {
    const cases: [string, string][] = [
      ['d3dts4l6sqkzaewpwgb2naqw7txsgm4d', 'dup_para_frac'], // a museum record: the same paragraphs twice
      ['srnpc5ry2wjlx5nkkx5dwcep3bejtsmj', 'dup_line_frac'],
      ['gj5z4ba7f2np3gs6uuhqsysjgmxf2ipk', 'dup_line_char_frac'],
      ['qh7rmjpo7uov535t6u36aippr4plhs2l', 'top_2_gram'],
      ['uwtlyc7lfzx6eqedt7znrltlkagxdc3e', 'top_4_gram'],
      ['4tjw5ogqvbhsjlr2pjoztd4rolgyuzhg', 'duplicated_5_n_grams'],
      ['5vfthqpipzsjz57aunyw5mbj57a7fogu', 'duplicated_8_n_grams'], // "View (previous 50 | next 50) ..." twice
      ['i7p3e5p32paptxbzbj2qq5dmd52tgqar', 'duplicated_10_n_grams'],
    ];
    for (const [id, reason] of cases) expect(`${id}:${await verdict(gopherRepetition, fixture(id))}`).toBe(`${id}:${reason}`);
  });

  it('paragraph characters and the top 3-gram, on crafted text', async () => {
    const para = 'A long paragraph that appears twice in the page, word for word.';
    expect(await verdict(gopherRepetition, docsOf(`${para}\n\n${para}\n\nAnd one short one.`)[0]!, { dupParaFrac: null })).toBe('dup_para_char_frac');
    expect(await verdict(gopherRepetition, docsOf('one two three one two three one two three four five six seven eight nine')[0]!, { topNGrams: [[3, 0.18]] })).toBe('top_3_gram');
  });

  it('every measure equals a plain port of DataTrove on 60 real documents', () => {
    const texts = [
      ...fs.readFileSync(path.join(FIXTURES, 'heuristic-filters.jsonl'), 'utf8').split('\n').filter(Boolean),
      ...fs.readFileSync(path.join(FIXTURES, 'cc-2019-30-40docs.jsonl'), 'utf8').split('\n').filter(Boolean),
    ].map((l) => (JSON.parse(l) as { text: string }).text).filter((t) => t.length > 0);
    expect(texts.length).toBeGreaterThanOrEqual(55);
    const o = gopherRepetitionOptions.parse({});
    for (const text of texts) {
      const ours = gopherRepetitionRules(text, o, true).values;
      const want = reference(text);
      expect(Object.keys(ours).sort()).toEqual(Object.keys(want).sort());
      for (const [k, v] of Object.entries(want)) expect(ours[k], k).toBeCloseTo(v, 5);
    }
  });

  it('annotate mode computes every measure, even past the first failure', async () => {
    const r = await runFilter(gopherRepetition, [fixture('d3dts4l6sqkzaewpwgb2naqw7txsgm4d')], { annotate: true });
    const meta = r.kept[0]!.meta.gopher_repetition as Record<string, unknown>;
    expect(meta.would_drop).toBe('dup_para_frac');
    expect(Object.keys(meta)).toEqual(expect.arrayContaining(['dup_line_frac', 'top_2_gram_char_frac', 'dup_10_gram_char_frac']));
  });
});
