// The document record that flows through every stage: {id, text, meta}, as in DataTrove.
// Readers fill meta (url, crawl date, content type, source file and offset); stages add to it.
// Meta keys are snake_case: they become Parquet columns and JSONL keys that users grep.

export interface DocSource {
  /** input file the document came from */
  file: string;
  /** byte offset of its record in that file (for .warc.gz: the gzip member's offset, as CC indexes give) */
  offset: number;
}

export interface DocMeta {
  url?: string;
  /** crawl date, ISO 8601 (WARC-Date) */
  date?: string;
  /** MIME type of the payload, without parameters */
  content_type?: string;
  /** the charset the payload was decoded with, and how it was chosen (bom, http, meta, detected, default) */
  charset?: string;
  charset_source?: string;
  source?: DocSource;
  [key: string]: unknown;
}

export interface Doc {
  id: string;
  /** plain text; empty until extraction for HTML records */
  text: string;
  /** decoded HTML payload, present from the WARC reader until the extract stage replaces it by text */
  html?: string;
  meta: DocMeta;
}

export function describeSource(doc: Doc): string {
  const s = doc.meta.source;
  return s ? `${s.file}@${s.offset}` : doc.id;
}

/**
 * A copy of `s` that shares no memory with the string it was cut from. V8 keeps substrings as
 * views of their parent, so a 2 KB text cut from a 300 KB page keeps the page alive for as long
 * as the document is buffered (a Parquet row group holds thousands): store copies, not slices.
 */
export function ownString(s: string): string;
export function ownString(s: string | undefined): string | undefined;
export function ownString(s: string | undefined): string | undefined {
  return s === undefined ? undefined : Buffer.from(s, 'utf8').toString('utf8');
}
