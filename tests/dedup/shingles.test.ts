import { describe, expect, it } from 'vitest';
import { normalizeForDedup, shingleHashes } from '../../src/dedup/shingles.js';
import { ccDocs } from './fixtures.js';

describe('normalizeForDedup (DataTrove simplify_text)', () => {
  it('lower-cases, collapses whitespace, strips punctuation, maps digit runs to 0', () => {
    expect(normalizeForDedup("  Hello,  World!\n\tIt's 2019.  ")).toBe('hello world its 0');
  });

  it('drops diacritics and treats composed and decomposed forms alike', () => {
    expect(normalizeForDedup('Café CRÈME')).toBe('cafe creme');
    expect(normalizeForDedup('Cafe\u0301')).toBe(normalizeForDedup('Caf\u00e9'));
  });

  it('keeps scripts other than Latin, lower-cased', () => {
    expect(normalizeForDedup('ΑΘΗΝΑ Москва 東京タワー')).toBe('αθηνα москва 東京タワー');
    expect(normalizeForDedup('東京、大阪。')).toBe('東京大阪');
  });

  it('maps non-ASCII decimal digits to 0 as Python\'s \\d does, astral ones too, counting runs after marks go', () => {
    expect(normalizeForDedup('٢٠١٩ year')).toBe('0 year');
    expect(normalizeForDedup('𝟏𝟐 apples')).toBe('0 apples');
    expect(normalizeForDedup('1\u03012 x')).toBe('0 x');
  });

  it('uses Python\'s whitespace: information separators and NEL split words, U+FEFF does not', () => {
    expect(normalizeForDedup('a\x1cb\u0085c\u3000d')).toBe('a b c d');
    expect(normalizeForDedup('a\ufeffb')).toBe('a\ufeffb');
    expect(normalizeForDedup(' , a - b ')).toBe('a  b'); // DataTrove keeps the two spaces around removed punctuation
  });
});

describe('shingleHashes', () => {
  it('gives nothing for empty, blank or punctuation-only text', () => {
    expect(shingleHashes('')).toHaveLength(0);
    expect(shingleHashes(' \n\t ')).toHaveLength(0);
    expect(shingleHashes('... !!! — «»')).toHaveLength(0);
  });

  it('gives one shingle of the whole text for fewer words than n, or none as DataTrove does', () => {
    expect(shingleHashes('Hello')).toHaveLength(1);
    expect(shingleHashes('Hello, World!')).toHaveLength(1);
    expect(shingleHashes('Hello, World!')).toEqual(shingleHashes('hello world'));
    expect(shingleHashes('hello world')).not.toEqual(shingleHashes('hello'));
    expect(shingleHashes('Hello, World!', { shortDocs: 'none' })).toHaveLength(0);
  });

  it('gives one shingle per n-gram position, for any n', () => {
    const five = 'one two three four five';
    expect(shingleHashes(five)).toHaveLength(1);
    expect(shingleHashes(`${five} six seven`)).toHaveLength(3);
    expect(shingleHashes(`${five} six seven`, { n: 3 })).toHaveLength(5);
    expect(shingleHashes(`${five} six seven`, { n: 1 })).toHaveLength(7);
    expect(() => shingleHashes(five, { n: 0 })).toThrow(RangeError);
  });

  it('hashes word order, not just the bag of words', () => {
    expect(shingleHashes('a b c d e')).not.toEqual(shingleHashes('e d c b a'));
    expect(shingleHashes('ab c d e f')).not.toEqual(shingleHashes('a bc d e f'));
  });

  it('is the same for texts that differ only in case, punctuation, spacing, accents and numbers', () => {
    const a = 'On March 3, 2018 the crew met at the Café; "nobody came."';
    const b = 'on march 14 1999   the CREW met at the cafe nobody came';
    expect(shingleHashes(a)).toEqual(shingleHashes(b));
  });

  it('handles astral characters (surrogate pairs) and is seedable', () => {
    const t = 'we 🚀 launch 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 text today';
    expect(shingleHashes(t)).toHaveLength(2);
    expect(shingleHashes(t)).toEqual(shingleHashes(t));
    expect(shingleHashes(t, { seed: 7 })).not.toEqual(shingleHashes(t));
  });

  it('gives distinct shingles on real documents (no 32-bit collisions among a few thousand)', () => {
    const allHashes = new Set<number>();
    const allGrams = new Set<string>();
    for (const d of ccDocs()) {
      const words = normalizeForDedup(d.text).split(' ').filter((w) => w);
      const grams = new Set(words.slice(0, words.length - 4).map((_, i) => words.slice(i, i + 5).join(' ')));
      const hashes = new Set(shingleHashes(d.text));
      expect(hashes.size).toBe(grams.size);
      for (const h of hashes) allHashes.add(h);
      for (const g of grams) allGrams.add(g);
    }
    expect(allGrams.size).toBeGreaterThan(2000);
    expect(allHashes.size).toBe(allGrams.size);
  });
});
