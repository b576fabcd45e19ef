// The classifier's features, fastText-style: lower-cased word unigrams and word bigrams, hashed into a
// fixed number of buckets (Joulin et al. 2017, "Bag of Tricks", hashing trick). Only the first
// `maxTokens` tokens of a document are read: longer documents are truncated by design, and counted.
import { fmix32 } from '../text/hash.js';

export interface FeatureOptions {
  buckets: number;
  /** n-gram orders: [1] unigrams, [1, 2] unigrams and bigrams */
  ngrams: number[];
  /** tokens read per document; the rest is ignored */
  maxTokens: number;
  /** seed of the hash (hash32's seed) */
  hashSeed: number;
}

export interface Features {
  /** bucket ids, unigrams first then bigrams; length 0 for a document without tokens */
  ids: Int32Array;
  /** tokens read */
  tokens: number;
  /** the document had more than maxTokens tokens */
  truncated: boolean;
}

/** A token: a run of letters and digits (ASCII or any non-ASCII character that is not a space), or one ASCII punctuation mark. */
function isWordChar(c: number): boolean {
  if (c < 128) return (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || c === 95;
  // non-ASCII: letters of every script count as word characters; the Unicode spaces and punctuation
  // that matter for this hashing are rare enough outside these ranges to be left in words
  return !(c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x206f) || c === 0x3000 || c === 0xfeff || (c >= 0x3001 && c <= 0x3003));
}

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200b) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

const FNV_PRIME = 0x01000193;
/** characters read per token allowed: beyond maxTokens x this, the text is not even lower-cased */
const MAX_CHARS_PER_TOKEN = 64;
/** mixed into bigram hashes so that a bigram never collides with a unigram by construction */
const BIGRAM_SALT = 0x9e3779b9;

/**
 * The tokens' hashes, as `hash32(token, seed)` of src/text/hash.ts would give them (FNV-1a over UTF-16
 * code units, murmur3's finalizer), computed while scanning so no substring is cut. Reads the lower-cased
 * text; stops after `maxTokens` (+1 to know it truncated).
 */
export function tokenHashes(text: string, maxTokens: number, seed: number, out: Uint32Array): { tokens: number; truncated: boolean } {
  // a 10 MB one-line page costs no more than its first maxTokens tokens can span
  const cap = maxTokens * MAX_CHARS_PER_TOKEN;
  const cut = text.length > cap;
  const lower = (cut ? text.slice(0, cap) : text).toLowerCase();
  const n = lower.length;
  const start = (0x811c9dc5 ^ seed) >>> 0;
  let tokens = 0;
  let i = 0;
  while (i < n) {
    let c = lower.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (tokens === maxTokens) return { tokens, truncated: true };
    let h = start;
    if (isWordChar(c)) {
      do {
        h ^= c;
        h = Math.imul(h, FNV_PRIME);
        c = lower.charCodeAt(++i);
      } while (i < n && isWordChar(c));
    } else {
      // one punctuation mark or symbol (a surrogate pair stays whole)
      h ^= c;
      h = Math.imul(h, FNV_PRIME);
      i++;
      if (c >= 0xd800 && c <= 0xdbff && i < n) {
        h ^= lower.charCodeAt(i);
        h = Math.imul(h, FNV_PRIME);
        i++;
      }
    }
    out[tokens++] = fmix32(h);
  }
  return { tokens, truncated: cut };
}

/** a reusable featurizer: one scratch buffer for the token hashes */
export function createFeaturizer(o: FeatureOptions): (text: string) => Features {
  const scratch = new Uint32Array(o.maxTokens);
  const uni = o.ngrams.includes(1);
  const bi = o.ngrams.includes(2);
  const B = o.buckets;
  return (text: string) => {
    const { tokens, truncated } = tokenHashes(text, o.maxTokens, o.hashSeed, scratch);
    const count = (uni ? tokens : 0) + (bi ? Math.max(0, tokens - 1) : 0);
    const ids = new Int32Array(count);
    let k = 0;
    if (uni) for (let t = 0; t < tokens; t++) ids[k++] = scratch[t]! % B;
    if (bi) for (let t = 1; t < tokens; t++) ids[k++] = fmix32((Math.imul(scratch[t - 1]!, FNV_PRIME) ^ scratch[t]! ^ BIGRAM_SALT) >>> 0) % B;
    return { ids, tokens, truncated };
  };
}

/** the tokens themselves (lower-cased), as tokenHashes reads them: for fastText comparisons and debugging */
export function tokenize(text: string, maxTokens = Number.MAX_SAFE_INTEGER): string[] {
  const lower = text.toLowerCase();
  const out: string[] = [];
  let i = 0;
  while (i < lower.length && out.length < maxTokens) {
    const c = lower.charCodeAt(i);
    if (isSpace(c)) {
      i++;
      continue;
    }
    const start = i;
    if (isWordChar(c)) while (i < lower.length && isWordChar(lower.charCodeAt(i))) i++;
    else i += c >= 0xd800 && c <= 0xdbff && i + 1 < lower.length ? 2 : 1;
    out.push(lower.slice(start, i));
  }
  return out;
}
