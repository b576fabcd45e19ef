// The perplexity stage and its global twin, on real text: held-out WikiText articles (never seen by the
// shipped model) against Common Crawl pages from data/; batching must not change a score; long documents
// are cut at maxTokens; what is dropped is dropped with its reason; perplexity_bucket splits each
// language's documents at its own percentiles.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { perplexity, perplexityBucket, defaultPerplexityModel } from '../../stages/classify/perplexity.js';
import { sharedScorer, type PerplexityScorer } from '../../src/perplexity/scorer.js';
import { isHeldOut, wikitextArticles } from '../../src/perplexity/wikitext.js';
import { runFilter } from './filter-harness.js';
import type { Doc } from '../../src/core/doc.js';
import { parsePipeline } from '../../src/run/config.js';

const web = zlib
  .gunzipSync(fs.readFileSync('data/classifier-train/cc-main-2019-30-web-docs.jsonl.gz'))
  .toString('utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => (JSON.parse(l) as { text: string }).text)
  .filter((t) => t.length > 800)
  .slice(0, 24);
// held-out articles' paragraphs: reference text the model did not train on
const wiki = wikitextArticles(fs.readFileSync('data/lm/wikitext-2-valid.txt', 'utf8'))
  .filter((a) => isHeldOut(a.title))
  .flatMap((a) => a.text.split('\n\n').filter((p) => p.length > 800))
  .slice(0, 24);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;
const OPTS = { maxTokens: 256, windowBatch: 8 };

describe('perplexity under the shipped reference model', () => {
  let scorer: PerplexityScorer;
  beforeAll(async () => {
    scorer = await sharedScorer(defaultPerplexityModel());
  });

  it('scores held-out reference text lower than web pages', () => {
    expect(web.length).toBe(24);
    expect(wiki.length).toBe(24);
    const w = scorer.score(wiki, OPTS).map((s) => s.perplexity!);
    const c = scorer.score(web, OPTS).map((s) => s.perplexity!);
    expect(median(w)).toBeLessThan(median(c));
    // most pairs are ordered that way (an AUC well above chance)
    let ordered = 0;
    for (const a of w) for (const b of c) ordered += a < b ? 1 : 0;
    expect(ordered / (w.length * c.length)).toBeGreaterThan(0.75);
  });

  it('gives the same score alone as in a batch of windows of other documents (causal padding changes nothing)', () => {
    const texts = [wiki[0]!, web[0]!.slice(0, 300), web[1]!, 'Short.'];
    const together = scorer.score(texts, { maxTokens: 400, windowBatch: 16 });
    texts.forEach((t, i) => {
      const alone = scorer.score([t], { maxTokens: 400, windowBatch: 1 })[0]!;
      expect(alone.tokens).toBe(together[i]!.tokens);
      expect(Math.abs(alone.perplexity! - together[i]!.perplexity!) / alone.perplexity!).toBeLessThan(1e-4);
    });
  });

  it('cuts a long document at maxTokens and scores it over several windows of the context', () => {
    const long = wiki.slice(0, 6).join('\n\n');
    const [s] = scorer.score([long], { maxTokens: scorer.context * 2 + 5, windowBatch: 4 });
    expect(s!.truncated).toBe(true);
    expect(s!.tokens).toBe(scorer.context * 2 + 5);
    const [e] = scorer.score([''], OPTS);
    expect(e).toEqual({ perplexity: null, tokens: 0, truncated: false });
  });
});

describe('the perplexity stage', () => {
  const docs = (): Doc[] => [...wiki.slice(0, 6).map((text, i) => ({ id: `wiki${i}`, text, meta: {} })), ...web.slice(0, 6).map((text, i) => ({ id: `web${i}`, text, meta: {} })), { id: 'empty', text: '', meta: {} }];

  it('writes meta.perplexity, drops above maxPerplexity with high_perplexity, keeps a text with no token', async () => {
    const all = await runFilter(perplexity, docs(), { maxTokens: 256 });
    expect(all.kept).toHaveLength(13);
    const ppl = new Map(all.kept.map((d) => [d.id, d.meta.perplexity as number | null]));
    expect(ppl.get('empty')).toBeNull();
    expect(all.stats.no_tokens).toBe(1);
    const cut = median(all.kept.filter((d) => d.id !== 'empty').map((d) => d.meta.perplexity as number));
    const r = await runFilter(perplexity, docs(), { maxTokens: 256, maxPerplexity: cut });
    const expected = [...ppl].filter(([, p]) => p !== null && p > cut).map(([id]) => `${id}:high_perplexity`);
    expect(r.dropped.sort()).toEqual(expected.sort());
    expect(r.dropped.length).toBeGreaterThan(3);
    expect(r.dropped.filter((d) => d.startsWith('web')).length).toBeGreaterThan(r.dropped.filter((d) => d.startsWith('wiki')).length);
    const a = await runFilter(perplexity, docs(), { maxTokens: 256, maxPerplexity: cut, annotate: true });
    expect(a.kept).toHaveLength(13);
    expect(a.stats['would_drop.high_perplexity']).toBe(r.dropped.length);
  });

  it('refuses a model directory that holds no checkpoint, naming the field', () => {
    expect(() => perplexity.create(perplexity.options.parse({ model: 'data/lm' }))).toThrow(/perplexity: .*data\/lm holds no checkpoint/);
  });
});

describe('perplexity_bucket', () => {
  // two languages with their own scales: each is split at its own percentiles
  const make = (): Doc[] => [
    ...Array.from({ length: 30 }, (_, i) => ({ id: `en${i}`, text: 'x', meta: { language: 'en', perplexity: 100 + i } })),
    ...Array.from({ length: 9 }, (_, i) => ({ id: `de${i}`, text: 'x', meta: { language: 'de', perplexity: 1000 + 10 * i } })),
    { id: 'none', text: '', meta: { language: 'en', perplexity: null } },
  ];

  it('puts each language in head, middle and tail at its own 33rd and 66th percentiles', async () => {
    const r = await runFilter(perplexityBucket, make());
    expect(r.kept).toHaveLength(40);
    const b = (id: string) => r.kept.find((d) => d.id === id)!.meta.perplexity_bucket;
    expect(['en0', 'en9', 'en10', 'en19', 'en20', 'en29'].map(b)).toEqual(['head', 'head', 'middle', 'middle', 'tail', 'tail']);
    expect(['de0', 'de2', 'de3', 'de5', 'de6', 'de8'].map(b)).toEqual(['head', 'head', 'middle', 'middle', 'tail', 'tail']);
    expect(b('none')).toBeNull();
    expect(r.stats['bucket.head']).toBe(13);
    expect(r.stats['bucket.tail']).toBe(13);
  });

  it('drops the buckets not kept, with their names as reasons', async () => {
    const r = await runFilter(perplexityBucket, make(), { keep: ['head', 'middle'] });
    expect(r.dropped).toHaveLength(13);
    expect(new Set(r.dropped.map((d) => d.split(':')[1]))).toEqual(new Set(['perplexity_tail']));
    expect(r.kept).toHaveLength(27);
  });

  it('needs the perplexity stage before it', async () => {
    await expect(runFilter(perplexityBucket, [{ id: 'a', text: 'x', meta: {} }])).rejects.toThrow(/put the perplexity stage before perplexity_bucket/);
  });
});

describe('pipelines/cc-shard.yaml', () => {
  it('has the perplexity stages as a block a user turns on, which parses in place', () => {
    const text = fs.readFileSync('pipelines/cc-shard.yaml', 'utf8');
    expect(parsePipeline(text, 'cc-shard.yaml').stages.map((s) => s.name)).not.toContain('perplexity');
    const lines = text.split('\n');
    const from = lines.findIndex((l) => l.includes('perplexity: begin'));
    const to = lines.findIndex((l) => l.includes('perplexity: end'));
    expect(to).toBeGreaterThan(from);
    const on = lines.map((l, i) => (i > from && i < to ? l.replace(/^(\s*)# ?/, '$1') : l)).join('\n');
    const names = parsePipeline(on, 'cc-shard.yaml').stages.map((s) => s.name);
    expect(names.indexOf('perplexity')).toBeGreaterThan(names.indexOf('langid'));
    expect(names.indexOf('perplexity_bucket')).toBe(names.indexOf('perplexity') + 1);
  });
});

void path;
