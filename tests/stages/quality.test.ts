// The quality stage: it writes meta.quality_score, keeps at or above the threshold, drops the rest with
// low_quality_score, annotates without dropping, and its counts add up; quality_top keeps the best
// fraction of a whole run, alone and in a pipeline under `curate run`.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { quality, qualityTop } from '../../stages/classify/quality.js';
import { STAGES } from '../../stages/index.js';
import { runFilter, docsOf } from './filter-harness.js';
import type { Doc } from '../../src/core/doc.js';

// real text: the shipped training data's Common Crawl pages and WikiText articles
const gunzip = (file: string) => zlib.gunzipSync(fs.readFileSync(path.resolve('data/classifier-train', file))).toString('utf8');
const webTexts = gunzip('cc-main-2019-30-web-docs.jsonl.gz').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text).filter((t) => t.length > 1500).slice(200, 210);
const wikiTexts = [
  'The European lobster is a species of clawed lobster from the eastern Atlantic Ocean, Mediterranean Sea and parts of the Black Sea. It is closely related to the American lobster. It may grow to a length of 60 cm and a mass of 6 kilograms, and bears a conspicuous pair of claws. In life, the lobsters are blue, only becoming lobster red on cooking. Mating occurs in the summer, producing eggs which are carried by the females for up to a year before hatching into planktonic larvae.',
  'The battle was fought in the autumn of 1805 between the fleets of the two empires. The admiral divided his ships into two columns, which sailed directly into the enemy line. Although the commander was killed during the engagement, the victory confirmed the naval supremacy that the kingdom had established during the previous century, and the campaign was remembered in the histories written afterwards.',
];
const docs = (): Doc[] => [...webTexts.map((text, i) => ({ id: `web${i}`, text, meta: {} })), ...wikiTexts.map((text, i) => ({ id: `wiki${i}`, text, meta: {} }))];

describe('quality', () => {
  it('scores with the shipped model: reference-like text above web pages', async () => {
    const r = await runFilter(quality, docs(), { annotate: true });
    expect(r.kept.length).toBe(12);
    const score = (id: string) => r.kept.find((d) => d.id === id)!.meta.quality_score as number;
    for (const d of r.kept) expect(typeof d.meta.quality_score).toBe('number');
    expect(score('wiki0')).toBeGreaterThan(0.5);
    expect(score('wiki1')).toBeGreaterThan(0.5);
    const web = webTexts.map((_, i) => score(`web${i}`)).sort((a, b) => a - b);
    expect(web[web.length >> 1]).toBeLessThan(0.5); // the median web page
  });

  it('drops below the threshold with low_quality_score; the counts add up', async () => {
    const input = docs();
    const r = await runFilter(quality, input, { threshold: 0.5, batchSize: 4 });
    expect(r.kept.length + r.dropped.length).toBe(input.length);
    expect(r.dropped.length).toBeGreaterThan(0);
    for (const d of r.dropped) expect(d).toMatch(/:low_quality_score$/);
    for (const d of r.kept) expect(d.meta.quality_score as number).toBeGreaterThanOrEqual(0.5);
    expect(r.kept.map((d) => d.id)).toContain('wiki0');
    // every document scored is counted under the backend that scored it
    const backends = Object.entries(r.stats).filter(([k]) => k.startsWith('backend.'));
    expect(backends.length).toBe(1);
    expect(backends[0]![1]).toBe(input.length);
  });

  it('annotate keeps everything and counts would_drop', async () => {
    const r = await runFilter(quality, docs(), { threshold: 0.5, annotate: true });
    expect(r.dropped).toEqual([]);
    const marked = r.kept.filter((d) => (d.meta.quality as { would_drop: string | null }).would_drop === 'low_quality_score');
    expect(r.stats['would_drop.low_quality_score']).toBe(marked.length);
    expect(marked.every((d) => (d.meta.quality_score as number) < 0.5)).toBe(true);
  });

  it('gets through empty and huge documents; a bad model option is a clear error', async () => {
    const r = await runFilter(quality, [...docsOf('', '😀'.repeat(1000)), { id: 'big', text: 'word '.repeat(2_000_000), meta: {} }], { annotate: true });
    expect(r.kept.length).toBe(3);
    expect(r.stats.truncated).toBe(1);
    expect(() => quality.create(quality.options.parse({ model: '/nonexistent/model' }))).toThrow(/no such model directory/);
    expect(() => quality.create(quality.options.parse({ label: 'nope' }))).toThrow(/label 'nope' is not one of the model's labels \(neg, pos\)/);
  });

  it('is registered, with quality_top', () => {
    expect(STAGES.quality).toBe(quality);
    expect(STAGES.quality_top).toBe(qualityTop);
    expect(qualityTop.global).toBeDefined();
  });
});

describe('quality_top', () => {
  it('keeps the best-scored fraction of the stream', async () => {
    const input = docs();
    const scored = await runFilter(quality, docs(), { annotate: true });
    const r = await runFilter(qualityTop, input, { fraction: 0.25 });
    expect(r.kept.length).toBe(3); // ceil(0.25 x 12)
    expect(r.dropped.length).toBe(9);
    for (const d of r.dropped) expect(d).toMatch(/:below_top_fraction$/);
    const best = scored.kept.map((d) => d.meta.quality_score as number).sort((a, b) => b - a).slice(0, 3);
    expect(r.kept.map((d) => d.meta.quality_score as number).sort((a, b) => b - a)).toEqual(best);
    expect(r.stats['reduce.kept']).toBe(3);
  });

  describe('in a pipeline under curate run', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-quality-'));
    beforeAll(() => {
      if (!fs.existsSync('dist/src/cli/main.js')) throw new Error('dist/ is missing: run `npm run build` (npm test does it first)');
      fs.writeFileSync(path.join(tmp, 'a.jsonl'), docs().slice(0, 6).map((d) => JSON.stringify({ id: d.id, text: d.text })).join('\n') + '\n');
      fs.writeFileSync(path.join(tmp, 'b.jsonl'), docs().slice(6).map((d) => JSON.stringify({ id: d.id, text: d.text })).join('\n') + '\n');
      fs.writeFileSync(
        path.join(tmp, 'p.yaml'),
        `name: quality-top\ninput:\n  paths: [${tmp}/a.jsonl, ${tmp}/b.jsonl]\noutput:\n  dir: ${tmp}/run\n  formats: [jsonl]\nstages:\n  - quality:\n      annotate: true\n  - quality_top:\n      fraction: 0.5\n`,
      );
    });

    it('keeps half of the documents across both input files, and the report adds up', () => {
      const r = spawnSync(process.execPath, ['bin/curate.js', 'run', path.join(tmp, 'p.yaml')], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
      expect(r.stderr).toContain('quality_top: keeping 6 of 12 documents');
      expect(r.status).toBe(0);
      const stats = JSON.parse(fs.readFileSync(path.join(tmp, 'run', 'stats.json'), 'utf8'));
      expect(stats.totals).toMatchObject({ docs_read: 12, docs_kept: 6, docs_dropped: 6, balanced: true });
      const top = stats.stages.find((s: { name: string }) => s.name === 'quality_top');
      expect(top.dropped).toEqual({ below_top_fraction: 6 });
    });
  });
});
