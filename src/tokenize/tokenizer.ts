// The one interface the packer, the `tokenize` stage and the commands see: our byte-level BPE or GPT-2's
// encoding (gpt-tokenizer), chosen by `loadTokenizer('gpt2' | path to a tokenizer.json)`.
import fs from 'node:fs';
import { FatalError } from '../core/errors.js';

export interface Tokenizer {
  /** 'gpt2', or 'bpe:<file name>' */
  readonly name: string;
  /** one more than the largest id (special tokens included) */
  readonly vocabSize: number;
  /** the id of <|endoftext|>, which separates documents */
  readonly eot: number;
  /** ids of ordinary text: a literal "<|endoftext|>" inside a document is text, never the special token */
  encode(text: string): number[] | Uint32Array;
  decode(ids: ArrayLike<number>): string;
}

export const END_OF_TEXT = '<|endoftext|>';

/** 'gpt2' (gpt-tokenizer's r50k encoding, the original GPT-2 vocabulary) or a BPE tokenizer.json */
export async function loadTokenizer(spec: string): Promise<Tokenizer> {
  if (spec === 'gpt2') {
    const { loadGpt2 } = await import('./gpt2.js');
    return loadGpt2();
  }
  if (!fs.existsSync(spec)) throw new FatalError(`--tokenizer: '${spec}' is neither 'gpt2' nor an existing tokenizer JSON file`, 'tokenizer');
  const { BpeTokenizer } = await import('./bpe.js');
  return BpeTokenizer.load(spec);
}
