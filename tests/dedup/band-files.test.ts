import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BandRunWriter, mergeBand } from '../../src/dedup/band-files.js';
import { seededRandom } from '../../src/dedup/perturb.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-bands-'));

describe('band bucket files', () => {
  it('merging sorted runs of several tasks finds exactly the groups of equal rows, members ascending', () => {
    const rows = 2;
    const random = seededRandom(7);
    // three tasks of 500 documents; rows drawn from a small alphabet so many documents collide
    const tasks = [0, 1, 2].map((t) => {
      const file = path.join(tmp, `t${t}.band-0`);
      const w = new BandRunWriter(file, rows, 64); // 64 records a run: each task writes 8 runs
      const sig = new Uint32Array(rows);
      const docs: Array<[number, number]> = [];
      for (let i = 0; i < 500; i++) {
        sig[0] = Math.floor(random() * 20);
        sig[1] = Math.floor(random() * 20);
        docs.push([sig[0], sig[1]]);
        // the key is a deliberately weak hash: equal keys with different rows must stay apart
        w.add((sig[0] + sig[1]) % 7, i, sig, 0);
      }
      return { file, runs: w.close(), base: t * 500, docs };
    });
    expect(tasks[0]!.runs).toEqual([64, 64, 64, 64, 64, 64, 64, 52]);
    const got: number[][] = [];
    mergeBand(tasks.map(({ file, runs, base }) => ({ file, runs, base })), rows, (m) => got.push([...m]));
    const expected = new Map<string, number[]>();
    tasks.forEach((t) => t.docs.forEach(([a, b], i) => {
      const k = `${a},${b}`;
      expected.set(k, [...(expected.get(k) ?? []), t.base + i]);
    }));
    const want = [...expected.values()].filter((g) => g.length > 1).map((g) => g.join(' ')).sort();
    expect(got.map((g) => g.join(' ')).sort()).toEqual(want);
    for (const g of got) expect([...g].sort((x, y) => x - y)).toEqual(g);
  });

  it('a band file cut short is an error, not a silent loss', () => {
    const file = path.join(tmp, 'short.band-0');
    const w = new BandRunWriter(file, 1, 16);
    for (let i = 0; i < 40; i++) w.add(i % 3, i, Uint32Array.of(i % 3), 0);
    const runs = w.close();
    fs.truncateSync(file, fs.statSync(file).size - 12);
    expect(() => mergeBand([{ file, runs, base: 0 }], 1, () => {})).toThrow(/ends early/);
  });
});
