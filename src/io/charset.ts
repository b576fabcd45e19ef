// Decoding a page's bytes to text. Order follows the WHATWG encoding sniffing algorithm:
// byte order mark, then the HTTP Content-Type charset, then a <meta> charset in the first bytes,
// then detection (valid UTF-8, else chardet's statistical guess), then windows-1252.
import { isUtf8 } from 'node:buffer';
import chardet from 'chardet';

export type CharsetSource = 'bom' | 'http' | 'meta' | 'detected' | 'default';

export interface Decoded {
  text: string;
  charset: string;
  source: CharsetSource;
}

const decoders = new Map<string, TextDecoder | null>();

/** a TextDecoder for a charset label, or null if the label is unknown */
export function decoderFor(label: string): TextDecoder | null {
  const key = label.trim().toLowerCase();
  let d = decoders.get(key);
  if (d === undefined) {
    try {
      d = new TextDecoder(key);
    } catch {
      d = null;
    }
    decoders.set(key, d);
  }
  return d;
}

function bomCharset(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  return undefined;
}

const META_SCAN_BYTES = 4096;
const META_CHARSET = /<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)/i;

/** the charset declared by a <meta charset> or <meta http-equiv content="...; charset=..."> */
export function metaCharset(bytes: Uint8Array): string | undefined {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.length, META_SCAN_BYTES)).toString('latin1');
  const m = META_CHARSET.exec(head);
  return m?.[1];
}

/** charset parameter of a Content-Type header value */
export function contentTypeCharset(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const m = /charset\s*=\s*["']?([^"';\s]+)/i.exec(contentType);
  return m?.[1];
}

const DETECT_SAMPLE_BYTES = 64 * 1024;

export function detectCharset(bytes: Uint8Array): string {
  // validated in place: decoding to test it would build the page's text twice
  if (isUtf8(bytes)) return 'utf-8';
  const guess = chardet.detect(bytes.subarray(0, DETECT_SAMPLE_BYTES));
  if (guess && decoderFor(guess)) return guess.toLowerCase();
  return 'windows-1252';
}

export function decodeHtml(bytes: Uint8Array, httpContentType?: string): Decoded {
  const tries: Array<[string | undefined, CharsetSource]> = [
    [bomCharset(bytes), 'bom'],
    [contentTypeCharset(httpContentType), 'http'],
    [metaCharset(bytes), 'meta'],
  ];
  for (const [label, source] of tries) {
    if (!label) continue;
    // A page declaring UTF-16 in a <meta> is never UTF-16 bytes (WHATWG: treat as UTF-8).
    const fixed = source === 'meta' && /^utf-?16/i.test(label) ? 'utf-8' : label;
    const d = decoderFor(fixed);
    if (d) return { text: d.decode(bytes), charset: d.encoding, source };
  }
  const charset = detectCharset(bytes);
  const d = decoderFor(charset) ?? decoderFor('windows-1252')!;
  return { text: d.decode(bytes), charset: d.encoding, source: charset === 'windows-1252' ? 'default' : 'detected' };
}
