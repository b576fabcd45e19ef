// Inputs where they live: an http(s):// or s3:// location read as a stream of bytes from any offset.
// A dropped connection resumes with a Range request from the last byte handed on, after a back-off;
// a server that ignores Range sends the file again from its start and the bytes already handed on are
// skipped, so the reader above never sees a byte twice; 429 and 503 answers wait what Retry-After
// says. Offsets are those of the remote file (what the Common Crawl index gives). Nothing is written
// to disk unless `cacheDir` is set, where a copy read whole from its first byte is kept.
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { RecordError } from '../core/errors.js';

export interface S3Settings {
  /** an S3-compatible store's URL (MinIO, Ceph, R2...); default: AWS, or AWS_ENDPOINT_URL */
  endpoint?: string;
  /** default: AWS_REGION, else us-east-1 */
  region?: string;
  /** unsigned requests (public buckets); `auto`: the usual credential chain, unsigned when it finds none */
  anonymous: boolean | 'auto';
  /** bucket in the path (`endpoint/bucket/key`), as most S3-compatible stores want; default: with an endpoint */
  forcePathStyle?: boolean;
}

export interface RemoteSettings {
  /** failed attempts in a row (no byte got further) before the file is given up as cut */
  retries: number;
  /** the first wait after a failure, doubled each further failure up to maxBackoffMs */
  backoffMs: number;
  maxBackoffMs: number;
  /** a Retry-After longer than this is cut to it */
  maxRetryAfterMs: number;
  /** a connection that sends nothing for this long is dropped (and retried) */
  timeoutMs: number;
  /** keep a copy of each remote file read whole here, and read that copy on later runs */
  cacheDir?: string;
  s3: S3Settings;
}

export const DEFAULT_REMOTE_SETTINGS: RemoteSettings = {
  retries: 5,
  backoffMs: 500,
  maxBackoffMs: 30_000,
  maxRetryAfterMs: 120_000,
  timeoutMs: 30_000,
  s3: { anonymous: 'auto' },
};

let settings: RemoteSettings = DEFAULT_REMOTE_SETTINGS;

/** set once per process (per task) from the pipeline's `input` section */
export function configureRemote(s: Partial<RemoteSettings> = {}): void {
  const next = { ...DEFAULT_REMOTE_SETTINGS, ...s, s3: { ...DEFAULT_REMOTE_SETTINGS.s3, ...s.s3 } };
  if (JSON.stringify(next.s3) !== JSON.stringify(settings.s3)) s3 = undefined;
  settings = next;
}

export function remoteSettings(): RemoteSettings {
  return settings;
}

const REMOTE = /^(https?|s3):\/\//i;

export function isRemote(loc: string): boolean {
  return REMOTE.test(loc);
}

/** counters the stream reports: bytes_fetched, retries, slowdowns (429/503 answers), range_ignored (restarts from byte 0) */
export interface RemoteHooks {
  count?(key: string, n?: number): void;
  /** the file's whole size, once an answer says it */
  size?(bytes: number): void;
}

/** one answer to a ranged GET, whichever protocol gave it */
interface Answer {
  status: number;
  etag?: string;
  /** first byte of a 206's range */
  rangeStart?: number;
  /** the whole object's size, when the answer says it */
  total?: number;
  retryAfterMs?: number;
  body?: Readable;
  /** what the server said, for messages */
  detail?: string;
}

const USER_AGENT = 'curate/0.1 (+https://github.com/curate)';
const MAX_REDIRECTS = 5;
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };

function retryAfterMs(value: string | undefined): number | undefined {
  if (!value) return undefined;
  const s = Number(value);
  const ms = Number.isFinite(s) ? s * 1000 : Date.parse(value) - Date.now();
  return Number.isFinite(ms) ? Math.max(0, ms) : undefined;
}

/** `bytes 100-199/1000` -> start and total (total undefined for `*`) */
function contentRange(value: string | undefined): { start: number; total?: number } | undefined {
  const m = value ? /^bytes\s+(\d+)-\d+\/(\d+|\*)/i.exec(value) : null;
  return m ? { start: Number(m[1]), total: m[2] === '*' ? undefined : Number(m[2]) } : undefined;
}

function rangeHeader(start: number, end?: number): string | undefined {
  if (start === 0 && end === undefined) return undefined;
  return `bytes=${start}-${end !== undefined ? end - 1 : ''}`;
}

/** a request with our user agent, no content coding, the keep-alive agent and the idle timeout */
function httpRequest(u: URL, method: 'GET' | 'HEAD', headers: Record<string, string>, onError: (e: Error) => void): http.ClientRequest {
  const secure = u.protocol === 'https:';
  const req = (secure ? https : http).request(u, { method, headers: { 'user-agent': USER_AGENT, 'accept-encoding': 'identity', ...headers }, agent: secure ? agents.https : agents.http, timeout: settings.timeoutMs });
  req.on('timeout', () => req.destroy(new Error(`no data for ${settings.timeoutMs} ms`)));
  req.on('error', onError);
  return req;
}

function httpGet(url: string, start: number, end: number | undefined, redirects = 0): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const range = rangeHeader(start, end);
    const req = httpRequest(u, 'GET', range ? { range } : {}, reject);
    req.on('response', (res) => {
      const status = res.statusCode ?? 0;
      const location = res.headers.location;
      if (status >= 300 && status < 400 && location) {
        res.resume();
        if (redirects >= MAX_REDIRECTS) return resolve({ status, detail: `more than ${MAX_REDIRECTS} redirects` });
        return httpGet(new URL(location, u).href, start, end, redirects + 1).then(resolve, reject);
      }
      const etag = typeof res.headers.etag === 'string' ? res.headers.etag : undefined;
      const retryAfter = retryAfterMs(res.headers['retry-after']);
      if (status !== 200 && status !== 206) {
        res.destroy();
        return resolve({ status, etag, retryAfterMs: retryAfter, detail: `HTTP ${status} ${res.statusMessage ?? ''}`.trim() });
      }
      const cr = contentRange(res.headers['content-range']);
      const length = res.headers['content-length'] !== undefined ? Number(res.headers['content-length']) : undefined;
      resolve({ status, etag, rangeStart: cr?.start, total: status === 206 ? cr?.total : length, body: res });
    });
    req.end();
  });
}

// --- S3, through the AWS SDK v3 (loaded on first use: local runs never load it) ---

type S3Module = typeof import('@aws-sdk/client-s3');
let s3: { client: import('@aws-sdk/client-s3').S3Client; mod: S3Module; anonymous: boolean } | undefined;

export function parseS3(loc: string): { bucket: string; key: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/i.exec(loc);
  if (!m) throw new RecordError('bad_location', `not an s3://bucket/key location: ${loc}`, { file: loc });
  return { bucket: m[1]!, key: decodeURIComponent(m[2]!) };
}

async function s3Client(anonymous?: boolean): Promise<NonNullable<typeof s3>> {
  const want = anonymous ?? settings.s3.anonymous === true;
  if (s3 && s3.anonymous === want) return s3;
  // the SDK warns at load that releases after January 2027 need Node 22; the locked one runs on Node 20
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const mod = await import('@aws-sdk/client-s3');
  const endpoint = settings.s3.endpoint ?? process.env.AWS_ENDPOINT_URL_S3 ?? process.env.AWS_ENDPOINT_URL;
  const client = new mod.S3Client({
    region: settings.s3.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? 'us-east-1',
    ...(endpoint ? { endpoint } : {}),
    forcePathStyle: settings.s3.forcePathStyle ?? Boolean(endpoint),
    // retries are ours (below), so that every one is counted and a cut body resumes where it stopped
    maxAttempts: 1,
    // unsigned requests: a signer that leaves the request as it is, and credentials it never reads
    ...(want ? { signer: { sign: async (r: unknown) => r }, credentials: { accessKeyId: '', secretAccessKey: '' } } : {}),
  } as import('@aws-sdk/client-s3').S3ClientConfig);
  s3 = { client, mod, anonymous: want };
  return s3;
}

/** run an S3 command, going unsigned once when `anonymous: auto` finds no credentials */
async function s3Send<T>(make: (m: S3Module) => unknown): Promise<T> {
  let c = await s3Client();
  try {
    return (await c.client.send(make(c.mod) as never)) as T;
  } catch (e) {
    if ((e as Error).name !== 'CredentialsProviderError' || settings.s3.anonymous !== 'auto') throw e;
    c = await s3Client(true);
    return (await c.client.send(make(c.mod) as never)) as T;
  }
}

function s3Status(e: unknown): number | undefined {
  return (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode;
}

async function s3Get(loc: string, start: number, end: number | undefined): Promise<Answer> {
  const { bucket, key } = parseS3(loc);
  try {
    const r = await s3Send<import('@aws-sdk/client-s3').GetObjectCommandOutput>((m) => new m.GetObjectCommand({ Bucket: bucket, Key: key, Range: rangeHeader(start, end) }));
    const cr = contentRange(r.ContentRange);
    return { status: cr ? 206 : 200, etag: r.ETag, rangeStart: cr?.start, total: cr ? cr.total : r.ContentLength, body: r.Body as Readable };
  } catch (e) {
    const status = s3Status(e);
    if (status === undefined) throw e; // no answer at all: a network error, retried like one
    return { status, detail: `${(e as Error).name}: ${(e as Error).message}` };
  }
}

export interface S3Object {
  loc: string;
  bytes: number;
}

/** the objects under an s3://bucket/prefix/ (every page of the listing), in key order */
export async function listS3(prefixLoc: string): Promise<S3Object[]> {
  const { bucket, key: prefix } = parseS3(prefixLoc);
  const out: S3Object[] = [];
  let token: string | undefined;
  do {
    const r = await s3Send<import('@aws-sdk/client-s3').ListObjectsV2CommandOutput>((m) => new m.ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    for (const o of r.Contents ?? []) if (o.Key && !o.Key.endsWith('/')) out.push({ loc: `s3://${bucket}/${o.Key}`, bytes: o.Size ?? 0 });
    token = r.IsTruncated ? r.NextContinuationToken : undefined;
  } while (token);
  return out.sort((a, b) => (a.loc < b.loc ? -1 : a.loc > b.loc ? 1 : 0));
}

// --- the stream ---

function open(loc: string, start: number, end: number | undefined): Promise<Answer> {
  return /^s3:/i.test(loc) ? s3Get(loc, start, end) : httpGet(loc, start, end);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function backoff(failures: number): number {
  return Math.min(settings.maxBackoffMs, settings.backoffMs * 2 ** (failures - 1));
}

/**
 * The bytes of a remote file from `start` (to `end`, exclusive, when given). Throws a RecordError naming
 * the location and the byte it got to when the file is missing or forbidden, or when `retries` attempts in
 * a row got no further.
 */
export async function* remoteChunks(loc: string, start = 0, hooks: RemoteHooks = {}, end?: number): AsyncGenerator<Buffer> {
  let pos = start;
  let failures = 0;
  let etag: string | undefined;
  let total: number | undefined;
  const fail = (reason: string, message: string) => new RecordError(reason, message, { file: loc, offset: pos });
  const retry = async (why: string, waitMs?: number) => {
    if (++failures > settings.retries) {
      const reason = pos > start ? 'remote_truncated' : 'remote_unreachable';
      throw fail(reason, `${why}; gave up at byte ${pos}${total !== undefined ? ` of ${total}` : ''} after ${settings.retries} retries`);
    }
    hooks.count?.('retries');
    await sleep(waitMs ?? backoff(failures));
  };
  for (;;) {
    if (end !== undefined && pos >= end) return;
    let a: Answer;
    try {
      a = await open(loc, pos, end);
    } catch (e) {
      await retry(`request failed: ${(e as Error).message}`);
      continue;
    }
    if (a.status === 429 || a.status === 503) {
      hooks.count?.('slowdowns');
      await retry(a.detail ?? `HTTP ${a.status}`, a.retryAfterMs !== undefined ? Math.min(a.retryAfterMs, settings.maxRetryAfterMs) : undefined);
      continue;
    }
    if (a.status >= 500 || a.status === 408) {
      await retry(a.detail ?? `HTTP ${a.status}`);
      continue;
    }
    // asked from the end of the file (a resume after the last byte, or an empty file)
    if (a.status === 416 && (total === undefined || pos >= total)) return;
    if (a.status === 404 || a.status === 410) throw fail('remote_not_found', a.detail ?? `HTTP ${a.status}`);
    if (a.status === 401 || a.status === 403) throw fail('remote_forbidden', a.detail ?? `HTTP ${a.status}`);
    if (a.status !== 200 && a.status !== 206) throw fail(`remote_http_${a.status}`, a.detail ?? `HTTP ${a.status}`);
    if (etag !== undefined && a.etag !== undefined && a.etag !== etag) {
      a.body?.destroy();
      throw fail('remote_changed', `the file changed while it was read (ETag ${etag}, now ${a.etag}); what was read before stays`);
    }
    etag ??= a.etag;
    if (a.total !== undefined && a.total !== total) hooks.size?.(a.total);
    total = a.total ?? total;
    let skip = 0;
    if (a.status === 206 && a.rangeStart !== pos) {
      a.body?.destroy();
      throw fail('remote_bad_range', `asked for bytes from ${pos}, got a range from ${a.rangeStart}`);
    }
    if (a.status === 200 && pos > 0) {
      // Range ignored: the whole file again; what was handed on already is skipped, never repeated
      skip = pos;
      hooks.count?.('range_ignored');
      if (total !== undefined && total < pos) {
        a.body!.destroy();
        throw fail('remote_changed', `the file is now ${total} bytes, shorter than the ${pos} already read`);
      }
    }
    let got = false;
    try {
      for await (const raw of a.body as AsyncIterable<Buffer>) {
        hooks.count?.('bytes_fetched', raw.length);
        let c = raw;
        if (skip) {
          if (c.length <= skip) {
            skip -= c.length;
            continue;
          }
          c = c.subarray(skip);
          skip = 0;
        }
        if (end !== undefined && pos + c.length >= end) {
          yield c.subarray(0, end - pos);
          pos = end;
          return;
        }
        pos += c.length;
        if (!got) failures = 0; // this attempt got further: the count of failures in a row starts again
        got = true;
        yield c;
      }
    } catch (e) {
      await retry(`the connection broke: ${(e as Error).message}`);
      continue;
    } finally {
      a.body?.destroy();
    }
    if (skip) {
      await retry(`the file restarted (Range ignored) but ended before byte ${pos}`);
      continue;
    }
    if (total !== undefined && pos < Math.min(end ?? total, total)) {
      await retry(`the body ended at byte ${pos} of ${total}`);
      continue;
    }
    return;
  }
}

// --- the first bytes, read once: sniffing a file asks for them several times ---

/** how much of a file's start one request fetches (the deep sniff of src/io/source.ts reads 64 KB) */
export const HEAD_BYTES = 64 * 1024;
const heads = new Map<string, { head: Buffer; total?: number }>();
const MAX_HEADS = 8;

/** the first `n` (<= HEAD_BYTES) bytes of a remote file, and its size when known */
export async function remoteHead(loc: string, n: number, hooks?: RemoteHooks): Promise<{ head: Buffer; total?: number }> {
  let h = heads.get(loc);
  if (!h) {
    const parts: Buffer[] = [];
    let total: number | undefined;
    // the head request learns the size: a 206's Content-Range, or a 200's length
    for await (const c of remoteChunks(loc, 0, { count: hooks?.count, size: (n) => (total = n) }, HEAD_BYTES)) parts.push(c);
    const head = Buffer.concat(parts);
    if (head.length < HEAD_BYTES) total ??= head.length;
    h = { head, total };
    heads.set(loc, h);
    if (heads.size > MAX_HEADS) heads.delete(heads.keys().next().value!);
  }
  return { head: h.head.subarray(0, n), total: h.total };
}

/** a remote file's size in bytes (HEAD, or S3 HeadObject); undefined when the server does not say */
export async function remoteSize(loc: string): Promise<number | undefined> {
  if (/^s3:/i.test(loc)) {
    const { bucket, key } = parseS3(loc);
    const r = await s3Send<import('@aws-sdk/client-s3').HeadObjectCommandOutput>((m) => new m.HeadObjectCommand({ Bucket: bucket, Key: key }));
    return r.ContentLength;
  }
  return new Promise((resolve, reject) => {
    const req = httpRequest(new URL(loc), 'HEAD', {}, reject);
    req.on('response', (res) => {
      res.resume();
      const n = Number(res.headers['content-length']);
      resolve(res.statusCode === 200 && Number.isFinite(n) ? n : undefined);
    });
    req.end();
  });
}

// --- the local copy (input.cacheDir) ---

/** where a remote file's copy lives under the cache dir: <cacheDir>/<host or bucket>/<path> */
export function cachePath(loc: string, cacheDir = settings.cacheDir): string | undefined {
  if (!cacheDir) return undefined;
  const u = new URL(loc);
  const parts = [u.host, ...decodeURIComponent(u.pathname).split('/')].filter((p) => p && p !== '.' && p !== '..');
  return path.join(cacheDir, ...parts.map((p) => p.replace(/[^A-Za-z0-9._=-]+/g, '_')));
}

/** the complete local copy of a remote file, if the cache holds one */
export function cachedCopy(loc: string): string | undefined {
  const p = cachePath(loc);
  return p && fs.existsSync(p) ? p : undefined;
}

/**
 * The stream of a remote file from its first byte, copied into the cache as it goes: the copy gets its
 * name when the last byte went through, and is removed when the reader stops early or the file is cut.
 */
export async function* cachingChunks(loc: string, hooks?: RemoteHooks): AsyncGenerator<Buffer> {
  const dest = cachePath(loc)!;
  fs.mkdirSync(path.dirname(dest), { recursive: true });
  const tmp = `${dest}.tmp-${process.pid}`;
  const fd = fs.openSync(tmp, 'w');
  let whole = false;
  try {
    for await (const c of remoteChunks(loc, 0, hooks)) {
      fs.writeSync(fd, c);
      yield c;
    }
    whole = true;
  } finally {
    fs.closeSync(fd);
    if (whole) fs.renameSync(tmp, dest);
    else fs.rmSync(tmp, { force: true });
  }
}

/** download a remote file whole into the cache (for Parquet, which is read from its footer) */
export async function fetchToCache(loc: string, hooks?: RemoteHooks): Promise<string> {
  const have = cachedCopy(loc);
  if (have) return have;
  for await (const _ of cachingChunks(loc, hooks)) void _;
  return cachePath(loc)!;
}
