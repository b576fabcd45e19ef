// Our byte-level BPE: trained on real text it compresses it, it round-trips any text, it trains the same
// merges every time (and the same as recounting every pair per merge), and its file loads back.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PreTokenCounts, trainBpe } from '../../src/tokenize/bpe-train.js';
import { BpeTokenizer } from '../../src/tokenize/bpe.js';
import { loadTokenizer } from '../../src/tokenize/tokenizer.js';

const shakespeare = fs.readFileSync('data/lm/tinyshakespeare.txt', 'utf8');
const wikitext = fs.readFileSync('data/lm/wikitext-2-valid.txt', 'utf8');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-bpe-'));
const bpe1024 = trainBpe([shakespeare], { vocabSize: 1024 });
const bytesPerToken = (tok: BpeTokenizer, text: string) => Buffer.byteLength(text) / tok.encode(text).length;

const UNICODE = [
  'naïve café, Øresund, Ελληνικά, русский текст, עברית, العربية',
  '日本語のテキストと中文文本，还有한국어。',
  'emoji: 🎉👩‍👩‍👧‍👦🏳️‍🌈 and a flag 🇫🇷, skin tones 👋🏽',
  'lines\n\n\nand\r\nCRLF\ttabs  double  spaces   \n  trailing  ',
  "contractions: don't, I'm, we've, they'll, she'd, it's 's",
  'numbers 3.14159 1,000,000 ١٢٣ ⅷ',
  'a literal <|endoftext|> inside a document is text',
  '\u0000\u0001 control \u007f bytes \ufeff bom \u2028 separators',
  ' leading space',
  '',
];

describe('BPE training', () => {
  it('compresses tinyshakespeare: more than 2.4 bytes per token at vocab 1024 and 2.5 at 1280', () => {
    expect(bpe1024.vocabSize).toBe(1024);
    expect(bytesPerToken(bpe1024, shakespeare)).toBeGreaterThan(2.4);
    expect(bytesPerToken(trainBpe([shakespeare], { vocabSize: 1280 }), shakespeare)).toBeGreaterThan(2.5);
    // bytes alone would be 1.0; common words become single tokens
    expect(bpe1024.encode(' the')).toHaveLength(1);
  });

  it('puts <|endoftext|> last, after 256 bytes and the merges, and adds other special tokens before it', () => {
    expect(bpe1024.eot).toBe(1023);
    expect(bpe1024.merges).toHaveLength(1024 - 256 - 1);
    const t = trainBpe([shakespeare.slice(0, 100_000)], { vocabSize: 300, specialTokens: ['<|pad|>'] });
    expect(t.specials).toEqual(new Map([['<|pad|>', 298], ['<|endoftext|>', 299]]));
    expect(() => trainBpe(['abc'], { vocabSize: 200 })).toThrow(/at least 257/);
  });

  it('is deterministic: the same merges on a second run and whatever the order of the documents', () => {
    const paragraphs = shakespeare.slice(0, 300_000).split('\n\n');
    const a = trainBpe(paragraphs, { vocabSize: 600 });
    const b = trainBpe([...paragraphs].reverse(), { vocabSize: 600 });
    expect(JSON.stringify(b.toJSON())).toBe(JSON.stringify(a.toJSON()));
  });

  it('learns the merges that recounting every pair after every merge learns (incremental counts are exact)', () => {
    const pre = new PreTokenCounts();
    pre.add(wikitext.slice(0, 60_000));
    const words = [...pre.counts].map(([p, c]) => ({ s: Array.from(Buffer.from(p, 'utf8')), c }));
    const naive: Array<[number, number]> = [];
    for (let next = 256; naive.length < 150; next++) {
      const counts = new Map<number, number>();
      for (const { s, c } of words) for (let i = 0; i + 1 < s.length; i++) counts.set(s[i]! * 2 ** 20 + s[i + 1]!, (counts.get(s[i]! * 2 ** 20 + s[i + 1]!) ?? 0) + c);
      let best = -1;
      let key = 0;
      for (const [k, c] of counts) if (c > best || (c === best && k < key)) [best, key] = [c, k];
      const [a, b] = [Math.floor(key / 2 ** 20), key % 2 ** 20];
      naive.push([a, b]);
      for (const w of words) {
        const out: number[] = [];
        for (let i = 0; i < w.s.length; ) if (w.s[i] === a && w.s[i + 1] === b) (out.push(next), (i += 2));
        else out.push(w.s[i++]!);
        w.s = out;
      }
    }
    const fast = trainBpe(pre, { vocabSize: 256 + 150 + 1 });
    expect(fast.merges.map(([a, b]) => [a, b])).toEqual(naive);
  });
});

describe('BPE encoding', () => {
  it('round-trips real text and unicode, emoji, CJK, newlines, control characters', () => {
    for (const text of [shakespeare, wikitext, ...UNICODE]) expect(bpe1024.decode(bpe1024.encode(text))).toBe(text);
  });

  it('encodes ordinary text: a literal <|endoftext|> never becomes the special token', () => {
    expect([...bpe1024.encode('<|endoftext|>')]).not.toContain(bpe1024.eot);
    expect(bpe1024.decode([bpe1024.eot])).toBe('<|endoftext|>');
  });

  it('merges a long pre-token (heap path) exactly as a short one (rescan path) would', () => {
    // reference: apply the merges in rank order to the bytes, the textbook way
    const reference = (piece: string): number[] => {
      let s = Array.from(Buffer.from(piece, 'utf8'));
      for (;;) {
        let best = -1;
        for (let i = 0; i + 1 < s.length; i++) {
          const r = bpe1024.merges.findIndex(([a, b]) => a === s[i] && b === s[i + 1]);
          if (r >= 0 && (best < 0 || r < best)) best = r;
        }
        if (best < 0) return s;
        const [a, b, c] = bpe1024.merges[best]!;
        const out: number[] = [];
        for (let i = 0; i < s.length; ) if (s[i] === a && s[i + 1] === b) (out.push(c), (i += 2));
        else out.push(s[i++]!);
        s = out;
      }
    };
    for (const piece of ['thethethe'.repeat(20), 'x'.repeat(301), 'ééééé'.repeat(30), 'abcdefghijklmnopqrstuvwxyz'.repeat(5), ' ' + 'ab'.repeat(70)]) {
      expect([...bpe1024.encode(piece)]).toEqual(reference(piece));
    }
  });

  it('saves a Hugging Face tokenizer.json that loads back to the same ids', async () => {
    const file = path.join(tmp, 'bpe.json');
    bpe1024.save(file);
    const json = JSON.parse(fs.readFileSync(file, 'utf8'));
    expect(json.model.type).toBe('BPE');
    expect(json.pre_tokenizer).toMatchObject({ type: 'ByteLevel', add_prefix_space: false, use_regex: true });
    expect(json.added_tokens).toEqual([expect.objectContaining({ id: 1023, content: '<|endoftext|>', special: true })]);
    expect(json.model.vocab['Ġ']).toBe(32); // GPT-2's byte-level alphabet: the space is 'Ġ'
    expect(json.model.merges[0]).toMatch(/^\S+ \S+$/);
    const back = await loadTokenizer(file);
    expect(back.vocabSize).toBe(1024);
    expect(back.eot).toBe(1023);
    const sample = wikitext.slice(0, 50_000);
    expect([...back.encode(sample)]).toEqual([...bpe1024.encode(sample)]);
    // merges written as ["a", "b"] pairs (newer tokenizers) read the same
    json.model.merges = json.model.merges.map((m: string) => m.split(' '));
    fs.writeFileSync(file, JSON.stringify(json));
    expect([...BpeTokenizer.load(file).encode(sample)]).toEqual([...bpe1024.encode(sample)]);
  });

  it('names the file and the problem when a tokenizer JSON is not usable', async () => {
    const bad = path.join(tmp, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ model: { type: 'WordPiece', vocab: {} } }));
    await expect(loadTokenizer(bad)).rejects.toThrow(`${bad}: not a BPE tokenizer.json`);
    await expect(loadTokenizer(path.join(tmp, 'missing.json'))).rejects.toThrow(/neither 'gpt2' nor an existing tokenizer JSON file/);
  });
});
