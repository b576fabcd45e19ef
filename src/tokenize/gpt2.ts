// GPT-2's own encoding (the r50k vocabulary, <|endoftext|> = 50256) through the gpt-tokenizer package,
// for datasets that must match OpenAI's GPT-2 / llm.c's tiktoken ids (`--tokenizer gpt2`).
//
// gpt-tokenizer's merge loop is quadratic in the length of one pre-token (50,000 '@' take 1.5 s), so a
// run of more than LONG_RUN_CHARS non-space characters is encoded in slices of that many characters:
// the ids then differ from tiktoken's inside such runs only (no word is that long), and the text still
// decodes back exactly. Ordinary text is cut only where GPT-2's pre-tokenizer cuts anyway (before a
// space between two non-space characters), which leaves its ids unchanged.
import { END_OF_TEXT, type Tokenizer } from './tokenizer.js';
import { gpt2Pieces } from '../text/js-space.js';

type Encode = (text: string, options: { disallowedSpecial: Set<string> }) => number[];
type Decode = (ids: Iterable<number>) => string;

// "<|endoftext|>" in a document is text, not the special token (tiktoken's encode_ordinary)
const AS_TEXT = { disallowedSpecial: new Set<string>() };
const LONG_RUN_CHARS = 4096;
export const GPT2_EOT = 50256;

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
    for (const piece of gpt2Pieces(text, LONG_RUN_CHARS)) for (const id of this.encodeRaw(piece, AS_TEXT)) out.push(id);
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
