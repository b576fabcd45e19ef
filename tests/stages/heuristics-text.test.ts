// The text helpers the heuristic filters share (src/text/): word splitting as DataTrove's English tokenizer
// does it, Python's str semantics, sentence counting for C4, the seeded choice of c4_badwords.
import { describe, expect, it } from 'vitest';
import { codePointLength, countOccurrences, pySplitLines, pySplitWhitespace, pyStrip } from '../../src/text/python-str.js';
import { countSentences } from '../../src/text/sentences.js';
import { hash32, uniformFromString } from '../../src/text/hash.js';
import { hasAlpha, isSymbolWord, splitWords, tokensOf } from '../../src/text/words.js';
import { fixture } from './filter-harness.js';

describe('splitWords (DataTrove\'s English word tokenizer: spaCy rules)', () => {
  it('splits punctuation off words, keeps numbers, abbreviations and URLs whole', () => {
    expect(splitWords('Hello, world. This is a test (really)!')).toEqual(['Hello', ',', 'world', '.', 'This', 'is', 'a', 'test', '(', 'really', ')', '!']);
    expect(splitWords('The U.S. economy grew 3.5% in 2019. Dr. Smith said e.g. no.')).toEqual(
      ['The', 'U.S.', 'economy', 'grew', '3.5', '%', 'in', '2019', '.', 'Dr.', 'Smith', 'said', 'e.g.', 'no.'],
    );
    expect(splitWords('See https://example.com/a?b=1. Or www.foo.org, or a.b@c.com')).toEqual(
      ['See', 'https://example.com/a?b=1', '.', 'Or', 'www.foo.org', ',', 'or', 'a.b@c.com'],
    );
  });

  it('splits contractions and possessives as the Penn Treebank does', () => {
    expect(splitWords("I don't know; can't you see? It's John's. We're here, cannot stay")).toEqual(
      ['I', 'do', "n't", 'know', ';', 'ca', "n't", 'you', 'see', '?', 'It', "'s", 'John', "'s", '.', 'We', "'re", 'here', ',', 'can', 'not', 'stay'],
    );
  });

  it('splits hyphens and slashes between letters, not inside numbers or codes', () => {
    expect(splitWords('well-known and/or 3-4 COVID-19 1,000,000 $100 ...')).toEqual(
      ['well', '-', 'known', 'and', '/', 'or', '3', '-', '4', 'COVID-19', '1,000,000', '$', '100', '...'],
    );
  });

  it('emoji are words of their own; any Python whitespace separates words', () => {
    expect(splitWords('😀 fun😀 a\u00a0b\u3000c\x1cd')).toEqual(['😀', 'fun', '😀', 'a', 'b', 'c', 'd']);
  });

  it('token ranges are the words, and are shared by the filters of one document', () => {
    const text = fixture('blj5uzvcoa4iybpd5o6kom5nir6ngmoj').text;
    const tokens = tokensOf(text);
    expect(tokensOf(text)).toBe(tokens);
    const words = splitWords(text);
    expect(tokens.count).toBe(words.length);
    for (let i = 0; i < tokens.count; i++) expect(text.slice(tokens.starts[i]!, tokens.ends[i]!)).toBe(words[i]);
  });

  it('symbols and letters as Gopher counts them (DataTrove\'s PUNCTUATION set, str.isalpha)', () => {
    expect(isSymbolWord('...')).toBe(true);
    expect(isSymbolWord('»')).toBe(true);
    expect(isSymbolWord('42')).toBe(false);
    expect(hasAlpha('42')).toBe(false);
    expect(hasAlpha('Ωμέγα')).toBe(true);
    expect(hasAlpha('中文')).toBe(true);
  });
});

describe('Python str semantics', () => {
  it('splitlines, strip, split, len', () => {
    expect(pySplitLines('a\r\nb\rc\vd\x1ce\x85f\u2028g\n')).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g']);
    expect(pySplitLines('')).toEqual([]);
    expect(pySplitLines('\n')).toEqual(['']);
    expect(pyStrip('\x1c\u3000 text \ufeff')).toBe('text \ufeff');
    expect(pySplitWhitespace(' a\tb\x1fc  ')).toEqual(['a', 'b', 'c']);
    expect(codePointLength('a😀b')).toBe(3);
    expect(codePointLength('\ud800x')).toBe(2);
    expect(countOccurrences('......', '...')).toBe(2);
  });
});

describe('countSentences (C4: Punkt\'s decisions, approximated)', () => {
  it('counts sentence ends, not abbreviations, initials or decimals', () => {
    expect(countSentences('One sentence here.')).toBe(1);
    expect(countSentences('First one. Second one! Third one? Fourth.')).toBe(4);
    expect(countSentences('Dr. Smith met J. Doe at 3.30 p.m. today.')).toBe(1);
    expect(countSentences('It rose in 2019. The next year it fell.')).toBe(2);
    expect(countSentences('"Quoted." Then more.')).toBe(2);
    expect(countSentences('   ')).toBe(0);
  });
});

describe('seeded choice', () => {
  it('is stable and spread', () => {
    expect(hash32('doc-1')).toBe(hash32('doc-1'));
    expect(hash32('doc-1', 1)).not.toBe(hash32('doc-1'));
    const u = Array.from({ length: 1000 }, (_, i) => uniformFromString(`id${i}`));
    expect(Math.min(...u)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...u)).toBeLessThan(1);
    expect(u.filter((x) => x < 0.5).length).toBeGreaterThan(430);
    expect(u.filter((x) => x < 0.5).length).toBeLessThan(570);
  });
});
