// GPT-2 token counts (the `length` filter's minTokens/maxTokens) with gpt-tokenizer's r50k encoding,
// loaded on first use only: the encoding is megabytes of JavaScript, and most runs never count tokens.
//
// Work per document stays linear: gpt-tokenizer's byte-pair merge slows down sharply on one very long
// pre-token (50,000 '@' take 1.5 s, 200,000 letters 25 s), so runs of more than 256 non-space characters
// are counted in 256-character slices. The count then differs from the exact one by at most one token per
// slice boundary, and only inside such runs (no real word is that long); ordinary text is counted exactly.
// Counting stops once the count passes `stopAbove`.

type CountTokens = (text: string, options: { disallowedSpecial: Set<string> }) => number;

let counter: Promise<CountTokens> | undefined;

function loadCounter(): Promise<CountTokens> {
  counter ??= import('gpt-tokenizer/encoding/gpt2').then((m) => m.countTokens as CountTokens);
  return counter;
}

// "<|endoftext|>" in a web page is text, not GPT-2's end-of-text token: no special tokens
const AS_TEXT = { disallowedSpecial: new Set<string>() };

const SLICE_CHARS = 256;
const SEGMENT_CHARS = 64 * 1024;

/** JavaScript's \s, which GPT-2's pre-tokenizer splits on */
function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** where to cut a text of ordinary words near `at`: before a space that sits between two non-space characters */
function safeCut(text: string, at: number, end: number): number {
  for (let i = Math.min(at, end - 2); i > at - 4096 && i > 0; i--) {
    if (text.charCodeAt(i) === 0x20 && !isSpace(text.charCodeAt(i - 1)) && !isSpace(text.charCodeAt(i + 1))) return i;
  }
  return end;
}

/** the GPT-2 token count of `text`, or a number above `stopAbove` once the count passes it */
export async function countGpt2Tokens(text: string, stopAbove = Number.POSITIVE_INFINITY): Promise<number> {
  const count = await loadCounter();
  let total = 0;
  // ordinary text between long runs, counted in segments cut where pre-tokens do not change
  const countPlain = (from: number, to: number): boolean => {
    let start = from;
    while (start < to) {
      let end = to;
      if (to - start > SEGMENT_CHARS) end = safeCut(text, start + SEGMENT_CHARS, to);
      total += count(text.slice(start, end), AS_TEXT);
      if (total > stopAbove) return false;
      start = end;
    }
    return true;
  };
  let pos = 0;
  for (let i = 0; i < text.length; ) {
    // find the next run of more than SLICE_CHARS non-space characters (no regular expression: a
    // 10 MB run overflows the regexp engine's stack)
    if (isSpace(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const runStart = i;
    while (i < text.length && !isSpace(text.charCodeAt(i))) i++;
    if (i - runStart <= SLICE_CHARS) continue;
    if (!countPlain(pos, runStart)) return total;
    for (let a = runStart; a < i; ) {
      let end = Math.min(a + SLICE_CHARS, i);
      const last = text.charCodeAt(end - 1);
      if (end < i && last >= 0xd800 && last <= 0xdbff) end--; // keep surrogate pairs whole
      total += count(text.slice(a, end), AS_TEXT);
      if (total > stopAbove) return total;
      a = end;
    }
    pos = i;
  }
  countPlain(pos, text.length);
  return total;
}
