import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { parsePipeline } from '../../src/run/config.js';
import { runPipeline } from '../../src/run/pipeline.js';
import { silentLogger } from '../../src/core/log.js';
import type { Doc } from '../../src/core/doc.js';
import { countGpt2Tokens } from '../../src/text/tokens.js';
import { mixOptions } from '../../src/mix/options.js';
import { copiesFor, planMix, type DomainTotals, type MixPlan } from '../../src/mix/plan.js';
import { mixSummary, mixTargetRows } from '../../src/mix/report.js';
import { mix } from '../../stages/mix/mix.js';
import { runFilter } from './filter-harness.js';
import { mulberry32 } from '../../src/core/random.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-mix-'));

// real words (the Common Crawl fixture), cut into documents of varied lengths by a seeded generator
const words = fs
  .readFileSync('tests/fixtures/docs/cc-2019-30-40docs.jsonl', 'utf8')
  .trim()
  .split('\n')
  .flatMap((l) => (JSON.parse(l) as { text: string }).text.split(/\s+/).filter(Boolean));

const rng = mulberry32;

interface InDoc {
  id: string;
  url: string;
  text: string;
}

function makeDocs(prefix: string, n: number, url: (i: number) => string, seed: number): InDoc[] {
  const r = rng(seed);
  return Array.from({ length: n }, (_, i) => {
    const len = 5 + Math.floor(r() * 150);
    const at = Math.floor(r() * (words.length - len));
    return { id: `${prefix}-${i}`, url: url(i), text: words.slice(at, at + len).join(' ') };
  });
}

// three domains by URL: 600 encyclopedia, 900 code, 1500 news documents, in two input files
const corpus = [
  ...makeDocs('enc', 600, (i) => `https://en.wikipedia.org/wiki/Article_${i}`, 1),
  ...makeDocs('code', 900, (i) => `https://github.com/org/repo-${i}/blob/main/README.md`, 2),
  ...makeDocs('news', 1500, (i) => `https://www.bbc.co.uk/news/world-${i}`, 3),
];
const shards = path.join(tmp, 'shards');
fs.mkdirSync(shards, { recursive: true });
fs.writeFileSync(path.join(shards, 'a.jsonl'), corpus.filter((_, i) => i % 2 === 0).map((d) => JSON.stringify(d)).join('\n') + '\n');
fs.writeFileSync(path.join(shards, 'b.jsonl'), corpus.filter((_, i) => i % 2 === 1).map((d) => JSON.stringify(d)).join('\n') + '\n');

const pipeline = (mixYaml: string, inputs = shards, extra = '  - domain\n') =>
  `name: mix\ninput:\n  paths: [${inputs}]\noutput:\n  formats: [jsonl]\nstages:\n${extra}  - mix:\n${mixYaml.replace(/^/gm, '      ')}\n`;

/** the kept documents of a run, file by file in name order */
function outputDocs(dir: string): Array<{ id: string; text: string; meta: Record<string, unknown> }> {
  const docsDir = path.join(dir, 'docs');
  return fs
    .readdirSync(docsDir)
    .sort()
    .flatMap((f) => zlib.gunzipSync(fs.readFileSync(path.join(docsDir, f))).toString('utf8').split('\n').filter(Boolean))
    .map((l) => JSON.parse(l));
}

const planOf = (dir: string, stage = 1) => JSON.parse(fs.readFileSync(path.join(dir, '_global', `${stage}-mix`, 'mix-report.json'), 'utf8')) as MixPlan;

describe('mix stage in a pipeline', () => {
  const targets = 'targets: {encyclopedia: 0.5, code: 0.3, news: 0.2}\ntokens: words\nseed: 7';

  it('downsamples to the target token proportions (within 2%), deterministically, and the stats add up', async () => {
    const dir = path.join(tmp, 'targets');
    const { report } = await runPipeline(parsePipeline(pipeline(targets)), { outputDir: dir, log: silentLogger });
    expect(report.totals.balanced).toBe(true);
    const m = report.stages[1]!;
    expect(m.name).toBe('mix');
    expect(m.in).toBe(3000);
    expect(m.added).toBe(0); // maxRepeat 1: nothing repeats
    expect(m.out + m.dropped_total).toBe(3000);
    expect(Object.keys(m.dropped)).toEqual(['mix_downsampled']);

    // the reduce's plan names the targets; the binding domain (encyclopedia, smallest per share) keeps everything
    const plan = planOf(dir);
    expect(plan).toMatchObject({ mode: 'targets', by: 'domain', unit: 'words', seed: 7, others: 'drop', targets: { encyclopedia: 0.5, code: 0.3, news: 0.2 }, missing_domains: [] });
    const enc = plan.domains.find((d) => d.domain === 'encyclopedia')!;
    expect(enc.rate).toBe(1);
    expect(plan.total_tokens!.used).toBeCloseTo(enc.tokens_in / 0.5, 6);

    const rows = mixTargetRows(dir);
    expect(rows.map((r) => r.domain)).toEqual(['code', 'encyclopedia', 'news']);
    for (const r of rows) {
      expect(Math.abs(r.achieved - r.target), `${r.domain}: target ${r.target}, achieved ${r.achieved}`).toBeLessThan(0.02);
      expect(r.tokens_out).toBe(m.counters[`tokens_out.${r.domain}`]);
    }
    expect(rows.find((r) => r.domain === 'encyclopedia')).toMatchObject({ target: 0.5, tokens_out: enc.tokens_in, requested: 0.5 });

    const docs = outputDocs(dir);
    expect(docs).toHaveLength(report.totals.docs_kept);
    expect(docs.filter((d) => d.id.startsWith('enc-'))).toHaveLength(600);

    // the same input and seed give the same output (another seed, another sample: the plan tests below)
    const again = path.join(tmp, 'targets-again');
    await runPipeline(parsePipeline(pipeline(targets)), { outputDir: again, log: silentLogger });
    expect(outputDocs(again)).toEqual(docs);
  });

  it('upsamples a domain (rate 2.5 under maxRepeat 2.5): repeats get ids <id>#rep<k>, meta.mix_repeat, and count as added', async () => {
    const dir = path.join(tmp, 'upsample');
    const { report } = await runPipeline(parsePipeline(pipeline(`${targets}\nmaxRepeat: 2.5`)), { outputDir: dir, log: silentLogger });
    const plan = planOf(dir);
    const rate = Object.fromEntries(plan.domains.map((d) => [d.domain, d.rate]));
    expect(rate.encyclopedia).toBeCloseTo(2.5, 12);
    expect(rate.code).toBeGreaterThan(0.5);
    expect(rate.news).toBeLessThan(1);

    for (const r of mixTargetRows(dir)) expect(Math.abs(r.achieved - r.target), r.domain).toBeLessThan(0.02);
    const docs = outputDocs(dir);
    const enc = docs.filter((d) => d.id.startsWith('enc-'));
    expect(enc.length / 600).toBeGreaterThan(2.4);
    expect(enc.length / 600).toBeLessThan(2.6);
    // every encyclopedia document is there at least twice: the original and #rep1
    const originals = new Set(enc.filter((d) => !d.id.includes('#')).map((d) => d.id));
    expect(originals.size).toBe(600);
    for (const d of enc.filter((x) => x.id.includes('#'))) {
      const [base, rep] = d.id.split('#rep');
      expect(originals.has(base!)).toBe(true);
      expect(d.meta.mix_repeat).toBe(Number(rep));
      expect([1, 2]).toContain(d.meta.mix_repeat);
    }
    expect(enc.filter((d) => d.id.endsWith('#rep1'))).toHaveLength(600);

    const m = report.stages[1]!;
    expect(m.added).toBe(docs.filter((d) => d.id.includes('#rep')).length);
    expect(report.totals).toMatchObject({ docs_read: 3000, docs_kept: docs.length, docs_added: m.added, balanced: true });
    expect(m.in + m.added).toBe(m.out + m.dropped_total);
  });

  it('epochs by source: the input file (or Dolma source) is the group, integer rates are exact', async () => {
    const dir = path.join(tmp, 'epochs');
    const input = path.join(tmp, 'by-source');
    fs.mkdirSync(input, { recursive: true });
    fs.writeFileSync(path.join(input, 'wiki.jsonl'), corpus.slice(0, 300).map((d) => JSON.stringify(d)).join('\n') + '\n');
    fs.writeFileSync(path.join(input, 'web.jsonl.gz'), zlib.gzipSync(corpus.slice(2000, 2600).map((d) => JSON.stringify(d)).join('\n') + '\n'));
    const yaml = pipeline('by: source\nepochs: {wiki: 2, web: 0.5}\ntokens: words', input, '');
    const { report } = await runPipeline(parsePipeline(yaml), { outputDir: dir, log: silentLogger });
    const plan = planOf(dir, 0);
    expect(plan).toMatchObject({ mode: 'epochs', by: 'source', others: 'keep', epochs: { wiki: 2, web: 0.5 } });
    const c = report.stages[0]!.counters;
    expect(c['tokens_out.wiki']).toBe(2 * c['tokens_in.wiki']!);
    expect(c['docs_out.wiki']).toBe(600);
    expect(c['tokens_out.web']! / c['tokens_in.web']!).toBeGreaterThan(0.42);
    expect(c['tokens_out.web']! / c['tokens_in.web']!).toBeLessThan(0.58);
    expect(report.totals.balanced).toBe(true);
    const summary = mixSummary(dir)!;
    expect(summary).toMatchObject({ stage: 0, mode: 'epochs', by: 'source' });
    for (const r of summary.rows) expect(Math.abs(r.achieved - r.target)).toBeLessThan(0.03);
  });

  it('a broken mix config stops the run before it starts, naming the field', () => {
    const bad = (mixYaml: string) => () => parsePipeline(pipeline(mixYaml), 'p.yaml');
    expect(bad('targets: {encyclopedia: 0.5, code: 0.3, news: 0.1}')).toThrow('p.yaml: stages[1].mix.targets: proportions sum to 0.9, not 1');
    expect(bad('target: {encyclopedia: 1}')).toThrow("p.yaml: stages[1].mix.target: unknown option 'target' (did you mean 'targets'?)");
    expect(bad('targets: {encyclopedia: 1.5, code: -0.5}')).toThrow(/stages\[1\]\.mix\.targets\.encyclopedia: /);
    expect(bad('epochs: {wiki: 2}\ntotalTokens: 1000')).toThrow('p.yaml: stages[1].mix.totalTokens: only with targets');
    expect(bad('epochs: {wiki: 2}\ntargets: {wiki: 1}')).toThrow('p.yaml: stages[1].mix.epochs: give targets or epochs, not both');
    expect(bad('seed: 3')).toThrow('p.yaml: stages[1].mix: a mix needs targets');
    expect(bad('targets: {a: 1}\nothers: maybe')).toThrow(/stages\[1\]\.mix\.others: /);
    expect(bad('targets: {a: 1}\ntokens: chars')).toThrow(/stages\[1\]\.mix\.tokens: /);
  });

  it('a run without a mix stage has no rows', () => {
    expect(mixTargetRows(path.join(tmp, 'nothing-here'))).toEqual([]);
  });
});

describe('mix plan', () => {
  const totals = (o: Record<string, number>) => new Map<string, DomainTotals>(Object.entries(o).map(([d, tokens]) => [d, { docs: 10, tokens }]));
  const opts = (o: Record<string, unknown>) => mixOptions.parse(o);

  it('rate_d = p_d * total / tokens_d; by default the total is the most no domain must repeat beyond maxRepeat to reach', () => {
    const plan = planMix(totals({ a: 100, b: 1000, c: 5000 }), opts({ targets: { a: 0.25, b: 0.25, c: 0.5 }, maxRepeat: 2.5 }));
    expect(plan.total_tokens).toEqual({ requested: null, used: 1000 });
    expect(Object.fromEntries(plan.domains.map((d) => [d.domain, d.rate]))).toEqual({ a: 2.5, b: 0.25, c: 0.1 });
    expect(plan.domains.map((d) => d.target)).toEqual([0.25, 0.25, 0.5]);
    expect(plan.expected_tokens_out).toBeCloseTo(1000, 9);
  });

  it('targeted domains without documents are named, warned about, and the rest renormalised; others dropped or kept', () => {
    const warned: string[] = [];
    const plan = planMix(totals({ a: 100, b: 300, z: 50 }), opts({ targets: { a: 0.2, b: 0.6, forum: 0.2 } }), (m) => warned.push(m));
    expect(plan.missing_domains).toEqual(['forum']);
    expect(plan.warnings).toEqual(warned);
    expect(warned[0]).toMatch(/targets name forum, but no document has it; the other proportions are renormalised/);
    expect(plan.targets_used!.a).toBeCloseTo(0.25, 12);
    expect(plan.targets_used!.b).toBeCloseTo(0.75, 12);
    const by = Object.fromEntries(plan.domains.map((d) => [d.domain, d]));
    expect(by.forum).toMatchObject({ rate: 0, note: 'no_documents', tokens_in: 0 });
    expect(by.z).toMatchObject({ rate: 0, note: 'others_drop', requested: null });
    expect(by.a!.rate).toBe(1);
    expect(by.b!.rate).toBe(1);
    const kept = planMix(totals({ a: 100, b: 300, z: 50 }), opts({ targets: { a: 0.25, b: 0.75 }, others: 'keep' }));
    expect(kept.domains.find((d) => d.domain === 'z')).toMatchObject({ rate: 1, note: 'others_keep' });
  });

  it('an explicit totalTokens beyond maxRepeat is capped with a warning', () => {
    const plan = planMix(totals({ a: 100, b: 1000 }), opts({ targets: { a: 0.5, b: 0.5 }, totalTokens: 1000, maxRepeat: 2 }));
    expect(plan.domains.find((d) => d.domain === 'a')).toMatchObject({ rate: 2, note: 'capped_at_max_repeat' });
    expect(plan.domains.find((d) => d.domain === 'b')!.rate).toBe(0.5);
    expect(plan.warnings[0]).toMatch(/a: totalTokens 1000 needs rate 5.000, over maxRepeat 2; capped/);
  });

  it('copies: floor(rate) always, one more with probability frac(rate), fixed by seed and id', () => {
    expect(copiesFor(0, 'x', 1)).toBe(0);
    expect(copiesFor(3, 'x', 1)).toBe(3);
    const ids = Array.from({ length: 20000 }, (_, i) => `doc-${i}`);
    const mean = ids.reduce((a, id) => a + copiesFor(2.3, id, 42), 0) / ids.length;
    expect(mean).toBeGreaterThan(2.28);
    expect(mean).toBeLessThan(2.32);
    expect(ids.map((id) => copiesFor(0.5, id, 42))).toEqual(ids.map((id) => copiesFor(0.5, id, 42)));
    expect(ids.map((id) => copiesFor(0.5, id, 42))).not.toEqual(ids.map((id) => copiesFor(0.5, id, 43)));
  });
});

describe('mix on one stream (curate stage mix)', () => {
  it('counts GPT-2 tokens by default and applies epochs', async () => {
    const docs: Doc[] = corpus.slice(0, 6).map((d, i) => ({ id: d.id, text: d.text, meta: { domain: i < 3 ? 'encyclopedia' : 'news' } }));
    const { kept, dropped, stats } = await runFilter(mix, docs, { epochs: { encyclopedia: 3, news: 0 } });
    expect(kept.map((d) => d.id)).toEqual(['enc-0', 'enc-0#rep1', 'enc-0#rep2', 'enc-1', 'enc-1#rep1', 'enc-1#rep2', 'enc-2', 'enc-2#rep1', 'enc-2#rep2']);
    expect(dropped).toEqual(['enc-3:mix_downsampled', 'enc-4:mix_downsampled', 'enc-5:mix_downsampled']);
    let gpt2 = 0;
    for (const d of docs.slice(0, 3)) gpt2 += await countGpt2Tokens(d.text);
    expect(stats['tokens_in.encyclopedia']).toBe(gpt2);
    expect(stats['tokens_out.encyclopedia']).toBe(3 * gpt2);
    expect(stats.added).toBe(6);
    expect(stats['reduce.docs']).toBe(6);
  });

  it('documents without the `by` field are grouped as unknown', async () => {
    const { kept, stats } = await runFilter(mix, [{ id: '1', text: 'a b c', meta: {} }], { epochs: { unknown: 2 }, tokens: 'words' });
    expect(kept.map((d) => d.id)).toEqual(['1', '1#rep1']);
    expect(stats['tokens_out.unknown']).toBe(6);
  });
});
