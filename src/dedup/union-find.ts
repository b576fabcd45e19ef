// Union-find over document indexes (issue 6, pass 3: clustering the LSH candidate edges), in typed arrays,
// with forests built per band partition on separate workers and merged (mergeForest) into one.
//
// The root of every cluster is its smallest index (union links the larger root under the smaller), so
// "keep the first document of each cluster, drop the others" is deterministic and independent of edge
// order and of how the edges were partitioned. DataTrove's MinhashDedupCluster instead links
// `union_set[parent(b)] = parent(a)` in the order it reads the .dups files, so which document it keeps
// depends on that order. Linking by index instead of by rank gives up the inverse-Ackermann
// bound; with path halving, finds stay O(log n) amortized, and in practice clusters are small.

export class UnionFind {
  private parent: Int32Array;
  private count = 0;

  constructor(size = 0) {
    this.parent = new Int32Array(Math.max(16, size));
    this.grow(size);
  }

  /** the number of nodes, 0 .. size - 1 */
  get size(): number {
    return this.count;
  }

  /** make nodes up to size - 1 exist, each alone in its cluster */
  grow(size: number): void {
    if (size <= this.count) return;
    if (size > this.parent.length) {
      const next = new Int32Array(Math.max(size, this.parent.length * 2));
      next.set(this.parent.subarray(0, this.count));
      this.parent = next;
    }
    for (let i = this.count; i < size; i++) this.parent[i] = i;
    this.count = size;
  }

  /** the root (smallest index) of x's cluster; a node past size is its own root (and is added) */
  find(x: number): number {
    if (!Number.isInteger(x) || x < 0) throw new RangeError(`node must be a non-negative integer, got ${x}`);
    if (x >= this.count) this.grow(x + 1);
    const p = this.parent;
    // path halving: every node on the path points to its grandparent
    while (p[x]! !== x) {
      const gp = p[p[x]!]!;
      p[x] = gp;
      x = gp;
    }
    return x;
  }

  /** join the clusters of a and b; returns false when they were already one */
  union(a: number, b: number): boolean {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return false;
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
    return true;
  }

  /** whether x is the root of its cluster: the document a dedup pass keeps */
  isRoot(x: number): boolean {
    return this.find(x) === x;
  }

  /**
   * Union into this forest every cluster of another (a forest built from another partition of the edges):
   * each node of `other` is unioned with its root there. The result has the clusters of the union of
   * both edge sets, whatever the partition, and the same roots.
   */
  mergeForest(other: UnionFind): void {
    this.grow(other.size);
    for (let i = 0; i < other.size; i++) {
      const r = other.find(i);
      if (r !== i) this.union(i, r);
    }
  }

  /** every node's root, e.g. to write a worker's partial forest to a file; fromRoots reads it back */
  roots(): Int32Array {
    const out = new Int32Array(this.count);
    for (let i = 0; i < this.count; i++) out[i] = this.find(i);
    return out;
  }

  /** a forest from a parent (or root) array, as written by roots() */
  static fromRoots(parents: Int32Array): UnionFind {
    const uf = new UnionFind(parents.length);
    for (let i = 0; i < parents.length; i++) {
      const p = parents[i]!;
      if (p < 0 || p >= parents.length) throw new RangeError(`parent ${p} of node ${i} is outside 0..${parents.length - 1}`);
      if (p !== i) uf.union(i, p);
    }
    return uf;
  }

  /** the clusters of more than one node, each sorted, ordered by root: the duplicates a pass removes */
  clusters(): number[][] {
    const byRoot = new Map<number, number[]>();
    for (let i = 0; i < this.count; i++) {
      const r = this.find(i);
      if (r === i) continue;
      let c = byRoot.get(r);
      if (!c) byRoot.set(r, (c = [r]));
      c.push(i);
    }
    return [...byRoot.entries()].sort((x, y) => x[0] - y[0]).map(([, c]) => c);
  }
}
