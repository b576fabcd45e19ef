// pipelines/crawl.yaml against a loopback site: crawl and curate in one run, the WARC files under
// the run dir, the reader counts in stats.json; and a rerun after an interrupted crawl resumes it
// without fetching again what the whole WARC files already hold.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { parsePipeline, loadPipeline } from '../../src/run/config.js';
import { runPipeline } from '../../src/run/pipeline.js';
import { silentLogger } from '../../src/core/log.js';
import { FatalError } from '../../src/core/errors.js';
import { runCrawl } from '../../src/crawl/crawler.js';
import { CrawlConfig } from '../../schemas/pipeline.js';
import { startSite, html, prose, type TestSite } from './server.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-crawl-run-'));
const TOPICS = ['river', 'lake', 'forest', 'mountain', 'valley', 'desert', 'island', 'glacier', 'meadow', 'canyon'];
let site: TestSite;

beforeAll(async () => {
  const routes: Record<string, ReturnType<typeof html>> = {};
  // a chain of pages, each linking the next, so a crawl can be cut in the middle
  TOPICS.forEach((t, i) => {
    routes[i === 0 ? '/' : `/${t}`] = html(prose(t, i + 1 < TOPICS.length ? `<p><a href="/${TOPICS[i + 1]}">next: ${TOPICS[i + 1]}</a></p>` : ''));
  });
  site = await startSite(routes);
});
afterAll(async () => {
  await site.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** pipelines/crawl.yaml with the seed pointed at the loopback site and the delays off */
function crawlPipeline(extra: Record<string, unknown> = {}) {
  const doc = YAML.parse(fs.readFileSync('pipelines/crawl.yaml', 'utf8'));
  Object.assign(doc.input.crawl, { seeds: [`${site.origin}/`], delayMs: 0, maxDepth: 20, ...extra });
  return parsePipeline(YAML.stringify(doc), 'crawl.yaml');
}

describe('pipelines/crawl.yaml', () => {
  it('is valid as shipped, and its seeds are the user\'s to edit', () => {
    const p = loadPipeline('pipelines/crawl.yaml');
    expect(p.input.format).toBe('crawl');
    expect(p.input.crawl!.seeds.length).toBeGreaterThan(0);
  });

  it('names a bad crawl option, and refuses paths beside crawl', () => {
    expect(() => parsePipeline('name: x\ninput:\n  crawl:\n    seeds: [http://127.0.0.1/]\n    maxPage: 3\n')).toThrow(/input\.crawl\.maxPage: unknown option 'maxPage'/);
    expect(() => parsePipeline('name: x\ninput:\n  crawl:\n    seeds: [ftp://x/]\n')).toThrow(/input\.crawl\.seeds\[0\]/);
    expect(() => parsePipeline('name: x\ninput:\n  paths: [a.warc]\n  crawl:\n    seeds: [http://127.0.0.1/]\n')).toThrow(/input\.paths: give either paths or crawl/);
    expect(() => parsePipeline('name: x\ninput:\n  crawl:\n    seeds: [http://127.0.0.1/]\n    timeoutMs: -1\n')).toThrow(FatalError);
  });

  it('crawls and curates in one run: WARC under the run dir, pages through the stages, counts in stats.json', async () => {
    const dir = path.join(tmp, 'full');
    const { report } = await runPipeline(crawlPipeline(), { outputDir: dir, log: silentLogger });
    expect(report.reader.docs).toBe(TOPICS.length);
    expect(report.reader.records_by_type).toEqual({ response: TOPICS.length });
    expect(report.totals.balanced).toBe(true);
    expect(report.stages.map((s) => s.name)).toEqual(['extract', 'langid', 'pii', 'exact_dedup', 'minhash_dedup', 'length', 'gopher_repetition', 'gopher_quality', 'c4', 'fineweb_quality', 'c4_badwords']);
    expect(report.stages[0]!.in).toBe(TOPICS.length);
    expect(fs.readdirSync(path.join(dir, 'warc')).filter((f) => f.endsWith('.warc.gz'))).toEqual(['crawl-00000.warc.gz']);
    const crawlStats = JSON.parse(fs.readFileSync(path.join(dir, 'warc', 'crawl-stats.json'), 'utf8'));
    expect(crawlStats.outcomes.fetched).toBe(TOPICS.length);
    expect(fs.existsSync(path.join(dir, 'stats.json'))).toBe(true);
    for (const t of TOPICS.slice(1)) expect(site.count(`/${t}`)).toBe(1);
  });

  it('resumes a cut crawl: whole WARC files are replayed, not fetched again; a half-written one is redone', async () => {
    const dir = path.join(tmp, 'resume');
    const warcDir = path.join(dir, 'warc');
    const before = site.hits.length;
    // the first attempt: stopped after 4 pages (maxPages), as an interrupt stops it, with one WARC
    // file per page so each is whole; then a kill mid-file is faked by a leftover .tmp
    await runCrawl({ config: CrawlConfig.parse({ seeds: [`${site.origin}/`], delayMs: 0, maxDepth: 20, maxPages: 4, maxFileBytes: 1 }), warcDir });
    expect(fs.readdirSync(warcDir).filter((f) => f.endsWith('.warc.gz'))).toHaveLength(4);
    const last = path.join(warcDir, 'crawl-00003.warc.gz');
    fs.renameSync(last, last + '.tmp'); // the 4th page's file was never finished
    const firstHits = site.hits.slice(before).map((h) => h.path);
    expect(firstHits.filter((p) => p !== '/robots.txt' && p !== '/sitemap.xml')).toEqual(['/', '/lake', '/forest', '/mountain']);

    const mark = site.hits.length;
    const { report } = await runPipeline(crawlPipeline(), { outputDir: dir, log: silentLogger });
    const again = site.hits.slice(mark).map((h) => h.path).filter((p) => p !== '/robots.txt' && p !== '/sitemap.xml');
    // the three whole files are replayed; the page of the unfinished file and the rest are fetched
    expect(again).toEqual(TOPICS.slice(3).map((t) => `/${t}`));
    expect(report.reader.docs).toBe(TOPICS.length);
    expect(report.totals.balanced).toBe(true);
    expect(fs.existsSync(last + '.tmp')).toBe(false);
    const stats = JSON.parse(fs.readFileSync(path.join(dir, 'stats.json'), 'utf8'));
    expect(stats.reader.docs).toBe(TOPICS.length);
  });
});
