// Our byte-level BPE tokenizer (GPT-2's scheme): encoding, decoding, and the file it lives in, which is
// the Hugging Face tokenizers `tokenizer.json` shape (model.type "BPE", ByteLevel pre-tokenizer and
// decoder), so the `tokenizers` library and transformers.js can load what `curate bpe train` writes.
import fs from 'node:fs';
import { z } from 'zod';
import { FatalError } from '../core/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { bytesToSymbols, gpt2SplitPattern, symbolsToBytes } from './byte-level.js';
import { MinHeap } from './min-heap.js';
import { END_OF_TEXT, type Tokenizer } from './tokenizer.js';

/** the subset of tokenizer.json we read; written in full by toJSON */
const TokenizerJson = z.object({
  version: z.string().optional(),
  added_tokens: z.array(z.object({ id: z.number().int().nonnegative(), content: z.string(), special: z.boolean().optional() })).default([]),
  pre_tokenizer: z.object({ type: z.string() }).passthrough().nullable().optional(),
  model: z.object({
    type: z.literal('BPE'),
    vocab: z.record(z.string(), z.number().int().nonnegative()),
    // "a b" (tokenizers < 0.20 and GPT-2's file) or ["a", "b"] (newer files)
    merges: z.array(z.union([z.string(), z.tuple([z.string(), z.string()])])),
  }).passthrough(),
}).passthrough();

/** pre-tokens cached with their ids; the cache is emptied when full, so memory stays bounded */
const CACHE_ENTRIES = 200_000;
/** pre-tokens of more bytes than this are merged with a heap (n log n) instead of rescanning (n^2) */
const LONG_PIECE_BYTES = 64;
/** a pre-token longer than this (a 1 MB run of one letter) is merged in slices; no real text has one */
const MAX_PIECE_BYTES = 1 << 20;
const POS_BITS = 2 ** 21;

export interface BpeParts {
  /** the bytes of each id (a special token: its UTF-8 text) */
  tokenBytes: Uint8Array[];
  /** merges in rank order: [left id, right id, merged id] */
  merges: Array<[number, number, number]>;
  /** special tokens: content -> id */
  specials: Map<string, number>;
}

export class BpeTokenizer implements Tokenizer {
  readonly name: string;
  readonly vocabSize: number;
  readonly eot: number;
  readonly tokenBytes: Uint8Array[];
  readonly merges: ReadonlyArray<[number, number, number]>;
  readonly specials: ReadonlyMap<string, number>;
  private readonly byteIds = new Uint32Array(256);
  /** (left * vocabSize + right) -> merge rank */
  private readonly ranks = new Map<number, number>();
  private readonly mergedId: Uint32Array;
  private readonly cache = new Map<string, Uint32Array>();
  private readonly pattern = gpt2SplitPattern();
  private readonly utf8 = new TextEncoder();
  private readonly utf8Decoder = new TextDecoder('utf-8');
  private out = new Uint32Array(1024);
  private scratch = new Uint32Array(256);

  constructor(parts: BpeParts, name = 'bpe') {
    this.name = name;
    this.tokenBytes = parts.tokenBytes;
    this.merges = parts.merges;
    this.specials = parts.specials;
    this.vocabSize = parts.tokenBytes.length;
    const eot = parts.specials.get(END_OF_TEXT);
    if (eot === undefined) throw new FatalError(`${name}: the tokenizer has no ${END_OF_TEXT} special token`);
    this.eot = eot;
    this.byteIds.fill(0xffffffff);
    const specialIds = new Set(parts.specials.values());
    parts.tokenBytes.forEach((b, id) => {
      if (b.length === 1 && !specialIds.has(id) && this.byteIds[b[0]!] === 0xffffffff) this.byteIds[b[0]!] = id;
    });
    const missing = this.byteIds.findIndex((id) => id === 0xffffffff);
    if (missing >= 0) throw new FatalError(`${name}: no token for byte 0x${missing.toString(16)}: a byte-level BPE needs all 256`);
    this.mergedId = new Uint32Array(parts.merges.length);
    parts.merges.forEach(([a, b, c], rank) => {
      const key = a * this.vocabSize + b;
      if (!this.ranks.has(key)) this.ranks.set(key, rank);
      this.mergedId[rank] = c;
    });
  }

  encode(text: string): Uint32Array {
    const re = this.pattern;
    re.lastIndex = 0;
    let n = 0;
    let m: RegExpExecArray | null;
    while ((m = re.exec(text)) !== null) {
      const piece = m[0];
      let ids = this.cache.get(piece);
      if (ids === undefined) {
        ids = this.encodePiece(piece);
        if (this.cache.size >= CACHE_ENTRIES) this.cache.clear();
        this.cache.set(piece, ids);
      }
      if (n + ids.length > this.out.length) {
        const grown = new Uint32Array(Math.max(this.out.length * 2, n + ids.length));
        grown.set(this.out.subarray(0, n));
        this.out = grown;
      }
      if (ids.length === 1) this.out[n++] = ids[0]!;
      else {
        this.out.set(ids, n);
        n += ids.length;
      }
    }
    return this.out.slice(0, n);
  }

  decode(ids: ArrayLike<number>): string {
    let total = 0;
    for (let i = 0; i < ids.length; i++) {
      const b = this.tokenBytes[ids[i]!];
      if (b === undefined) throw new RangeError(`${this.name}: token id ${ids[i]} is outside the vocabulary (${this.vocabSize})`);
      total += b.length;
    }
    const bytes = new Uint8Array(total);
    let at = 0;
    for (let i = 0; i < ids.length; i++) {
      const b = this.tokenBytes[ids[i]!]!;
      bytes.set(b, at);
      at += b.length;
    }
    return this.utf8Decoder.decode(bytes);
  }

  /** the ids of one pre-token: its bytes, merged in rank order */
  private encodePiece(piece: string): Uint32Array {
    let bytes: Uint8Array;
    let ascii = true;
    for (let i = 0; i < piece.length; i++) if (piece.charCodeAt(i) > 0x7f) { ascii = false; break; }
    if (ascii) {
      if (piece.length > this.scratch.length) this.scratch = new Uint32Array(piece.length * 2);
      for (let i = 0; i < piece.length; i++) this.scratch[i] = this.byteIds[piece.charCodeAt(i)]!;
      if (piece.length <= LONG_PIECE_BYTES) return this.mergeShort(this.scratch, piece.length);
      bytes = new Uint8Array(piece.length);
      for (let i = 0; i < piece.length; i++) bytes[i] = piece.charCodeAt(i);
    } else bytes = this.utf8.encode(piece);
    if (bytes.length > MAX_PIECE_BYTES) {
      const parts: Uint32Array[] = [];
      for (let at = 0; at < bytes.length; at += MAX_PIECE_BYTES) parts.push(this.mergeBytes(bytes.subarray(at, at + MAX_PIECE_BYTES)));
      const out = new Uint32Array(parts.reduce((s, p) => s + p.length, 0));
      let at = 0;
      for (const p of parts) {
        out.set(p, at);
        at += p.length;
      }
      return out;
    }
    return this.mergeBytes(bytes);
  }

  private mergeBytes(bytes: Uint8Array): Uint32Array {
    if (bytes.length > this.scratch.length) this.scratch = new Uint32Array(bytes.length * 2);
    for (let i = 0; i < bytes.length; i++) this.scratch[i] = this.byteIds[bytes[i]!]!;
    return bytes.length <= LONG_PIECE_BYTES ? this.mergeShort(this.scratch, bytes.length) : this.mergeLong(this.scratch, bytes.length);
  }

  /** a short pre-token: find the best-ranked pair, merge its every occurrence, repeat */
  private mergeShort(s: Uint32Array, length: number): Uint32Array {
    let n = length;
    const V = this.vocabSize;
    while (n > 1) {
      let best = Infinity;
      let at = -1;
      for (let i = 0; i < n - 1; i++) {
        const r = this.ranks.get(s[i]! * V + s[i + 1]!);
        if (r !== undefined && r < best) {
          best = r;
          at = i;
        }
      }
      if (at < 0) break;
      const a = s[at]!;
      const b = s[at + 1]!;
      const c = this.mergedId[best]!;
      let w = at;
      for (let i = at; i < n; ) {
        if (i < n - 1 && s[i] === a && s[i + 1] === b) {
          s[w++] = c;
          i += 2;
        } else s[w++] = s[i++]!;
      }
      n = w;
    }
    return s.slice(0, n);
  }

  /** a long pre-token: a linked list of symbols and a heap of (rank, position), stale entries skipped */
  private mergeLong(s: Uint32Array, n: number): Uint32Array {
    const V = this.vocabSize;
    const next = new Int32Array(n);
    const prev = new Int32Array(n);
    const alive = new Uint8Array(n).fill(1);
    for (let i = 0; i < n; i++) {
      next[i] = i + 1 < n ? i + 1 : -1;
      prev[i] = i - 1;
    }
    const heap = new MinHeap(n);
    const consider = (i: number) => {
      const j = next[i]!;
      if (i < 0 || j < 0) return;
      const r = this.ranks.get(s[i]! * V + s[j]!);
      if (r !== undefined) heap.push(r * POS_BITS + i);
    };
    for (let i = 0; i < n - 1; i++) consider(i);
    for (let key = heap.pop(); key !== undefined; key = heap.pop()) {
      const rank = Math.floor(key / POS_BITS);
      const i = key - rank * POS_BITS;
      const j = next[i]!;
      if (!alive[i] || j < 0 || this.ranks.get(s[i]! * V + s[j]!) !== rank) continue;
      s[i] = this.mergedId[rank]!;
      alive[j] = 0;
      next[i] = next[j]!;
      if (next[j]! >= 0) prev[next[j]!] = i;
      consider(prev[i]!);
      consider(i);
    }
    const out: number[] = [];
    for (let i = 0; i >= 0 && i < n; i = next[i]!) out.push(s[i]!);
    return Uint32Array.from(out);
  }

  /** the Hugging Face tokenizer.json object */
  toJSON(): object {
    const specialIds = new Set(this.specials.values());
    const vocab: Record<string, number> = {};
    this.tokenBytes.forEach((b, id) => {
      if (!specialIds.has(id)) vocab[bytesToSymbols(b)] = id;
    });
    const symbol = (id: number) => bytesToSymbols(this.tokenBytes[id]!);
    const byteLevel = { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true };
    return {
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [...this.specials].map(([content, id]) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
      normalizer: null,
      pre_tokenizer: byteLevel,
      post_processor: byteLevel,
      decoder: byteLevel,
      model: {
        type: 'BPE',
        dropout: null,
        unk_token: null,
        continuing_subword_prefix: '',
        end_of_word_suffix: '',
        fuse_unk: false,
        byte_fallback: false,
        ignore_merges: false,
        vocab,
        merges: this.merges.map(([a, b]) => `${symbol(a)} ${symbol(b)}`),
      },
    };
  }

  save(file: string): void {
    writeFileAtomic(file, JSON.stringify(this.toJSON()) + '\n');
  }

  static load(file: string): BpeTokenizer {
    let raw: unknown;
    try {
      raw = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new FatalError(`${file}: not a readable tokenizer JSON file: ${(e as Error).message}`);
    }
    const parsed = TokenizerJson.safeParse(raw);
    if (!parsed.success) throw new FatalError(`${file}: not a BPE tokenizer.json: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return BpeTokenizer.fromJSON(parsed.data, `bpe:${file.split('/').pop()}`, file);
  }

  static fromJSON(json: z.output<typeof TokenizerJson>, name: string, where = name): BpeTokenizer {
    if (json.pre_tokenizer && json.pre_tokenizer.type !== 'ByteLevel') throw new FatalError(`${where}: pre_tokenizer ${json.pre_tokenizer.type} is not supported (ByteLevel only)`);
    const tokenBytes: Uint8Array[] = [];
    const specials = new Map<string, number>();
    const utf8 = new TextEncoder();
    for (const t of json.added_tokens) {
      specials.set(t.content, t.id);
      tokenBytes[t.id] = utf8.encode(t.content);
    }
    for (const [sym, id] of Object.entries(json.model.vocab)) {
      if ([...specials.values()].includes(id)) continue;
      const b = symbolsToBytes(sym);
      if (!b) throw new FatalError(`${where}: vocab entry '${sym}' is not a byte-level token`);
      tokenBytes[id] = b;
    }
    for (let id = 0; id < tokenBytes.length; id++) if (!tokenBytes[id]) throw new FatalError(`${where}: no vocab entry for id ${id}`);
    const vocab = json.model.vocab;
    const merges: Array<[number, number, number]> = json.model.merges.map((m, i) => {
      const [l, r] = typeof m === 'string' ? (m.split(' ') as [string, string]) : m;
      const a = vocab[l];
      const b = vocab[r];
      const c = vocab[l + r];
      if (a === undefined || b === undefined || c === undefined) throw new FatalError(`${where}: merge ${i} '${l} ${r}' refers to tokens not in the vocab`);
      return [a, b, c];
    });
    return new BpeTokenizer({ tokenBytes, merges, specials }, name);
  }
}

