// The pipeline YAML, validated once when loaded: an unknown stage or option, or a mistyped value,
// stops the run before it starts and names the exact field (e.g. `stages[1].extract.minTextChar`).
import { z } from 'zod';

/** a crawl as a pipeline's input (src/crawl/, docs/crawl.md); option names carry their unit */
export const CrawlConfig = z
  .object({
    /** start URLs (http or https) */
    seeds: z.array(z.string().regex(/^https?:\/\//i, 'a seed is an http(s) URL')).min(1),
    /** pages fetched at most (a redirect chain counts once) */
    maxPages: z.number().int().positive().default(1000),
    /** links followed from a seed at most (seeds are depth 0; sitemap URLs depth 1) */
    maxDepth: z.number().int().nonnegative().default(3),
    /** which links are followed: the seeds' hosts, their domains (subdomains too), or any */
    scope: z.enum(['host', 'domain', 'any']).default('domain'),
    /** URL patterns to follow / not follow: globs (`*` any run, `?` one character) or /regexes/ */
    include: z.array(z.string().min(1)).default([]),
    exclude: z.array(z.string().min(1)).default([]),
    /** read Sitemap: lines of robots.txt and /sitemap.xml of each seed host */
    sitemaps: z.boolean().default(true),
    /** obey robots.txt (Disallow and Crawl-delay) */
    respectRobots: z.boolean().default(true),
    userAgent: z.string().min(1).default('curate-crawler/0.1 (+https://github.com/curate)'),
    /** least time between two requests to one host; robots.txt Crawl-delay raises it */
    delayMs: z.number().int().nonnegative().default(1000),
    /** a larger robots.txt Crawl-delay is capped here */
    maxCrawlDelayMs: z.number().int().nonnegative().default(30_000),
    /** requests in flight, in all and to one host */
    concurrency: z.number().int().positive().default(8),
    concurrencyPerHost: z.number().int().positive().default(1),
    /** one request, connect to last body byte */
    timeoutMs: z.number().int().positive().default(30_000),
    /** a body larger than this is cut off while streaming and the page skipped (too_large) */
    maxBytes: z.number().int().positive().default(10 * 1024 * 1024),
    /** retries of a 5xx, a timeout or a network error, waiting retryBackoffMs, doubled each time */
    retries: z.number().int().nonnegative().default(2),
    retryBackoffMs: z.number().int().nonnegative().default(1000),
    maxRedirects: z.number().int().nonnegative().default(10),
    /** payload types kept (others are cut off after the headers: not_html) */
    contentTypes: z.array(z.string().min(1)).default(['text/html', 'application/xhtml+xml', 'text/plain']),
    /** start a new WARC file past this many bytes */
    maxFileBytes: z.number().int().positive().default(1024 * 1024 * 1024),
    /** crawlee's storage; default: <run dir>/warc/.crawlee (kept in memory, nothing written) */
    storageDir: z.string().min(1).optional(),
  })
  .strict();

/** how remote inputs (http(s)://, s3://) are read (src/io/remote.ts, docs/remote-inputs.md) */
export const RemoteConfig = z
  .object({
    /** failed attempts in a row (none getting a byte further) before a file is given up as cut */
    retries: z.number().int().nonnegative().default(5),
    /** the first wait after a failure, doubled each further failure, capped at maxBackoffMs */
    backoffMs: z.number().int().nonnegative().default(500),
    maxBackoffMs: z.number().int().nonnegative().default(30_000),
    /** a server's Retry-After (429, 503) is waited, up to this */
    maxRetryAfterMs: z.number().int().nonnegative().default(120_000),
    /** a connection silent this long is dropped and retried */
    timeoutMs: z.number().int().positive().default(30_000),
  })
  .strict();

export const S3Config = z
  .object({
    /** an S3-compatible store (MinIO, Ceph, R2, s3rver); default AWS (or AWS_ENDPOINT_URL) */
    endpoint: z.string().regex(/^https?:\/\//i, 'an http(s) URL').optional(),
    region: z.string().min(1).optional(),
    /** unsigned requests for public buckets; auto: the usual credential chain, unsigned when it finds none */
    anonymous: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    /** bucket in the URL path (most S3-compatible stores); default: true when endpoint is set */
    forcePathStyle: z.boolean().optional(),
  })
  .strict();

export const InputConfig = z
  .object({
    /** input format; by default taken from each file's extension (`crawl` when `crawl` is set) */
    format: z.enum(['warc', 'jsonl', 'parquet', 'crawl']).optional(),
    /** files or directories (read recursively); relative paths are relative to the working directory */
    paths: z.array(z.string().min(1)).default([]),
    /** records with a larger block are skipped unread and counted as record_too_large */
    maxRecordBytes: z.number().int().positive().default(16 * 1024 * 1024),
    /** WARC: keep non-2xx HTTP responses (skipped by default) */
    keepNonOk: z.boolean().default(false),
    /** crawl instead of reading files: exactly one of `paths` and `crawl` */
    crawl: CrawlConfig.optional(),
    /** the relative paths of a Common Crawl listing (warc.paths.gz) resolve against this: a URL, s3:// prefix or directory */
    baseUrl: z.string().min(1).default('https://data.commoncrawl.org/'),
    /** only part of the input list: `R/W` takes the inputs whose index mod W is R (before limit) */
    shard: z
      .string()
      .regex(/^\d+\/\d+$/, 'R/W, e.g. 3/100')
      .refine((v) => Number(v.split('/')[0]) < Number(v.split('/')[1]), 'R must be less than W')
      .optional(),
    /** only the first N inputs (after shard) */
    limit: z.number().int().positive().optional(),
    /** keep a copy of each remote file read whole here, and read it from there on later runs (needed for remote Parquet) */
    cacheDir: z.string().min(1).optional(),
    remote: RemoteConfig.default({ retries: 5, backoffMs: 500, maxBackoffMs: 30_000, maxRetryAfterMs: 120_000, timeoutMs: 30_000 }),
    s3: S3Config.default({ anonymous: 'auto' }),
  })
  .strict()
  .superRefine((v, ctx) => {
    if (v.crawl && v.paths.length) ctx.addIssue({ code: 'custom', path: ['paths'], message: 'give either paths or crawl, not both' });
    if (v.crawl && v.format && v.format !== 'crawl') ctx.addIssue({ code: 'custom', path: ['format'], message: `a crawl input has format crawl, not ${v.format}` });
    if (!v.crawl && v.format === 'crawl') ctx.addIssue({ code: 'custom', path: ['crawl'], message: 'format crawl needs a crawl: { seeds: [...] } section' });
  })
  .overwrite((v) => (v.crawl ? { ...v, format: 'crawl' as const } : v));

export const OutputConfig = z
  .object({
    dir: z.string().min(1).default('data/runs/out'),
    formats: z.array(z.enum(['parquet', 'jsonl'])).min(1).default(['parquet']),
    /** start a new output file once one holds this many bytes */
    maxFileBytes: z.number().int().positive().default(256 * 1024 * 1024),
    rowGroupRows: z.number().int().positive().default(1000),
    /** also write dropped documents (with drop_stage and drop_reason) under dropped/ */
    writeDropped: z.boolean().default(true),
  })
  .strict();

/** a stage entry: `extract` or `{ extract: { minTextChars: 50 } }` */
export const StageEntry = z.union([z.string().min(1), z.record(z.string(), z.record(z.string(), z.unknown()).nullable())]);

export const PipelineConfig = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    input: InputConfig.default({
      paths: [],
      maxRecordBytes: 16 * 1024 * 1024,
      keepNonOk: false,
      baseUrl: 'https://data.commoncrawl.org/',
      remote: { retries: 5, backoffMs: 500, maxBackoffMs: 30_000, maxRetryAfterMs: 120_000, timeoutMs: 30_000 },
      s3: { anonymous: 'auto' },
    }),
    output: OutputConfig.default({ dir: 'data/runs/out', formats: ['parquet'], maxFileBytes: 256 * 1024 * 1024, rowGroupRows: 1000, writeDropped: true }),
    stages: z.array(StageEntry).default([]),
  })
  .strict();

export type PipelineConfigRaw = z.infer<typeof PipelineConfig>;
export type InputConfig = z.infer<typeof InputConfig>;
export type OutputConfig = z.infer<typeof OutputConfig>;
export type CrawlConfig = z.infer<typeof CrawlConfig>;
