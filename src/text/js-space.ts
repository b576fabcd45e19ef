// JavaScript's \s as a character test, and how a text is cut into pieces without changing how GPT-2's
// pre-tokenizer splits it: shared by the length filter, the GPT-2 token counter and the GPT-2 tokenizer.

/** JavaScript's \s (what separates the runs of /\S+/ and what GPT-2's pre-tokenizer splits on) */
export function isJsSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * A cut near `at` (looking back at most 4,096 characters) in ordinary text: before a space that sits
 * between two non-space characters, where GPT-2's pre-tokenizer cuts anyway; `end` when there is none.
 */
export function pretokenSafeCut(text: string, at: number, end: number): number {
  for (let i = Math.min(at, end - 2); i > at - 4096 && i > 0; i--) {
    if (text.charCodeAt(i) === 0x20 && !isJsSpace(text.charCodeAt(i - 1)) && !isJsSpace(text.charCodeAt(i + 1))) return i;
  }
  return end;
}

/** ordinary text is handed to the GPT-2 encoder in segments of about this many characters */
const SEGMENT_CHARS = 64 * 1024;

/**
 * The pieces to give gpt-tokenizer for `text`, in order: ordinary text in segments cut where GPT-2's
 * pre-tokenizer cuts anyway (ids unchanged), and each run of more than `longRun` non-space characters in
 * slices of `longRun` (its merge loop is quadratic in one pre-token's length; surrogate pairs kept whole).
 * Found without a regular expression: a 10 MB run overflows the regexp engine's stack.
 */
export function* gpt2Pieces(text: string, longRun: number): Generator<string> {
  function* plain(from: number, to: number): Generator<string> {
    for (let start = from; start < to; ) {
      const end = to - start > SEGMENT_CHARS ? pretokenSafeCut(text, start + SEGMENT_CHARS, to) : to;
      yield text.slice(start, end);
      start = end;
    }
  }
  let pos = 0;
  for (let i = 0; i < text.length; ) {
    if (isJsSpace(text.charCodeAt(i))) {
      i++;
      continue;
    }
    const runStart = i;
    while (i < text.length && !isJsSpace(text.charCodeAt(i))) i++;
    if (i - runStart <= longRun) continue;
    yield* plain(pos, runStart);
    for (let a = runStart; a < i; ) {
      let end = Math.min(a + longRun, i);
      const last = text.charCodeAt(end - 1);
      if (end < i && last >= 0xd800 && last <= 0xdbff) end--;
      yield text.slice(a, end);
      a = end;
    }
    pos = i;
  }
  yield* plain(pos, text.length);
}
