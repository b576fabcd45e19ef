// The JSON form of a document, for JSONL in and out (`curate stage`) and for Parquet rows read back.
// Accepts our own shape {id, text, url?, html?, meta?} and Dolma's {id, text, source, metadata}.
import { z } from 'zod';

export const DocJson = z
  .object({
    id: z.union([z.string(), z.number()]).transform(String).optional(),
    text: z.string().optional(),
    html: z.string().optional(),
    url: z.string().optional(),
    meta: z.record(z.string(), z.unknown()).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    source: z.string().optional(),
  })
  .passthrough()
  .refine((d) => d.text !== undefined || d.html !== undefined, { message: 'a document needs "text" or "html"' });

export type DocJson = z.infer<typeof DocJson>;
