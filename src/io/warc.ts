// WARC reader (ISO 28500, WARC/1.0 and 1.1; plain, gzip or LZ4 (FastWARC's .warc.lz4), one
// member or frame per record or one for all). Yields records with parsed headers; checks each
// Content-Length against where the next record really starts, because a lying length is the
// commonest corruption and other readers trust it.
import { ByteReader, type RecordStart, type WatchedSkip } from './byte-reader.js';
import { openSource, readHead, sniffFile } from './source.js';
import type { RemoteHooks } from './remote.js';
import { RecordError } from '../core/errors.js';

export interface WarcRecord {
  version: string;
  /** WARC-Type, lower case: warcinfo, response, resource, request, metadata, revisit, conversion, continuation */
  type: string;
  /** header names lower-cased */
  headers: Record<string, string>;
  /** offset of the record in the file: the gzip member (or LZ4 frame) offset for .warc.gz (.warc.lz4), the byte offset otherwise */
  offset: number;
  contentLength: number;
  /** the record block; undefined when the record was larger than maxRecordBytes and skipped unread */
  body?: Buffer;
}

export type WarcEvent = { record: WarcRecord; error?: undefined } | { error: RecordError; record?: undefined };

export interface WarcReadOptions {
  /** records with a larger block are skipped without being held in memory */
  maxRecordBytes: number;
  /** called with raw bytes read from disk (or fetched), for progress */
  onBytes?: (total: number) => void;
  /** counters of a remote file's stream (retries, bytes fetched) */
  remote?: RemoteHooks;
}

const CRLF2 = Buffer.from('\r\n\r\n');
const WARC_MAGIC = Buffer.from('WARC/');
const NEXT_RECORD = Buffer.from('WARC/1.');
/** a record start as it follows the previous record's block: a line end, then the version line */
const RECORD_AFTER_CRLF = Buffer.from('\r\nWARC/1.');
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

/** Is this a WARC file at all? Returns a reason and what to do when not (empty, ARC, zstd, something else). */
async function warcProblem(file: string, hooks?: RemoteHooks): Promise<{ reason: string; message: string } | undefined> {
  const head = await readHead(file, 16, hooks);
  if (head.length === 0) return { reason: 'empty_file', message: 'the file is empty' };
  const compression = await sniffFile(file, hooks);
  if (compression.kind === 'gzip' || compression.kind === 'lz4') return undefined; // checked record by record
  if (compression.kind === 'unsupported') return { reason: 'unsupported_compression', message: compression.message };
  if (head.subarray(0, 5).equals(WARC_MAGIC)) return undefined;
  if (head.toString('latin1').startsWith('filedesc://')) return { reason: 'arc_format', message: 'this is an ARC file (the pre-WARC format); convert it with warcio or pywb first' };
  return { reason: 'not_warc', message: 'the file does not start with a WARC/1.x header, a gzip member or an LZ4 frame' };
}

/** Is this a WARC file at all? Returns a reason when not (empty, ARC, unsupported compression, something else). */
export async function sniffWarc(file: string): Promise<string | undefined> {
  return (await warcProblem(file))?.reason;
}

/**
 * The records of a WARC file, and an error event for each bad one. A remote file that cannot be read
 * on (missing, or cut after every retry) ends with one error naming where it stopped.
 */
export async function* readWarc(file: string, opts: WarcReadOptions): AsyncGenerator<WarcEvent> {
  // A remote file cut short ends the decoders' input there, and they name the record it cut
  // (truncated_*); that record's loss is the remote failure's, which comes last: the cut is named
  // once, by it. So truncation errors wait for what comes next before they are handed on.
  let held: WarcEvent[] = [];
  try {
    for await (const ev of readWarcRecords(file, opts)) {
      if (ev.error && ev.error.reason.startsWith('truncated_')) {
        held.push(ev);
        continue;
      }
      if (ev.error instanceof RemoteFailure) {
        const cut = held[0]?.error?.offset;
        held = [];
        yield { error: new RecordError(ev.error.reason, `${ev.error.message}${cut !== undefined ? `; the record at ${cut} is cut` : ''}`, { file: ev.error.file, offset: ev.error.offset }) };
        continue;
      }
      yield* held;
      held = [];
      yield ev;
    }
    yield* held;
  } catch (e) {
    if (!(e instanceof RecordError)) throw e;
    yield { error: e };
  }
}

/** the reason a remote file's stream ended early, as the last event of its records */
class RemoteFailure extends RecordError {}

async function* readWarcRecords(file: string, opts: WarcReadOptions): AsyncGenerator<WarcEvent> {
  const problem = await warcProblem(file, opts.remote);
  if (problem) {
    yield { error: new RecordError(problem.reason, problem.message, { file, offset: 0 }) };
    return;
  }
  let src = await openSource(file, 0, opts.remote);
  let reader = new ByteReader(src.chunks, src.compressed);
  /** what one unit of the compressed layer is called in messages */
  const unit = src.compression.kind === 'lz4' ? 'LZ4 frame' : 'gzip member';
  /**
   * Where, in a block just read, the next record really starts (the declared length ran into it): a
   * gzip member or LZ4 frame that starts inside the block with `WARC/`, else the first CRLF `WARC/1.`
   * in it, also one whose version line the block's end cuts. -1 when none.
   */
  const nextRecordIn = async (body: Buffer): Promise<number> => {
    const bodyStart = reader.offset - body.length;
    const ahead = await reader.peek(RECORD_AFTER_CRLF.length);
    for (const s of reader.memberStartsIn(bodyStart + 1, reader.offset)) {
      const i = s - bodyStart;
      if (Buffer.concat([body.subarray(i, i + WARC_MAGIC.length), ahead]).subarray(0, WARC_MAGIC.length).equals(WARC_MAGIC)) return i;
    }
    const i = body.indexOf(RECORD_AFTER_CRLF);
    if (i !== -1) return i + 2;
    const tailStart = Math.max(0, body.length - (RECORD_AFTER_CRLF.length - 1));
    const j = Buffer.concat([body.subarray(tailStart), ahead]).indexOf(RECORD_AFTER_CRLF);
    return j !== -1 && tailStart + j + 2 <= body.length ? tailStart + j + 2 : -1;
  };
  /**
   * Go back to a record start that lies behind the read position (a declared length skipped over
   * it): reopen the file at the member (or byte) holding it. Costs a second read of what lies
   * between, and only happens after a length that lied.
   */
  const reopenAt = async (to: RecordStart) => {
    await src.close();
    src = await openSource(file, to.memberOffset, opts.remote);
    reader = new ByteReader(src.chunks, src.compressed, to.memberStart);
    await reader.skip(to.at - to.memberStart);
  };
  try {
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
      // where the next record starts inside this header, if it does: a member or frame that begins
      // with `WARC/`, or a `WARC/1.` line
      let inner = block.indexOf('\nWARC/1.');
      if (inner !== -1) inner++;
      const member = reader.memberStartsIn(start + 1, start + block.length - 1)[0];
      if (member !== undefined && block.subarray(member - start, member - start + WARC_MAGIC.length).equals(WARC_MAGIC) && (inner === -1 || member - start < inner)) inner = member - start;
      if (inner !== -1) {
        // The header's blank line is missing (damaged), and its search ran on into the next record's
        // header: name this one, and give back the next record from its version line on.
        const at = named();
        reader.unread(Buffer.concat([block.subarray(inner), CRLF2]));
        yield { error: new RecordError('malformed_record', `record header has no blank line before the next record's WARC/1.x line, ${inner} bytes in`, { file, offset: at }) };
        continue;
      }
      const text = block.toString('latin1');
      const nl = text.indexOf('\n');
      const version = (nl === -1 ? text : text.slice(0, nl)).trim();
      const headers = parseHeaderLines(nl === -1 ? '' : text.slice(nl + 1));
      const offset = named();
      const declared = headers['content-length'];
      // Content-Length = 1*DIGIT: a sign, an exponent, a hex prefix or trailing junk is not a length
      if (!declared || !/^[0-9]+$/.test(declared)) {
        // the header is consumed: the next record may start right here (when this header's own blank
        // line was damaged and its search ran on to the end of this record), so no byte is skipped
        await reader.seek(NEXT_RECORD);
        yield { error: new RecordError('malformed_record', `missing or invalid Content-Length: ${JSON.stringify(declared ?? null)}`, { file, offset }) };
        continue;
      }
      // past 2^53 a Number does not hold the length exactly; no file is that large, so it lies anyway
      const parsed = Number(declared);
      const contentLength = Number.isSafeInteger(parsed) ? parsed : Infinity;
      const type = (headers['warc-type'] ?? '').toLowerCase();
      const bodyStart = reader.offset;
      if (!src.compressed && contentLength > src.size - bodyStart) {
        // A plain file: the block would run past the end of the file. The length lies (or the file is
        // cut): the next record, if any, starts inside what it claims; go on from there.
        const left = src.size - bodyStart;
        if (await reader.seek(RECORD_AFTER_CRLF)) {
          await reader.skip(2);
          yield { error: new RecordError('content_length_mismatch', `Content-Length ${declared} is more than the ${left} bytes left in the file; the next record starts ${reader.offset - bodyStart} bytes into the block`, { file, offset }) };
          continue;
        }
        yield { error: new RecordError('truncated_record', `record cut off by the end of the file: ${left} of ${declared} declared bytes`, { file, offset }) };
        break;
      }
      let body: Buffer | undefined;
      let watched: WatchedSkip | undefined;
      if (contentLength > opts.maxRecordBytes) {
        // Skipped without holding it, watching for a record start inside: a length this large may lie.
        watched = await reader.skipWatching(contentLength, RECORD_AFTER_CRLF, WARC_MAGIC);
        if (!reader.discontinuity && watched.atMember) {
          yield {
            error: new RecordError(
              'content_length_mismatch',
              `Content-Length ${declared} runs past the end of its ${unit}: the next ${unit}, at offset ${reader.memberOffsetAt(reader.offset)}, starts a record ${reader.offset - bodyStart} bytes into the block`,
              { file, offset },
            ),
          };
          continue;
        }
        if (!reader.discontinuity && watched.skipped < contentLength) {
          if (watched.found) {
            const into = watched.found.at - bodyStart;
            await reopenAt(watched.found);
            yield { error: new RecordError('content_length_mismatch', `Content-Length ${declared} runs past the end of the file; the next record starts ${into} bytes into the block`, { file, offset }) };
            continue;
          }
          yield* flushErrors();
          yield { error: new RecordError('truncated_record', `record cut off: ${watched.skipped} of ${declared} bytes`, { file, offset }) };
          break;
        }
      } else {
        body = await reader.read(contentLength);
        const overrun = body.length < contentLength && !reader.discontinuity ? await nextRecordIn(body) : -1;
        if (overrun !== -1) {
          // cut short by the end of the file, but the next record starts inside: the length lied
          reader.unread(body.subarray(overrun));
          yield { error: new RecordError('content_length_mismatch', `Content-Length ${contentLength} runs into the next record, which starts ${overrun} bytes into the block`, { file, offset }) };
          continue;
        }
        if (body.length < contentLength) {
          const cut = reader.errors.find((e) => e.reason === 'truncated_gzip' || e.reason === 'truncated_lz4');
          reader.errors.length = 0;
          const where = cut ? (cut.reason === 'truncated_lz4' ? 'LZ4 stream' : 'gzip stream') : 'file';
          yield {
            error: new RecordError(cut ? cut.reason : 'truncated_record', `record cut off by the end of the ${where}: ${body.length} of ${contentLength} declared bytes`, { file, offset }),
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
      // The block also ends where it should when its line ends close its gzip member or LZ4 frame (one
      // record per member): then the damage, if any, is in the next member, which is named on its own.
      const boundary = (eol === trailer.length && trailer.length < TRAILER_SCAN_BYTES) || next.equals(WARC_MAGIC) || reader.isMemberStart(reader.offset + eol);
      if (!boundary) {
        // The block does not end where Content-Length says. If the declared length ran into the
        // next record, give those bytes back and restart there; otherwise skip to the next header.
        let message: string;
        const overrun = body ? await nextRecordIn(body) : -1;
        if (body && overrun !== -1) {
          reader.unread(body.subarray(overrun));
          message = `Content-Length ${contentLength} runs into the next record, which starts ${overrun} bytes into the block`;
        } else if (watched?.found) {
          // skipped unread: go back to the record start seen inside the skipped bytes
          const into = watched.found.at - bodyStart;
          await reopenAt(watched.found);
          message = `Content-Length ${contentLength} runs into the next record, which starts ${into} bytes into the block`;
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
    const failure = src.failure();
    if (failure) yield { error: new RemoteFailure(failure.reason, failure.message, { file: failure.file, offset: failure.offset }) };
  } finally {
    await src.close();
  }
}
