// The extractor's allocation-free scans against the split()/match() versions they replaced: the same
// answers on generated class strings, block texts and Unicode text (astral letters, lone surrogates).
import { describe, expect, it } from 'vitest';
import { BOILER_WORDS, COMMENTS, COMMENT_WORDS, FURNITURE, LAST_PART_ONLY, STATE_PREFIXES, boilerAttr, lowDiversity } from '../../src/extract/fast.js';
import { countWords } from '../../src/extract/extract.js';

function splitBoilerWord(token: string): string | undefined {
  if (BOILER_WORDS.has(token)) return token;
  const parts = token.split(/[-_]+/).filter(Boolean);
  if (parts.length < 2 || STATE_PREFIXES.has(parts[0]!)) return undefined;
  if (BOILER_WORDS.has(parts[0]!) && !LAST_PART_ONLY.has(parts[0]!)) return parts[0];
  const last = parts[parts.length - 1]!;
  return BOILER_WORDS.has(last) ? last : undefined;
}

function splitBoilerAttr(cls: string): number {
  if (!cls) return 0;
  let found = 0;
  for (const token of cls.split(/\s+/)) {
    if (!token) continue;
    const word = splitBoilerWord(token);
    if (word === undefined) continue;
    if (!COMMENT_WORDS.has(word)) return FURNITURE;
    found = COMMENTS;
  }
  return found;
}

/** a small deterministic generator (mulberry32) */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;

describe('boilerAttr', () => {
  it('names furniture as the split version did', () => {
    expect(boilerAttr('site-footer')).toBe(FURNITURE);
    expect(boilerAttr('content-sidebar-wrap')).toBe(0);
    expect(boilerAttr('has-sidebar')).toBe(0);
    expect(boilerAttr('search-results')).toBe(0);
    expect(boilerAttr('site-search')).toBe(FURNITURE);
    expect(boilerAttr('comments comment-list')).toBe(COMMENTS);
    expect(boilerAttr('comments nav')).toBe(FURNITURE);
    expect(boilerAttr('__nav__')).toBe(0); // one part once the separators go
    expect(boilerAttr('--')).toBe(0);
    expect(boilerAttr('\u00a0footer\u3000')).toBe(FURNITURE);
    expect(boilerAttr('an-extraordinarily-long-token-with-no-furniture')).toBe(0);
    expect(boilerAttr('an-extraordinarily-long-token-ending-in-footer')).toBe(FURNITURE);
  });

  it('agrees with the split version on 20,000 generated class strings', () => {
    const r = rng(7);
    const words = [...BOILER_WORDS, ...STATE_PREFIXES, ...LAST_PART_ONLY, 'content', 'main', 'x', 'flex', 'items', 'center', 'px', '4', 'αβγ', 'recirculation', 'advertisements'];
    const seps = ['-', '_', '--', '-_', ''];
    const spaces = [' ', '  ', '\t', '\n', '\u00a0', '\u2003', '\ufeff'];
    for (let n = 0; n < 20_000; n++) {
      let cls = r() < 0.2 ? pick(r, spaces) : '';
      const tokens = 1 + Math.floor(r() * 5);
      for (let t = 0; t < tokens; t++) {
        if (t) cls += pick(r, spaces);
        if (r() < 0.15) cls += pick(r, seps);
        const parts = 1 + Math.floor(r() * 4);
        for (let q = 0; q < parts; q++) cls += (q ? pick(r, seps) : '') + pick(r, words);
        if (r() < 0.15) cls += pick(r, seps);
      }
      if (r() < 0.2) cls += pick(r, spaces);
      expect(boilerAttr(cls), JSON.stringify(cls)).toBe(splitBoilerAttr(cls));
    }
  });
});

describe('lowDiversity', () => {
  const reference = (text: string, words: number) => words >= 30 && new Set(text.toLowerCase().split(/\s+/, 400)).size / Math.min(words, 400) < 0.1;

  it('agrees with the Set of split tokens, at the 10% boundary too', () => {
    const r = rng(11);
    const vocab = ['word', 'Word', 'WORD', 'other', 'ΣΑΣ', 'σας', 'İstanbul', 'x'];
    for (let n = 0; n < 3000; n++) {
      const count = 20 + Math.floor(r() * 500);
      const distinct = 1 + Math.floor(r() * 60);
      let text = r() < 0.1 ? ' ' : '';
      for (let i = 0; i < count; i++) text += (i ? pick(r, [' ', '  ', '\n', '\u00a0']) : '') + (r() < 0.5 ? pick(r, vocab) : `w${Math.floor(r() * distinct)}`);
      if (r() < 0.1) text += ' ';
      expect(lowDiversity(text, count), text.slice(0, 80)).toBe(reference(text, count));
    }
    // exactly 3 distinct in 30 words: 3 / 30 is not below 0.1
    const thirty = Array.from({ length: 30 }, (_, i) => ['a', 'b', 'c'][i % 3]).join(' ');
    expect(lowDiversity(thirty, 30)).toBe(false);
    expect(lowDiversity(Array.from({ length: 30 }, (_, i) => ['a', 'b'][i % 2]).join(' '), 30)).toBe(true);
  });
});

describe('countWords', () => {
  const reference = (s: string) => s.match(/[\p{L}\p{N}]+/gu)?.length ?? 0;

  it('counts runs of letters and numbers as the Unicode regex does', () => {
    expect(countWords('')).toBe(0);
    expect(countWords('Hello, world! 42')).toBe(3);
    expect(countWords('𝐀𝐁 😀 x')).toBe(2); // mathematical letters are letters; an emoji is not
    expect(countWords('a\ud800b')).toBe(2); // a lone surrogate splits a word
    const r = rng(3);
    const units = ['a', 'Z', '9', ' ', '-', 'é', 'ß', '中', '٣', '\u0301', '😀', '𝐀', '\ud800', '\udc00', '\u2003', '_', 'Ⅻ'];
    for (let n = 0; n < 5000; n++) {
      let s = '';
      const len = Math.floor(r() * 40);
      for (let i = 0; i < len; i++) s += pick(r, units);
      expect(countWords(s), JSON.stringify(s)).toBe(reference(s));
    }
  });
});
