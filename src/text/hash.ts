// A small, stable string hash for reproducible per-document choices (which bad-word documents a
// keep fraction keeps): the same id and seed give the same answer on every run and every machine.

/** murmur3's 32-bit finalizer: every input bit reaches every output bit */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** 32-bit FNV-1a over UTF-16 code units, then murmur3's finalizer to spread the bits */
export function hash32(s: string, seed = 0): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return fmix32(h);
}

/** a number in [0, 1) fixed by the string and the seed */
export function uniformFromString(s: string, seed = 0): number {
  return hash32(s, seed) / 2 ** 32;
}
