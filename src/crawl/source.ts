// A crawl as a pipeline input (`input: { crawl: {...} }`): the crawl writes its WARC files under
// <run dir>/warc/ and each response record becomes a Doc through the WARC reader's own conversion
// (warcRecordToDoc), so a crawled page and the same page read back from the WARC are one Doc.
// A rerun after a kill first replays the whole WARC files of the earlier run, then crawls on.
import path from 'node:path';
import type { Doc } from '../core/doc.js';
import { FatalError } from '../core/errors.js';
import { Counters } from '../core/stats.js';
import { warcRecordToDoc, type ReaderContext, type ReaderOptions } from '../io/readers.js';
import { runCrawl, type CrawledResponse } from './crawler.js';

/** where a pipeline's crawl writes its WARC files */
export function crawlWarcDir(runDir: string): string {
  return path.join(runDir, 'warc');
}

/** a bounded hand-off between the crawler (producer) and the pipeline (consumer) */
class Channel<T> {
  private items: T[] = [];
  private waitingConsumer?: () => void;
  private waitingProducers: Array<() => void> = [];
  closed = false;
  error?: unknown;
  constructor(private readonly capacity: number) {}
  async push(item: T): Promise<void> {
    while (this.items.length >= this.capacity && !this.closed) await new Promise<void>((r) => this.waitingProducers.push(r));
    if (this.closed) return;
    this.items.push(item);
    this.waitingConsumer?.();
  }
  close(error?: unknown): void {
    this.closed = true;
    this.error ??= error;
    this.waitingConsumer?.();
    for (const p of this.waitingProducers.splice(0)) p();
  }
  async *drain(): AsyncGenerator<T> {
    for (;;) {
      if (this.items.length) {
        const item = this.items.shift()!;
        this.waitingProducers.shift()?.();
        yield item;
        continue;
      }
      if (this.closed) {
        if (this.error) throw this.error;
        return;
      }
      await new Promise<void>((r) => (this.waitingConsumer = r));
      this.waitingConsumer = undefined;
    }
  }
}

export async function* readCrawlDocs(opts: ReaderOptions, ctx: ReaderContext): AsyncGenerator<Doc> {
  if (!opts.crawl || !opts.runDir) throw new FatalError('input.crawl: the crawl input needs its crawl options and the run dir', 'input.crawl');
  const warcDir = crawlWarcDir(opts.runDir);
  const crawlStats = new Counters();
  const channel = new Channel<CrawledResponse>(16);
  const abort = new AbortController();
  let bytes = 0;
  const crawl = runCrawl({
    config: opts.crawl,
    warcDir,
    stats: crawlStats,
    signal: abort.signal,
    onResponse: (r) => channel.push(r),
    onProgress: (p) => {
      if (p.bytes !== bytes) ctx.onBytes?.((bytes = p.bytes));
    },
  }).then(
    () => channel.close(),
    (e: unknown) => channel.close(e),
  );
  const readerOpts = { maxRecordBytes: opts.maxRecordBytes, keepNonOk: opts.keepNonOk };
  try {
    for await (const r of channel.drain()) {
      const rec = r.record;
      ctx.stats.inc('records');
      ctx.stats.inc('records_by_type.response');
      if (r.replayed) ctx.stats.inc('crawl.replayed_records');
      const out = warcRecordToDoc(rec, r.file, readerOpts);
      if (typeof out === 'string') ctx.stats.inc(`skipped.${out}`);
      else if (out instanceof Error) {
        ctx.stats.inc(`errors.${out.reason}`);
        ctx.recordError(out);
      } else {
        ctx.stats.inc('docs');
        yield out;
      }
    }
  } finally {
    // the pipeline stopped early (an error, an interrupt): stop the crawl, keep what is whole
    abort.abort();
    channel.close();
    await crawl;
    for (const [k, v] of Object.entries(crawlStats.toJSON())) {
      ctx.stats.inc(`crawl.${k}`, v);
      // URLs that became no record, in stats.json's reader.skipped beside the records skipped
      if (!['fetched', 'bytes', 'warc_records', 'redirects', 'robots_txt_fetched', 'sitemaps_fetched', 'sitemap_urls', 'resumed_done_urls', 'queued_left'].includes(k) && !k.endsWith('_retried') && !k.startsWith('http_'))
        ctx.stats.inc(`skipped.crawl_${k}`, v);
    }
  }
}
