import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { minhashDedup } from '../../stages/dedup/minhash-dedup.js';
import { editWords } from '../../src/dedup/perturb.js';
import { jaccardSorted, sortedDistinct } from '../../src/dedup/shingle-store.js';
import { shingleHashes } from '../../src/dedup/shingles.js';
import { silentLogger } from '../../src/core/log.js';
import { ccDocs } from './fixtures.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-cluster-'));
const docs = ccDocs();

/** collects `texts` split over `tasks` tasks into dir and runs the reduce with the given options */
async function reduce(dir: string, texts: string[], tasks: number, options: Record<string, unknown>) {
  const o = minhashDedup.options.parse(options);
  const g = minhashDedup.global!(o);
  const names = Array.from({ length: tasks }, (_, t) => `task-${t}`);
  const per = Math.ceil(texts.length / tasks);
  for (let t = 0; t < tasks; t++) {
    const c = g.collector(dir, names[t]!);
    texts.slice(t * per, (t + 1) * per).forEach((text, i) => c.add({ id: `${t}-${i}`, text, meta: {} }, i));
    await c.close();
  }
  const counters = await g.reduce(dir, names, silentLogger);
  const clusters = names.map((n) => fs.readFileSync(path.join(dir, `${n}.clusters`)));
  return { counters, clusters };
}

describe('minhash clustering', () => {
  // 10 real documents, each with 8 edited copies (2-12% of words): many near duplicates, many pairs below 0.8
  const texts: string[] = [];
  docs.forEach((d, i) => {
    texts.push(d.text);
    for (let k = 0; k < 8; k++) texts.push(editWords(d.text, { fraction: 0.02 + 0.0125 * k, runWords: k % 2 ? 5 : 1, seed: 100 * i + k }));
  });

  it('gives byte-identical clusters whatever the number of workers', async () => {
    const one = await reduce(path.join(tmp, 'w1'), texts, 3, { clusterWorkers: 1 });
    const three = await reduce(path.join(tmp, 'w3'), texts, 3, { clusterWorkers: 3 });
    const five = await reduce(path.join(tmp, 'w5'), texts, 3, { clusterWorkers: 5 });
    expect(one.counters.duplicates).toBeGreaterThan(20);
    expect(three.clusters).toEqual(one.clusters);
    expect(five.clusters).toEqual(one.clusters);
    expect(three.counters).toEqual(one.counters);
  });

  it('checks candidates: every pair it joins directly is at Jaccard >= the threshold; without the check LSH joins more', async () => {
    const checked = await reduce(path.join(tmp, 'v'), texts, 2, {});
    const unchecked = await reduce(path.join(tmp, 'n'), texts, 2, { verify: 'none' });
    expect(checked.counters.rejected_pairs).toBeGreaterThan(0);
    expect(unchecked.counters.rejected_pairs).toBe(0);
    expect(unchecked.counters.duplicates).toBeGreaterThan(checked.counters.duplicates as number);
    // a dropped document's set against its cluster's kept document: with the check, chains aside,
    // the kept document is a verified neighbour or a neighbour's neighbour; all of them are near copies
    const sets = texts.map((t) => sortedDistinct(shingleHashes(t)));
    const per = Math.ceil(texts.length / 2);
    checked.clusters.forEach((buf, t) => {
      const rec = new Uint32Array(buf.buffer, buf.byteOffset, buf.length / 4);
      for (let i = 0; i < rec.length; i += 3) {
        const g = t * per + rec[i]!;
        const root = rec[i + 1]!;
        if (g !== root) expect(jaccardSorted(sets[g]!, sets[root]!)).toBeGreaterThan(0.6);
      }
    });
  });

  it('one huge cluster: 3,000 identical documents across tasks keep only the first', async () => {
    const same = docs[0]!.text;
    const many = [...Array.from({ length: 3000 }, () => same), docs[1]!.text, '', 'word'];
    const { counters, clusters } = await reduce(path.join(tmp, 'huge'), many, 4, { clusterWorkers: 2 });
    expect(counters).toMatchObject({ docs: 3003, clusters: 1, duplicates: 2999, largest_cluster: 3000, unsigned: 1 });
    const first = new Uint32Array(clusters[0]!.buffer, clusters[0]!.byteOffset, 3);
    expect([...first]).toEqual([0, 0, 3000]);
  });
});
