// Building WARC records in tests: real payloads wrapped as response records, one gzip member each.
import zlib from 'node:zlib';
import { randomUUID } from 'node:crypto';

export interface ResponseSpec {
  url: string;
  payload: Buffer | string;
  /** HTTP Content-Type header; omitted when null */
  contentType?: string | null;
  status?: number;
  /** override the WARC Content-Length (to make it lie) */
  contentLength?: number;
}

export function responseRecord(spec: ResponseSpec): Buffer {
  const payload = typeof spec.payload === 'string' ? Buffer.from(spec.payload) : spec.payload;
  const ct = spec.contentType === undefined ? 'text/html' : spec.contentType;
  const http = Buffer.concat([
    Buffer.from(`HTTP/1.1 ${spec.status ?? 200} OK\r\n${ct !== null ? `Content-Type: ${ct}\r\n` : ''}Content-Length: ${payload.length}\r\n\r\n`),
    payload,
  ]);
  const head =
    `WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: ${spec.url}\r\nWARC-Date: 2024-01-01T00:00:00Z\r\n` +
    `WARC-Record-ID: <urn:uuid:${randomUUID()}>\r\nContent-Type: application/http; msgtype=response\r\n` +
    `Content-Length: ${spec.contentLength ?? http.length}\r\n\r\n`;
  return Buffer.concat([Buffer.from(head), http, Buffer.from('\r\n\r\n')]);
}

export function gzipMember(record: Buffer): Buffer {
  return zlib.gzipSync(record);
}

/** a .warc.gz with one member per record */
export function warcGz(records: Buffer[]): Buffer {
  return Buffer.concat(records.map(gzipMember));
}
