// GPT-2's encoding through gpt-tokenizer: the published ids, <|endoftext|> = 50256, exact round trips, and
// long texts cut only where GPT-2's pre-tokenizer cuts anyway.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { encode as rawEncode } from 'gpt-tokenizer/encoding/gpt2';
import { loadTokenizer } from '../../src/tokenize/tokenizer.js';

const tok = await loadTokenizer('gpt2');

describe('gpt2 tokenizer', () => {
  it("gives GPT-2's published ids and its end-of-text token", () => {
    expect(tok.name).toBe('gpt2');
    expect(tok.vocabSize).toBe(50257);
    expect(tok.eot).toBe(50256);
    expect([...tok.encode('Hello world')]).toEqual([15496, 995]);
    expect(tok.decode([15496, 995, 50256])).toBe('Hello world<|endoftext|>');
  });

  it('encodes a literal <|endoftext|> in a document as text (tiktoken encode_ordinary)', () => {
    expect([...tok.encode('<|endoftext|>')]).toEqual([27, 91, 437, 1659, 5239, 91, 29]);
  });

  it('round-trips unicode, emoji, CJK and newlines', () => {
    for (const text of ['日本語のテキスト、中文文本，한국어', 'emoji 🎉👩‍👩‍👧‍👦🇫🇷', 'a\n\n\nb\r\n\tc  ', "don't stop", '']) {
      expect(tok.decode(tok.encode(text))).toBe(text);
    }
  });

  it('a long text encodes exactly as one call to gpt-tokenizer would (cut only between words)', () => {
    const text = fs.readFileSync('data/lm/wikitext-2-valid.txt', 'utf8').slice(0, 300_000);
    expect([...tok.encode(text)]).toEqual(rawEncode(text, { disallowedSpecial: new Set() }));
  });

  it('a very long run without spaces is encoded in slices and still decodes to itself', () => {
    const run = 'x' + '@'.repeat(20_000) + 'é🎉'.repeat(3_000);
    const ids = tok.encode(`before ${run} after`);
    expect(tok.decode(ids)).toBe(`before ${run} after`);
  });
});
