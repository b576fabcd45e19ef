// Phone numbers from the digit runs: international (+CC, ITU-T E.164 country codes and lengths), North American
// (NANP), and national trunk-prefix forms (UK, German, French, Indian, Japanese, Israeli...), with rules that keep
// dates, ISBNs, prices, versions and order numbers out, tuned on Presidio's phone recognizer tests (pii-dev c079-c090).
// Runs the rules leave are then tried as the layouts Faker's locales print (extraPhoneSpan), with libphonenumber-js
// (max metadata) deciding country-code lengths and, for space-grouped numbers with no phone word, national validity.
// docs/dependencies.md, "PII: libphonenumber-js against our phone rules", has the figures.
import { groupDigits, groupLength, isSpaceSep, SEP_DOT, SEP_SLASH, type DigitRun } from './digit-runs.js';
import { codeAt, isDigit, isWordChar, type PiiMatch } from './match.js';
import { eachStandaloneSpan, inUrlOrId } from './numbers.js';
import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js/max';

// ITU-T E.164 assigned country calling codes (ITU-T "List of ITU-T Recommendation E.164 assigned country codes",
// 2016, plus 383 Kosovo). The set is prefix-free, so a digit string starts with at most one of them.
const COUNTRY_CODES = new Set(
  (
    '1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 64 65 66 81 82 84 86 ' +
    '90 91 92 93 94 95 98 211 212 213 216 218 220 221 222 223 224 225 226 227 228 229 230 231 232 233 234 235 236 237 ' +
    '238 239 240 241 242 243 244 245 246 247 248 249 250 251 252 253 254 255 256 257 258 260 261 262 263 264 265 266 ' +
    '267 268 269 290 291 297 298 299 350 351 352 353 354 355 356 357 358 359 370 371 372 373 374 375 376 377 378 379 ' +
    '380 381 382 383 385 386 387 389 420 421 423 500 501 502 503 504 505 506 507 508 509 590 591 592 593 594 595 596 ' +
    '597 598 599 670 672 673 674 675 676 677 678 679 680 681 682 683 685 686 687 688 689 690 691 692 800 808 850 852 ' +
    '853 855 856 870 878 880 881 882 883 886 888 960 961 962 963 964 965 966 967 968 970 971 972 973 974 975 976 977 ' +
    '979 992 993 994 995 996 998'
  ).split(' '),
);

// national significant number lengths for the countries whose numbers show up most (ITU-T E.164 national numbering
// plans as summarised by libphonenumber's metadata); the rest get 7-12 digits
const NSN_LENGTHS: Record<string, [number, number]> = {
  '1': [10, 10], '7': [10, 10], '33': [9, 9], '34': [9, 9], '39': [6, 11], '44': [9, 10], '49': [7, 13], '55': [10, 11],
  '61': [9, 9], '81': [9, 10], '86': [10, 11], '91': [10, 10], '972': [8, 9],
};

// a number right after one of these labels is an identifier, not a phone: "Order 212-555-0199", "ISBN 0 306 40615 2"
const ID_LABEL_BEFORE = /(?:^|[^a-z])(?:order|invoice|tracking|serial|isbn|issn|sku|ref|reference|ticket|model|part|item|transaction|batch|lot|patent|doi|receipt|account|acct|case|id|zip|postcode|postal code|plz)\s*(?:no\.?|nr\.?|num(?:ber)?|#|id)?\s*[:#.=]?\s*$/;

// bare digit strings (13812345678) and space-only groupings (415 555 0132) are phones only near one of these words
const PHONE_CONTEXT = /phone|tel\b|tel\.|telephone|mobile|cell|call|sms|text me|whatsapp|fax|contact|number|\bno\.|手机|电话|联系|電話|携帯/;

// the same, and a few more labels, for the extra layouts (read only within the sentence the number is in)
const PHONE_WORD = /phone|\btel\b|\btel\.|\btél|telefon|teléfono|telefone|telefono|telefoon|mobile|\bmob\b|\bmobil|handy|cell|call|sms|whatsapp|\bfax|contact|\bph\b|\bnumber|\bno\.|手机|电话|联系|電話|携帯/;

/**
 * the part of the context that can speak for this number: after the last newline, ';', '!', '?', ')', digit
 * (a phone word before an earlier number is that number's), or sentence end (". X", ".  X")
 */
function sentenceTail(ctx: string): string {
  let cut = -1;
  for (let k = ctx.length - 1; k >= 0 && cut < 0; k--) {
    const c = ctx.charCodeAt(k);
    if (c === 10 || c === 59 || c === 33 || c === 63 || c === 41 || isDigit(c)) cut = k;
    // a full stop ends the sentence, except after the abbreviations of phone labels ("tel. ", "Tel.: ", "no. ")
    else if (c === 46 && /^\s/.test(ctx.slice(k + 1, k + 2)) && !/(?:^|[^a-zé])(?:tel|tél|no|nr|ph|mob|fax|tlf|num|telef)$/i.test(ctx.slice(Math.max(0, k - 6), k))) cut = k;
  }
  return cut < 0 ? ctx : ctx.slice(cut + 1);
}

// national numbers without a trunk prefix (Polish 89 523-43-01, Spanish 972 613 100, Czech 777 098 098) look like
// any other grouped number: they count only right after a phone label ("tel.", "Telefon:", "mob.", "fax")
const PHONE_LABEL_BEFORE = /(?:^|[^a-z])(?:phone|tel|telefon|telephone|téléphone|teléfono|telefone|telefono|telefoon|mobile|mobil|mob|cell|fax|call|whatsapp|tlf|tfn)[a-zéó]{0,6}\.?\s{0,3}(?:no\.?|nr\.?|number|num)?\s{0,3}[:.]?\s{0,3}$/;

const CONTEXT_CHARS = 48;

const IBAN_HEAD_BEFORE = /(?:^|[^A-Za-z0-9])[A-Z]{2}\d{2} $/;

/** the libphonenumber-backed layouts (extraPhoneSpan) on or off: bench/pii.ts compares the rules alone against both */
export const phoneOptions = { extraLayouts: true };

export function findPhones(text: string, runs: DigitRun[], out: PiiMatch[]): void {
  for (const run of runs) {
    const before = out.length;
    // the last group that is not four digits long: groups after it are a card or account number layout
    let lastNot4 = -1;
    run.groups.forEach((x, k) => {
      if (groupLength(x) !== 4) lastNot4 = k;
    });
    eachStandaloneSpan(run, 7, (i, j) => {
      const span = phoneSpan(text, run, i, j, lastNot4);
      if (!span) return false;
      out.push({ type: 'phone', start: span[0], end: span[1] });
      return true;
    });
    // what the rules above leave: the layouts Faker's locales and libphonenumber's metadata know (see extraPhoneSpan)
    // runs of more than 8 groups are tables or lists: the extra layouts are not looked for there
    // only whole runs: a part of a longer run is a table row ("261 261 302 824") more often than a phone
    if (phoneOptions.extraLayouts && out.length === before && run.end - run.start >= 7 && run.groups.length <= 7) {
      const span = extraPhoneSpan(text, run, 0, run.groups.length - 1);
      if (span) out.push({ type: 'phone', start: span[0], end: span[1] });
    }
  }
}

// an extension after the number: "555-0143 x1234", "555-0143x12", "ext. 12"
const EXTENSION = /^(?: ?(?:x|ext\.?|extension) ?)\d{1,6}(?![0-9A-Za-z_])/i;

/** the end of the number with its extension, if one follows */
function extEnd(text: string, end: number): number {
  let c = codeAt(text, end);
  if (c === 32) c = codeAt(text, end + 1);
  if (c !== 120 && c !== 88 && c !== 101 && c !== 69) return end; // x X e E
  const m = EXTENSION.exec(text.slice(end, end + 18));
  return m ? end + m[0].length : end;
}

// the countries whose national numbers libphonenumber validates for unprefixed candidates (the Faker locales the
// set covers); DE is left out: its open numbering plan makes almost any 7-11 digits "valid" (2029-12-21, (37) 788-063)
const NATIONAL_COUNTRIES: CountryCode[] = ['US', 'GB', 'FR', 'ES', 'IT', 'BR', 'NL', 'PL', 'JP', 'AU', 'IN'];

// the space-separated groupings national numbering plans print (ES 699 956 915 / 950 46 40 71, PL 66 600 24 26,
// IT 336 465 1148, BR 12 91059 9522 / 14 1848 2219, AU 1300 583 946, NL 0### ######...): only these go to
// libphonenumber without a phone word; a table row ("58 59 57 174") or other grouping does not
const NATIONAL_LAYOUTS = new Set(['3-3-3', '3-2-2-2', '2-3-2-2', '3-3-4', '4-3-3', '2-4-4', '2-5-4', '3-4-4', '3-3-2-2', '4-4', '3-7', '3-6', '4-6', '4-7', '5-5', '5-6', '2-8', '2-4-3']);

/** libphonenumber's verdict on a national number: valid (max metadata: the real number ranges) in one of the countries */
export function validNational(digits: string): boolean {
  for (const cc of NATIONAL_COUNTRIES) if (parsePhoneNumberFromString(digits, cc)?.isValid()) return true;
  return false;
}

/** libphonenumber's verdict on "+<digits>": a known country code and a possible length for it */
export function possibleInternational(digits: string): boolean {
  const p = parsePhoneNumberFromString('+' + digits);
  return p !== undefined && p.isPossible();
}

/** the span opens with the 00 international call prefix ("0049 (0)30 ...") */
function dd0(text: string, g: DigitRun['groups'], i: number): boolean {
  return text.startsWith('00', g[i]!.start) && !g[i]!.paren && groupLength(g[i]!) >= 3;
}

/** AAA-GG-SSSS with one separator: an SSN's layout, valid or not (the SSN detector decides) */
function ssnLayout(g: DigitRun['groups'], i: number, j: number): boolean {
  return j - i === 2 && groupLength(g[i]!) === 3 && groupLength(g[i + 1]!) === 2 && groupLength(g[j]!) === 4 && g[i + 1]!.sep === g[j]!.sep;
}

/** a calendar date's layout: 2024-01-15, 15-01-2024, 2024 01 15 */
function dateLike(text: string, g: DigitRun['groups'], i: number, j: number): boolean {
  if (j - i !== 2) return false;
  const a = text.slice(g[i]!.start, g[i]!.end);
  const b = text.slice(g[i + 1]!.start, g[i + 1]!.end);
  const c = text.slice(g[j]!.start, g[j]!.end);
  const year = (y: string) => y.length === 4 && (y.startsWith('19') || y.startsWith('20'));
  const small = (x: string) => x.length <= 2 && Number(x) <= 31;
  return (year(a) && small(b) && small(c)) || (year(c) && small(a) && small(b));
}

const UNIT_AFTER = /^\s?(?:[€$£¥%]|eur|usd|zł|pln|kr|km|kg|m²|people|inhabitants|visitors|views|users|copies|times|units|tons|dollars|euros)/i;

/**
 * Phone numbers the national rules above do not know, decided on layout, context and libphonenumber:
 * - "+..." or "00..." (with an optional "(0)" trunk): a known country code and a length libphonenumber calls
 *   possible for it (Faker's +1-140-135-4345x9427 has no valid area code but is still a phone);
 * - after a phone word (tel., Telefon, call, mobile...): any 7-15 digits in a phone layout, bare digits included;
 * - a parenthesised area code ("(37) 788-063"), or three or more dash-separated groups ("055-285-7169");
 * - otherwise (space-separated groups: "699 956 915", "336 465 1148") a number libphonenumber's max metadata
 *   validates for one of NATIONAL_COUNTRIES.
 * Dates, ISBNs, codes glued to letters, thousands followed by a unit or currency, and numbers after an id label are out.
 */
function extraPhoneSpan(text: string, run: DigitRun, i: number, j: number): [number, number] | undefined {
  const g = run.groups;
  const plus = i === 0 && run.plus;
  let n = 0;
  for (let k = i; k <= j; k++) n += groupLength(g[k]!);
  if (n < 7 || n > 17 || j - i > 6) return undefined;
  const start = plus ? run.start : g[i]!.paren ? g[i]!.start - 1 : g[i]!.start;
  const numEnd = g[j]!.paren ? g[j]!.end + 1 : g[j]!.end;
  const end = extEnd(text, numEnd);
  const before = codeAt(text, start - 1);
  const after = codeAt(text, end);
  if (isWordChar(before) || isWordChar(after)) return undefined;
  if (before === 36 || before === 0x20ac || before === 0xa3 || before === 0xa5 || before === 64 || before === 43 || before === 35) return undefined;
  // "ABC-12345-67", "12345-67-X": part of a code
  if ((before === 45 || before === 46) && isWordChar(codeAt(text, start - 2))) return undefined;
  if ((after === 45 || after === 46 || after === 47) && isWordChar(codeAt(text, end + 1))) return undefined;
  if (inUrlOrId(text, start)) return undefined;
  if ((before === 44 || before === SEP_DOT || before === 58) && isDigit(codeAt(text, start - 2))) return undefined;
  if ((after === 44 || after === SEP_DOT || after === 58) && isDigit(codeAt(text, end + 1))) return undefined;
  if (after === 37) return undefined;

  let dots = 0;
  let dashes = 0;
  let parens = 0;
  let singles = 0;
  for (let k = i + 1; k <= j; k++) {
    const sp = g[k]!.sep;
    if (sp === SEP_SLASH) return undefined;
    if (sp === SEP_DOT) dots++;
    if (sp === 45) dashes++;
  }
  for (let k = i; k <= j; k++) {
    if (g[k]!.paren) parens++;
    if (groupLength(g[k]!) === 1 && k > i) singles++;
  }
  if (dots > 0 && (dots !== j - i || j - i < 2)) return undefined;
  if (dateLike(text, g, i, j)) return undefined;
  const digitsAll = groupDigits(text, g, i, j);
  if (n === 13 && (digitsAll.startsWith('978') || digitsAll.startsWith('979'))) return undefined; // ISBN-13
  const ctxRaw = sentenceTail(text.slice(Math.max(0, start - CONTEXT_CHARS), start));
  const ctx = ctxRaw.toLowerCase();
  if (ID_LABEL_BEFORE.test(ctx)) return undefined;
  if (IBAN_HEAD_BEFORE.test(text.slice(Math.max(0, g[i]!.start - 7), g[i]!.start))) return undefined;
  // "1841-1904", "1994 2021": a range of years; "1935-10-1414", "2012 03 04 9572": a date glued to more digits
  if (j - i === 1 && groupLength(g[i]!) === 4 && groupLength(g[j]!) === 4 && /^(?:1[5-9]|20)\d\d(?:1[5-9]|20)\d\d$/.test(digitsAll)) return undefined;
  if (j > i && groupLength(g[i]!) === 4 && /^(?:1[5-9]|20)\d\d$/.test(digitsAll.slice(0, 4)) && groupLength(g[i + 1]!) <= 2 && Number(text.slice(g[i + 1]!.start, g[i + 1]!.end)) <= 12) return undefined;
  // a parenthesised group is an area code: first, or "(0)" right after a country code
  for (let k = i + 1; k <= j; k++) if (g[k]!.paren && !(k === i + 1 && (plus || dd0(text, g, i)))) return undefined;

  // international: '+' or the 00 call prefix; "(0)" after the country code is the trunk, not dialled
  const dd = dd0(text, g, i);
  if (plus || dd) {
    let digits = '';
    for (let k = i; k <= j; k++) {
      if (k === i + 1 && g[k]!.paren && groupLength(g[k]!) === 1 && text.charCodeAt(g[k]!.start) === 48) continue;
      digits += text.slice(g[k]!.start, g[k]!.end);
    }
    if (dd) digits = digits.slice(2);
    if (digits.length < 7 || digits.length > 15 || singles > 1) return undefined;
    if (possibleInternational(digits)) return [start, end];
    if (plus) return undefined;
  }
  if (parens > 1 || singles > 1) return undefined;
  if (ssnLayout(g, i, j)) return undefined;
  if (n > 13) return undefined;
  // bare digits: only right after a phone word
  if (j === i) return n >= 8 && n <= 13 && (PHONE_WORD.test(ctx.slice(-20)) || PHONE_LABEL_BEFORE.test(ctx)) ? [start, end] : undefined;
  if (UNIT_AFTER.test(text.slice(end, end + 14))) return undefined;
  // "12 345 678", "3 183 268": a thousands grouping, whatever the words before (699 956 915 is left to libphonenumber)
  if (groupLength(g[i]!) <= 2) {
    let thousands = true;
    for (let k = i + 1; k <= j; k++) if (groupLength(g[k]!) !== 3 || !isSpaceSep(g[k]!.sep)) thousands = false;
    if (thousands) return undefined;
  }
  if (PHONE_WORD.test(ctx) || PHONE_LABEL_BEFORE.test(ctx)) return [start, end];
  // "(37) 788-063", "(0251) 123456": an area code in parentheses, not a year ("(2009) 2 920 000")
  if (g[i]!.paren && j > i && n >= 8) {
    const area = text.slice(g[i]!.start, g[i]!.end);
    if (area.length < 2 || area.length > 5 || /^(?:1[5-9]|20)\d\d$/.test(area)) return undefined;
    for (let k = i + 1; k <= j; k++) if (groupLength(g[k]!) < 2) return undefined;
    return [start, end];
  }
  // "055-285-7169", "1-800-555-0199"; one-digit groups elsewhere are an ISBN's ("0-306-40615-2")
  if (dashes >= 2 && dashes === j - i && n >= 9) {
    for (let k = i; k <= j; k++) if (groupLength(g[k]!) === 1 && !(k === i && text.charCodeAt(g[k]!.start) === 49)) return undefined;
    return [start, end];
  }
  // 415.555.0132 with any area code; other dotted groups are versions, OIDs, section numbers
  if (dots > 0) return j - i === 2 && groupLength(g[i]!) === 3 && groupLength(g[i + 1]!) === 3 && groupLength(g[j]!) === 4 ? [start, end] : undefined;
  // what is left for libphonenumber: 2-4 space-separated groups of 2-4 digits (the first up to 5), 9-11 digits;
  // dashed pairs (93241-1413 ZIP+4, 0184-7112 ISSN, 14480-14486 pages) and tables ("58 59 57 174") are not
  if (j - i > 3 || n < 8 || n > 11) return undefined;
  for (let k = i + 1; k <= j; k++) if (!isSpaceSep(g[k]!.sep)) return undefined;
  const layout: number[] = [];
  for (let k = i; k <= j; k++) layout.push(groupLength(g[k]!));
  if (!NATIONAL_LAYOUTS.has(layout.join('-'))) return undefined;
  // round numbers ("350 000 000", "the 100 200 300 series"): two groups ending in 00
  let round = 0;
  for (let k = i; k <= j; k++) if (text.charCodeAt(g[k]!.end - 1) === 48 && text.charCodeAt(g[k]!.end - 2) === 48) round++;
  if (round >= 2) return undefined;
  return validNational(digitsAll) ? [start, end] : undefined;
}

function phoneSpan(text: string, run: DigitRun, i: number, j: number, lastNot4: number): [number, number] | undefined {
  const g = run.groups;
  let digitCount = 0;
  for (let k = i; k <= j; k++) {
    digitCount += groupLength(g[k]!);
    if (digitCount > 17) return undefined;
  }
  if (digitCount < 7) return undefined;
  const plus = i === 0 && run.plus;
  // the layouts of other numbers: AAA-GG-SSSS is an SSN's (valid or not: c109 078-05-0000), runs of four-digit
  // groups are card or account numbers, and digits after "CZ65 " are an IBAN's even when its checksum fails (c121)
  if (!plus && ssnLayout(g, i, j)) return undefined;
  if (!plus && dateLike(text, g, i, j)) return undefined; // "1982-08-06" after "Patel" or a phone word
  if (g.length - i >= 4 && lastNot4 < i) return undefined;
  const start = plus ? run.start : g[i]!.paren ? g[i]!.start - 1 : g[i]!.start;
  const end = extEnd(text, g[j]!.paren ? g[j]!.end + 1 : g[j]!.end);
  const before = codeAt(text, start - 1);
  const after = codeAt(text, end);
  if (isWordChar(before) || isWordChar(after)) return undefined;
  // "$415-555-0132", "#212-555-0199", "1,234 567 8901": a price, an order number, the tail of a formatted number
  if (before === 36 || before === 0x20ac || before === 0xa3 || before === 0xa5 || before === 64 || before === 43) return undefined;
  if (inUrlOrId(text, start)) return undefined;
  if ((before === 44 || before === SEP_DOT) && isDigit(codeAt(text, start - 2))) return undefined;
  if ((after === 44 || after === SEP_DOT) && isDigit(codeAt(text, end + 1))) return undefined;
  if (after === 37) return undefined; // "%"

  // separators: dots only when every separator is a dot (415.555.0132, 01.42.68.53.00); a slash only after the
  // area code (030/1234567); at most one group in parentheses
  let dots = 0;
  let parens = 0;
  for (let k = i + 1; k <= j; k++) {
    const s = g[k]!.sep;
    if (s === SEP_DOT) dots++;
    if (s === SEP_SLASH && k !== i + 1) return undefined;
  }
  for (let k = i; k <= j; k++) if (g[k]!.paren) parens++;
  if (dots > 0 && dots !== j - i) return undefined;

  if (plus) return international(text, run, i, j, dots > 0, 0) ? [start, end] : undefined;
  // "0049 30 1234567": 00 is the international call prefix in most of the world (ITU-T E.164 annex), as '+'
  const firstLen = groupLength(g[i]!);
  if (firstLen >= 3 && firstLen <= 5 && j > i && text.startsWith('00', g[i]!.start) && !g[i]!.paren) {
    return international(text, run, i, j, dots > 0, 2) && !ID_LABEL_BEFORE.test(text.slice(Math.max(0, start - CONTEXT_CHARS), start).toLowerCase()) ? [start, end] : undefined;
  }
  if (parens > 1) return undefined;
  const verdict = nationalVerdict(text, run, i, j, dots);
  if (verdict === 'no') return undefined;
  if (verdict === 'needs_label' && !letterRightBefore(text, start)) return undefined;
  if (IBAN_HEAD_BEFORE.test(text.slice(Math.max(0, g[i]!.start - 7), g[i]!.start))) return undefined;
  const ctx = text.slice(Math.max(0, start - CONTEXT_CHARS), start).toLowerCase();
  if (ID_LABEL_BEFORE.test(ctx)) return undefined;
  if (verdict === 'needs_context' && !PHONE_CONTEXT.test(ctx)) return undefined;
  if (verdict === 'needs_label' && !PHONE_LABEL_BEFORE.test(ctx)) return undefined;
  return [start, end];
}

/**
 * "+1 415 555 0132", "+44 (20) 7123 4567", "+44 (0)20 7123 4567", "+33 1 42 68 53 00", "+4930 1234567", and with
 * `prefixDigits` 2, "0049 30 1234567" (the 00 call prefix is not part of the number)
 */
function international(text: string, run: DigitRun, i: number, j: number, dotted: boolean, prefixDigits: number): boolean {
  const g = run.groups;
  // "(0)" after the country code is the trunk prefix written for national callers: not dialled
  const kept: number[] = [];
  for (let k = i; k <= j; k++) {
    if (k === i + 1 && g[k]!.paren && groupLength(g[k]!) === 1 && text.charCodeAt(g[k]!.start) === 48) continue;
    kept.push(k);
  }
  for (const k of kept) if (g[k]!.paren && k !== kept[1]) return false;
  if (g[i]!.paren) return false;
  const digits = kept.map((k) => text.slice(g[k]!.start, g[k]!.end)).join('').slice(prefixDigits);
  if (digits.length > 15) return false; // E.164: at most 15 digits
  const firstLen = groupLength(g[i]!) - prefixDigits;
  let cc = '';
  if (firstLen <= 3 && kept.length > 1) cc = COUNTRY_CODES.has(digits.slice(0, firstLen)) ? digits.slice(0, firstLen) : '';
  else for (let n = 1; n <= 3 && !cc; n++) if (COUNTRY_CODES.has(digits.slice(0, n))) cc = digits.slice(0, n);
  if (!cc) return false;
  const nsn = digits.slice(cc.length);
  const [min, max] = NSN_LENGTHS[cc] ?? [7, 12];
  if (nsn.length < min || nsn.length > max) return false;
  if (cc === '1' && (nsn[0]! < '2' || nsn[3]! < '2')) return false; // NANP: area code and exchange start with 2-9
  if (kept.length > 7) return false;
  // "+1 2 3 4 5 6 7 8" is a list, not a number: one single-digit group after the country code at most (+33 1 ...)
  let singles = 0;
  for (const k of kept.slice(1)) if (groupLength(g[k]!) === 1) singles++;
  if (singles > 1) return false;
  if (dotted && kept.length < 3) return false;
  return true;
}

/** a label can only end right before the number, past a few spaces, colons and dots: cheap to rule out */
function letterRightBefore(text: string, start: number): boolean {
  let k = start - 1;
  while (k >= 0 && start - k <= 8) {
    const c = text.charCodeAt(k);
    if (c === 32 || c === 9 || c === 10 || c === 58 || c === 46 || c === 0xa0) k--;
    else return !isDigit(c);
  }
  return false;
}

type Verdict = 'yes' | 'needs_context' | 'needs_label' | 'no';

function nationalVerdict(text: string, run: DigitRun, i: number, j: number, dots: number): Verdict {
  const g = run.groups;
  const lengths: number[] = [];
  for (let k = i; k <= j; k++) lengths.push(groupLength(g[k]!));
  const digits = groupDigits(text, g, i, j);
  const n = digits.length;
  const allSpaces = g.slice(i + 1, j + 1).every((x) => isSpaceSep(x.sep));

  // NANP (North American Numbering Plan): [1] NXX NXX XXXX, area code optionally in parentheses
  const lead = lengths[0] === 1 && digits[0] === '1' && !g[i]!.paren ? 1 : 0;
  const rest = lengths.slice(lead);
  if (rest.length === 3 && rest[0] === 3 && rest[1] === 3 && rest[2] === 4) {
    const area = i + lead;
    if (g[area + 1]!.paren || g[area + 2]!.paren) return 'no';
    const d = digits.slice(lead);
    if (d[0]! < '2' || d[3]! < '2') return 'no';
    if (g[area + 1]!.sep === SEP_SLASH || g[area + 2]!.sep === SEP_SLASH) return 'no';
    if (g[area]!.paren || !allSpaces) return 'yes';
    return 'needs_context';
  }

  // national forms with a trunk prefix 0 and an area/mobile code: 020 7123 4567, 07700 900123, 030 1234567,
  // 030/1234567, 01 42 68 53 00, 022-2345 6789, 090-1234-5678, 09-7625400; 9-12 digits in all
  if (digits[0] === '0' && digits[1] !== '0') {
    if (lengths.length === 1) return n >= 10 && n <= 11 ? 'needs_context' : 'no';
    if (n < 9 || n > 12 || lengths.length > 6) return 'no';
    if (lengths[0]! < 2 || lengths[0]! > 6) return 'no';
    for (let k = 1; k < lengths.length; k++) if (lengths[k]! < 2 || g[i + k]!.paren) return 'no';
    // dotted: only the French 2-2-2-2-2 layout (dates like 01.02.2024 never get here: too few digits)
    if (dots > 0 && !(lengths.length === 5 && lengths.every((l) => l === 2))) return 'no';
    return 'yes';
  }
  if (g[i]!.paren) return 'no';

  // bare mobile numbers: Chinese 1[3-9]XXXXXXXXX, Indian [6-9]XXXXXXXXX (also as 98765 43210), NANP without
  // separators; too easily an ID, so only near a phone word
  if (lengths.length === 1) {
    if (n === 11 && digits[0] === '1' && digits[1]! >= '3') return 'needs_context';
    if (n === 10 && digits[0]! >= '2' && digits[3]! >= '2') return 'needs_context';
    if (n === 10 && digits[0]! >= '6') return 'needs_context';
    return 'no';
  }
  if (lengths.length === 2 && lengths[0] === 5 && lengths[1] === 5 && allSpaces && digits[0]! >= '6') return 'needs_context';
  // other national layouts: 2-5 groups of 2-4 digits, 8-11 in all, spaces or dashes; a thousands grouping
  // (12 345 678) is left alone even after a label
  if (lengths.length <= 5 && n >= 8 && n <= 11 && dots === 0 && lengths.every((l) => l >= 2 && l <= 4)) {
    if (lengths.slice(1).every((l) => l === 3) && allSpaces) return 'no';
    if (g.slice(i + 1, j + 1).some((x) => x.sep === SEP_SLASH)) return 'no';
    return 'needs_label';
  }
  return 'no';
}
