// The crawler against a loopback site: every outcome counted by its reason, robots.txt obeyed
// (Disallow and Crawl-delay), retries, timeouts, redirect loops, the size cap while streaming,
// binary and windows-1251 pages, and no request ever leaving 127.0.0.1.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { WARCParser } from 'warcio';
import { startSite, html, prose, type TestSite } from './server.js';
import { runCrawl, type CrawlSummary } from '../../src/crawl/crawler.js';
import { readCrawlDocs } from '../../src/crawl/source.js';
import { readDocs } from '../../src/io/readers.js';
import { readWarc } from '../../src/io/warc.js';
import { CrawlConfig } from '../../schemas/pipeline.js';
import { Counters } from '../../src/core/stats.js';
import type { Doc } from '../../src/core/doc.js';
import type { RecordError } from '../../src/core/errors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-crawl-'));
const dns = createRequire(import.meta.url)('node:dns') as typeof import('node:dns');
const PNG = Buffer.from('89504e470d0a1a0a0000000d4948445200000001000000010806000000', 'hex');
/** windows-1251 bytes of Russian text (А..я sit at 0xC0..0xFF; Node has no windows-1251 encoder) */
const cp1251 = (s: string) => Buffer.from([...s].map((c) => (c >= 'А' && c <= 'я' ? c.charCodeAt(0) - 0x410 + 0xc0 : c.charCodeAt(0))));
const RUSSIAN = 'Привет, мир! Это страница в кодировке windows-1251.';
const CP1251 = cp1251(RUSSIAN);

let site: TestSite;
let bigWritten = 0;
let bigClosedEarly = false;

function routes(origin: () => string) {
  return {
    '/robots.txt': (_q: unknown, r: import('node:http').ServerResponse) => {
      r.writeHead(200, { 'Content-Type': 'text/plain' });
      r.end(`User-agent: *\nDisallow: /private/\n\nSitemap: ${origin()}/sitemap.xml\n`);
    },
    '/sitemap.xml': (_q: unknown, r: import('node:http').ServerResponse) => {
      r.writeHead(200, { 'Content-Type': 'application/xml' });
      r.end(`<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>${origin()}/from-sitemap</loc></url></urlset>`);
    },
    '/': html(
      prose(
        'river',
        ['/a', '/private/secret', '/missing', '/flaky', '/always500', '/slow', '/loop1', '/redirect', '/big', '/binary', '/image.png', '/cp1251', '/cp1251-meta']
          .map((p) => `<a href="${p}">${p}</a>`)
          .join(' ') + '<a href="http://outside.invalid/page">elsewhere</a><a href="/a#section">same page</a><a rel="nofollow" href="/nofollow">nf</a>',
      ),
    ),
    '/a': html(prose('lake')),
    '/from-sitemap': html(prose('mountain')),
    '/private/secret': html('secret'),
    '/nofollow': html('nofollow'),
    '/flaky': (_q: unknown, r: import('node:http').ServerResponse, n: number) => (n === 1 ? html('busy', 503)(_q as never, r, n) : html(prose('forest'))(_q as never, r, n)),
    '/always500': html('down', 500),
    '/slow': (_q: unknown, r: import('node:http').ServerResponse) => {
      const t = setTimeout(() => html('late')(_q as never, r, 0), 1500);
      r.on('close', () => clearTimeout(t));
    },
    '/loop1': (_q: unknown, r: import('node:http').ServerResponse) => {
      r.writeHead(302, { Location: '/loop2' });
      r.end();
    },
    '/loop2': (_q: unknown, r: import('node:http').ServerResponse) => {
      r.writeHead(302, { Location: '/loop1' });
      r.end();
    },
    '/redirect': (_q: unknown, r: import('node:http').ServerResponse) => {
      r.writeHead(301, { Location: '/target' });
      r.end();
    },
    '/target': html(prose('valley')),
    // 30 MB, streamed in 64 KB chunks with no Content-Length: the crawler must cut it off
    '/big': (_q: unknown, r: import('node:http').ServerResponse) => {
      r.writeHead(200, { 'Content-Type': 'text/html' });
      const chunk = Buffer.alloc(64 * 1024, 'a');
      const total = 30 * 1024 * 1024;
      r.on('close', () => (bigClosedEarly = bigWritten < total));
      const pump = () => {
        while (bigWritten < total && !r.destroyed) {
          bigWritten += chunk.length;
          if (!r.write(chunk)) return void r.once('drain', pump);
        }
        if (!r.destroyed) r.end();
      };
      pump();
    },
    '/binary': (_q: unknown, r: import('node:http').ServerResponse) => {
      r.writeHead(200, { 'Content-Type': 'text/html' });
      r.end(Buffer.concat([PNG, Buffer.alloc(2000, 0)]));
    },
    '/image.png': (_q: unknown, r: import('node:http').ServerResponse) => {
      r.writeHead(200, { 'Content-Type': 'image/png' });
      r.end(PNG);
    },
    '/cp1251': (_q: unknown, r: import('node:http').ServerResponse) => {
      r.writeHead(200, { 'Content-Type': 'text/html; charset=windows-1251' });
      r.end(Buffer.concat([Buffer.from('<html><body><p>'), CP1251, Buffer.from('</p></body></html>')]));
    },
    '/cp1251-meta': (_q: unknown, r: import('node:http').ServerResponse) => {
      r.writeHead(200, { 'Content-Type': 'text/html' });
      r.end(Buffer.concat([Buffer.from('<html><head><meta charset="windows-1251"></head><body><p>'), CP1251, Buffer.from('</p></body></html>')]));
    },
  };
}

let summary: CrawlSummary;
let docs: Doc[] = [];
const readerStats = new Counters();
const recordErrors: RecordError[] = [];
const lookups: string[] = [];
const warcDir = path.join(tmp, 'run', 'warc');

beforeAll(async () => {
  let origin = '';
  site = await startSite(routes(() => origin));
  origin = site.origin;
  const realLookup = dns.lookup;
  (dns as { lookup: unknown }).lookup = (host: string, ...rest: unknown[]) => {
    lookups.push(host);
    return (realLookup as (...a: unknown[]) => unknown)(host, ...rest);
  };
  const config = CrawlConfig.parse({
    seeds: [`${origin}/`],
    delayMs: 0,
    concurrency: 6,
    concurrencyPerHost: 6,
    timeoutMs: 400,
    maxBytes: 1024 * 1024,
    retries: 1,
    retryBackoffMs: 20,
    userAgent: 'curate-test-bot/1.0 (+tests)',
  });
  try {
    for await (const d of readCrawlDocs({ maxRecordBytes: 16 << 20, crawl: config, runDir: path.join(tmp, 'run') }, { stats: readerStats, recordError: (e) => recordErrors.push(e) })) docs.push(d);
  } finally {
    (dns as { lookup: unknown }).lookup = realLookup;
  }
  summary = JSON.parse(fs.readFileSync(path.join(warcDir, 'crawl-stats.json'), 'utf8'));
}, 30_000);

afterAll(async () => {
  await site.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const outcomes = () => (summary as unknown as { outcomes: Record<string, number> }).outcomes;

describe('crawl against a loopback site', () => {
  it('counts each URL once under its outcome', () => {
    expect(outcomes()).toMatchObject({
      fetched: 7, // /, /a, /from-sitemap, /flaky (on retry), /redirect -> /target, /cp1251, /cp1251-meta
      robots_disallowed: 1,
      http_404: 1,
      http_5xx: 1,
      http_5xx_retried: 2, // /flaky once, /always500 once (retries: 1)
      timeout: 1,
      timeout_retried: 1,
      redirect_loop: 1,
      too_large: 1,
      binary_content: 1,
      not_html: 1,
      out_of_scope: 1,
      sitemap_urls: 1,
    });
  });

  it('obeys robots.txt, follows no nofollow link, and never asks any host but 127.0.0.1', () => {
    expect(site.count('/private/secret')).toBe(0);
    expect(site.count('/nofollow')).toBe(0);
    expect(site.count('/robots.txt')).toBe(1);
    expect(new Set(site.hits.map((h) => h.host))).toEqual(new Set([new URL(site.origin).host]));
    expect(site.hits.every((h) => h.userAgent === 'curate-test-bot/1.0 (+tests)')).toBe(true);
    expect(lookups).toEqual([]); // no DNS lookup at all: outside.invalid was never tried
    const frontier = fs.readFileSync(path.join(warcDir, '.crawl-state', 'frontier.jsonl'), 'utf8');
    expect(frontier).not.toContain('outside.invalid');
  });

  it('retries a 503 and a timeout once each, and a page is fetched once however often it is linked', () => {
    expect(site.count('/flaky')).toBe(2);
    expect(site.count('/always500')).toBe(2);
    expect(site.count('/slow')).toBe(2);
    expect(site.count('/a')).toBe(1);
    expect(site.count('/loop1')).toBe(1);
    expect(site.count('/loop2')).toBe(1);
  });

  it('cuts the 30 MB page off while it streams', () => {
    expect(bigClosedEarly).toBe(true);
    expect(bigWritten).toBeLessThan(30 * 1024 * 1024);
  });

  it('yields Docs as the WARC reader does, with windows-1251 decoded right', () => {
    const byUrl = new Map(docs.map((d) => [d.meta.url, d]));
    expect([...byUrl.keys()].sort()).toEqual(['/', '/a', '/cp1251', '/cp1251-meta', '/flaky', '/from-sitemap', '/target'].map((p) => site.origin + p).sort());
    const cp = byUrl.get(`${site.origin}/cp1251`)!;
    expect(cp.html).toContain(RUSSIAN);
    expect(byUrl.get(`${site.origin}/cp1251-meta`)!.html).toContain(RUSSIAN);
    expect(cp.meta).toMatchObject({ charset: 'windows-1251', charset_source: 'http', http_status: 200, content_type: 'text/html' });
    expect(byUrl.get(`${site.origin}/cp1251-meta`)!.meta).toMatchObject({ charset: 'windows-1251', charset_source: 'meta' });
    expect(byUrl.get(`${site.origin}/a`)!.html).toContain('About the lake');
    // the 404 and the redirect hops are records, skipped as the WARC reader skips them
    expect(readerStats.get('skipped.http_status_4xx')).toBe(1);
    expect(readerStats.get('skipped.http_status_3xx')).toBe(3); // /loop1, /loop2 (then /loop1 again is the loop), /redirect
    expect(readerStats.get('skipped.crawl_robots_disallowed')).toBe(1);
    expect(readerStats.get('docs')).toBe(7);
    expect(recordErrors).toEqual([]);
  });

  it('writes WARC/1.1 that our reader reads back into the same Docs', async () => {
    const files = fs.readdirSync(warcDir).filter((f) => f.endsWith('.warc.gz'));
    expect(files).toEqual(['crawl-00000.warc.gz']);
    const file = path.join(warcDir, files[0]!);
    const replayed: Doc[] = [];
    const stats = new Counters();
    for await (const d of readDocs('warc', file, { maxRecordBytes: 16 << 20 }, { stats, recordError: () => {} })) replayed.push(d);
    expect(replayed.map((d) => [d.id, d.meta.url, d.html, d.meta.source])).toEqual(docs.map((d) => [d.id, d.meta.url, d.html, d.meta.source]));
    const types: string[] = [];
    for await (const ev of readWarc(file, { maxRecordBytes: 16 << 20 })) {
      expect(ev.error).toBeUndefined();
      types.push(ev.record!.type);
      expect(ev.record!.version).toBe('WARC/1.1');
    }
    expect(types[0]).toBe('warcinfo');
    expect(types.filter((t) => t === 'request').length).toBe(types.filter((t) => t === 'response').length);
  });

  it('writes WARC that warcio reads, with digests warcio agrees with', async () => {
    const file = path.join(warcDir, 'crawl-00000.warc.gz');
    const byId = new Map<string, { type: string; concurrent?: string }>();
    let responses = 0;
    for await (const rec of new WARCParser(fs.createReadStream(file))) {
      const h = rec.warcHeaders.headers;
      byId.set(h.get('WARC-Record-ID')!, { type: rec.warcType!, concurrent: h.get('WARC-Concurrent-To') ?? undefined });
      if (rec.warcType === 'response') {
        responses++;
        expect(h.get('Content-Type')).toBe('application/http; msgtype=response');
        expect(h.get('WARC-IP-Address')).toBe('127.0.0.1');
        expect(h.get('WARC-Target-URI')).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
        expect(h.get('WARC-Payload-Digest')).toMatch(/^sha1:[A-Z2-7]{32}$/);
        expect(rec.httpHeaders?.statusCode).toBeDefined();
        const payload = await rec.readFully(true);
        const { sha1Digest } = await import('../../src/io/warc-write.js');
        expect(sha1Digest(payload)).toBe(h.get('WARC-Payload-Digest'));
      } else if (rec.warcType === 'request') {
        expect(h.get('Content-Type')).toBe('application/http; msgtype=request');
        await rec.readFully();
        expect(rec.httpHeaders?.statusline).toMatch(/^GET \/\S* HTTP\/1\.1$/);
        expect(rec.httpHeaders?.headers.get('User-Agent')).toBe('curate-test-bot/1.0 (+tests)');
      } else await rec.readFully();
    }
    expect(responses).toBe(11); // 7 pages (the redirect adds its 301 hop), a 404, two hops of the loop
    // each request names its response and the other way round
    for (const [id, r] of byId) if (r.type === 'request') expect(byId.get(r.concurrent!)).toMatchObject({ type: 'response', concurrent: id });
  });
});

describe('politeness', () => {
  it("waits robots.txt's Crawl-delay between requests to one host", async () => {
    const s = await startSite({
      '/robots.txt': (_q, r) => {
        r.writeHead(200, { 'Content-Type': 'text/plain' });
        r.end('User-agent: curate-polite\nCrawl-delay: 0.25\n\nUser-agent: *\nDisallow: /\n');
      },
      '/': html('<a href="/1">1</a><a href="/2">2</a><a href="/3">3</a>'),
      '/1': html('one'),
      '/2': html('two'),
      '/3': html('three'),
    });
    try {
      const dir = path.join(tmp, 'polite');
      const { stats } = await runCrawl({
        config: CrawlConfig.parse({ seeds: [`${s.origin}/`], delayMs: 0, concurrency: 4, concurrencyPerHost: 4, sitemaps: false, userAgent: 'curate-polite/1.0' }),
        warcDir: dir,
      });
      expect(stats.fetched).toBe(4);
      const at = s.hits.map((h) => h.at);
      // the group for our token applies, not `*` (which disallows everything); gaps are at least the delay
      // (measured where the server sees them: network jitter takes a few ms off either side)
      for (let i = 2; i < at.length; i++) expect(at[i]! - at[i - 1]!).toBeGreaterThanOrEqual(200);
    } finally {
      await s.close();
    }
  });
});
