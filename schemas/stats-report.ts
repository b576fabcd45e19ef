// The stats a run leaves beside its output: per task in _done/<task>.json (the completion marker),
// merged for the run in stats.json. Documents read (+ repeats a mix stage added) = kept + dropped (by stage and reason).
import { z } from 'zod';

const Counts = z.record(z.string(), z.number());

export const StageStats = z.object({
  name: z.string(),
  in: z.number(),
  out: z.number(),
  changed: z.number(),
  /** documents a stage emitted beyond those it read (the mix stage's upsampled repeats): in + added = out + dropped */
  added: z.number().default(0),
  dropped: Counts,
  dropped_total: z.number(),
  counters: Counts,
});

export const TaskReport = z.object({
  version: z.literal(1),
  task: z.string(),
  /** which pass of the pipeline (a pipeline with global stages such as dedup runs in several) */
  pass: z.number().default(0),
  file: z.string(),
  bytes: z.number(),
  seconds: z.number(),
  reader: Counts,
  /** `index`: the stage's position in the pipeline's stage list */
  stages: z.array(z.object({ index: z.number(), name: z.string(), counters: Counts })),
  docs_written: z.number(),
  dropped_written: z.number(),
  files: z.array(z.string()),
  dropped_files: z.array(z.string()),
  bad_records: z.number(),
});

export const RunReport = z.object({
  version: z.literal(1),
  pipeline: z.string(),
  started: z.string(),
  finished: z.string(),
  seconds: z.number(),
  rank: z.number(),
  world_size: z.number(),
  tasks: z.array(z.object({ task: z.string(), file: z.string(), bytes: z.number(), resumed: z.boolean(), seconds: z.number() })),
  /** `remote`: what remote inputs cost: bytes_fetched, retries, slowdowns (429/503), range_ignored (docs/remote-inputs.md) */
  reader: z.object({ records: z.number(), docs: z.number(), records_by_type: Counts, skipped: Counts, errors: Counts, remote: Counts.optional() }),
  /** when the inputs came from listings (warc.paths.gz): lines that named an input, blank lines, bad lines (listed in _inputs.json) */
  inputs: z.object({ listed: z.number(), blank_lines: z.number(), bad_lines: z.number() }).optional(),
  stages: z.array(StageStats),
  output: z.object({ docs: z.number(), dropped_docs: z.number(), files: z.array(z.string()), dropped_files: z.array(z.string()) }),
  totals: z.object({ docs_read: z.number(), docs_kept: z.number(), docs_dropped: z.number(), docs_added: z.number().default(0), bad_records: z.number(), balanced: z.boolean() }),
  throughput: z.object({ docs_per_s: z.number(), mb_per_s: z.number() }),
});

export type TaskReport = z.infer<typeof TaskReport>;
export type RunReport = z.infer<typeof RunReport>;
export type StageStats = z.infer<typeof StageStats>;
