// IBANs (ISO 13616): country code, two check digits, then the country's BBAN of fixed length and layout,
// written compact or in groups of four; the ISO 7064 mod-97 check decides.
import { codeAt, isAsciiAlnum, isDigit, type PiiMatch } from './match.js';

// BBAN layouts per country in the IBAN registry's notation (n digits, a capital letters, c either), after
// SWIFT's IBAN Registry and Presidio's iban_patterns.py (which follows Wikipedia's table); where the two
// differ the looser layout is kept: the mod-97 check still has to pass.
const BBAN: Record<string, string> = {
  AD: '8n12c', AE: '19n', AL: '8n16c', AT: '16n', AZ: '4c20c', BA: '16n', BE: '12n', BG: '4a6n8c', BH: '4a14c',
  BI: '23n', BR: '23n1a1c', BY: '4c4n16c', CH: '5n12c', CR: '18n', CY: '8n16c', CZ: '20n', DE: '18n', DJ: '23n',
  DK: '14n', DO: '4c20n', EE: '16n', EG: '25n', ES: '20n', FI: '14n', FK: '2a12n', FO: '14n', FR: '10n11c2n',
  GB: '4a14n', GE: '2c16n', GI: '4a15c', GL: '14n', GR: '7n16c', GT: '24c', HR: '17n', HU: '24n', IE: '4c14n',
  IL: '19n', IQ: '4a15n', IS: '22n', IT: '1a10n12c', JO: '4a4n18c', KW: '4a22c', KZ: '3n13c', LB: '4n20c',
  LC: '4a24c', LI: '5n12c', LT: '16n', LU: '3n13c', LV: '4a13c', LY: '21n', MC: '10n11c2n', MD: '20c', ME: '18n',
  MK: '3n10c2n', MN: '16n', MR: '23n', MT: '4a5n18c', MU: '4a19n3a', NL: '4a10n', NO: '11n', OM: '3n16c',
  PK: '4c16n', PL: '24n', PS: '4c21n', PT: '21n', QA: '4a21c', RO: '4a16c', RS: '18n', RU: '14n15c', SA: '2n18c',
  SC: '4a20n3a', SD: '14n', SE: '20n', SI: '15n', SK: '20n', SM: '1a10n12c', SO: '19n', ST: '21n', SV: '4a20n',
  TL: '19n', TN: '20n', TR: '5n17c', UA: '6n19c', VA: '18n', VG: '4c16n', XK: '16n', YE: '4a4n18c',
};

interface Layout {
  length: number;
  /** one class per BBAN position: 'n', 'a' or 'c' */
  classes: string;
}

const LAYOUTS: Record<string, Layout> = Object.fromEntries(
  Object.entries(BBAN).map(([cc, spec]) => {
    let classes = '';
    for (const [, count, cls] of spec.matchAll(/(\d+)([nac])/g)) classes += cls!.repeat(Number(count));
    return [cc, { length: 4 + classes.length, classes }];
  }),
);

function fitsClass(c: number, cls: string): boolean {
  if (cls === 'n') return isDigit(c);
  if (cls === 'a') return c >= 65 && c <= 90;
  return isDigit(c) || (c >= 65 && c <= 90);
}

/** ISO 7064 MOD 97-10 over the rearranged IBAN (country code and check digits moved to the end) */
export function ibanChecksumOk(compact: string): boolean {
  const s = compact.slice(4) + compact.slice(0, 4);
  let rem = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c <= 57 ? c - 48 : c - 55;
    rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  return rem === 1;
}

// a country code and check digits at a word start; the rest is read in code, to the country's exact length
// lower case too ("gb42nawi04454264788619"): the whole IBAN then has to be lower case, read as upper case
const IBAN_START = /(?<![A-Za-z0-9])(?:[A-Z]{2}|[a-z]{2})\d{2}/g;

export function findIbans(text: string, out: PiiMatch[]): void {
  IBAN_START.lastIndex = 0;
  for (let m = IBAN_START.exec(text); m; m = IBAN_START.exec(text)) {
    const layout = LAYOUTS[m[0].slice(0, 2).toUpperCase()];
    if (!layout) continue;
    const end = ibanEnd(text, m.index, layout, text.charCodeAt(m.index) >= 97);
    if (end < 0) continue;
    out.push({ type: 'iban', start: m.index, end });
    IBAN_START.lastIndex = end;
  }
}

/**
 * Reads exactly `layout.length` characters from `start`, either with no spaces at all or with a single space
 * after every fourth one (the paper format "AT61 1904 3002 3457 3201"), each BBAN character of its class;
 * the next character must not continue the word; `lower`: the IBAN is written in lower case. Returns the end, or -1.
 */
function ibanEnd(text: string, start: number, layout: Layout, lower: boolean): number {
  let compact = '';
  let pos = start;
  const spaced = codeAt(text, start + 4) === 32;
  while (compact.length < layout.length) {
    if (spaced && compact.length > 0 && compact.length % 4 === 0) {
      if (codeAt(text, pos) !== 32) return -1;
      pos++;
    }
    let c = codeAt(text, pos);
    if (!isAsciiAlnum(c)) return -1;
    // one case throughout: a lower-case IBAN has no capitals, an upper-case one no small letters
    if (lower ? c >= 65 && c <= 90 : c >= 97) return -1;
    if (lower && c >= 97) c -= 32;
    if (compact.length >= 4 && !fitsClass(c, layout.classes[compact.length - 4]!)) return -1;
    compact += String.fromCharCode(c);
    pos++;
  }
  if (isAsciiAlnum(codeAt(text, pos))) return -1;
  return ibanChecksumOk(compact) ? pos : -1;
}
