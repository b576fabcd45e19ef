// Sentence counting for C4's "at least 5 sentences" rule. DataTrove counts with NLTK's Punkt
// (sent_tokenize, English model) on each kept line; this is our own approximation of Punkt's decisions:
//  - "?" and "!" (then any closing quotes or brackets) followed by another word end a sentence;
//  - a word ending in "." ends a sentence, unless it is a known abbreviation ("Dr.", "e.g.") or an
//    initial ("J."), or a number or an ellipsis followed by a lower-case word (Punkt's orthographic
//    heuristic, simplified: Punkt also learns which words start sentences from its training corpus).
// Every non-empty line holds at least one sentence.
import { isPyWhitespace } from './python-str.js';

// common entries of Punkt's English abbreviation list (nltk_data tokenizers/punkt/english.pickle)
const ABBREVIATIONS: ReadonlySet<string> = new Set([
  'mr', 'mrs', 'ms', 'dr', 'st', 'jr', 'sr', 'vs', 'v', 'e.g', 'i.e', 'etc', 'a.m', 'p.m', 'inc', 'ltd', 'co', 'corp',
  'mt', 'no', 'jan', 'feb', 'mar', 'apr', 'jun', 'jul', 'aug', 'sep', 'sept', 'oct', 'nov', 'dec', 'gov', 'sen', 'rep',
  'prof', 'gen', 'col', 'lt', 'sgt', 'capt', 'rev', 'u.s', 'u.k', 'n.y', 'd.c', 'u.s.a', 'fig', 'figs', 'vol', 'ed',
  'eds', 'pp', 'p', 'ca', 'cf', 'al', 'approx', 'dept', 'est', 'ave', 'blvd', 'rd', 'ft', 'calif', 'fla', 'mass', 'pa',
  'va', 'wash', 'n.j', 'ariz', 'conn', 'ill', 'mich', 'minn', 'tenn', 'tex', 'wis', 'ore', 'okla', 'ky', 'md', 'mo',
]);

const CLOSER_CODES = new Set(['"', "'", ')', ']', '}', '”', '’', '»'].map((c) => c.charCodeAt(0)));
const OPENERS = /^["'(\[{“‘«]+/;

function startsLower(word: string): boolean {
  const w = word.replace(OPENERS, '');
  if (!w) return false;
  const ch = w[0]!;
  return ch !== ch.toUpperCase() && ch === ch.toLowerCase();
}

const isSpace = isPyWhitespace;

/** how many sentences Punkt would find in one line (0 for a blank line) */
export function countSentences(line: string): number {
  const n = line.length;
  let sentences = 0;
  let i = 0;
  while (i < n) {
    while (i < n && isSpace(line.charCodeAt(i))) i++;
    if (i >= n) break;
    const start = i;
    while (i < n && !isSpace(line.charCodeAt(i))) i++;
    if (sentences === 0) sentences = 1;
    // a word is a candidate sentence end only when another word follows it
    let j = i;
    while (j < n && isSpace(line.charCodeAt(j))) j++;
    if (j >= n) break;
    // most words end in a letter: not a sentence end
    const tail = line.charCodeAt(i - 1);
    if (tail !== 0x2e && tail !== 0x3f && tail !== 0x21 && tail !== 0x2026 && !CLOSER_CODES.has(tail)) continue;
    let end = i;
    while (end > start && CLOSER_CODES.has(line.charCodeAt(end - 1))) end--;
    if (end === start) continue;
    const last = line.charCodeAt(end - 1);
    if (last === 0x3f || last === 0x21) {
      sentences++;
      continue;
    }
    if (last !== 0x2e) continue;
    let k = j;
    while (k < n && !isSpace(line.charCodeAt(k))) k++;
    const next = line.slice(j, k);
    const w = line.slice(start, end);
    if (w.endsWith('..') || w.endsWith('…')) {
      if (!startsLower(next)) sentences++;
      continue;
    }
    const core = w.slice(0, -1).replace(OPENERS, '').toLowerCase();
    if (core === '' || ABBREVIATIONS.has(core)) continue;
    if (/^\p{L}$/u.test(core)) continue; // an initial
    if (/^[\d.,]+$/.test(core)) {
      if (!startsLower(next)) sentences++;
      continue;
    }
    sentences++;
  }
  return sentences;
}
