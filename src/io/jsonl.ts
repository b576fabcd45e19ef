// JSONL documents: parsing one line into a Doc (schemas/doc.ts) and writing Docs back as lines.
import type { Doc } from '../core/doc.js';
import { RecordError, type RecordLocation } from '../core/errors.js';
import { DocJson } from '../../schemas/doc.js';

export function docFromJson(input: string | Record<string, unknown>, fallbackId: string, where: RecordLocation): Doc | RecordError {
  let value: unknown = input;
  if (typeof input === 'string') {
    try {
      value = JSON.parse(input);
    } catch (e) {
      return new RecordError('malformed_json', (e as Error).message, where);
    }
  }
  const parsed = DocJson.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    return new RecordError('malformed_doc', `${issue.path.join('.') || 'document'}: ${issue.message}`, where);
  }
  const d = parsed.data;
  const meta: Doc['meta'] = { ...(d.metadata ?? {}), ...(d.meta ?? {}) };
  if (d.url !== undefined) meta.url = d.url;
  if (d.source !== undefined && meta.dataset === undefined) meta.dataset = d.source;
  if (meta.source === undefined && where.file !== undefined) meta.source = { file: where.file, offset: where.offset ?? 0 };
  const doc: Doc = { id: d.id ?? fallbackId, text: d.text ?? '', meta };
  if (d.html !== undefined) doc.html = d.html;
  return doc;
}

/** {id, url, text, meta}: url lifted to the top as users expect, the rest of meta as is */
export function docToJson(doc: Doc, extra: Record<string, unknown> = {}): string {
  const { url, ...meta } = doc.meta;
  const out: Record<string, unknown> = { id: doc.id };
  if (url !== undefined) out.url = url;
  out.text = doc.text;
  if (doc.html !== undefined) out.html = doc.html;
  out.meta = meta;
  Object.assign(out, extra);
  return JSON.stringify(out);
}
