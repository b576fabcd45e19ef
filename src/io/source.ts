// Opening an input file as a stream of byte chunks, with gzip members or LZ4 frames decoded where
// present (told by the file's first bytes, not its name). A file is a local path or a remote location
// (http(s)://, s3://: src/io/remote.ts), read the same way with the same offsets.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { gunzipMembers, gzipHeaderLength, isGzipMagic, type GzipChunk } from './gzip.js';
import { isFrameMagic, lz4Frames, parseDescriptor } from './lz4.js';
import { sniffCompression, type Compression } from './sniff.js';
import { RecordError } from '../core/errors.js';
import { cachedCopy, cachingChunks, isRemote, remoteChunks, remoteHead, remoteSettings, type RemoteHooks } from './remote.js';

export const READ_CHUNK_BYTES = 256 * 1024;

/** a remote file's complete cached copy when there is one, else the location itself */
function local(file: string): string {
  return isRemote(file) ? (cachedCopy(file) ?? file) : file;
}

export async function readHead(file: string, n: number, hooks?: RemoteHooks): Promise<Buffer> {
  file = local(file);
  if (isRemote(file)) return (await remoteHead(file, n, hooks)).head;
  const fh = await fs.promises.open(file, 'r');
  try {
    const buf = Buffer.alloc(n);
    const { bytesRead } = await fh.read(buf, 0, n, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

export interface OpenedSource {
  /** chunks carry member (gzip) or frame (LZ4) offsets rather than raw file offsets */
  compressed: boolean;
  compression: Compression;
  chunks: AsyncIterable<GzipChunk>;
  /** raw bytes of the file read so far (counting from the start of the file) */
  bytesRead(): number;
  /** size of the file in bytes when it was opened */
  size: number;
  /** stop reading and release the file */
  close(): Promise<void>;
  /**
   * Why a remote file's bytes ended early (missing, or cut after every retry): the stream ends there
   * instead of throwing, so the decoders hand on every whole record before it.
   */
  failure(): RecordError | undefined;
}

/** how far into a file whose first bytes are damaged to look for its first whole member or frame */
const DEEP_SNIFF_BYTES = 64 * 1024;
const WARC_START = Buffer.from('WARC/');

/** does an LZ4 frame whose first decoded bytes are `WARC/` start at buf[i]? */
function lz4WarcAt(buf: Buffer, i: number): boolean {
  const d = parseDescriptor(buf, i);
  if (d === null || typeof d === 'string') return false;
  let p = i + d.length;
  if (p + 4 > buf.length) return false;
  const word = buf.readUInt32LE(p);
  p += 4;
  if (word & 0x80000000) return buf.subarray(p, p + 5).equals(WARC_START); // an uncompressed block
  // the first sequence's literals are the first bytes of the output
  const token = buf[p++]!;
  let lit = token >>> 4;
  if (lit === 15) for (let b = 255; b === 255 && p < buf.length; lit += b = buf[p++]!);
  return lit >= 5 && buf.subarray(p, p + 5).equals(WARC_START);
}

/** does a gzip member whose first decoded bytes are `WARC/` start at buf[i]? */
function gzipWarcAt(buf: Buffer, i: number): boolean {
  const h = gzipHeaderLength(buf.subarray(i));
  if (h === -1) return false;
  try {
    const out = zlib.inflateRawSync(buf.subarray(i + h, i + h + 4096), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    return out.subarray(0, 5).equals(WARC_START);
  } catch {
    return false;
  }
}

/**
 * How a file is compressed, from its first bytes; when they are no known magic (nor a WARC or ARC
 * header), from the first gzip member or LZ4 frame in its first 64 KB that decodes to `WARC/`, so a
 * damaged first member or frame costs that record, not the file.
 */
export async function sniffFile(file: string, hooks?: RemoteHooks): Promise<Compression> {
  const head = await readHead(file, DEEP_SNIFF_BYTES, hooks);
  const first = sniffCompression(head);
  if (first.kind !== 'none' || head.subarray(0, 5).equals(WARC_START) || head.toString('latin1', 0, 11) === 'filedesc://') return first;
  for (let i = 1; i + 4 <= head.length; i++) {
    if (head[i] === 0x04 && isFrameMagic(head, i) && lz4WarcAt(head, i)) return { kind: 'lz4' };
    if (head[i] === 0x1f && isGzipMagic(head, i) && gzipWarcAt(head, i)) return { kind: 'gzip' };
  }
  return first;
}

/**
 * Open a file, decoding gzip members or LZ4 frames if it starts with their magic. `start`: a raw
 * offset to begin at (a member or frame start for compressed files), for going back after a lie.
 */
export async function openSource(file: string, start = 0, hooks?: RemoteHooks): Promise<OpenedSource> {
  const compression = await sniffFile(file, hooks);
  const compressed = compression.kind === 'gzip' || compression.kind === 'lz4';
  const size = await sizeOf(file, hooks);
  let bytes = start;
  let failure: RecordError | undefined;
  const stream = openBytes(file, start, hooks);
  const raw = (async function* () {
    try {
      for await (const chunk of stream.chunks) {
        bytes += chunk.length;
        yield chunk;
      }
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      failure = e;
    }
  })();
  const chunks =
    compression.kind === 'gzip'
      ? gunzipMembers(raw, file, start)
      : compression.kind === 'lz4'
        ? lz4Frames(raw, file, start)
        : (async function* () {
            let offset = start;
            for await (const data of raw) {
              yield { data, memberOffset: offset };
              offset += data.length;
            }
          })();
  const close = async () => {
    await stream.close();
    await chunks.return?.(undefined);
  };
  return { compressed, compression, chunks, bytesRead: () => bytes, size, close, failure: () => failure };
}

/** a file's size in bytes; Infinity for a remote file whose server does not say */
export async function sizeOf(file: string, hooks?: RemoteHooks): Promise<number> {
  file = local(file);
  if (isRemote(file)) return (await remoteHead(file, 0, hooks)).total ?? Infinity;
  return (await fs.promises.stat(file)).size;
}

export interface ByteStream {
  chunks: AsyncIterable<Buffer>;
  close(): Promise<void>;
}

/**
 * The raw bytes of a file from `start` on: a local read stream, or a remote file streamed (copied into
 * input.cacheDir as it goes when that is set and the read starts at the first byte).
 */
export function openBytes(file: string, start = 0, hooks?: RemoteHooks): ByteStream {
  file = local(file);
  if (isRemote(file)) {
    const it = start === 0 && remoteSettings().cacheDir ? cachingChunks(file, hooks) : remoteChunks(file, start, hooks);
    return { chunks: coalesce(it, READ_CHUNK_BYTES), close: async () => void (await it.return(undefined)) };
  }
  const stream = fs.createReadStream(file, { highWaterMark: READ_CHUNK_BYTES, start });
  const chunks = (async function* () {
    for await (const c of stream) yield c as Buffer;
  })();
  return {
    chunks,
    close: async () => {
      stream.destroy();
    },
  };
}

/**
 * Chunks joined up to `min` bytes. A socket hands on 16-64 KB at a time where a file stream gives 256 KB;
 * the gzip splitter joins what it holds with each new chunk (src/io/gather.ts), so small chunks cost it a
 * copy of its window each: joined here, 20 MB over loopback HTTP read at 0.57x the local speed before, see
 * docs/remote-inputs.md for after.
 */
async function* coalesce(it: AsyncIterable<Buffer>, min: number): AsyncGenerator<Buffer> {
  let parts: Buffer[] = [];
  let have = 0;
  const joined = () => (parts.length === 1 ? parts[0]! : Buffer.concat(parts, have));
  try {
    for await (const c of it) {
      parts.push(c);
      have += c.length;
      if (have >= min) {
        yield joined();
        parts = [];
        have = 0;
      }
    }
  } catch (e) {
    // the bytes before a failure are handed on first: the records in them are whole
    if (have) yield joined();
    throw e;
  }
  if (have) yield joined();
}
