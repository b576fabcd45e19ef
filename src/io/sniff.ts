// Content sniffing: is a payload labelled text really text? Servers label images, archives and
// PDFs as text/html often enough that extraction must not be handed them. And how is an input file
// compressed? Told by its first bytes, not its name.

const MAGIC: Array<[string, number[]]> = [
  ['png', [0x89, 0x50, 0x4e, 0x47]],
  ['jpeg', [0xff, 0xd8, 0xff]],
  ['gif', [0x47, 0x49, 0x46, 0x38]],
  ['pdf', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
  ['gzip', [0x1f, 0x8b]],
  ['lz4', [0x04, 0x22, 0x4d, 0x18]],
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd]],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00]],
  ['elf', [0x7f, 0x45, 0x4c, 0x46]],
  ['webp_or_riff', [0x52, 0x49, 0x46, 0x46]],
  ['ogg', [0x4f, 0x67, 0x67, 0x53]],
  ['woff', [0x77, 0x4f, 0x46, 0x46]],
  ['woff2', [0x77, 0x4f, 0x46, 0x32]],
];

const SAMPLE_BYTES = 2048;

/** the kind of binary content, or undefined when the bytes look like text */
export function sniffBinary(bytes: Uint8Array): string | undefined {
  for (const [name, sig] of MAGIC) {
    if (bytes.length >= sig.length && sig.every((b, i) => bytes[i] === b)) return name;
  }
  const n = Math.min(bytes.length, SAMPLE_BYTES);
  if (n === 0) return undefined;
  // UTF-16 text has many NULs but starts with a BOM; leave it to the decoder.
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) return undefined;
  let control = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    // C0 controls other than tab, LF, FF, CR and ESC (ISO-2022 uses ESC) do not occur in text.
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d && b !== 0x1b) control++;
  }
  return control / n > 0.05 ? 'binary' : undefined;
}

export function mimeType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}

export function isHtmlType(mime: string): boolean {
  return mime === 'text/html' || mime === 'application/xhtml+xml' || mime === 'application/xml+xhtml';
}

/** how an input file is compressed, from its first bytes (at least 6) */
export type Compression =
  | { kind: 'gzip' | 'lz4' | 'none' }
  | { kind: 'unsupported'; format: string; message: string };

const UNSUPPORTED: Array<[string, number[], string]> = [
  ['zstd', [0x28, 0xb5, 0x2f, 0xfd], 'zstd-compressed input is not supported: decompress it with `zstd -d` first (or recompress it with gzip or lz4)'],
  ['bzip2', [0x42, 0x5a, 0x68], 'bzip2-compressed input is not supported: decompress it with `bunzip2` first (or recompress it with gzip or lz4)'],
  ['xz', [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], 'xz-compressed input is not supported: decompress it with `xz -d` first (or recompress it with gzip or lz4)'],
  ['lz4_legacy', [0x02, 0x21, 0x4c, 0x18], 'legacy-format LZ4 input (`lz4 -l`) is not supported: decompress it with `lz4 -d` first, or recompress it in the LZ4 frame format (plain `lz4`)'],
];

export function sniffCompression(head: Uint8Array): Compression {
  if (head[0] === 0x1f && head[1] === 0x8b) return { kind: 'gzip' };
  // an LZ4 frame (0x184D2204, little-endian), or a skippable frame (0x184D2A50..5F) in front of one
  if (head[1] === 0x22 && head[2] === 0x4d && head[3] === 0x18 && head[0] === 0x04) return { kind: 'lz4' };
  if (head[1] === 0x2a && head[2] === 0x4d && head[3] === 0x18 && (head[0]! & 0xf0) === 0x50) return { kind: 'lz4' };
  for (const [format, sig, message] of UNSUPPORTED) {
    if (head.length >= sig.length && sig.every((b, i) => head[i] === b)) {
      // bzip2: 'BZh' then the block size digit
      if (format === 'bzip2' && !(head[3]! >= 0x31 && head[3]! <= 0x39)) continue;
      return { kind: 'unsupported', format, message };
    }
  }
  return { kind: 'none' };
}
