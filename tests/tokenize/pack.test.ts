// Packing: EOT before each document, windows of context + 1 tokens sharing one token with the next,
// documents running on across windows, no padding; and the seeded train/val split.
import { describe, expect, it } from 'vitest';
import { Packer, type PackedWindow } from '../../src/tokenize/pack.js';
import { splitHash, splitOf } from '../../src/tokenize/split.js';

const EOT = 0;
const T = 4;

function pack(docs: number[][], context = T): PackedWindow[] {
  const p = new Packer(context, EOT);
  const out: PackedWindow[] = [];
  for (const d of docs) out.push(...p.push(d));
  out.push(...p.finish());
  return out;
}
const view = (ws: PackedWindow[]) => ws.map((w) => ({ tokens: [...w.tokens], starts: w.docStarts, partial: w.partial }));

describe('packing', () => {
  it('puts EOT before each document and carries the remainder into the next window', () => {
    expect(view(pack([[1, 2], [3, 4, 5], [6]]))).toEqual([
      { tokens: [0, 1, 2, 0, 3], starts: [0, 3], partial: false },
      { tokens: [3, 4, 5, 0, 6], starts: [3], partial: false },
    ]);
  });

  it('windows share one token: window k holds stream tokens [kT, kT + T], the targets of the inputs', () => {
    const doc = Array.from({ length: 22 }, (_, i) => i + 1);
    const ws = pack([doc]);
    const stream = [EOT, ...doc];
    ws.forEach((w, k) => expect([...w.tokens]).toEqual(stream.slice(k * T, k * T + T + 1)));
    // a document longer than several windows: one start, in the first window
    expect(ws.map((w) => w.docStarts)).toEqual([[0], [], [], [], [], []]);
    expect(ws.slice(0, 5).every((w) => !w.partial && w.tokens.length === T + 1)).toBe(true);
    // the remainder: the shared token and the two left, not padded
    expect(ws[5]).toMatchObject({ partial: true });
    expect([...ws[5]!.tokens]).toEqual([20, 21, 22]);
    // a stream that ends on a window's last token leaves nothing over
    expect(pack([doc.slice(0, 20)]).every((w) => !w.partial)).toBe(true);
  });

  it('documents that exactly fill windows leave no partial window and start the next at offset 0', () => {
    // stream: EOT 1 2 3 | EOT 5 6 7 | EOT ... : each document is T tokens with its EOT
    const ws = pack([[1, 2, 3], [5, 6, 7], [9, 10, 11]]);
    expect(view(ws)).toEqual([
      { tokens: [0, 1, 2, 3, 0], starts: [0], partial: false },
      { tokens: [0, 5, 6, 7, 0], starts: [0], partial: false },
      { tokens: [0, 9, 10, 11], starts: [0], partial: true },
    ]);
  });

  it('keeps memory to one window: a million-token document streams through', () => {
    const p = new Packer(1024, EOT);
    const doc = new Uint32Array(1_000_000).fill(7);
    let windows = 0;
    for (const w of p.push(doc)) windows += w.tokens.length === 1025 ? 1 : 0;
    expect(windows).toBe(Math.floor(1_000_000 / 1024));
  });
});

describe('train/val split', () => {
  it('is deterministic, depends on the seed, and lands near the requested fraction', () => {
    const ids = Array.from({ length: 100_000 }, (_, i) => `doc-${i}`);
    const val = ids.filter((id) => splitOf(id, 0, 0.01) === 'val');
    expect(ids.filter((id) => splitOf(id, 0, 0.01) === 'val')).toEqual(val);
    expect(val.length).toBeGreaterThan(900);
    expect(val.length).toBeLessThan(1100);
    const other = ids.filter((id) => splitOf(id, 1, 0.01) === 'val');
    expect(other).not.toEqual(val);
    expect(other.length).toBeGreaterThan(900);
    expect(ids.filter((id) => splitOf(id, 0, 0.1) === 'val').length / ids.length).toBeCloseTo(0.1, 2);
    // a larger fraction keeps every document the smaller one chose
    expect(val.every((id) => splitOf(id, 0, 0.1) === 'val')).toBe(true);
    expect(ids.every((id) => splitOf(id, 0, 0) === 'train')).toBe(true);
    expect(splitHash(0, 'a')).toBe(splitHash(0, 'a'));
  });
});
