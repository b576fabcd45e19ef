// Content sniffing: is a payload labelled text really text? Servers label images, archives and
// PDFs as text/html often enough that extraction must not be handed them.

const MAGIC: Array<[string, number[]]> = [
  ['png', [0x89, 0x50, 0x4e, 0x47]],
  ['jpeg', [0xff, 0xd8, 0xff]],
  ['gif', [0x47, 0x49, 0x46, 0x38]],
  ['pdf', [0x25, 0x50, 0x44, 0x46, 0x2d]],
  ['zip', [0x50, 0x4b, 0x03, 0x04]],
  ['gzip', [0x1f, 0x8b]],
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
