// GPT-2's byte-level alphabet and pre-tokenizer, shared by BPE training and encoding: text is cut into
// pre-tokens by GPT-2's regular expression, each pre-token's UTF-8 bytes are the units BPE merges.

/**
 * GPT-2's pre-tokenization pattern (openai/gpt-2 src/encoder.py; the same as Hugging Face's ByteLevel
 * pre-tokenizer with use_regex). JavaScript's \s differs from Python's on a few control and format
 * characters (U+001C-U+001F, U+FEFF); no ordinary text contains them.
 */
export const GPT2_SPLIT_PATTERN = /'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+/gu;

/** a fresh copy of the pattern (a /g regexp carries lastIndex: never share one between loops) */
export function gpt2SplitPattern(): RegExp {
  return new RegExp(GPT2_SPLIT_PATTERN.source, GPT2_SPLIT_PATTERN.flags);
}

/**
 * GPT-2's bytes_to_unicode: every byte gets a printable character, so a token's bytes can be written as a
 * string in vocab and merges. Printable Latin-1 bytes map to themselves; the others to U+0100 onwards
 * (the space, 0x20, becomes 'Ġ').
 */
export const BYTE_TO_CHAR: readonly string[] = (() => {
  const bs: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) bs.push(b);
  for (let b = 0xa1; b <= 0xac; b++) bs.push(b);
  for (let b = 0xae; b <= 0xff; b++) bs.push(b);
  const cs = [...bs];
  let n = 0;
  for (let b = 0; b < 256; b++) {
    if (!bs.includes(b)) {
      bs.push(b);
      cs.push(256 + n++);
    }
  }
  const out = new Array<string>(256);
  for (let i = 0; i < 256; i++) out[bs[i]!] = String.fromCharCode(cs[i]!);
  return out;
})();

export const CHAR_TO_BYTE: ReadonlyMap<string, number> = new Map(BYTE_TO_CHAR.map((c, b) => [c, b]));

/** bytes as a byte-level string ('Ġthe') */
export function bytesToSymbols(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += BYTE_TO_CHAR[b];
  return s;
}

/** a byte-level string back to bytes; undefined if it holds a character outside the alphabet */
export function symbolsToBytes(symbols: string): Uint8Array | undefined {
  const out = new Uint8Array(symbols.length);
  for (let i = 0; i < symbols.length; i++) {
    const b = CHAR_TO_BYTE.get(symbols[i]!);
    if (b === undefined) return undefined;
    out[i] = b;
  }
  return out;
}
