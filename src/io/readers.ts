// Input readers: each turns one input file into a stream of Docs, counting every record it
// reads as emitted, skipped (by reason) or bad (by reason, named by file and offset).
import fs from 'node:fs';
import zlib from 'node:zlib';
import type { Doc } from '../core/doc.js';
import { RecordError } from '../core/errors.js';
import type { Counters } from '../core/stats.js';
import { lines } from '../core/iterables.js';
import { readWarc, type WarcRecord } from './warc.js';
import { parseHttpResponse } from './http.js';
import { decodeHtml } from './charset.js';
import { isHtmlType, mimeType, sniffBinary, sniffCompression } from './sniff.js';
import { openBytes, readHead } from './source.js';
import { fetchToCache, isRemote, type RemoteHooks } from './remote.js';
import { lz4Frames } from './lz4.js';
import { docFromJson } from './jsonl.js';
import { metaFromRow } from '../../schemas/parquet-columns.js';
import type { CrawlConfig } from '../../schemas/pipeline.js';

/** formats a file can have; `crawl` is an input that is not a file (src/crawl/source.ts) */
export type FileFormat = 'warc' | 'jsonl' | 'parquet';
export type InputFormat = FileFormat | 'crawl';

export interface ReaderContext {
  stats: Counters;
  recordError(err: RecordError): void;
  /** raw bytes of the file read so far */
  onBytes?(total: number): void;
}

/** a remote file's stream counts under `remote.` in the reader's counters (stats.json: reader.remote) */
function remoteHooks(ctx: ReaderContext): RemoteHooks {
  return { count: (k, n) => ctx.stats.inc(`remote.${k}`, n) };
}

export interface ReaderOptions {
  maxRecordBytes: number;
  /** WARC only: keep non-2xx responses (default: skip them) */
  keepNonOk?: boolean;
  /** crawl only: what to crawl, and the run dir its WARC files go under */
  crawl?: CrawlConfig;
  runDir?: string;
}

/** count one record's outcome: a document to hand on (returned), or a bad record to name */
function accept(ctx: ReaderContext, out: Doc | RecordError): Doc | undefined {
  if (out instanceof RecordError) {
    ctx.stats.inc(`errors.${out.reason}`);
    ctx.recordError(out);
    return undefined;
  }
  ctx.stats.inc('docs');
  return out;
}

export function formatOf(file: string): FileFormat | undefined {
  const f = file.toLowerCase();
  // .warc.zst/.bz2/.xz are taken too, so that the reader names what to do with them instead of the run
  // passing them over (the compression itself is told by the file's first bytes)
  if (/\.(warc|wet|arc)(\.gz|\.lz4|\.zst|\.bz2|\.xz)?$/.test(f)) return 'warc';
  if (/\.(jsonl|ndjson|json)(\.gz|\.zst|\.lz4)?$/.test(f)) return 'jsonl';
  if (f.endsWith('.parquet')) return 'parquet';
  return undefined;
}

export function readDocs(format: InputFormat, file: string, opts: ReaderOptions, ctx: ReaderContext): AsyncGenerator<Doc> {
  switch (format) {
    case 'warc':
      return readWarcDocs(file, opts, ctx);
    case 'jsonl':
      return readJsonlDocs(file, opts, ctx);
    case 'parquet':
      return readParquetDocs(file, ctx);
    case 'crawl':
      return readCrawl(opts, ctx);
  }
}

function recordId(rec: WarcRecord, file: string): string {
  const raw = rec.headers['warc-record-id'];
  if (raw) return raw.replace(/^<|>$/g, '').replace(/^urn:uuid:/, '');
  return `${file}@${rec.offset}`;
}

/** turn one WARC record into a Doc, or say why not (skip reason or RecordError) */
export function warcRecordToDoc(rec: WarcRecord, file: string, opts: ReaderOptions): Doc | string | RecordError {
  const where = { file, offset: rec.offset };
  if (rec.type !== 'response' && rec.type !== 'resource' && rec.type !== 'conversion') return `warc_type_${rec.type || 'missing'}`;
  const uri = rec.headers['warc-target-uri']?.replace(/^<|>$/g, '') ?? '';
  // wget and others store their own logs and arguments as resource records with a non-web URI
  if (rec.type === 'resource' && !/^https?:\/\//i.test(uri)) return 'non_web_resource';
  if (!rec.body) return new RecordError('record_too_large', `record block of ${rec.contentLength} bytes exceeds maxRecordBytes=${opts.maxRecordBytes}`, where);
  let payload: Buffer = rec.body;
  let contentType = rec.headers['content-type'];
  let status: number | undefined;
  if (rec.type === 'response' && /application\/http/i.test(contentType ?? 'application/http')) {
    const http = parseHttpResponse(rec.body, opts.maxRecordBytes);
    if (!http) return new RecordError('malformed_http', 'response record does not hold an HTTP/1.x response', where);
    status = http.status;
    if (!opts.keepNonOk && (status < 200 || status > 299)) return `http_status_${Math.floor(status / 100)}xx`;
    payload = http.payload;
    contentType = http.headers['content-type'] ?? rec.headers['warc-identified-payload-type'];
  }
  if (payload.length === 0) return 'empty_payload';
  let mime = mimeType(contentType);
  if (rec.type === 'conversion' && !mime) mime = 'text/plain';
  if (!mime) mime = mimeType(rec.headers['warc-identified-payload-type']) || 'text/html';
  const html = isHtmlType(mime);
  if (!html && mime !== 'text/plain') return `content_type_${mime.replace(/[^a-z0-9]+/g, '_') || 'unknown'}`;
  const binary = sniffBinary(payload);
  if (binary) return new RecordError('binary_content', `payload labelled ${mime} is ${binary} data`, where);
  const decoded = decodeHtml(payload, contentType);
  const meta: Doc['meta'] = {
    url: uri || undefined,
    date: rec.headers['warc-date'],
    content_type: mime,
    charset: decoded.charset,
    charset_source: decoded.source,
    source: { file, offset: rec.offset },
  };
  if (status !== undefined) meta.http_status = status;
  const id = recordId(rec, file);
  return html ? { id, text: '', html: decoded.text, meta } : { id, text: decoded.text, meta };
}

async function* readWarcDocs(file: string, opts: ReaderOptions, ctx: ReaderContext): AsyncGenerator<Doc> {
  for await (const ev of readWarc(file, { maxRecordBytes: opts.maxRecordBytes, onBytes: ctx.onBytes, remote: remoteHooks(ctx) })) {
    if (ev.error) {
      accept(ctx, ev.error);
      continue;
    }
    const rec = ev.record;
    ctx.stats.inc('records');
    ctx.stats.inc(`records_by_type.${rec.type || 'missing'}`);
    const out = warcRecordToDoc(rec, file, opts);
    if (typeof out === 'string') ctx.stats.inc(`skipped.${out}`);
    else {
      const doc = accept(ctx, out);
      if (doc) yield doc;
    }
  }
}

/**
 * The decoded bytes of a local or remote file, gzip or LZ4 undone (told by its first bytes): what JSONL
 * inputs and input listings are read through. A cut or corrupt stream ends with its error.
 */
export async function* decodedChunks(file: string, hooks?: RemoteHooks, onBytes?: (n: number) => void): AsyncGenerator<Buffer> {
  const compression = sniffCompression(await readHead(file, 8, hooks));
  if (compression.kind === 'unsupported') throw new RecordError('unsupported_compression', compression.message, { file, offset: 0 });
  const src = openBytes(file, 0, hooks);
  let n = 0;
  const raw = (async function* () {
    for await (const c of src.chunks) {
      n += c.length;
      onBytes?.(n);
      yield c;
    }
  })();
  try {
    if (compression.kind === 'lz4') {
      // the first damaged frame ends the file's lines, named like a cut gzip stream below
      for await (const c of lz4Frames(raw, file)) {
        if (c.error) throw c.error;
        if (c.data) yield c.data;
      }
      return;
    }
    if (compression.kind !== 'gzip') {
      yield* raw;
      return;
    }
    const gunzip = zlib.createGunzip();
    // the compressed bytes go in as the decoder takes them; an error of the source (a remote file cut
    // after its retries) ends the decoded stream with that error
    const feed = (async () => {
      for await (const c of raw) if (!gunzip.write(c)) await new Promise((r) => gunzip.once('drain', r));
      gunzip.end();
    })().catch((e: Error) => gunzip.destroy(e));
    for await (const chunk of gunzip) yield chunk as Buffer;
    await feed;
  } finally {
    await src.close();
  }
}

async function* readJsonlDocs(file: string, opts: ReaderOptions, ctx: ReaderContext): AsyncGenerator<Doc> {
  let lineNo = 0;
  try {
    for await (const { line, offset } of lines(decodedChunks(file, remoteHooks(ctx), ctx.onBytes))) {
      lineNo++;
      if (line.length === 0) continue;
      ctx.stats.inc('records');
      const where = { file, offset };
      const doc = accept(
        ctx,
        line.length > opts.maxRecordBytes
          ? new RecordError('record_too_large', `line ${lineNo} is ${line.length} bytes, over maxRecordBytes=${opts.maxRecordBytes}`, where)
          : docFromJson(line.toString('utf8'), `${file}:${lineNo}`, where),
      );
      if (doc) yield doc;
    }
  } catch (e) {
    // a cut or corrupt gzip stream: what came before stays, the rest of the file is named as lost
    if (e instanceof RecordError) accept(ctx, new RecordError(e.reason, `${e.message}${lineNo ? ` (after line ${lineNo}; the rest of the file is not read)` : ''}`, { file, offset: e.offset }));
    else accept(ctx, new RecordError('truncated_gzip', `stream ended with an error after line ${lineNo}: ${(e as Error).message}`, { file }));
  }
}

/** a Parquet row (ours or another tool's: text, id, url...) as a Doc */
export function docFromRow(row: Record<string, unknown>, fallbackId: string, where: { file: string; offset: number }): Doc | RecordError {
  if (typeof row.text !== 'string' && typeof row.html !== 'string') return new RecordError('malformed_doc', 'row has no text (or html) column value', where);
  const meta: Doc['meta'] = metaFromRow(row);
  if (!meta.source) meta.source = where;
  const doc: Doc = { id: row.id !== undefined && row.id !== null ? String(row.id) : fallbackId, text: typeof row.text === 'string' ? row.text : '', meta };
  if (typeof row.html === 'string') doc.html = row.html;
  return doc;
}

/** a crawl as an input: loaded on use, so file inputs never load crawlee */
async function* readCrawl(opts: ReaderOptions, ctx: ReaderContext): AsyncGenerator<Doc> {
  const { readCrawlDocs } = await import('../crawl/source.js');
  yield* readCrawlDocs(opts, ctx);
}

async function* readParquetDocs(file: string, ctx: ReaderContext): AsyncGenerator<Doc> {
  const { streamParquetRows } = await import('./parquet-read.js');
  // Parquet is read from its footer back: a remote file is copied whole into input.cacheDir first
  // (src/run/inputs.ts refuses a remote Parquet input without one)
  if (isRemote(file)) {
    try {
      file = await fetchToCache(file, remoteHooks(ctx));
    } catch (e) {
      if (e instanceof RecordError) return void accept(ctx, e);
      throw e;
    }
  }
  let n = 0;
  for await (const row of streamParquetRows(file)) {
    ctx.stats.inc('records');
    const doc = accept(ctx, docFromRow(row, `${file}:${n}`, { file, offset: n }));
    n++;
    if (doc) yield doc;
  }
  ctx.onBytes?.(fs.statSync(file).size);
}
