import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Doc } from '../../src/core/doc.js';
import { FatalError } from '../../src/core/errors.js';
import { collect, fromArray } from '../../src/core/iterables.js';
import { Counters } from '../../src/core/stats.js';
import { silentLogger } from '../../src/core/log.js';
import { docFromJson } from '../../src/io/jsonl.js';
import { parsePipeline } from '../../src/run/config.js';
import { runPipeline } from '../../src/run/pipeline.js';
import { createDomainStage, domain } from '../../stages/classify/domain.js';
import { loadDomainClassifier, type Classifier } from '../../src/domain/classifier.js';
import { runFilter } from './filter-harness.js';

const real = fs
  .readFileSync('tests/fixtures/docs/cc-2019-30-40docs.jsonl', 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l) as { id: string; text: string; url?: string });

/** a line of JSONL as `curate stage` parses it */
const fromLine = (o: Record<string, unknown>) => docFromJson(JSON.stringify(o), 'stdin:1', { file: 'stdin', offset: 0 }) as Doc;

describe('domain stage', () => {
  it('labels from the URL of JSONL documents ({url} or Dolma metadata.url), drops nothing, counts labels and sources', async () => {
    const docs = [
      fromLine({ id: 'w', url: 'https://en.m.wikipedia.org/wiki/Tokenization', text: 'Tokenization is...' }),
      fromLine({ id: 's', metadata: { url: 'https://unix.stackexchange.com/questions/1/x' }, text: 'How do I...' }),
      fromLine({ id: 'e', url: 'https://evilwikipedia.com/wiki-ish', text: 'Buy now' }),
      fromLine({ id: 'n', text: 'no url at all' }),
      fromLine({ id: 'bad', url: 'http://exa mple.com/', text: 'malformed' }),
    ];
    const { kept, dropped, stats } = await runFilter(domain, docs);
    expect(dropped).toEqual([]);
    expect(kept.map((d) => [d.id, d.meta.domain, d.meta.domain_source])).toEqual([
      ['w', 'encyclopedia', 'url'],
      ['s', 'qa', 'url'],
      ['e', 'other', 'none'],
      ['n', 'other', 'none'],
      ['bad', 'other', 'none'],
    ]);
    expect(kept.every((d) => d.meta.domain_score === undefined)).toBe(true);
    expect(stats).toMatchObject({ 'domain.encyclopedia': 1, 'domain.qa': 1, 'domain.other': 3, 'source.url': 2, 'source.none': 3 });
  });

  it('labels the real Common Crawl documents of the fixture by their URLs', async () => {
    const { kept } = await runFilter(domain, real.map((d) => ({ id: d.id, text: d.text, meta: { url: d.url } })));
    expect(kept).toHaveLength(real.length);
    for (const d of kept) expect(typeof d.meta.domain).toBe('string');
  });

  it('pipeline rules override the built-in ones; options are validated and name the field', async () => {
    const docs: Doc[] = [
      { id: '1', text: 'x', meta: { url: 'https://github.com/org/repo/wiki' } },
      { id: '2', text: 'y', meta: { url: 'https://recipes.example/soup' } },
    ];
    const { kept } = await runFilter(domain, docs, { rules: [{ label: 'cooking', hosts: ['recipes.example'] }, { label: 'encyclopedia', hosts: ['github.com'], paths: ['wiki'] }] });
    expect(kept.map((d) => d.meta.domain)).toEqual(['encyclopedia', 'cooking']);
    expect(() => parsePipeline('name: t\ninput: {paths: [x]}\nstages:\n  - domain:\n      rules:\n        - {label: code, hosts: ["https://github.com"]}\n')).toThrow(
      /stages\[0\]\.domain\.rules\[0\]\.hosts\[0\]: 'https:\/\/github.com' is not a host pattern/,
    );
    expect(() => parsePipeline('name: t\ninput: {paths: [x]}\nstages:\n  - domain:\n      rule: []\n')).toThrow(/stages\[0\]\.domain\.rule: unknown option 'rule' \(did you mean 'rules'\?\)/);
  });

  it('falls back to the classifier for documents the URL leaves as other, in batches, keeping order', async () => {
    const batches: number[] = [];
    let disposed = 0;
    const fake: Classifier = {
      labels: ['news', 'code', 'other'],
      backend: 'fake',
      async predict(texts) {
        batches.push(texts.length);
        return texts.map((t) => (t.includes('function') ? Float32Array.from([0.1, 0.85, 0.05]) : t.includes('minister') ? Float32Array.from([0.7, 0.2, 0.1]) : Float32Array.from([0.4, 0.3, 0.3])));
      },
      dispose: () => void disposed++,
    };
    const docs: Doc[] = [
      { id: 'a', text: 'const f = function () {}', meta: { url: 'https://example.com/a' } },
      { id: 'b', text: 'wiki text', meta: { url: 'https://en.wikipedia.org/wiki/B' } },
      { id: 'c', text: 'the minister said', meta: {} },
      { id: 'd', text: 'something vague', meta: {} },
      { id: 'e', text: '   ', meta: {} },
      { id: 'f', text: 'a function again', meta: {} },
    ];
    const stats = new Counters();
    const stage = createDomainStage(domain.options.parse({ model: '/models/domain', batchSize: 2, minConfidence: 0.6 }), async (dir) => {
      expect(dir).toBe('/models/domain');
      return fake;
    });
    const out = await collect(stage.run(fromArray(docs), { rank: 0, worldSize: 1, stats, log: silentLogger, signal: new AbortController().signal, runDir: '/tmp', stage: 'domain', drop: () => {}, recordError: () => {} }));
    expect(out.map((d) => [d.id, d.meta.domain, d.meta.domain_source, d.meta.domain_score])).toEqual([
      ['a', 'code', 'model', 0.85],
      ['b', 'encyclopedia', 'url', undefined],
      ['c', 'news', 'model', 0.7],
      ['d', 'other', 'none', undefined],
      ['e', 'other', 'none', undefined],
      ['f', 'code', 'model', 0.85],
    ]);
    expect(batches).toEqual([2, 2]);
    expect(disposed).toBe(1);
    expect(stats.toJSON()).toMatchObject({ 'source.model': 3, 'source.url': 1, 'source.none': 2, 'domain.code': 2 });
  });

  it('never loads a classifier when every URL has a label; a missing classifier module is a FatalError naming the field', async () => {
    let loads = 0;
    const stage = createDomainStage(domain.options.parse({ model: 'x' }), async () => {
      loads++;
      throw new Error('unreachable');
    });
    const ctx = { rank: 0, worldSize: 1, stats: new Counters(), log: silentLogger, signal: new AbortController().signal, runDir: '/tmp', stage: 'domain', drop: () => {}, recordError: () => {} };
    await collect(stage.run(fromArray<Doc>([{ id: '1', text: 't', meta: { url: 'https://arxiv.org/abs/1' } }]), ctx));
    expect(loads).toBe(0);
    const err = await loadDomainClassifier('/no/model', 'stages[0].domain.model', './no-such-classifier-module.js').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect((err as FatalError).field).toBe('stages[0].domain.model');
    expect((err as Error).message).toMatch(/classifier module .* is not available/);
    // a module that resolves (from src/ as from dist/) but is not the classifier is named too
    await expect(loadDomainClassifier('/no/model', 'model', './url-rules.js')).rejects.toThrow(/model: src\/classify\/model.ts has no loadClassifier/);
  });

  it('in a pipeline, meta.domain reaches the output', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-domain-'));
    const input = path.join(tmp, 'docs.jsonl');
    fs.writeFileSync(input, real.slice(0, 10).map((d) => JSON.stringify(d)).join('\n') + '\n');
    const yaml = `name: d\ninput:\n  paths: [${input}]\noutput:\n  formats: [jsonl]\nstages:\n  - domain\n`;
    const { report } = await runPipeline(parsePipeline(yaml), { outputDir: path.join(tmp, 'run'), log: silentLogger });
    expect(report.totals.balanced).toBe(true);
    const docsDir = path.join(tmp, 'run', 'docs');
    const lines = fs.readdirSync(docsDir).flatMap((f) => zlib.gunzipSync(fs.readFileSync(path.join(docsDir, f))).toString('utf8').trim().split('\n'));
    expect(lines).toHaveLength(10);
    for (const l of lines) expect(JSON.parse(l).meta).toMatchObject({ domain: expect.any(String), domain_source: expect.stringMatching(/^(url|none)$/) });
    const counters = report.stages[0]!.counters;
    expect(Object.entries(counters).filter(([k]) => k.startsWith('source.')).reduce((a, [, v]) => a + v, 0)).toBe(10);
  });
});
