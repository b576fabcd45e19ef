// `curate crawl --seeds <file or URL> ... --out <dir>`: crawl to WARC files plus crawl-stats.json,
// with a progress line on a terminal. Options are the pipeline YAML's input.crawl, as flags.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { FatalError } from '../core/errors.js';
import { CrawlConfig } from '../../schemas/pipeline.js';
import { zodFatal } from '../run/config.js';
import { humanBytes } from '../run/progress.js';
import { runCrawl, type CrawlProgress } from './crawler.js';

type Out = { out: (s: string) => void; err: (s: string) => void };

export const CRAWL_USAGE = `usage: curate crawl --seeds <URL | file of URLs> ... --out DIR [options]
  --max-pages N            pages fetched at most (1000)
  --max-depth N            links followed from a seed (3)
  --scope host|domain|any  which links are followed (domain: the seeds' domains and subdomains)
  --include PATTERN ...    only URLs matching a glob (* any run, ? one character) or a /regex/
  --exclude PATTERN ...    never URLs matching
  --delay-ms N             least time between requests to one host (1000); robots.txt Crawl-delay raises it
  --concurrency N          requests in flight (8);  --concurrency-per-host N (1)
  --timeout-ms N           one request, connect to last byte (30000)
  --max-bytes N            a larger body is cut off and the page skipped (10485760)
  --retries N              retries of 5xx, timeouts, network errors (2), --retry-backoff-ms N (1000, doubled)
  --user-agent UA          sent with every request and matched against robots.txt
  --ignore-robots          do not fetch or obey robots.txt
  --no-sitemaps            do not read robots.txt Sitemap: lines and /sitemap.xml
  --content-types T,...    payload types kept (text/html,application/xhtml+xml,text/plain)
  --max-file-bytes N       roll WARC files at this size (1 GiB)
  --storage-dir DIR        crawlee's storage (default DIR/.crawlee; kept in memory)
A rerun with the same --out resumes: whole WARC files are kept, URLs done are not fetched again.`;

/** --seeds values: URLs, or files with one URL a line (# comments) */
export function readSeeds(values: string[]): string[] {
  const out: string[] = [];
  for (const v of values) {
    if (/^https?:\/\//i.test(v)) out.push(v);
    else {
      let text: string;
      try {
        text = fs.readFileSync(v, 'utf8');
      } catch {
        throw new FatalError(`--seeds: ${v} is neither an http(s) URL nor a readable file`, 'seeds');
      }
      for (const line of text.split(/\r?\n/)) {
        const u = line.replace(/#.*$/, '').trim();
        if (u) out.push(u);
      }
    }
  }
  return out;
}

export function formatCrawlProgress(p: CrawlProgress): string {
  const failed = Object.entries(p.failed).filter(([, v]) => v > 0);
  const total = failed.reduce((a, [, v]) => a + v, 0);
  const rate = p.elapsedS > 0 ? p.fetched / p.elapsedS : 0;
  return `crawl: ${p.fetched} fetched, ${p.queued} queued, ${total} failed${failed.length ? ` (${failed.map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}, ${humanBytes(p.bytes)}, ${rate.toFixed(1)} pages/s`;
}

export async function cmdCrawl(args: string[], io: Out): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      seeds: { type: 'string', multiple: true },
      out: { type: 'string' },
      'max-pages': { type: 'string' },
      'max-depth': { type: 'string' },
      scope: { type: 'string' },
      include: { type: 'string', multiple: true },
      exclude: { type: 'string', multiple: true },
      'delay-ms': { type: 'string' },
      concurrency: { type: 'string' },
      'concurrency-per-host': { type: 'string' },
      'timeout-ms': { type: 'string' },
      'max-bytes': { type: 'string' },
      retries: { type: 'string' },
      'retry-backoff-ms': { type: 'string' },
      'max-redirects': { type: 'string' },
      'user-agent': { type: 'string' },
      'ignore-robots': { type: 'boolean', default: false },
      'no-sitemaps': { type: 'boolean', default: false },
      'content-types': { type: 'string' },
      'max-file-bytes': { type: 'string' },
      'storage-dir': { type: 'string' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || !values.seeds?.length || !values.out) {
    io.out(CRAWL_USAGE);
    return values.help ? 0 : 2;
  }
  const num = (flag: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new FatalError(`--${flag}: expected a number, got '${v}'`, flag);
    return n;
  };
  const raw = {
    seeds: readSeeds(values.seeds),
    maxPages: num('max-pages', values['max-pages']),
    maxDepth: num('max-depth', values['max-depth']),
    scope: values.scope,
    include: values.include,
    exclude: values.exclude,
    delayMs: num('delay-ms', values['delay-ms']),
    concurrency: num('concurrency', values.concurrency),
    concurrencyPerHost: num('concurrency-per-host', values['concurrency-per-host']),
    timeoutMs: num('timeout-ms', values['timeout-ms']),
    maxBytes: num('max-bytes', values['max-bytes']),
    retries: num('retries', values.retries),
    retryBackoffMs: num('retry-backoff-ms', values['retry-backoff-ms']),
    maxRedirects: num('max-redirects', values['max-redirects']),
    userAgent: values['user-agent'],
    respectRobots: values['ignore-robots'] ? false : undefined,
    sitemaps: values['no-sitemaps'] ? false : undefined,
    contentTypes: values['content-types']?.split(',').map((s) => s.trim()),
    maxFileBytes: num('max-file-bytes', values['max-file-bytes']),
    storageDir: values['storage-dir'],
  };
  const parsed = CrawlConfig.safeParse(Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined)));
  if (!parsed.success) throw zodFatal(parsed.error, 'crawl');
  const outDir = values.out;
  try {
    fs.mkdirSync(outDir, { recursive: true });
  } catch (e) {
    throw new FatalError(`--out: cannot create ${outDir}: ${(e as Error).message}`, 'out');
  }
  const tty = Boolean(process.stderr.isTTY) && !process.env.CI && !values.quiet;
  let shown = false;
  let last = 0;
  const clear = () => {
    if (shown) process.stderr.write('\r\x1b[2K');
    shown = false;
  };
  const abort = new AbortController();
  const onSignal = () => {
    clear();
    io.err('crawl: interrupted: finishing the requests in flight; rerun with the same --out to resume');
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const summary = await runCrawl({
      config: parsed.data,
      warcDir: outDir,
      signal: abort.signal,
      onNote: (m) => {
        clear();
        if (!values.quiet) io.err(m);
      },
      onProgress: (p) => {
        if (!tty || Date.now() - last < 200) return;
        last = Date.now();
        process.stderr.write('\r\x1b[2K' + formatCrawlProgress(p).slice(0, (process.stderr.columns || 120) - 1));
        shown = true;
      },
    });
    clear();
    const s = summary.stats;
    io.err(`crawl: ${s.fetched ?? 0} pages fetched in ${summary.seconds.toFixed(1)} s; outcomes: ${Object.entries(s).map(([k, v]) => `${k} ${v}`).join(', ')}`);
    io.err(`WARC files: ${summary.warcFiles.map((f) => path.relative(process.cwd(), f)).join(', ') || '(none)'}`);
    io.err(`stats:      ${path.relative(process.cwd(), summary.statsFile)}`);
    return abort.signal.aborted ? 130 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
