// The pii stage against the shapes an outside review found missed (Faker phone formats, 12-digit Maestro,
// 15-digit JCB, lower-case IBANs), the negatives that must stay, and per-type recall/precision on the held-out
// synthetic set (src/pii/synthetic.ts) at a fixed seed, so a regression in any detector fails here.
import { describe, expect, it } from 'vitest';
import { detectPii } from '../../src/pii/scrub.js';
import { luhn } from '../../src/pii/numbers.js';
import { ibanChecksumOk } from '../../src/pii/iban.js';
import { scoreSynthetic } from '../../src/pii/eval.js';
import { EVAL_TYPES, generateSynthetic, ibanCheckDigits, rng } from '../../src/pii/synthetic.js';

/** what detectPii finds in `text`, as "type:found text" */
const found = (text: string) => detectPii(text).map((m) => `${m.type}:${text.slice(m.start, m.end)}`);

describe('shapes the review found missed', () => {
  it.each([
    '(37) 788-063', '699 956 915', '+44 20 7946 0958', '+49 30 1234567', '0049 (0)30 1234567', '+33 1 23 45 67 89',
    '06 12 34 56 78', '+81 3-1234-5678', '02 9876 5432', '001-202-555-0143', '+55 11 91234-5678', '950 46 40 71',
    '336 465 1148', '055-285-7169', '+1-140-135-4345', '1-343-728-4011x2085', '(0251) 123456',
  ])('phone %s, in prose and without a phone word', (phone) => {
    expect(found(`Reach me at ${phone} after nine.`)).toEqual([`phone:${phone}`]);
  });

  it('keeps the extension with the number: +1-202-555-0143 x1234, 202-555-0143x12', () => {
    expect(found('office +1-202-555-0143 x1234, desk 202-555-0143x12.')).toEqual(['phone:+1-202-555-0143 x1234', 'phone:202-555-0143x12']);
  });

  it('a bare digit string is a phone only right after a phone word', () => {
    expect(found('Telefon: 9043396725')).toEqual(['phone:9043396725']);
    expect(found('ph 617559876')).toEqual(['phone:617559876']);
    expect(found('As of 9043396725 nothing changed.')).toEqual([]);
  });

  it('Maestro 630427373398 (12 digits), JCB 15 213112345678904 and 180012345678905, plain and grouped', () => {
    for (const n of ['630427373398', '213112345678904', '180012345678905']) expect(luhn(n), n).toBe(true);
    expect(found('Maestro 630427373398, JCB 213112345678904 or 1800 1234 5678 905; 6304-2737-3398.')).toEqual([
      'credit_card:630427373398', 'credit_card:213112345678904', 'credit_card:1800 1234 5678 905', 'credit_card:6304-2737-3398',
    ]);
    // a Luhn failure or a 12-digit number outside the Maestro ranges is not a card
    expect(found('ref 630427373399, id 411111111111')).toEqual([]);
  });

  it('a card, SSN or phone after a "label=" is still found; one in a URL query is not', () => {
    expect(found('card=4012888888881881; SSN=078-05-1123; fax=+31 6 84721436')).toEqual(['credit_card:4012888888881881', 'us_ssn:078-05-1123', 'phone:+31 6 84721436']);
    expect(found('https://example.com/p?id=4012888888881881')).toEqual([]);
  });

  it('lower-case IBAN gb42nawi04454264788619 (mod-97 valid), but not mixed case or a bad checksum', () => {
    expect(ibanChecksumOk('GB42NAWI04454264788619')).toBe(true);
    expect(found('iban gb42nawi04454264788619.')).toEqual(['iban:gb42nawi04454264788619']);
    expect(found('iban gb42NAWI04454264788619 or gb43nawi04454264788619')).toEqual([]);
  });
});

describe('negatives stay', () => {
  it.each([
    'Dates 2024-01-15, 15.01.2024, 01/15/2024, 1982-08-06, 2012 03 04 9572, 1935-10-1414',
    'Years 1990-2000, 1841-1904, (1995 2005), the years 2010 2015 2020',
    'Times 14:30, 12:34:56.789, timestamp 1700000000 and 2024-01-02T10:20:30Z',
    'Prices $1,234.56, 1 234 567 €, 12 345 678 visitors, 2 920 000 hab., 350 000 000 people, €12.345,67',
    'ISBN 978-3-16-148410-0, 9783161484100, 0-306-40615-2; ISSN 0317-8471',
    'Version 10.2.45, v2.0.1-beta, build 2023.10.4512, OID 1.3.6.1.4.1',
    'Coordinates 48.8566, 2.3522 and 40.7128 -74.0060',
    'Product AB-12345-678, part 4410-223-118, SKU 123456789, model XJ1234-567',
    'ZIP 94107-1234, 93241-1413, 75008 Paris',
    'Order #212-555-0199, order no. 223-456-7890, invoice no. 0301234567',
    'Pages 120-135, pp. 14480-14486, the 100 200 300 series, table 58 59 57 174',
    'hash 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08, uuid 123e4567-e89b-42d3-a456-426614174000',
  ])('%s', (text) => {
    expect(found(text)).toEqual([]);
  });
});

describe('synthetic sets', () => {
  it('are deterministic per seed, and their IBANs and cards carry valid checksums', () => {
    expect(generateSynthetic(7, 20, 'dev')).toEqual(generateSynthetic(7, 20, 'dev'));
    expect(generateSynthetic(7, 20, 'dev')).not.toEqual(generateSynthetic(8, 20, 'dev'));
    const docs = generateSynthetic(7, 300, 'heldout');
    for (const d of docs)
      for (const s of d.spans) {
        expect(d.text.slice(s.start, s.end)).toBe(s.value);
        if (s.type === 'iban') expect(ibanChecksumOk(s.value.replace(/ /g, '').toUpperCase()), s.value).toBe(true);
        if (s.type === 'card') expect(luhn(s.value.replace(/[ -]/g, '')), s.value).toBe(true);
      }
    expect(ibanCheckDigits('GB', 'NAWI04454264788619')).toBe('42');
    expect(rng(1)()).toBe(rng(1)());
  });

  it('held-out set (seed 98765, heldout templates): recall >= 0.95 and precision >= 0.95 for every type', () => {
    const s = scoreSynthetic(generateSynthetic(98765, 800, 'heldout'));
    for (const t of EVAL_TYPES) {
      const v = s.per_type[t];
      expect(v.tp + v.fn, t).toBeGreaterThan(50);
      expect(v.recall, `${t} recall; missed ${s.missed.join(', ')}`).toBeGreaterThanOrEqual(0.95);
      expect(v.precision, `${t} precision; false positives ${s.false_positives.join(', ')}`).toBeGreaterThanOrEqual(0.95);
    }
  });
});
