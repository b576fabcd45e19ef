// The extraction scores on hand-made cases with known answers, and a regression floor for extractHtml
// on the committed subset of the WCXB and trafilatura dev sets (tests/fixtures/extraction).
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  bagOfWordsScore,
  countSnippets,
  macroAverage,
  scoreSet,
  snippetScores,
  snippetShare,
  wordTokens,
  shingleCounts,
  shingleScore,
  shingleSetScore,
  shingleTokens,
  shingles,
  type Prf,
} from '../../src/eval/extraction-score.js';
import { fixturePages, htmlToText } from '../../src/eval/extraction-sets.js';
import { extractHtml } from '../../src/extract/extract.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'extraction');

function expectPrf(actual: Prf, expected: Prf): void {
  expect(actual.precision).toBeCloseTo(expected.precision, 10);
  expect(actual.recall).toBeCloseTo(expected.recall, 10);
  expect(actual.f1).toBeCloseTo(expected.f1, 10);
}

describe('wordTokens', () => {
  it('lowercases and splits Unicode words at punctuation, underscores and letter-after-digit', () => {
    expect(wordTokens("L'Été: Über-Café, 3rd foo_bar ×2024")).toEqual(['l', 'été', 'über', 'café', '3', 'rd', 'foo', 'bar', '2024']);
    expect(wordTokens('abc123 日本語 ...')).toEqual(['abc123', '日本語']);
  });
});

describe('bagOfWordsScore', () => {
  it('scores a prefix of the reference as full precision, half recall', () => {
    expectPrf(bagOfWordsScore('The cat sat.', 'the cat sat on the mat'), { precision: 1, recall: 0.5, f1: 2 / 3 });
  });

  it('counts a repeated word only as often as the reference has it (multiset overlap)', () => {
    expectPrf(bagOfWordsScore('the the the', 'the cat'), { precision: 1 / 3, recall: 1 / 2, f1: 0.4 });
  });

  it('ignores case, punctuation and layout', () => {
    expectPrf(bagOfWordsScore('Über-Café,\n\n2024!', 'über café 2024'), { precision: 1, recall: 1, f1: 1 });
  });

  it('follows WCXB on empty texts: both empty is perfect, either one empty alone is zero', () => {
    expectPrf(bagOfWordsScore('', ''), { precision: 1, recall: 1, f1: 1 });
    expectPrf(bagOfWordsScore(' ... ', ''), { precision: 1, recall: 1, f1: 1 });
    expectPrf(bagOfWordsScore('menu login', ''), { precision: 0, recall: 0, f1: 0 });
    expectPrf(bagOfWordsScore('', 'the article'), { precision: 0, recall: 0, f1: 0 });
  });
});

describe('macroAverage', () => {
  it('averages each figure over pages, not the overlaps', () => {
    expectPrf(macroAverage([{ precision: 1, recall: 0.5, f1: 2 / 3 }, { precision: 0, recall: 0, f1: 0 }]), { precision: 0.5, recall: 0.25, f1: 1 / 3 });
  });
});

describe('trafilatura snippet metric', () => {
  const output = 'Hello   world.\nFoo bar';

  it('matches whitespace-normalized and case-sensitive substrings', () => {
    // "foo bar" misses on case; "Foo\n bar" and "world. Foo" match across the line break
    expect(countSnippets(output, ['Hello world', 'foo bar', 'Foo\n bar'], ['world. Foo', 'Nope'])).toEqual({ tp: 2, fn: 1, fp: 1, tn: 1 });
  });

  it('derives precision, recall, F1 = 2tp/(2tp+fp+fn) and accuracy from the counts', () => {
    const s = snippetScores({ tp: 2, fn: 1, fp: 1, tn: 1 });
    expectPrf(s, { precision: 2 / 3, recall: 2 / 3, f1: 2 / 3 });
    expect(s.accuracy).toBeCloseTo(3 / 5, 10);
    expect(snippetScores({ tp: 0, fn: 0, fp: 0, tn: 0 })).toEqual({ precision: 0, recall: 0, f1: 0, accuracy: 0 });
  });

  it('sums the counts over the corpus before dividing (micro), and scores each page from its own', () => {
    const pages = [
      { set: 'trafilatura' as const, id: 'a', with: ['one', 'two'], without: ['menu'] },
      { set: 'trafilatura' as const, id: 'b', with: ['three'], without: ['footer', 'ads'] },
    ];
    // a: tp 2, fp 1, tn 0; b: tp 0, fn 1, fp 0, tn 2 -> summed tp 2, fn 1, fp 1, tn 2
    const s = scoreSet('trafilatura', pages, ['one two menu', 'nothing here']);
    expectPrf(s, { precision: 2 / 3, recall: 2 / 3, f1: 2 / 3 });
    expect(s.accuracy).toBeCloseTo(4 / 6, 10);
    expectPrf(s.perPage[0]!, { precision: 2 / 3, recall: 1, f1: 0.8 });
    expectPrf(s.perPage[1]!, { precision: 0, recall: 0, f1: 0 });
  });
});

describe('WCXB snippet shares', () => {
  it('finds snippets case-insensitively and leaves pages without snippets out of the mean', () => {
    expect(snippetShare('Hello  World', ['hello world', 'absent'])).toBe(0.5);
    expect(snippetShare('Hello World', [])).toBeUndefined();
    const pages = [
      { set: 'wcxb' as const, id: 'a', reference: 'hello world', with: ['Hello'], without: ['Sign in'] },
      { set: 'wcxb' as const, id: 'b', reference: 'goodbye', with: [], without: ['Cart'] },
    ];
    // a: P 2/4, R 1, one `without` kept; b: P 1, R 1, none kept, and no `with` to count
    const s = scoreSet('wcxb', pages, ['hello world sign in', 'goodbye']);
    expect(s.withFound).toBe(1);
    expect(s.withoutFound).toBe(0.5);
    expectPrf(s, { precision: 0.75, recall: 1, f1: (2 / 3 + 1) / 2 });
  });
});

describe('htmlToText', () => {
  it('gives the text of expected-article HTML with block breaks', () => {
    expect(htmlToText('<div><p>One <b>two</b></p><p>three</p></div>')).toBe('One two\n\nthree');
  });
});

// Regression floors: the F1 extractHtml had on this subset when the floor was set, minus 0.03, rounded
// down. They guard against losing quality and are to be raised as extraction improves (issue 4).
// Measured at df66e3a: WCXB 0.895 (31 pages, macro bag-of-words), trafilatura 0.904 (30 pages, summed snippets);
// after the product/listing/forum heuristics of issue 4: WCXB 0.894, trafilatura 0.932 (trafilatura floor raised).
const F1_FLOOR = { wcxb: 0.86, trafilatura: 0.9 } as const;

describe('extractHtml on the committed dev subset', () => {
  for (const set of ['wcxb', 'trafilatura'] as const) {
    it(`keeps ${set} F1 at or above ${F1_FLOOR[set]}`, () => {
      const pages = [...fixturePages(set, FIXTURES)];
      expect(pages.length).toBeGreaterThanOrEqual(30);
      const score = scoreSet(set, pages, pages.map((p) => extractHtml(p.html).text));
      expect(score.f1).toBeGreaterThanOrEqual(F1_FLOOR[set]);
    });
  }
});

// The article-extraction-benchmark's metric (scrapinghub/article-extraction-benchmark, evaluate.py):
// case-kept `\w+` tokens, 4-token shingles, per-page counts normalized to sum 1, P and R averaged over
// pages separately, F1 of the two means.
describe('shingle metric', () => {
  it('tokenizes as Python\'s \\w+ without lowercasing, and makes one shorter shingle of a short text', () => {
    expect(shingleTokens("L'Été foo_bar 3rd")).toEqual(['L', 'Été', 'foo_bar', '3rd']);
    expect([...shingles('a b c d e').values()]).toEqual([1, 1]);
    expect(shingles('Hello world').size).toBe(1);
    expect(shingles('').size).toBe(0);
  });

  it('scores a prefix of the reference as full precision, and case as a difference', () => {
    expectPrf(shingleScore('a b c d', 'a b c d e'), { precision: 1, recall: 0.5, f1: 2 / 3 });
    expect(shingleCounts('a b c d', 'a b c d e')).toEqual({ tp: 0.5, fp: 0, fn: 0.5 });
    expectPrf(shingleScore('Hello world', 'Hello world'), { precision: 1, recall: 1, f1: 1 });
    expectPrf(shingleScore('The cat sat down', 'the cat sat down'), { precision: 0, recall: 0, f1: 0 });
  });

  it('leaves an empty output out of precision and an empty reference out of recall; F1 of the means', () => {
    const pages = [shingleCounts('a b c d', 'a b c d e'), shingleCounts('', 'a b c d e'), shingleCounts('', ''), shingleCounts('x y z w', '')];
    const s = shingleSetScore(pages);
    // precision over pages 1 and 4 (1 and 0), recall over pages 1 and 2 (0.5 and 0)
    expectPrf(s, { precision: 0.5, recall: 0.25, f1: 1 / 3 });
  });
});
