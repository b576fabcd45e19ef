// Phone numbers from the digit runs: international (+CC, ITU-T E.164 country codes and lengths), North American
// (NANP), and national trunk-prefix forms (UK, German, French, Indian, Japanese, Israeli...), with rules that keep
// dates, ISBNs, prices, versions and order numbers out. Presidio does this with Google's libphonenumber; this is a
// small table-driven subset of the same rules, tuned on Presidio's phone recognizer tests (pii-dev c079-c090).
import { groupDigits, groupLength, isSpaceSep, SEP_DOT, SEP_SLASH, type DigitRun } from './digit-runs.js';
import { codeAt, isDigit, isWordChar, type PiiMatch } from './match.js';
import { eachStandaloneSpan, inUrlOrId } from './numbers.js';

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
const ID_LABEL_BEFORE = /(?:^|[^a-z])(?:order|invoice|tracking|serial|isbn|issn|sku|ref|reference|ticket|model|part|item|transaction|batch|lot|patent|doi|receipt|account|acct|case|id)\s*(?:no\.?|nr\.?|num(?:ber)?|#|id)?\s*[:#.=]?\s*$/;

// bare digit strings (13812345678) and space-only groupings (415 555 0132) are phones only near one of these words
const PHONE_CONTEXT = /phone|tel\b|tel\.|telephone|mobile|cell|call|sms|text me|whatsapp|fax|contact|number|\bno\.|手机|电话|联系|電話|携帯/;

// national numbers without a trunk prefix (Polish 89 523-43-01, Spanish 972 613 100, Czech 777 098 098) look like
// any other grouped number: they count only right after a phone label ("tel.", "Telefon:", "mob.", "fax")
const PHONE_LABEL_BEFORE = /(?:phone|tel|telefon|telephone|téléphone|teléfono|telefone|telefono|telefoon|mobile|mobil|mob|cell|fax|call|whatsapp|tlf|tfn)[a-zéó]{0,6}\.?\s{0,3}(?:no\.?|nr\.?|number|num)?\s{0,3}[:.]?\s{0,3}$/;

const CONTEXT_CHARS = 48;

const IBAN_HEAD_BEFORE = /(?:^|[^A-Za-z0-9])[A-Z]{2}\d{2} $/;

export function findPhones(text: string, runs: DigitRun[], out: PiiMatch[]): void {
  for (const run of runs) {
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
  }
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
  if (!plus && j - i === 2 && groupLength(g[i]!) === 3 && groupLength(g[i + 1]!) === 2 && groupLength(g[j]!) === 4 && g[i + 1]!.sep === g[j]!.sep) return undefined;
  if (g.length - i >= 4 && lastNot4 < i) return undefined;
  const start = plus ? run.start : g[i]!.paren ? g[i]!.start - 1 : g[i]!.start;
  const end = g[j]!.paren ? g[j]!.end + 1 : g[j]!.end;
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
