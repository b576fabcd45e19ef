// A binary min-heap of numbers: BPE training keeps candidate pairs in one, and encoding a very long
// pre-token keeps its mergeable positions in one. Keys pack (priority, tie-break) into one double.

export class MinHeap {
  private keys: Float64Array;
  size = 0;

  constructor(capacity = 64) {
    this.keys = new Float64Array(Math.max(4, capacity));
  }

  push(key: number): void {
    if (this.size === this.keys.length) {
      const grown = new Float64Array(this.keys.length * 2);
      grown.set(this.keys);
      this.keys = grown;
    }
    const k = this.keys;
    let i = this.size++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (k[parent]! <= key) break;
      k[i] = k[parent]!;
      i = parent;
    }
    k[i] = key;
  }

  /** the smallest key, removed; undefined when empty */
  pop(): number | undefined {
    if (this.size === 0) return undefined;
    const k = this.keys;
    const top = k[0]!;
    const last = k[--this.size]!;
    const n = this.size;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) break;
      const r = l + 1;
      const c = r < n && k[r]! < k[l]! ? r : l;
      if (k[c]! >= last) break;
      k[i] = k[c]!;
      i = c;
    }
    if (n > 0) k[i] = last;
    return top;
  }

  clear(): void {
    this.size = 0;
  }
}
