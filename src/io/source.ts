// Opening an input file as a stream of byte chunks, with gzip members decoded where present.
import fs from 'node:fs';
import { gunzipMembers, isGzipMagic, type GzipChunk } from './gzip.js';

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
  compressed: boolean;
  chunks: AsyncIterable<GzipChunk>;
  /** raw bytes read from disk so far */
  bytesRead(): number;
}

/** open a file, decoding gzip members if it starts with the gzip magic */
export async function openSource(file: string): Promise<OpenedSource> {
  const head = await readHead(file, 3);
  const compressed = isGzipMagic(head) || (head[0] === 0x1f && head[1] === 0x8b);
  let bytes = 0;
  const raw = (async function* () {
    for await (const chunk of fs.createReadStream(file, { highWaterMark: READ_CHUNK_BYTES })) {
      bytes += (chunk as Buffer).length;
      yield chunk as Buffer;
    }
  })();
  const chunks = compressed
    ? gunzipMembers(raw, file)
    : (async function* () {
        let offset = 0;
        for await (const data of raw) {
          yield { data, memberOffset: offset };
          offset += data.length;
        }
      })();
  return { compressed, chunks, bytesRead: () => bytes };
}
