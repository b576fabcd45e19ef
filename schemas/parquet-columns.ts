// The Parquet columns of document outputs, described once. A stage that adds a meta field users
// filter on gets a typed column here; every other meta field lands in the `meta` JSON column.
import type { Doc } from '../src/core/doc.js';

export type ColumnType = 'utf8' | 'int64' | 'int32' | 'float64' | 'bool';

export interface ColumnSpec {
  name: string;
  type: ColumnType;
  description: string;
  /** meta key this column is taken from (and that is then left out of the meta JSON) */
  metaKey?: string;
  value(doc: Doc): string | number | boolean | null | undefined;
}

const meta = (key: string) => (doc: Doc) => doc.meta[key] as string | number | boolean | undefined;

export const DOC_COLUMNS: ColumnSpec[] = [
  { name: 'id', type: 'utf8', description: 'document id (the WARC-Record-ID for WARC input)', value: (d) => d.id },
  { name: 'url', type: 'utf8', description: 'WARC-Target-URI', metaKey: 'url', value: meta('url') },
  { name: 'text', type: 'utf8', description: 'extracted main text', value: (d) => d.text },
  { name: 'title', type: 'utf8', description: 'page title from extraction', metaKey: 'title', value: meta('title') },
  { name: 'html_lang', type: 'utf8', description: 'lang attribute of the page', metaKey: 'html_lang', value: meta('html_lang') },
  { name: 'crawl_date', type: 'utf8', description: 'WARC-Date, ISO 8601', metaKey: 'date', value: meta('date') },
  { name: 'content_type', type: 'utf8', description: 'MIME type of the payload', metaKey: 'content_type', value: meta('content_type') },
  { name: 'charset', type: 'utf8', description: 'charset the page was decoded with', metaKey: 'charset', value: meta('charset') },
  { name: 'charset_source', type: 'utf8', description: 'how the charset was chosen: bom, http, meta, detected, default', metaKey: 'charset_source', value: meta('charset_source') },
  { name: 'extractor', type: 'utf8', description: 'which extractor produced the text (readability, fallback)', metaKey: 'extractor', value: meta('extractor') },
  { name: 'language', type: 'utf8', description: 'language code from the langid stage (fastText lid.176)', metaKey: 'language', value: meta('language') },
  { name: 'language_score', type: 'float64', description: 'probability of that language', metaKey: 'language_score', value: meta('language_score') },
  { name: 'source_file', type: 'utf8', description: 'input file', value: (d) => d.meta.source?.file },
  { name: 'source_offset', type: 'int64', description: 'offset of the record in the input file (gzip member offset for .warc.gz)', value: (d) => d.meta.source?.offset },
  { name: 'text_chars', type: 'int64', description: 'length of text in characters', value: (d) => d.text.length },
];

export const DROP_COLUMNS: ColumnSpec[] = [
  { name: 'drop_stage', type: 'utf8', description: 'stage that dropped the document', metaKey: 'drop_stage', value: meta('drop_stage') },
  { name: 'drop_reason', type: 'utf8', description: 'reason the document was dropped', metaKey: 'drop_reason', value: meta('drop_reason') },
];

const COLUMN_META_KEYS = new Set(['source', ...DOC_COLUMNS.concat(DROP_COLUMNS).flatMap((c) => (c.metaKey ? [c.metaKey] : []))]);

export const META_JSON_COLUMN: ColumnSpec = {
  name: 'meta',
  type: 'utf8',
  description: 'every other meta field, as JSON',
  value: (d) => {
    const rest: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(d.meta)) if (!COLUMN_META_KEYS.has(k) && v !== undefined) rest[k] = v;
    return JSON.stringify(rest);
  },
};

export function docColumns(dropped: boolean): ColumnSpec[] {
  return [...DOC_COLUMNS, ...(dropped ? DROP_COLUMNS : []), META_JSON_COLUMN];
}

const ROW_FIELDS = new Set(['id', 'text', 'html', 'meta', 'source_file', 'source_offset', 'text_chars']);
const COLUMN_TO_META = new Map([...DOC_COLUMNS, ...DROP_COLUMNS].flatMap((c) => (c.metaKey ? [[c.name, c.metaKey] as const] : [])));

/**
 * Meta of a row read back from Parquet: our typed columns map back to their meta keys, our `meta`
 * JSON column is unpacked, and any other column (a foreign file's `dump`, `language`...) is kept
 * under its own name.
 */
export function metaFromRow(row: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (typeof row.meta === 'string' && row.meta) {
    try {
      Object.assign(out, JSON.parse(row.meta));
    } catch {
      out.meta = row.meta;
    }
  }
  for (const [col, value] of Object.entries(row)) {
    if (value === undefined || value === null || ROW_FIELDS.has(col)) continue;
    out[COLUMN_TO_META.get(col) ?? col] = typeof value === 'bigint' ? Number(value) : value;
  }
  if (typeof row.source_file === 'string') out.source = { file: row.source_file, offset: Number(row.source_offset ?? 0) };
  return out;
}
