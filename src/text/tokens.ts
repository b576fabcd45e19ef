// GPT-2 token counts (the `length` filter's minTokens/maxTokens) with gpt-tokenizer's r50k encoding,
// loaded on first use only: the encoding is megabytes of JavaScript, and most runs never count tokens.
//
// Work per document stays linear: gpt-tokenizer's byte-pair merge slows down sharply on one very long
// pre-token (50,000 '@' take 1.5 s, 200,000 letters 25 s), so runs of more than 256 non-space characters
// are counted in 256-character slices. The count then differs from the exact one by at most one token per
// slice boundary, and only inside such runs (no real word is that long); ordinary text is counted exactly.
// Counting stops once the count passes `stopAbove`.
import { gpt2Pieces } from './js-space.js';

type CountTokens = (text: string, options: { disallowedSpecial: Set<string> }) => number;

let counter: Promise<CountTokens> | undefined;

function loadCounter(): Promise<CountTokens> {
  counter ??= import('gpt-tokenizer/encoding/gpt2').then((m) => m.countTokens as CountTokens);
  return counter;
}

// "<|endoftext|>" in a web page is text, not GPT-2's end-of-text token: no special tokens
const AS_TEXT = { disallowedSpecial: new Set<string>() };

const SLICE_CHARS = 256;

/** the GPT-2 token count of `text`, or a number above `stopAbove` once the count passes it */
export async function countGpt2Tokens(text: string, stopAbove = Number.POSITIVE_INFINITY): Promise<number> {
  const count = await loadCounter();
  let total = 0;
  for (const piece of gpt2Pieces(text, SLICE_CHARS)) {
    total += count(piece, AS_TEXT);
    if (total > stopAbove) return total;
  }
  return total;
}
