// The pipeline YAML, validated once when loaded: an unknown stage or option, or a mistyped value,
// stops the run before it starts and names the exact field (e.g. `stages[1].extract.minTextChar`).
import { z } from 'zod';

export const InputConfig = z
  .object({
    /** input format; by default taken from each file's extension */
    format: z.enum(['warc', 'jsonl', 'parquet']).optional(),
    /** files or directories (read recursively); relative paths are relative to the working directory */
    paths: z.array(z.string().min(1)).default([]),
    /** records with a larger block are skipped unread and counted as record_too_large */
    maxRecordBytes: z.number().int().positive().default(16 * 1024 * 1024),
    /** WARC: keep non-2xx HTTP responses (skipped by default) */
    keepNonOk: z.boolean().default(false),
  })
  .strict();

export const OutputConfig = z
  .object({
    dir: z.string().min(1).default('data/runs/out'),
    formats: z.array(z.enum(['parquet', 'jsonl'])).min(1).default(['parquet']),
    /** start a new output file once one holds this many bytes */
    maxFileBytes: z.number().int().positive().default(256 * 1024 * 1024),
    rowGroupRows: z.number().int().positive().default(1000),
    /** also write dropped documents (with drop_stage and drop_reason) under dropped/ */
    writeDropped: z.boolean().default(true),
  })
  .strict();

/** a stage entry: `extract` or `{ extract: { minTextChars: 50 } }` */
export const StageEntry = z.union([z.string().min(1), z.record(z.string(), z.record(z.string(), z.unknown()).nullable())]);

export const PipelineConfig = z
  .object({
    name: z.string().min(1),
    description: z.string().optional(),
    input: InputConfig.default({ paths: [], maxRecordBytes: 16 * 1024 * 1024, keepNonOk: false }),
    output: OutputConfig.default({ dir: 'data/runs/out', formats: ['parquet'], maxFileBytes: 256 * 1024 * 1024, rowGroupRows: 1000, writeDropped: true }),
    stages: z.array(StageEntry).default([]),
  })
  .strict();

export type PipelineConfigRaw = z.infer<typeof PipelineConfig>;
export type InputConfig = z.infer<typeof InputConfig>;
export type OutputConfig = z.infer<typeof OutputConfig>;
