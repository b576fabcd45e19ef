// GPT-3's span removal (Brown et al. 2020, appendix C, as EleutherAI's janitor.py implements it): each
// matched n-gram is cut out with a margin of characters on both sides, splitting the document into
// pieces; pieces too short to be worth keeping are discarded. The stage decides what to do when too many
// pieces or too little text are left.
import { insideWord } from './words.js';

export interface SpanCut {
  /** the pieces kept, joined by a blank line */
  text: string;
  /** pieces the removals left (non-blank text between removed windows), before short ones are discarded */
  pieces: number;
  /** pieces kept (at least minPieceChars long) */
  keptPieces: number;
  /** removed windows, after overlapping ones are merged */
  windows: number;
}

/**
 * Remove each span [start, end) of `text` (ascending by start) with `marginChars` on both sides. A cut
 * that would fall inside a word is moved outwards to the word's edge, so no half word is left behind
 * (janitor.py cuts at the exact character). Pieces are trimmed; those under minPieceChars are dropped.
 */
export function removeSpans(text: string, spans: ReadonlyArray<readonly [number, number]>, marginChars: number, minPieceChars: number): SpanCut {
  const len = text.length;
  const windows: Array<[number, number]> = [];
  for (const [s, e] of spans) {
    let a = Math.max(0, s - marginChars);
    let b = Math.min(len, e + marginChars);
    while (a > 0 && insideWord(text.charCodeAt(a - 1)) && insideWord(text.charCodeAt(a))) a--;
    while (b < len && b > 0 && insideWord(text.charCodeAt(b)) && insideWord(text.charCodeAt(b - 1))) b++;
    const last = windows[windows.length - 1];
    if (last && a <= last[1]) last[1] = Math.max(last[1], b);
    else windows.push([a, b]);
  }
  const kept: string[] = [];
  let pieces = 0;
  let from = 0;
  const piece = (a: number, b: number) => {
    const t = text.slice(a, b).trim();
    if (!t) return;
    pieces++;
    if (t.length >= minPieceChars) kept.push(t);
  };
  for (const [a, b] of windows) {
    piece(from, a);
    from = b;
  }
  piece(from, len);
  return { text: kept.join('\n\n'), pieces, keptPieces: kept.length, windows: windows.length };
}
