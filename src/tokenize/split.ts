// The train/validation split: a document goes to validation when hash(seed, id) / 2^32 < valFraction.
// It depends on the id alone, so the same document lands in the same split whatever the input order,
// the sharding, or the other documents (a rerun, or a corpus that grew, keeps its validation set).
import { fmix32 } from '../text/hash.js';

/** FNV-1a over the UTF-8 bytes of `${seed}:${id}`, finished with murmur3's fmix32 for an even spread */
export function splitHash(seed: number, id: string): number {
  let h = 0x811c9dc5;
  const bytes = Buffer.from(`${seed}:${id}`, 'utf8');
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

export type Split = 'train' | 'val';

export function splitOf(id: string, seed: number, valFraction: number): Split {
  return splitHash(seed, id) / 2 ** 32 < valFraction ? 'val' : 'train';
}
