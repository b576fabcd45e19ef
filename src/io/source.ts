// Opening an input file as a stream of byte chunks, with gzip members or LZ4 frames decoded where
// present (told by the file's first bytes, not its name).
import fs from 'node:fs';
import zlib from 'node:zlib';
import { gunzipMembers, gzipHeaderLength, isGzipMagic, type GzipChunk } from './gzip.js';
import { isFrameMagic, lz4Frames, parseDescriptor } from './lz4.js';
import { sniffCompression, type Compression } from './sniff.js';

export const READ_CHUNK_BYTES = 256 * 1024;

export async function readHead(file: string, n: number): Promise<Buffer> {
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
export async function sniffFile(file: string): Promise<Compression> {
  const head = await readHead(file, DEEP_SNIFF_BYTES);
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
export async function openSource(file: string, start = 0): Promise<OpenedSource> {
  const compression = await sniffFile(file);
  const compressed = compression.kind === 'gzip' || compression.kind === 'lz4';
  const size = (await fs.promises.stat(file)).size;
  let bytes = start;
  const stream = fs.createReadStream(file, { highWaterMark: READ_CHUNK_BYTES, start });
  const raw = (async function* () {
    for await (const chunk of stream) {
      bytes += (chunk as Buffer).length;
      yield chunk as Buffer;
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
    stream.destroy();
    await chunks.return?.(undefined);
  };
  return { compressed, compression, chunks, bytesRead: () => bytes, size, close };
}
