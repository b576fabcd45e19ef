// The article-extraction-benchmark's layout and metric (src/eval/article-benchmark.ts): pages and ground truth
// read from a folder of its layout, predictions written in the format its evaluate.py reads, and the set
// score as evaluate.py computes it, on hand-made pages with known answers.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import { benchmarkPages, readGroundTruth, scoreBenchmark, writePredictions } from '../../src/eval/article-benchmark.js';
import { extractHtml } from '../../src/extract/extract.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

const para1 = 'The council voted on Tuesday to keep the old library open for another ten years, after residents filled the hall to speak for it.';
const para2 = 'Café owners on the square said the branch brings them customers every morning, and the mayor promised to fix its leaking roof.';
const article = (title: string) =>
  `<html><head><title>${title}</title></head><body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>${title}</h1><p>${para1}</p><p>${para2}</p><p>${para1} Again.</p></article><footer>Contact us</footer></body></html>`;

/** a folder in the benchmark's layout: ground-truth.json and html/<id>.html.gz */
function benchmarkDir(pages: Record<string, { html?: string; articleBody: string }>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'aeb-'));
  dirs.push(dir);
  fs.mkdirSync(path.join(dir, 'html'));
  const truth: Record<string, { articleBody: string; url: string }> = {};
  for (const [id, p] of Object.entries(pages)) {
    truth[id] = { articleBody: p.articleBody, url: `https://example.com/${id}` };
    if (p.html !== undefined) fs.writeFileSync(path.join(dir, 'html', `${id}.html.gz`), zlib.gzipSync(Buffer.from(p.html, 'utf8')));
  }
  fs.writeFileSync(path.join(dir, 'ground-truth.json'), JSON.stringify(truth));
  return dir;
}

describe('article-extraction-benchmark layout and metric', () => {
  it('reads pages in the ground truth order, as UTF-8, and names a missing page or a malformed ground truth', () => {
    const dir = benchmarkDir({ b2: { html: article('Second'), articleBody: para2 }, a1: { html: article('First'), articleBody: para1 } });
    const pages = [...benchmarkPages(dir)];
    expect(pages.map((p) => p.id)).toEqual(['b2', 'a1']);
    expect(pages[0]!.html).toContain('Café owners');
    expect(pages[0]!.url).toBe('https://example.com/b2');
    expect(pages[1]!.reference).toBe(para1);

    const missing = benchmarkDir({ x: { articleBody: para1 } });
    expect(() => [...benchmarkPages(missing)]).toThrow(/html\/x\.html\.gz: missing/);
    fs.writeFileSync(path.join(missing, 'ground-truth.json'), '[1, 2]');
    expect(() => readGroundTruth(missing)).toThrow(/expected an object mapping page ids/);
    fs.writeFileSync(path.join(missing, 'ground-truth.json'), '{"x": {"articleBody": 3}}');
    expect(() => readGroundTruth(missing)).toThrow(/x\.articleBody is not a string/);
    expect(() => readGroundTruth(path.join(missing, 'nope'))).toThrow(/ground-truth\.json: not found/);
  });

  it('scores as evaluate.py: shingle counts per page over their sum, precision over pages with output, F1 of the means', () => {
    const pages = [
      // 4-token shingles: truth {a b c d, b c d e}, prediction {a b c d, b c d x}: tp 1, fp 1, fn 1, so P = R = 1/2
      { id: 'half', reference: 'a b c d e' },
      // exact: P = R = 1
      { id: 'exact', reference: 'one two three four five six' },
      // nothing predicted: left out of precision, recall 0
      { id: 'empty', reference: 'w x y z' },
    ];
    const predictions = new Map([
      ['half', 'a b c d x'],
      ['exact', 'one two three four five six'],
      ['empty', ''],
    ]);
    const s = scoreBenchmark(pages, predictions, 0);
    expect(s.pages).toBe(3);
    expect(s.precision).toBeCloseTo((0.5 + 1) / 2, 10);
    expect(s.recall).toBeCloseTo((0.5 + 1 + 0) / 3, 10);
    expect(s.f1).toBeCloseTo((2 * 0.75 * 0.5) / 1.25, 10);
    expect(s.ci).toBeUndefined();
    const half = s.perPage.find((p) => p.id === 'half')!;
    expect([half.tp, half.fp, half.fn].map((x) => x * 3)).toEqual([1, 1, 1].map((x) => expect.closeTo(x, 10)));
    // a page missing from the predictions counts as an empty prediction
    expect(scoreBenchmark(pages, new Map([['half', 'a b c d x'], ['exact', 'one two three four five six']]), 0).recall).toBeCloseTo(0.5, 10);
    // bootstrap: the same seed gives the same ±, and a set where pages differ has a non-zero one
    const b1 = scoreBenchmark(pages, predictions, 200, 7);
    const b2 = scoreBenchmark(pages, predictions, 200, 7);
    expect(b1.ci).toEqual(b2.ci);
    expect(b1.ci!.recall).toBeGreaterThan(0);
  });

  it('writes predictions with the ground truth keys, whole, and the bench prints the figures as one JSON line', () => {
    const dir = benchmarkDir({ p1: { html: article('First'), articleBody: `${para1}\n\n${para2}\n\n${para1} Again.` }, p2: { html: article('Second'), articleBody: para2 } });
    const pages = [...benchmarkPages(dir)];
    const predictions = new Map(pages.map((p) => [p.id, extractHtml(p.html).text]));
    const out = path.join(dir, 'output', 'curate.json');
    writePredictions(out, pages, predictions);
    const written = JSON.parse(fs.readFileSync(out, 'utf8')) as Record<string, { articleBody: string; url: string }>;
    expect(Object.keys(written)).toEqual(['p1', 'p2']);
    expect(written.p1!.articleBody).toContain(para2);
    expect(written.p1!.url).toBe('https://example.com/p1');
    expect(fs.readdirSync(path.join(dir, 'output'))).toEqual(['curate.json']);

    const bench = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'dist', 'bench', 'eval-article-benchmark.js');
    const line = execFileSync(process.execPath, [bench, dir, '--bootstrap', '0', '--output', path.join(dir, 'out2')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const result = JSON.parse(line) as { pages: number; extractors: { curate: { precision: number; recall: number; f1: number; empty: number } } };
    expect(result.pages).toBe(2);
    // p1: the whole article and nothing else (the headline, menu and footer dropped); p2: the reference is one of its paragraphs
    expect(result.extractors.curate.recall).toBe(1);
    expect(result.extractors.curate.precision).toBeGreaterThan(0.5);
    expect(result.extractors.curate.precision).toBeLessThan(1);
    expect(result.extractors.curate.empty).toBe(0);
    expect(fs.existsSync(path.join(dir, 'out2', 'curate.json'))).toBe(true);
  });
});
