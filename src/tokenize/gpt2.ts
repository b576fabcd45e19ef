// GPT-2's own encoding (the r50k vocabulary, <|endoftext|> = 50256) through the gpt-tokenizer package,
// for datasets that must match OpenAI's GPT-2 / llm.c's tiktoken ids (`--tokenizer gpt2`).
//
// gpt-tokenizer's merge loop is quadratic in the length of one pre-token (50,000 '@' take 1.5 s), so a
// run of more than LONG_RUN_CHARS non-space characters is encoded in slices of that many characters:
// the ids then differ from tiktoken's inside such runs only (no word is that long), and the text still
// decodes back exactly. Ordinary text is cut only where GPT-2's pre-tokenizer cuts anyway (before a
// space between two non-space characters), which leaves its ids unchanged.
import { END_OF_TEXT, type Tokenizer } from './tokenizer.js';

type Encode = (text: string, options: { disallowedSpecial: Set<string> }) => number[];
type Decode = (ids: Iterable<number>) => string;

// "<|endoftext|>" in a document is text, not the special token (tiktoken's encode_ordinary)
const AS_TEXT = { disallowedSpecial: new Set<string>() };
const LONG_RUN_CHARS = 4096;
const SEGMENT_CHARS = 64 * 1024;
export const GPT2_EOT = 50256;

function isSpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d);
  if (c < 0xa0) return false;
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** a cut near `at` in ordinary text: before a space that sits between two non-space characters */
function safeCut(text: string, at: number, end: number): number {
  for (let i = Math.min(at, end - 2); i > at - 4096 && i > 0; i--) {
    if (text.charCodeAt(i) === 0x20 && !isSpace(text.charCodeAt(i - 1)) && !isSpace(text.charCodeAt(i + 1))) return i;
  }
  return end;
}

export class Gpt2Tokenizer implements Tokenizer {
  readonly name = 'gpt2';
  readonly vocabSize = 50257;
  readonly eot = GPT2_EOT;

  constructor(
    private readonly encodeRaw: Encode,
    private readonly decodeRaw: Decode,
  ) {}

  encode(text: string): number[] {
    const out: number[] = [];
    const push = (ids: number[]) => {
      for (const id of ids) out.push(id);
    };
    const plain = (from: number, to: number) => {
      for (let start = from; start < to; ) {
        const end = to - start > SEGMENT_CHARS ? safeCut(text, start + SEGMENT_CHARS, to) : to;
        push(this.encodeRaw(text.slice(start, end), AS_TEXT));
        start = end;
      }
    };
    let pos = 0;
    for (let i = 0; i < text.length; ) {
      if (isSpace(text.charCodeAt(i))) {
        i++;
        continue;
      }
      const runStart = i;
      while (i < text.length && !isSpace(text.charCodeAt(i))) i++;
      if (i - runStart <= LONG_RUN_CHARS) continue;
      plain(pos, runStart);
      for (let a = runStart; a < i; ) {
        let end = Math.min(a + LONG_RUN_CHARS, i);
        const last = text.charCodeAt(end - 1);
        if (end < i && last >= 0xd800 && last <= 0xdbff) end--; // keep surrogate pairs whole
        push(this.encodeRaw(text.slice(a, end), AS_TEXT));
        a = end;
      }
      pos = i;
    }
    plain(pos, text.length);
    return out;
  }

  decode(ids: ArrayLike<number>): string {
    return this.decodeRaw(Array.from(ids));
  }
}

let loaded: Promise<Gpt2Tokenizer> | undefined;

/** the encoding is megabytes of JavaScript: loaded once, on first use */
export function loadGpt2(): Promise<Gpt2Tokenizer> {
  loaded ??= import('gpt-tokenizer/encoding/gpt2').then((m) => {
    const t = new Gpt2Tokenizer(m.encode as Encode, m.decode as Decode);
    if (m.encode(END_OF_TEXT, { allowedSpecial: new Set([END_OF_TEXT]) })[0] !== GPT2_EOT) throw new Error(`gpt-tokenizer: ${END_OF_TEXT} is not ${GPT2_EOT}`);
    return t;
  });
  return loaded;
}
