// WARC reader (ISO 28500, WARC/1.0 and 1.1; plain or gzip, one member per record or one for all).
// Yields records with parsed headers; checks each Content-Length against where the next record
// really starts, because a lying length is the commonest corruption and other readers trust it.
import { ByteReader } from './byte-reader.js';
import { openSource, readHead } from './source.js';
import { RecordError } from '../core/errors.js';

export interface WarcRecord {
  version: string;
  /** WARC-Type, lower case: warcinfo, response, resource, request, metadata, revisit, conversion, continuation */
  type: string;
  /** header names lower-cased */
  headers: Record<string, string>;
  /** offset of the record in the file: the gzip member offset for .warc.gz, the byte offset otherwise */
  offset: number;
  contentLength: number;
  /** the record block; undefined when the record was larger than maxRecordBytes and skipped unread */
  body?: Buffer;
}

export type WarcEvent = { record: WarcRecord; error?: undefined } | { error: RecordError; record?: undefined };

export interface WarcReadOptions {
  /** records with a larger block are skipped without being held in memory */
  maxRecordBytes: number;
  /** called with raw bytes read from disk, for progress */
  onBytes?: (total: number) => void;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const WARC_MAGIC = Buffer.from('WARC/');
const NEXT_RECORD = Buffer.from('WARC/1.');
const MAX_HEADER_BYTES = 64 * 1024;
const TRAILER_SCAN_BYTES = 16;

export function parseHeaderLines(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  let last: string | undefined;
  for (const line of block.split(/\r?\n/)) {
    if (!line) continue;
    if ((line[0] === ' ' || line[0] === '\t') && last) {
      headers[last] += ' ' + line.trim();
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    headers[name] = name in headers ? `${headers[name]}, ${value}` : value;
    last = name;
  }
  return headers;
}

/** Is this a WARC file at all? Returns a reason when not (empty, ARC, something else). */
export async function sniffWarc(file: string): Promise<string | undefined> {
  const head = await readHead(file, 16);
  if (head.length === 0) return 'empty_file';
  if (head[0] === 0x1f && head[1] === 0x8b) return undefined; // gzip: checked record by record
  if (head.subarray(0, 5).equals(WARC_MAGIC)) return undefined;
  if (head.toString('latin1').startsWith('filedesc://')) return 'arc_format';
  return 'not_warc';
}

export async function* readWarc(file: string, opts: WarcReadOptions): AsyncGenerator<WarcEvent> {
  const problem = await sniffWarc(file);
  if (problem) {
    const msg =
      problem === 'empty_file'
        ? 'the file is empty'
        : problem === 'arc_format'
          ? 'this is an ARC file (the pre-WARC format); convert it with warcio or pywb first'
          : 'the file does not start with a WARC/1.x header or a gzip member';
    yield { error: new RecordError(problem, msg, { file, offset: 0 }) };
    return;
  }
  const src = await openSource(file);
  const reader = new ByteReader(src.chunks, src.compressed);
  let sawRecord = false;
  const flushErrors = function* (): Generator<WarcEvent> {
    while (reader.errors.length) yield { error: reader.errors.shift()! };
  };
  /** skip to the next thing that looks like a record header */
  const resync = async () => {
    await reader.skip(1);
    await reader.seek(NEXT_RECORD);
  };

  for (;;) {
    opts.onBytes?.(src.bytesRead());
    yield* flushErrors();
    const head = await reader.peek(WARC_MAGIC.length);
    if (head.length === 0) break;
    if (head[0] === 0x0d || head[0] === 0x0a) {
      await reader.skip(1); // stray line ends between records
      continue;
    }
    const start = reader.offset;
    const named = () => reader.memberOffsetAt(start);
    if (!head.equals(WARC_MAGIC)) {
      if (head.length < WARC_MAGIC.length && reader.eof) {
        yield { error: new RecordError('malformed_record', `${head.length} stray bytes at the end of the file`, { file, offset: named() }) };
        break;
      }
      const at = named();
      await resync();
      yield* flushErrors();
      yield {
        error: new RecordError(
          sawRecord ? 'malformed_record' : 'not_warc',
          `expected a WARC/1.x record header; skipped ${reader.offset - start} bytes to ${reader.eof ? 'the end of the file' : 'the next record'}`,
          { file, offset: at },
        ),
      };
      continue;
    }
    reader.discontinuity = false;
    const block = await reader.readUntil(CRLF2, MAX_HEADER_BYTES);
    if (block === null) {
      const at = named();
      yield* flushErrors();
      if (reader.available <= MAX_HEADER_BYTES) {
        await reader.skip(reader.available);
        yield { error: new RecordError('truncated_record', 'record header has no blank line (CRLF CRLF) before the end of the file', { file, offset: at }) };
        break;
      }
      await resync();
      yield { error: new RecordError('malformed_record', `record header longer than ${MAX_HEADER_BYTES} bytes`, { file, offset: at }) };
      continue;
    }
    const text = block.toString('latin1');
    const nl = text.indexOf('\n');
    const version = (nl === -1 ? text : text.slice(0, nl)).trim();
    const headers = parseHeaderLines(nl === -1 ? '' : text.slice(nl + 1));
    const offset = named();
    const contentLength = Number(headers['content-length']);
    if (!headers['content-length'] || !Number.isInteger(contentLength) || contentLength < 0) {
      await resync();
      yield { error: new RecordError('malformed_record', `missing or invalid Content-Length: ${JSON.stringify(headers['content-length'] ?? null)}`, { file, offset }) };
      continue;
    }
    const type = (headers['warc-type'] ?? '').toLowerCase();
    let body: Buffer | undefined;
    if (contentLength > opts.maxRecordBytes) {
      const skipped = await reader.skip(contentLength);
      if (skipped < contentLength) {
        yield* flushErrors();
        yield { error: new RecordError('truncated_record', `record cut off: ${skipped} of ${contentLength} bytes`, { file, offset }) };
        break;
      }
    } else {
      body = await reader.read(contentLength);
      const overrun = body.length < contentLength ? body.indexOf('\r\nWARC/1.') : -1;
      if (overrun !== -1 && !reader.discontinuity) {
        // cut short by the end of the file, but the next record starts inside: the length lied
        reader.unread(body.subarray(overrun + 2));
        yield { error: new RecordError('content_length_mismatch', `Content-Length ${contentLength} runs into the next record, which starts ${overrun + 2} bytes into the block`, { file, offset }) };
        continue;
      }
      if (body.length < contentLength) {
        const gz = reader.errors.find((e) => e.reason === 'truncated_gzip');
        reader.errors.length = 0;
        yield {
          error: new RecordError(gz ? 'truncated_gzip' : 'truncated_record', `record cut off by the end of the ${gz ? 'gzip stream' : 'file'}: ${body.length} of ${contentLength} declared bytes`, { file, offset }),
        };
        break;
      }
    }
    if (reader.discontinuity) {
      // The compressed layer skipped a damaged part inside this record: its block is not whole.
      // The gzip error names the damaged member; go on from the first whole member after it,
      // giving back what this record's declared length read beyond that point.
      yield* flushErrors();
      const bodyStart = reader.offset - (body?.length ?? 0);
      if (body && reader.resumedAt > bodyStart && reader.resumedAt <= reader.offset) reader.unread(body.subarray(reader.resumedAt - bodyStart));
      else await reader.seek(NEXT_RECORD);
      continue;
    }
    // A record ends with CRLF CRLF. Writers in the wild put one, three or none; accept any run
    // of line ends followed by the next record or the end of the file.
    const trailer = await reader.peek(TRAILER_SCAN_BYTES);
    let eol = 0;
    while (eol < trailer.length && (trailer[eol] === 0x0d || trailer[eol] === 0x0a)) eol++;
    const next = trailer.subarray(eol, eol + WARC_MAGIC.length);
    const boundary = (eol === trailer.length && trailer.length < TRAILER_SCAN_BYTES) || next.equals(WARC_MAGIC);
    if (!boundary) {
      // The block does not end where Content-Length says. If the declared length ran into the
      // next record, give those bytes back and restart there; otherwise skip to the next header.
      let message: string;
      const overrun = body ? body.indexOf('\r\nWARC/1.') : -1;
      if (body && overrun !== -1) {
        reader.unread(body.subarray(overrun + 2));
        message = `Content-Length ${contentLength} runs into the next record, which starts ${overrun + 2} bytes into the block`;
      } else {
        const from = reader.offset;
        await reader.seek(NEXT_RECORD);
        message = `Content-Length ${contentLength} ends ${reader.offset - from} bytes before the next record`;
      }
      yield { error: new RecordError('content_length_mismatch', message, { file, offset }) };
      continue;
    }
    await reader.skip(eol);
    sawRecord = true;
    yield { record: { version, type, headers, offset, contentLength, body } };
  }
  opts.onBytes?.(src.bytesRead());
  yield* flushErrors();
}
