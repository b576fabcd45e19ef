// Parsing the HTTP response stored in a WARC response record: status, headers, payload,
// undoing chunked transfer coding and content encodings that some crawlers store as received.
import zlib from 'node:zlib';
import { parseHeaderLines } from './warc.js';

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  payload: Buffer;
}

const MAX_HTTP_HEADER_BYTES = 64 * 1024;

/** parse an HTTP/1.x response message; undefined when it is not one */
export function parseHttpResponse(block: Buffer, maxPayloadBytes: number): HttpResponse | undefined {
  const window = block.subarray(0, MAX_HTTP_HEADER_BYTES);
  let end = window.indexOf('\r\n\r\n');
  let sep = 4;
  if (end === -1) {
    end = window.indexOf('\n\n');
    sep = 2;
  }
  if (end === -1) {
    // headers with no payload at all
    if (!window.subarray(0, 5).toString('latin1').startsWith('HTTP/')) return undefined;
    end = block.length;
    sep = 0;
  }
  const head = block.subarray(0, end).toString('latin1');
  const nl = head.indexOf('\n');
  const statusLine = (nl === -1 ? head : head.slice(0, nl)).trim();
  const m = /^HTTP\/\d(?:\.\d)?\s+(\d{3})/.exec(statusLine);
  if (!m) return undefined;
  const headers = parseHeaderLines(nl === -1 ? '' : head.slice(nl + 1));
  let payload = block.subarray(Math.min(block.length, end + sep));
  if (/chunked/i.test(headers['transfer-encoding'] ?? '')) payload = dechunk(payload) ?? payload;
  const encoding = (headers['content-encoding'] ?? '').toLowerCase().trim();
  if (encoding && encoding !== 'identity' && payload.length) {
    const opts = { maxOutputLength: maxPayloadBytes };
    try {
      if (encoding.includes('gzip')) payload = zlib.gunzipSync(payload, opts);
      else if (encoding.includes('deflate')) payload = zlib.inflateSync(payload, opts);
      else if (encoding.includes('br')) payload = zlib.brotliDecompressSync(payload, opts);
    } catch {
      // Many crawlers (Common Crawl among them) store the decoded payload but keep the header;
      // when the bytes do not decode, they are already plain.
    }
  }
  return { status: Number(m[1]), headers, payload };
}

/** undo chunked transfer coding; undefined if the bytes are not validly chunked */
export function dechunk(buf: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let p = 0;
  for (;;) {
    const nl = buf.indexOf('\r\n', p);
    if (nl === -1) return undefined;
    const size = parseInt(buf.subarray(p, nl).toString('latin1').split(';')[0]!.trim(), 16);
    if (!Number.isFinite(size) || size < 0) return undefined;
    if (size === 0) return Buffer.concat(parts);
    const start = nl + 2;
    if (start + size > buf.length) return undefined;
    parts.push(buf.subarray(start, start + size));
    p = start + size + 2;
  }
}
