// Splits text into runs of digit groups joined by single separators ("(415) 555-0132", "4012 8888 8888 1881",
// "163.36.107.25"): one linear pass that the phone, credit card, SSN and IPv4 detectors all read.
import { codeAt, isDigit } from './match.js';

export interface DigitGroup {
  /** the digits' span (without parentheses) */
  start: number;
  end: number;
  /** the separator char code between the previous group and this one; 0 when they touch: "(415)555" */
  sep: number;
  /** the group was written in parentheses: "(415)" */
  paren: boolean;
}

export interface DigitRun {
  groups: DigitGroup[];
  /** the run opens with '+' right before its first group (an international phone number) */
  plus: boolean;
  /** span of the whole run, '+' and parentheses included */
  start: number;
  end: number;
}

export const SEP_SPACE = 32;
export const SEP_NBSP = 0xa0;
export const SEP_DASH = 45;
export const SEP_DOT = 46;
export const SEP_SLASH = 47;
const OPEN = 40;
const CLOSE = 41;
const PLUS = 43;

export function isSpaceSep(sep: number): boolean {
  return sep === SEP_SPACE || sep === SEP_NBSP;
}

function isSep(c: number): boolean {
  return c === SEP_SPACE || c === SEP_NBSP || c === SEP_DASH || c === SEP_DOT || c === SEP_SLASH;
}

/** a group starts at i: a digit, or '(' then a digit */
function groupStartsAt(text: string, i: number): boolean {
  const c = codeAt(text, i);
  return isDigit(c) || (c === OPEN && isDigit(codeAt(text, i + 1)));
}

// a run starts at a digit, '(' + digit or '+' + digit; the regex only jumps to candidates, the loop below
// consumes the run, and the next search starts after it: every character is looked at a bounded number of times
const RUN_START = /[+(]?\d/g;

/** every digit run of the text, left to right, disjoint */
export function digitRuns(text: string): DigitRun[] {
  const runs: DigitRun[] = [];
  RUN_START.lastIndex = 0;
  for (let m = RUN_START.exec(text); m; m = RUN_START.exec(text)) {
    let pos = m.index;
    let plus = false;
    if (text.charCodeAt(pos) === PLUS) {
      plus = true;
      pos++;
    }
    const groups: DigitGroup[] = [];
    let sep = 0;
    for (;;) {
      let paren = text.charCodeAt(pos) === OPEN;
      if (paren) pos++;
      const start = pos;
      while (isDigit(codeAt(text, pos))) pos++;
      const end = pos;
      if (paren) {
        if (codeAt(text, pos) === CLOSE) pos++;
        // "(2019 edition": an unclosed '(' is not part of the number; the digits are a plain group
        else paren = false;
      }
      groups.push({ start, end, sep, paren });
      const c = codeAt(text, pos);
      if (isSep(c) && groupStartsAt(text, pos + 1)) {
        sep = c;
        pos++;
        continue;
      }
      // "(415)555-0132", "+44(20)7123 4567": a parenthesised group may touch its neighbour
      if ((paren && isDigit(c)) || (c === OPEN && isDigit(codeAt(text, pos + 1)))) {
        sep = 0;
        continue;
      }
      break;
    }
    const first = groups[0]!;
    runs.push({ groups, plus, start: plus ? m.index : first.paren ? first.start - 1 : first.start, end: pos });
    RUN_START.lastIndex = pos;
  }
  return runs;
}

/** the digits of groups [from, to] (inclusive), separators and parentheses left out */
export function groupDigits(text: string, groups: DigitGroup[], from: number, to: number): string {
  let s = '';
  for (let g = from; g <= to; g++) s += text.slice(groups[g]!.start, groups[g]!.end);
  return s;
}

export function groupLength(g: DigitGroup): number {
  return g.end - g.start;
}
