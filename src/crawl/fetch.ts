// One HTTP GET for the crawler, on node:http: the request head as sent and the response head as
// received go to the WARC file, so we keep both; the body streams in and is cut off past maxBytes
// (never buffered whole), and a page is given up at timeoutMs from connect to last byte.
import http from 'node:http';
import https from 'node:https';
import { isHtmlType, mimeType } from '../io/sniff.js';

export interface FetchOptions {
  userAgent: string;
  timeoutMs: number;
  maxBytes: number;
  /** payload types read for 2xx responses; others are cut off after the headers */
  contentTypes?: string[];
  signal?: AbortSignal;
}

export interface FetchedResponse {
  ok: true;
  url: string;
  status: number;
  date: Date;
  ip?: string;
  requestHead: Buffer;
  responseHead: Buffer;
  body: Buffer;
  /** header names lower-cased */
  headers: Record<string, string>;
  /** absolute URL of a redirect target */
  location?: string;
}

export type FetchFailureReason = 'timeout' | 'too_large' | 'not_html' | 'fetch_error' | 'aborted';

export interface FetchFailure {
  ok: false;
  url: string;
  reason: FetchFailureReason;
  message: string;
  status?: number;
}

export type FetchResult = FetchedResponse | FetchFailure;

// keep-alive agents: a polite crawler reuses its connection to a host rather than opening one per page
const agents = {
  'http:': new http.Agent({ keepAlive: true, maxSockets: 64 }),
  'https:': new https.Agent({ keepAlive: true, maxSockets: 64 }),
};

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/** the payload types a `contentTypes` list accepts (text/html also admits XHTML's labels) */
export function acceptsType(contentType: string | undefined, allowed: string[] | undefined): boolean {
  if (!allowed || allowed.length === 0) return true;
  const mime = mimeType(contentType);
  if (!mime) return true; // unlabelled: the reader sniffs it
  return allowed.some((a) => a === mime || a === '*/*' || (a.endsWith('/*') && mime.startsWith(a.slice(0, -1))) || (a === 'text/html' && isHtmlType(mime)));
}

/**
 * The status line and headers as received. Node's parser gives the header names and values in
 * order with their case (rawHeaders) but not the bytes themselves, so spacing and folded lines are
 * rebuilt, not copied. Node undoes chunked transfer coding; the header is kept renamed
 * (X-Crawler-Transfer-Encoding, as Common Crawl does) so readers do not dechunk a plain body.
 */
function responseHead(res: http.IncomingMessage): Buffer {
  let head = `HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage ?? ''}`.trimEnd() + '\r\n';
  const raw = res.rawHeaders;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toLowerCase() === 'transfer-encoding' ? `X-Crawler-${raw[i]}` : raw[i]!;
    head += `${name}: ${raw[i + 1]}\r\n`;
  }
  return Buffer.from(head + '\r\n', 'latin1');
}

export function fetchPage(url: string, opts: FetchOptions): Promise<FetchResult> {
  return new Promise((resolve) => {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      resolve({ ok: false, url, reason: 'fetch_error', message: 'not a valid URL' });
      return;
    }
    const lib = u.protocol === 'https:' ? https : u.protocol === 'http:' ? http : undefined;
    if (!lib) {
      resolve({ ok: false, url, reason: 'fetch_error', message: `unsupported scheme ${u.protocol}` });
      return;
    }
    const target = u.pathname + u.search;
    // The headers we set are all the headers Node sends for a GET, in this order: the request
    // record holds exactly what went on the wire.
    const headers: Array<[string, string]> = [
      ['Host', u.host],
      ['User-Agent', opts.userAgent],
      ['Accept', 'text/html,application/xhtml+xml,text/plain;q=0.9,*/*;q=0.5'],
      ['Accept-Encoding', 'gzip, deflate, br'],
      ['Connection', 'keep-alive'],
    ];
    const requestHead = Buffer.from(`GET ${target} HTTP/1.1\r\n${headers.map(([k, v]) => `${k}: ${v}\r\n`).join('')}\r\n`, 'latin1');
    let settled = false;
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (r: FetchResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      opts.signal?.removeEventListener('abort', onAbort);
      resolve(r);
    };
    const fail = (reason: FetchFailureReason, message: string, status?: number) => {
      finish({ ok: false, url, reason, message, status });
      req.destroy();
    };
    const onAbort = () => fail('aborted', 'the crawl was stopped');
    const req = lib.request({
      protocol: u.protocol,
      hostname: u.hostname.replace(/^\[|\]$/g, ''),
      port: u.port || undefined,
      path: target,
      method: 'GET',
      headers: Object.fromEntries(headers),
      agent: agents[u.protocol as 'http:' | 'https:'],
      setHost: false,
    });
    const timer = setTimeout(() => fail('timeout', `no complete response within ${opts.timeoutMs} ms`), opts.timeoutMs);
    opts.signal?.addEventListener('abort', onAbort);
    req.on('error', (e) => fail('fetch_error', (e as NodeJS.ErrnoException).code ?? e.message));
    req.on('response', (res) => {
      const date = new Date();
      // read now: a keep-alive socket goes back to the agent (and off the response) at the end
      const ip = res.socket?.remoteAddress?.replace(/^::ffff:/, '');
      const status = res.statusCode ?? 0;
      const lower: Record<string, string> = {};
      for (const [k, v] of Object.entries(res.headers)) lower[k] = Array.isArray(v) ? v.join(', ') : String(v ?? '');
      const declared = Number(lower['content-length']);
      if (Number.isFinite(declared) && declared > opts.maxBytes) {
        fail('too_large', `Content-Length ${declared} is over maxBytes=${opts.maxBytes}`, status);
        return;
      }
      if (status >= 200 && status < 300 && !acceptsType(lower['content-type'], opts.contentTypes)) {
        fail('not_html', `Content-Type ${lower['content-type']} is not in contentTypes`, status);
        return;
      }
      res.on('data', (c: Buffer) => {
        received += c.length;
        if (received > opts.maxBytes) {
          fail('too_large', `body passed maxBytes=${opts.maxBytes} while streaming`, status);
          return;
        }
        chunks.push(c);
      });
      res.on('error', (e) => fail('fetch_error', e.message, status));
      res.on('aborted', () => fail('fetch_error', 'the server closed the connection mid-body', status));
      res.on('end', () => {
        let location: string | undefined;
        if (REDIRECTS.has(status) && lower.location) {
          try {
            location = new URL(lower.location, url).href;
          } catch {
            location = undefined;
          }
        }
        finish({
          ok: true,
          url,
          status,
          date,
          ip,
          requestHead,
          responseHead: responseHead(res),
          body: Buffer.concat(chunks),
          headers: lower,
          location,
        });
      });
    });
    req.end();
  });
}
