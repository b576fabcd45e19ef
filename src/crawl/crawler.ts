// The crawler: crawlee's BasicCrawler drives the request queue, concurrency and retries; each
// request is fetched here (src/crawl/fetch.ts) so the WARC file gets the request and response as
// they went over the wire. Politeness (robots.txt, Crawl-delay, per-host delay and concurrency),
// scope, redirects and the outcome of every URL are ours. docs/crawl.md describes the design.
import fs from 'node:fs';
import path from 'node:path';
import { BasicCrawler, type Request } from '@crawlee/basic';
import { Configuration, Log, LogLevel, log as crawleeLog } from '@crawlee/core';
import { RobotsTxtFile } from '@crawlee/utils';
import type { CrawlConfig } from '../../schemas/pipeline.js';
import { Counters } from '../core/stats.js';
import { readWarc, type WarcRecord } from '../io/warc.js';
import { parseHttpResponse } from '../io/http.js';
import { decodeHtml } from '../io/charset.js';
import { isHtmlType, mimeType, sniffBinary } from '../io/sniff.js';
import { WarcWriter, completedWarcFiles, warcSequence } from '../io/warc-write.js';
import { writeFileAtomic } from '../io/atomic.js';
import { CRAWL_STATS_FILE } from '../run/inputs.js';
import { fetchPage, type FetchedResponse } from './fetch.js';
import { HostGate } from './host-gate.js';
import { extractLinks, parseSitemap } from './links.js';
import { Scope, normalizeUrl } from './scope.js';

export { CRAWL_STATS_FILE };
export const WARC_PREFIX = 'crawl';
/** the crawl's journals (URLs queued, outcomes that left no WARC record), for resuming */
export const STATE_DIR = '.crawl-state';

/** a response record that exists in a whole or growing WARC file */
export interface CrawledResponse {
  record: WarcRecord;
  /** final name of the WARC file */
  file: string;
  /** replayed from a WARC file an earlier run completed */
  replayed: boolean;
}

export interface CrawlProgress {
  fetched: number;
  queued: number;
  failed: Record<string, number>;
  bytes: number;
  elapsedS: number;
}

export interface CrawlRunOptions {
  config: CrawlConfig;
  /** where WARC files, the stats JSON and the journals go */
  warcDir: string;
  /** outcome counters (fetched, robots_disallowed, http_404, timeout...), filled as the crawl goes */
  stats?: Counters;
  signal?: AbortSignal;
  /** every response record, replayed ones first; awaited, so a slow consumer slows the crawl */
  onResponse?(r: CrawledResponse): Promise<void> | void;
  onProgress?(p: CrawlProgress): void;
  /** one line for the log: resumed state, robots.txt trouble */
  onNote?(message: string): void;
}

export interface CrawlSummary {
  stats: Record<string, number>;
  warcFiles: string[];
  statsFile: string;
  seconds: number;
}

/** outcomes that end a URL without a WARC record: journaled so a resumed crawl does not retry them */
const FAILED = ['robots_disallowed', 'timeout', 'too_large', 'not_html', 'binary_content', 'http_5xx', 'fetch_error', 'redirect_loop', 'too_many_redirects', 'robots_unavailable'];

class RetryableFetch extends Error {
  constructor(
    readonly reason: 'timeout' | 'fetch_error' | 'http_5xx',
    message: string,
  ) {
    super(message);
  }
}

interface Journal {
  append(line: object): void;
  close(): void;
}

function openJournal(file: string): Journal {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file, 'a');
  return { append: (line) => fs.writeSync(fd, JSON.stringify(line) + '\n'), close: () => fs.closeSync(fd) };
}

function readJournal<T>(file: string): T[] {
  if (!fs.existsSync(file)) return [];
  const out: T[] = [];
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      out.push(JSON.parse(line) as T);
    } catch {
      // a line cut by a kill: the URL is queued or tried again
    }
  }
  return out;
}

/** URLs handed to one crawlee crawler; its queue is dropped after */
const BATCH_URLS = 5000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function statusOf(record: WarcRecord): number {
  const m = /^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(record.body?.subarray(0, 32).toString('latin1') ?? '');
  return m ? Number(m[1]) : 0;
}

/** the robots.txt product token of a user agent: `curate-crawler/0.1 (+...)` -> `curate-crawler` */
export function robotsToken(userAgent: string): string {
  return userAgent.split(/[\s/]/)[0] || '*';
}

export async function runCrawl(opts: CrawlRunOptions): Promise<CrawlSummary> {
  const cfg = opts.config;
  const started = Date.now();
  const stats = opts.stats ?? new Counters();
  const note = opts.onNote ?? (() => {});
  const stateDir = path.join(opts.warcDir, STATE_DIR);
  fs.mkdirSync(stateDir, { recursive: true });
  const frontierFile = path.join(stateDir, 'frontier.jsonl');
  const outcomesFile = path.join(stateDir, 'outcomes.jsonl');

  // --- resume: what earlier runs finished -----------------------------------------------------
  const done = new Set<string>();
  const seen = new Set<string>();
  let attempted = 0;
  const whole = completedWarcFiles(opts.warcDir, WARC_PREFIX);
  for (const file of whole) {
    for await (const ev of readWarc(file, { maxRecordBytes: Number.MAX_SAFE_INTEGER })) {
      if (!ev.record || ev.record.type !== 'response') continue;
      const url = ev.record.headers['warc-target-uri'];
      if (url) done.add(url);
      await opts.onResponse?.({ record: ev.record, file, replayed: true });
    }
  }
  const outcomes = readJournal<{ u: string; o: string }>(outcomesFile);
  for (const o of outcomes) done.add(o.u);
  const queued = readJournal<{ u: string; d: number }>(frontierFile);
  const pending: Array<{ u: string; d: number }> = [];
  for (const q of queued) {
    if (seen.has(q.u)) continue;
    seen.add(q.u);
    if (done.has(q.u)) attempted++;
    else pending.push(q);
  }
  for (const u of done) seen.add(u);
  if (whole.length || queued.length) note(`crawl: resuming: ${whole.length} whole WARC file(s), ${done.size} URL(s) done, ${pending.length} still queued`);
  stats.inc('resumed_done_urls', done.size);

  const frontier = openJournal(frontierFile);
  const outcomeLog = openJournal(outcomesFile);
  const seeds = cfg.seeds.map((s) => normalizeUrl(s)).filter((s): s is string => Boolean(s));
  const scope = new Scope(cfg, seeds);
  const gate = new HostGate(cfg.delayMs, cfg.concurrencyPerHost);
  const ua = cfg.userAgent;
  const token = robotsToken(ua);
  const fetchOpts = { userAgent: ua, timeoutMs: cfg.timeoutMs, maxBytes: cfg.maxBytes, contentTypes: cfg.contentTypes, signal: opts.signal };
  const writer = new WarcWriter({
    dir: opts.warcDir,
    prefix: WARC_PREFIX,
    maxFileBytes: cfg.maxFileBytes,
    firstSequence: whole.length ? warcSequence(whole[whole.length - 1]!) + 1 : 0,
    info: { operator: 'curate crawl', robots: cfg.respectRobots ? 'obey' : 'ignore', 'http-header-user-agent': ua, isPartOf: path.basename(path.resolve(opts.warcDir, '..')) },
  });

  let fetched = 0;
  let bytes = 0;
  let inQueue = pending.length;
  const progress = () => opts.onProgress?.({ fetched, queued: inQueue, failed: failures(), bytes, elapsedS: (Date.now() - started) / 1000 });
  const failures = () => {
    const f: Record<string, number> = {};
    for (const [k, v] of Object.entries(stats.toJSON())) if (FAILED.includes(k) || /^http_\d/.test(k)) f[k] = v;
    return f;
  };
  const outcome = (url: string, reason: string, journal = FAILED.includes(reason)) => {
    stats.inc(reason);
    if (journal) outcomeLog.append({ u: url, o: reason });
    progress();
  };

  // --- robots.txt, one per origin ----------------------------------------------------------------
  const robots = new Map<string, Promise<RobotsTxtFile | 'unavailable' | undefined>>();
  const robotsFor = (url: string) => {
    const origin = new URL(url).origin;
    let r = robots.get(origin);
    if (!r) {
      r = (async () => {
        const host = new URL(url).host;
        const release = await gate.acquire(host, opts.signal);
        const res = await fetchPage(`${origin}/robots.txt`, { ...fetchOpts, maxBytes: 512 * 1024, contentTypes: undefined }).finally(release);
        stats.inc('robots_txt_fetched');
        // RFC 9309 2.3.1: a 4xx robots.txt means no rules; a 5xx or no answer means crawl nothing for now
        if (!res.ok || res.status >= 500) {
          note(`crawl: ${origin}/robots.txt unavailable (${res.ok ? `HTTP ${res.status}` : res.reason}): not crawling that host`);
          return 'unavailable' as const;
        }
        if (res.status >= 400) return undefined;
        const text = (parseHttpResponse(Buffer.concat([res.responseHead, res.body]), 512 * 1024)?.payload ?? res.body).toString('utf8');
        const file = RobotsTxtFile.from(`${origin}/robots.txt`, text);
        // crawlee's RobotsTxtFile wraps robots-parser but does not expose Crawl-delay
        const delayS = (file as unknown as { robots?: { getCrawlDelay?(ua: string): number | undefined } }).robots?.getCrawlDelay?.(token);
        if (delayS && delayS > 0) gate.setDelay(new URL(url).host, Math.min(cfg.maxCrawlDelayMs, delayS * 1000));
        return file;
      })();
      robots.set(origin, r);
    }
    return r;
  };
  /** undefined when allowed, else the outcome */
  const robotsVerdict = async (url: string): Promise<string | undefined> => {
    if (!cfg.respectRobots) return undefined;
    const r = await robotsFor(url);
    if (r === 'unavailable') return 'robots_unavailable';
    if (r && !r.isAllowed(url, token)) return 'robots_disallowed';
    return undefined;
  };

  // --- crawlee: queue, concurrency, retries; its storage stays in memory under storageDir ---------
  const storageDir = cfg.storageDir ?? path.join(opts.warcDir, '.crawlee');
  const quiet = new Log({ level: LogLevel.OFF });
  crawleeLog.setLevel(LogLevel.OFF);
  // Our FIFO holds the frontier and feeds crawlee's queue. crawlee's memory storage scans every
  // request its queue ever held, handled or not, each time it fetches the head, so one queue for a
  // whole crawl is quadratic (bench/crawl.ts): a crawler takes at most BATCH_URLS requests, then
  // drains and the next one starts with a fresh queue.
  const queue = pending.slice();
  let head = 0;
  let fed = 0;
  const take = (n: number) => {
    const items = queue.slice(head, head + n);
    head += items.length;
    if (head > 100_000) queue.splice(0, head), (head = 0);
    fed += items.length;
    return items.map((i) => ({ url: i.u, uniqueKey: i.u, userData: { depth: i.d } }));
  };
  const enqueue = async (items: Array<{ u: string; d: number }>) => {
    for (const i of items) {
      if (seen.has(i.u)) continue;
      seen.add(i.u);
      frontier.append(i);
      queue.push(i);
      inQueue++;
    }
    // called from a request handler, so the crawler cannot finish before these are in its queue
    if (crawler && fed < BATCH_URLS && head < queue.length) await crawler.addRequests(take(BATCH_URLS - fed), { waitForAllRequestsToBeAdded: true });
  };

  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    note(`crawl: stopping: ${why}`);
    crawler?.stop(why);
  };

  const handle = async (request: Request): Promise<void> => {
    const url = request.url;
    const depth = Number(request.userData.depth ?? 0);
    if (opts.signal?.aborted) return;
    if (!request.userData.counted) {
      if (attempted >= cfg.maxPages) {
        // not an outcome: a later run with a larger maxPages takes it from the journal
        stats.inc('not_fetched_max_pages');
        inQueue--;
        stop(`maxPages=${cfg.maxPages} reached`);
        return;
      }
      attempted++;
      request.userData.counted = true;
    }
    const notBefore = Number(request.userData.notBefore ?? 0);
    if (notBefore > Date.now()) await sleep(notBefore - Date.now());
    let current = url;
    const chain = new Set([url]);
    for (let hop = 0; ; hop++) {
      const blocked = await robotsVerdict(current);
      if (blocked) return finishUrl(url, blocked);
      const host = new URL(current).host;
      const release = await gate.acquire(host, opts.signal);
      const res = await fetchPage(current, fetchOpts).finally(release);
      if (!res.ok) {
        if (res.reason === 'aborted') return;
        if (res.reason === 'timeout' || res.reason === 'fetch_error') throw new RetryableFetch(res.reason, res.message);
        return finishUrl(url, res.reason);
      }
      if (res.status >= 500) throw new RetryableFetch('http_5xx', `HTTP ${res.status}`);
      const http = parseHttpResponse(Buffer.concat([res.responseHead, res.body]), cfg.maxBytes * 4);
      const payload = http?.payload ?? res.body;
      if (res.status >= 200 && res.status < 300 && sniffBinary(payload)) return finishUrl(url, 'binary_content');
      await record(res);
      seen.add(current);
      if (res.location && res.status >= 300 && res.status < 400) {
        stats.inc('redirects');
        const next = normalizeUrl(res.location);
        if (!next) return finishUrl(url, 'http_3xx_bad_location');
        if (chain.has(next)) return finishUrl(url, 'redirect_loop');
        if (hop + 1 > cfg.maxRedirects) return finishUrl(url, 'too_many_redirects');
        if (!scope.allows(next)) return finishUrl(url, 'redirect_out_of_scope');
        if (seen.has(next)) return finishUrl(url, 'redirect_to_seen'); // fetched, or queued, on its own
        chain.add(next);
        seen.add(next);
        current = next;
        continue;
      }
      if (res.status >= 200 && res.status < 300) {
        fetched++;
        finishUrl(url, 'fetched');
        const mime = mimeType(res.headers['content-type']);
        if (depth < cfg.maxDepth && (isHtmlType(mime) || !mime)) {
          const html = decodeHtml(payload, res.headers['content-type']).text;
          const next: Array<{ u: string; d: number }> = [];
          for (const link of extractLinks(html, current)) {
            if (seen.has(link)) continue;
            if (!scope.allows(link)) {
              seen.add(link); // counted once
              stats.inc('out_of_scope');
              continue;
            }
            next.push({ u: link, d: depth + 1 });
          }
          await enqueue(next);
        }
        return;
      }
      return finishUrl(url, `http_${res.status}`);
    }
  };
  const finishUrl = (url: string, reason: string) => {
    inQueue--;
    outcome(url, reason);
  };
  const record = async (res: FetchedResponse) => {
    bytes += res.responseHead.length + res.body.length;
    const w = writer.writeExchange({ url: res.url, date: res.date, ip: res.ip, requestHead: res.requestHead, responseHead: res.responseHead, body: res.body });
    stats.inc('warc_records', 2);
    await opts.onResponse?.({ record: w.response, file: w.file, replayed: false });
  };

  let crawler: BasicCrawler | undefined;
  const newCrawler = () =>
    new BasicCrawler(
      {
        requestHandler: async ({ request }) => handle(request),
        errorHandler: async ({ request }, error) => {
          const reason = error instanceof RetryableFetch ? error.reason : 'fetch_error';
          stats.inc(`${reason}_retried`);
          request.userData.notBefore = Date.now() + cfg.retryBackoffMs * 2 ** request.retryCount;
        },
        failedRequestHandler: async ({ request }, error) => {
          finishUrl(request.url, error instanceof RetryableFetch ? error.reason : 'fetch_error');
        },
        maxRequestRetries: cfg.retries,
        minConcurrency: cfg.concurrency,
        maxConcurrency: cfg.concurrency,
        // a page may wait out a Crawl-delay on every redirect hop
        requestHandlerTimeoutSecs: Math.ceil(((cfg.timeoutMs + cfg.maxCrawlDelayMs) * (cfg.maxRedirects + 2)) / 1000) + 60,
        useSessionPool: false,
        retryOnBlocked: false,
        statusMessageLoggingInterval: 1e6,
        log: quiet,
        autoscaledPoolOptions: { maybeRunIntervalSecs: 0.05 },
      },
      new Configuration({ persistStorage: false, purgeOnStart: true, storageClientOptions: { localDataDirectory: storageDir, persistStorage: false } }),
    );

  const onAbort = () => stop('interrupted');
  opts.signal?.addEventListener('abort', onAbort);
  const progressTimer = setInterval(progress, 250);
  try {
    const start: Array<{ u: string; d: number }> = [];
    for (const s of seeds) if (!seen.has(s)) start.push({ u: s, d: 0 });
    for (const s of seeds) if (!scope.allows(s, true)) note(`crawl: seed ${s} is excluded by the include/exclude patterns`);
    await enqueue(start.filter((s) => scope.allows(s.u, true)));
    if (cfg.sitemaps) await discoverSitemaps();
    while (head < queue.length && !stopping && !opts.signal?.aborted) {
      fed = 0;
      const first = take(BATCH_URLS);
      crawler = newCrawler();
      await crawler.run(first);
      crawler = undefined;
    }
  } finally {
    clearInterval(progressTimer);
    opts.signal?.removeEventListener('abort', onAbort);
    frontier.close();
    outcomeLog.close();
    writer.close();
  }
  stats.inc('bytes', bytes);
  stats.inc('queued_left', Math.max(0, inQueue));
  progress();
  const statsFile = path.join(opts.warcDir, CRAWL_STATS_FILE);
  const summary: CrawlSummary = { stats: stats.toJSON(), warcFiles: completedWarcFiles(opts.warcDir, WARC_PREFIX), statsFile, seconds: (Date.now() - started) / 1000 };
  writeFileAtomic(statsFile, JSON.stringify({ version: 1, seeds: cfg.seeds, finished: new Date().toISOString(), seconds: summary.seconds, pages_per_s: fetched / Math.max(1e-9, summary.seconds), outcomes: summary.stats, warc_files: summary.warcFiles.map((f) => path.basename(f)) }, null, 2));
  return summary;

  /** robots.txt Sitemap: lines and /sitemap.xml of each seed host; URLs in scope are queued at depth 1 */
  async function discoverSitemaps(): Promise<void> {
    const origins = [...new Set(seeds.map((s) => new URL(s).origin))];
    const todo: string[] = [];
    for (const origin of origins) {
      const r = cfg.respectRobots ? await robotsFor(origin + '/') : undefined;
      const listed = r && r !== 'unavailable' ? r.getSitemaps() : [];
      todo.push(...(listed.length ? listed : [`${origin}/sitemap.xml`]));
    }
    const read = new Set<string>();
    while (todo.length && read.size < 50) {
      const sm = todo.shift()!;
      if (read.has(sm) || !scope.allows(sm, true) || opts.signal?.aborted) continue;
      read.add(sm);
      if (await robotsVerdict(sm)) continue;
      const release = await gate.acquire(new URL(sm).host, opts.signal);
      const res = await fetchPage(sm, { ...fetchOpts, contentTypes: undefined }).finally(release);
      if (!res.ok || res.status !== 200) continue;
      stats.inc('sitemaps_fetched');
      let body = parseHttpResponse(Buffer.concat([res.responseHead, res.body]), cfg.maxBytes * 4)?.payload ?? res.body;
      if (body[0] === 0x1f && body[1] === 0x8b) body = (await import('node:zlib')).gunzipSync(body, { maxOutputLength: cfg.maxBytes * 4 });
      const entries = parseSitemap(body.toString('utf8'), sm);
      todo.push(...entries.sitemaps);
      const inScope = entries.urls.filter((u) => scope.allows(u));
      stats.inc('sitemap_urls', inScope.length);
      await enqueue(inScope.map((u) => ({ u, d: Math.min(1, cfg.maxDepth) })));
    }
  }
}
