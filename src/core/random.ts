// mulberry32: a small seeded PRNG in [0, 1), the same stream on every machine, for every seeded choice that
// need not be saved and restored (splits, shuffles, generated test and bench data). The trainer keeps its
// own copy with a state it can checkpoint (src/train/rng.ts).
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
