// Crawl speed and memory: `curate crawl`'s engine against a local site with politeness off (no
// delay, 32 requests in flight), pages/s and RSS sampled over the crawl. The site runs in a child
// process so it does not share the crawler's event loop. Flags: --pages N (50000), --concurrency N.
import { fork } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { flag, isEntryPoint, machine, codeRevision, note, printResult, round, runMain, tempDir, startRssSampler, peakRssMb } from './common.js';
import { runCrawl } from '../src/crawl/crawler.js';
import { CrawlConfig } from '../schemas/pipeline.js';

const PARAGRAPH = 'The river runs past the old mill and under the stone bridge, where the town keeps its market on Saturdays. ';

/** the site: page i links to pages i+1..i+8, ~5 KB of prose each */
function serve(pages: number): void {
  const server = http.createServer((req, res) => {
    const m = /^\/p(\d+)$/.exec(req.url ?? '');
    if (!m) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('no');
      return;
    }
    const i = Number(m[1]);
    const links = Array.from({ length: 8 }, (_, k) => i + k + 1).filter((j) => j < pages).map((j) => `<a href="/p${j}">page ${j}</a>`).join(' ');
    res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' });
    res.end(`<!doctype html><html><head><title>Page ${i}</title></head><body><article><h1>Page ${i}</h1>${`<p>${PARAGRAPH.repeat(8)}</p>`.repeat(5)}</article><nav>${links}</nav></body></html>`);
  });
  server.listen(0, '127.0.0.1', () => process.send!({ port: (server.address() as AddressInfo).port }));
}

async function main(): Promise<void> {
  const pages = Number(flag('pages') ?? 50_000);
  const concurrency = Number(flag('concurrency') ?? 32);
  const env = machine();
  startRssSampler();
  const child = fork(fileURLToPath(import.meta.url), ['--serve', String(pages)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const port = await new Promise<number>((r) => child.once('message', (m: { port: number }) => r(m.port)));
  const out = tempDir('crawl');
  const rss: Array<{ pages: number; rss_mb: number }> = [];
  let fetched = 0;
  const timer = setInterval(() => {
    (globalThis as { gc?: () => void }).gc?.();
    rss.push({ pages: fetched, rss_mb: round(process.memoryUsage().rss / 1e6, 1) });
    if (process.env.BENCH_HEAP) note(`heap used ${round(process.memoryUsage().heapUsed / 1e6, 1)} MB`);
    note(`crawl bench: ${fetched} pages, rss ${rss[rss.length - 1]!.rss_mb} MB`);
  }, 2000);
  const started = process.hrtime.bigint();
  try {
    const summary = await runCrawl({
      config: CrawlConfig.parse({ seeds: [`http://127.0.0.1:${port}/p0`], maxPages: pages, maxDepth: pages, delayMs: 0, concurrency, concurrencyPerHost: concurrency, sitemaps: false, retries: 0, maxFileBytes: 256 * 1024 * 1024 }),
      warcDir: out.dir,
      onProgress: (p) => (fetched = p.fetched),
    });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const at = (frac: number) => rss.find((r) => r.pages >= pages * frac)?.rss_mb ?? null;
    printResult({
      bench: 'crawl',
      pages: summary.stats.fetched,
      seconds: round(seconds, 1),
      pages_per_s: round((summary.stats.fetched ?? 0) / seconds, 1),
      mb_per_s: round((summary.stats.bytes ?? 0) / 1e6 / seconds, 2),
      concurrency,
      warc_files: summary.warcFiles.length,
      rss_mb_at: { '10%': at(0.1), '50%': at(0.5), '90%': at(0.9) },
      peak_rss_mb: peakRssMb(),
      machine: env,
      code: codeRevision(),
    });
  } finally {
    clearInterval(timer);
    child.kill();
    out.remove();
  }
}

if (process.argv[2] === '--serve') serve(Number(process.argv[3]));
else if (isEntryPoint(import.meta.url)) runMain(main);
