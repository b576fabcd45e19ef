// Python's str semantics (isspace, strip, split, splitlines, len) for the heuristic filters, whose
// published definitions are Python code (DataTrove): a ratio over "lines" or "characters" must count the same.

/**
 * Python's str.isspace(): bidi classes WS, B, S and category Zs. Unlike JavaScript's \s it includes
 * the information separators U+001C..U+001F and NEL (U+0085), and it excludes U+FEFF.
 */
export function isPyWhitespace(code: number): boolean {
  if (code <= 0x20) return code === 0x20 || (code >= 0x09 && code <= 0x0d) || (code >= 0x1c && code <= 0x1f);
  if (code < 0x85) return false;
  return (
    code === 0x85 || code === 0xa0 || code === 0x1680 || (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 || code === 0x2029 || code === 0x202f || code === 0x205f || code === 0x3000
  );
}

/** the same set as a regular-expression character class body */
export const PY_WHITESPACE_CLASS = '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';

/** str.strip() */
export function pyStrip(s: string): string {
  const [start, end] = pyStripBounds(s);
  return start === 0 && end === s.length ? s : s.slice(start, end);
}

/** where str.strip() would cut: [start, end) */
export function pyStripBounds(s: string): [number, number] {
  let start = 0;
  let end = s.length;
  while (start < end && isPyWhitespace(s.charCodeAt(start))) start++;
  while (end > start && isPyWhitespace(s.charCodeAt(end - 1))) end--;
  return [start, end];
}

/** str.lstrip() */
export function pyLstrip(s: string): string {
  let start = 0;
  while (start < s.length && isPyWhitespace(s.charCodeAt(start))) start++;
  return start === 0 ? s : s.slice(start);
}

/** str.rstrip() */
export function pyRstrip(s: string): string {
  let end = s.length;
  while (end > 0 && isPyWhitespace(s.charCodeAt(end - 1))) end--;
  return end === s.length ? s : s.slice(0, end);
}

/** str.split() with no argument: runs of whitespace separate, no empty fields */
export function pySplitWhitespace(s: string): string[] {
  const out: string[] = [];
  let start = -1;
  for (let i = 0; i < s.length; i++) {
    if (isPyWhitespace(s.charCodeAt(i))) {
      if (start >= 0) {
        out.push(s.slice(start, i));
        start = -1;
      }
    } else if (start < 0) start = i;
  }
  if (start >= 0) out.push(s.slice(start));
  return out;
}

/** line boundaries of str.splitlines(): \n \r \r\n \v \f \x1c \x1d \x1e \x85 \u2028 \u2029 */
function isLineBreak(code: number): boolean {
  return code === 0x0a || code === 0x0d || code === 0x0b || code === 0x0c || code === 0x1c || code === 0x1d || code === 0x1e || code === 0x85 || code === 0x2028 || code === 0x2029;
}

/** str.splitlines(): a final line break does not start an empty line; '' gives [] */
export function pySplitLines(s: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (!isLineBreak(c)) continue;
    out.push(s.slice(start, i));
    if (c === 0x0d && s.charCodeAt(i + 1) === 0x0a) i++;
    start = i + 1;
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** len(s) in Python: code points, a surrogate pair counting once (a lone surrogate counts once too) */
export function codePointLength(s: string): number {
  if (!SURROGATE.test(s)) return s.length;
  let n = s.length;
  for (let i = 0; i < s.length - 1; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * A length function for the pieces of one text: plain .length when the text has no surrogates (the
 * common case, and then equal to Python's len), code points otherwise.
 */
export function lengthFunction(text: string): (s: string) => number {
  // several filters ask about the same text in a row
  if (text !== lastLengthText) {
    lastLengthText = text;
    lastLengthFunction = SURROGATE.test(text) ? codePointLength : utf16Length;
  }
  return lastLengthFunction;
}
const utf16Length = (s: string) => s.length;

/** whether the text holds a surrogate (then Python's len differs from .length) */
export function hasSurrogates(text: string): boolean {
  return lengthFunction(text) !== utf16Length;
}
let lastLengthText = '';
let lastLengthFunction: (s: string) => number = utf16Length;

/** str.count(sub): non-overlapping occurrences */
export function countOccurrences(s: string, sub: string): number {
  if (!sub) return 0;
  let n = 0;
  for (let i = s.indexOf(sub); i >= 0; i = s.indexOf(sub, i + sub.length)) n++;
  return n;
}

/** round a ratio for meta output: enough digits to compare with any threshold */
export function roundRatio(x: number): number {
  return Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : x;
}

const OTHER_LINE_BREAKS = /[\r\v\f\x1c-\x1e\x85\u2028\u2029]/;

/**
 * Calls fn(start, end) for each line of str.splitlines() without building the strings: the same lines,
 * the same count (no empty line after a final break; none at all for '').
 */
export function forEachPyLine(s: string, fn: (start: number, end: number) => void): number {
  let start = 0;
  let lines = 0;
  if (!OTHER_LINE_BREAKS.test(s)) {
    // only \n: let indexOf find them
    for (let i = s.indexOf('\n'); i >= 0; i = s.indexOf('\n', start)) {
      fn(start, i);
      lines++;
      start = i + 1;
    }
    if (start < s.length) {
      fn(start, s.length);
      lines++;
    }
    return lines;
  }
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c > 0x0d && c !== 0x1c && c !== 0x1d && c !== 0x1e && c !== 0x85 && c !== 0x2028 && c !== 0x2029) continue;
    if (!isLineBreak(c)) continue;
    fn(start, i);
    lines++;
    if (c === 0x0d && s.charCodeAt(i + 1) === 0x0a) i++;
    start = i + 1;
  }
  if (start < s.length) {
    fn(start, s.length);
    lines++;
  }
  return lines;
}
