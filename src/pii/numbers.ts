// Credit card numbers (Luhn + issuer prefixes) and US Social Security numbers (SSA's never-issued ranges),
// read from the digit runs; each candidate is a whole sub-run, so a digit string inside a longer number never matches.
import { groupDigits, groupLength, isSpaceSep, SEP_DASH, SEP_DOT, type DigitRun } from './digit-runs.js';
import { codeAt, isWordChar, type PiiMatch } from './match.js';

/**
 * Calls `check(i, j)` for every span of groups [i, j] of a run that a number may occupy on its own: it starts
 * at the run's start or after a space, and ends at the run's end or before a space. "4012-8888-8888-1881-7"
 * has no such span ending at "1881"; "4012888888881881 4012-8888-8888-1881" has two (Presidio's test c091).
 * The first accepted span wins and the search goes on after it; `maxGroups` bounds the work per group.
 */
export function eachStandaloneSpan(run: DigitRun, maxGroups: number, check: (i: number, j: number) => boolean): void {
  const g = run.groups;
  let i = 0;
  while (i < g.length) {
    if (i > 0 && !isSpaceSep(g[i]!.sep)) {
      i++;
      continue;
    }
    let next = i + 1;
    for (let j = Math.min(g.length, i + maxGroups) - 1; j >= i; j--) {
      if (j + 1 < g.length && !isSpaceSep(g[j + 1]!.sep)) continue;
      if (check(i, j)) {
        next = j + 1;
        break;
      }
    }
    i = next;
  }
}

/** the separators between groups i..j are all the same, and one of `allowed` (NBSP counts as a space) */
export function uniformSep(run: DigitRun, i: number, j: number, allowed: number[]): boolean {
  const norm = (s: number) => (s === 0xa0 ? 32 : s);
  const first = norm(run.groups[i + 1]?.sep ?? 32);
  if (!allowed.includes(first)) return false;
  for (let k = i + 2; k <= j; k++) if (norm(run.groups[k]!.sep) !== first) return false;
  return true;
}

/**
 * A digit string inside a URL path or query is an identifier: facebook.com/pages/p/388213067901331 passes Luhn
 * with a Diners prefix, and so does one in ten of any such ids.
 */
export function inUrlOrId(text: string, start: number): boolean {
  const c = codeAt(text, start - 1);
  if (c === 61) return inUrlToken(text, start - 1); // "SSN=810-95-7818" is a label; "?id=388213067901331" is not
  return c === 47 || c === 63 || c === 38 || c === 35; // / ? & #
}

/** the token that ends at `at` (back to the last space, at most 200 chars) holds a '/', '?' or '&': a URL or query */
function inUrlToken(text: string, at: number): boolean {
  let k = at - 1;
  for (; k >= 0 && at - k < 200; k--) {
    const c = text.charCodeAt(k);
    if (c === 32 || c === 10 || c === 9 || c === 0xa0) return false;
    if (c === 47 || c === 63 || c === 38) return true;
  }
  return k >= 0; // a 200-char token is a URL or data; the text's start is a word boundary
}

/** the span of groups i..j stands alone in the text: no letter, digit or '_' glued to either side, not in a URL */
function freeStanding(text: string, run: DigitRun, i: number, j: number): boolean {
  const g = run.groups;
  if (i === 0 && run.plus) return false;
  // "(6761156319890)": one group in parentheses is a number in brackets, not an area code
  if (j > i) for (let k = i; k <= j; k++) if (g[k]!.paren) return false;
  if (inUrlOrId(text, g[i]!.start)) return false;
  return !isWordChar(codeAt(text, g[i]!.start - 1)) && !isWordChar(codeAt(text, g[j]!.end));
}

/** Luhn (ISO/IEC 7812-1 annex B) */
export function luhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let k = digits.length - 1; k >= 0; k--) {
    let d = digits.charCodeAt(k) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

/**
 * Issuer identification number ranges and the lengths each network issues (ISO/IEC 7812; the table on
 * Wikipedia's "Payment card number" page): Visa, Mastercard, Amex, Diners, Discover, JCB, UnionPay,
 * Maestro, Mir, RuPay, and UATP (15 digits starting with 1, as Presidio accepts: c098 122000000000003).
 */
export function knownIssuer(digits: string): boolean {
  const n = digits.length;
  const p2 = Number(digits.slice(0, 2));
  const p3 = Number(digits.slice(0, 3));
  const p4 = Number(digits.slice(0, 4));
  const p6 = Number(digits.slice(0, 6));
  switch (digits[0]) {
    case '0':
      return p4 === 604 && n >= 12 && n <= 19; // Maestro 0604 (as Faker's credit_card provider issues them)
    case '1':
      return n === 15; // UATP, and JCB 1800 (15 digits)
    case '2':
      if (p4 === 2131) return n === 15; // JCB 2131
      if (p4 >= 2221 && p4 <= 2720) return n === 16; // Mastercard 2-series
      if (p4 >= 2200 && p4 <= 2204) return n >= 16 && n <= 19; // Mir
      return false;
    case '3':
      if (p2 === 34 || p2 === 37) return n === 15; // Amex
      if (p4 >= 3528 && p4 <= 3589) return n >= 16 && n <= 19; // JCB
      if ((p3 >= 300 && p3 <= 305) || p3 === 309 || p2 === 36 || p2 === 38 || p2 === 39) return n >= 14 && n <= 19; // Diners
      return false;
    case '4':
      return n === 13 || n === 16 || n === 19; // Visa
    case '5':
      if (p2 >= 51 && p2 <= 55) return n === 16; // Mastercard
      if (p2 === 50 || p2 >= 56) return n >= (maestro12(p4) ? 12 : 13) && n <= 19; // Maestro
      return false;
    case '6':
      if (p4 === 6011 || (p3 >= 644 && p3 <= 649) || p2 === 65 || (p6 >= 622126 && p6 <= 622925)) return n >= 16 && n <= 19; // Discover
      return n >= (maestro12(p4) ? 12 : 13) && n <= 19; // UnionPay 62, RuPay 60, Maestro 6x
    case '8':
      return p2 === 81 && n >= 16 && n <= 19; // UnionPay 81
    default:
      return false;
  }
}

/** Maestro ranges that issue 12-digit numbers (ISO/IEC 7812 allows 12-19; Faker's maestro prefixes) */
function maestro12(p4: number): boolean {
  return p4 === 5018 || p4 === 5020 || p4 === 5038 || p4 === 5893 || p4 === 6304 || p4 === 6390 || (p4 >= 6759 && p4 <= 6763) || (p4 >= 5600 && p4 <= 5899);
}

/** the usual print groupings: 4-4-4-4(-3), 4-4-4-1 (13-digit Visa), 4-4-4 (12-digit Maestro), 4-6-5 (Amex), 4-6-4 (Diners), or none */
function cardGrouping(lengths: number[]): boolean {
  const total = lengths.reduce((a, b) => a + b, 0);
  if (total < 12 || total > 19) return false;
  if (lengths.length === 1) return true;
  if (lengths.length === 3 && lengths[0] === 4 && lengths[1] === 6 && (lengths[2] === 5 || lengths[2] === 4)) return true;
  return lengths.slice(0, -1).every((l) => l === 4) && lengths[lengths.length - 1]! >= 1 && lengths[lengths.length - 1]! <= 4;
}

export function findCreditCards(text: string, runs: DigitRun[], out: PiiMatch[]): void {
  for (const run of runs) {
    eachStandaloneSpan(run, 5, (i, j) => {
      const g = run.groups;
      if (g[i]!.end - g[i]!.start > 19) return false;
      const lengths = g.slice(i, j + 1).map(groupLength);
      if (!cardGrouping(lengths)) return false;
      if (j > i && !uniformSep(run, i, j, [32, SEP_DASH])) return false;
      if (!freeStanding(text, run, i, j)) return false;
      const digits = groupDigits(text, g, i, j);
      if (!knownIssuer(digits) || !luhn(digits)) return false;
      out.push({ type: 'credit_card', start: g[i]!.start, end: g[j]!.end });
      return true;
    });
  }
}

// Numbers Presidio's UsSsnRecognizer invalidates as well-known samples (the Woolworth wallet card 078-05-1120,
// 123-45-6789 from ads and forms)
const SAMPLE_SSNS = ['123456789', '078051120', '987654320', '987654321'];

/**
 * AAA-GG-SSSS with one separator kind ('-', '.' or ' '; Presidio rejects mixed ones: c111 693-09.4444).
 * SSA never issues area 000, 666 or 900-999, group 00 or serial 0000 (SSA, "Social Security Number
 * Randomization", 2011). Bare nine-digit strings are left alone: too many are order or account numbers.
 */
export function findSsns(text: string, runs: DigitRun[], out: PiiMatch[]): void {
  for (const run of runs) {
    if (run.groups.length < 3) continue;
    eachStandaloneSpan(run, 3, (i, j) => {
      if (j - i !== 2) return false;
      const g = run.groups;
      if (groupLength(g[i]!) !== 3 || groupLength(g[i + 1]!) !== 2 || groupLength(g[j]!) !== 4) return false;
      if (!uniformSep(run, i, j, [SEP_DASH, SEP_DOT, 32])) return false;
      if (!freeStanding(text, run, i, j)) return false;
      const d = groupDigits(text, g, i, j);
      const area = Number(d.slice(0, 3));
      if (area === 0 || area === 666 || area >= 900) return false;
      if (d.slice(3, 5) === '00' || d.slice(5) === '0000') return false;
      if (/^(\d)\1{8}$/.test(d) || SAMPLE_SSNS.includes(d)) return false;
      out.push({ type: 'us_ssn', start: g[i]!.start, end: g[j]!.end });
      return true;
    });
  }
}
