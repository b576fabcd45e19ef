// Gzip members assembled from a small part compressed on demand and a large part compressed once.
// make-warc uses it to repeat a WARC record with a new WARC-Record-ID without recompressing its
// block: the header is deflated with a sync flush (byte-aligned, not final), the block's own
// complete raw-deflate stream follows, and the CRC-32 of the whole is combined from the two parts.
import zlib from 'node:zlib';

/** the block of a record, compressed once */
export interface DeflatedPart {
  /** a complete raw-deflate stream (ends with a final block) */
  deflated: Buffer;
  crc32: number;
  /** uncompressed length */
  length: number;
}

// The combination below is zlib's crc32_combine (crc32.c, multmodp and x2nmodp): CRC-32 is linear
// over GF(2), so crc(A + B) = crc(A) * x^(8 * len(B)) mod P  xor  crc(B).
const POLY = 0xedb88320; // reflected CRC-32 polynomial

/** a(x) * b(x) modulo P(x), bit-reflected */
function multModP(a: number, b: number): number {
  let m = 0x80000000;
  let p = 0;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1)) === 0) break;
    }
    m >>>= 1;
    b = b & 1 ? (b >>> 1) ^ POLY : b >>> 1;
  }
  return p >>> 0;
}

/** X2N[k] = x^(2^k) modulo P(x) */
const X2N: number[] = (() => {
  const table = [0x40000000]; // x^1
  for (let k = 1; k < 32; k++) table.push(multModP(table[k - 1]!, table[k - 1]!));
  return table;
})();

/** x^(n * 2^k) modulo P(x) */
function x2nModP(n: number, k: number): number {
  let p = 0x80000000; // x^0
  while (n > 0) {
    if (n % 2) p = multModP(X2N[k & 31]!, p);
    n = Math.floor(n / 2);
    k++;
  }
  return p;
}

/** the CRC-32 of A followed by B, from crc(A), crc(B) and the length of B */
export function crc32Combine(crcA: number, crcB: number, lengthB: number): number {
  return (multModP(x2nModP(lengthB, 3), crcA) ^ crcB) >>> 0;
}

export function deflatePart(data: Buffer, level = zlib.constants.Z_DEFAULT_COMPRESSION): Promise<DeflatedPart> {
  return new Promise((resolve, reject) =>
    zlib.deflateRaw(data, { level }, (err, deflated) => (err ? reject(err) : resolve({ deflated, crc32: zlib.crc32(data), length: data.length }))),
  );
}

// magic, deflate, no flags, mtime 0 (reproducible output), no extra flags, OS = Unix
const GZIP_HEADER = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]);

/** one gzip member holding `head` followed by the already compressed `tail` */
export function gzipMember(head: Buffer, tail: DeflatedPart): Buffer {
  const headDeflated = zlib.deflateRawSync(head, { finishFlush: zlib.constants.Z_SYNC_FLUSH });
  const trailer = Buffer.alloc(8);
  trailer.writeUInt32LE(crc32Combine(zlib.crc32(head), tail.crc32, tail.length), 0);
  trailer.writeUInt32LE((head.length + tail.length) % 2 ** 32, 4);
  return Buffer.concat([GZIP_HEADER, headDeflated, tail.deflated, trailer]);
}
