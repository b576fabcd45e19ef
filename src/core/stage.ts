// The Stage contract: a stream of documents in, a stream out (DataTrove's PipelineStep.run).
// Every document that enters leaves kept, changed, or dropped through ctx.drop with a reason.
import { z } from 'zod';

const zBoolean = z.boolean();
import type { Doc } from './doc.js';
import type { CounterMap, Counters } from './stats.js';
import type { Logger } from './log.js';
import type { RecordError } from './errors.js';

export interface StageContext {
  /** this task's rank and the number of tasks in the run (inputs are split by index mod worldSize) */
  rank: number;
  worldSize: number;
  /** counters of the running stage; keys are snake_case and stable */
  stats: Counters;
  log: Logger;
  signal: AbortSignal;
  /** the run's output directory; multi-pass stages keep their intermediate files under it */
  runDir: string;
  /** name of the running stage */
  stage: string;
  /** drop a document with a reason: counted as `dropped.<reason>` and sent to the dropped output */
  drop(doc: Doc, reason: string): void;
  /** report a bad record that is not a document (counted under errors, listed with file and offset) */
  recordError(err: RecordError): void;
}

export interface Stage {
  readonly name: string;
  run(input: AsyncIterable<Doc>, ctx: StageContext): AsyncIterable<Doc>;
}

export type StageKind = 'extract' | 'filter' | 'transform' | 'langid' | 'pii' | 'dedup' | 'classify' | 'mix' | 'tokenize' | 'write';

export interface StageDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  kind: StageKind;
  description: string;
  /** zod schema of the options; validated once when the pipeline is loaded, trusted afterwards */
  options: S;
  create(options: z.output<S>): Stage;
  /**
   * A stage that must see every document of the run before deciding about any (deduplication).
   * The runner splits the pipeline there into passes that meet in files under the run dir: the
   * pass before ends by collecting, a reduce runs once, and the pass after starts with the filter.
   */
  global?(options: z.output<S>): GlobalStage;
}

/** the three steps of a global stage; `dir` is the stage's own folder in the run dir */
export interface GlobalStage {
  /** per task, in the pass before: sees each document leaving the upstream stages, in order (0, 1, ...) */
  collector(dir: string, task: string): Collector;
  /** once, between the passes: reads what every task collected and writes each task's decisions */
  reduce(dir: string, tasks: string[], log: Logger): Promise<CounterMap>;
  /** per task, in the pass after: the stage that applies the decisions to the same documents in the same order */
  filter(dir: string, task: string): Stage;
}

export interface Collector {
  add(doc: Doc, index: number): void;
  close(): Promise<void>;
}

/** What a filter measured and decided: `keep` is true or the drop reason. */
export interface FilterVerdict {
  keep: true | string;
  /** the measured values (word count, ratios...), written to meta in annotate mode */
  values?: Record<string, number | string | boolean | null>;
}

/** A filter answers "keep, or why not" per document (DataTrove's BaseFilter.filter). */
export interface FilterSpec<S extends z.ZodObject> {
  name: string;
  description: string;
  /** the filter's own options; `annotate` is added to every filter */
  options: S;
  /** true keeps the document; a string drops it with that reason; a verdict also carries the measurements */
  keep(doc: Doc, options: z.output<S>, ctx: StageContext): boolean | string | FilterVerdict | Promise<boolean | string | FilterVerdict>;
}

/**
 * A filter stage. Every filter takes `annotate: true`, which drops nothing: the measured values go to
 * `meta.<filter name>` (with `would_drop` set to the reason, if any) so thresholds can be tuned with
 * `curate inspect`, and stats count `would_drop.<reason>`.
 */
export function defineFilter<S extends z.ZodObject>(spec: FilterSpec<S>) {
  const options = spec.options.extend({ annotate: zBoolean.default(false) });
  const definition: StageDefinition<typeof options> = {
    name: spec.name,
    kind: 'filter',
    description: spec.description,
    options,
    create(opts) {
      const annotate = (opts as { annotate: boolean }).annotate;
      return {
        name: spec.name,
        async *run(input, ctx) {
          for await (const doc of input) {
            const raw = await spec.keep(doc, opts as z.output<S>, ctx);
            const verdict: FilterVerdict = typeof raw === 'object' ? raw : { keep: raw === true ? true : raw === false ? spec.name : raw };
            if (annotate) {
              if (verdict.keep !== true) ctx.stats.inc(`would_drop.${verdict.keep}`);
              doc.meta[spec.name] = { ...(verdict.values ?? {}), would_drop: verdict.keep === true ? null : verdict.keep };
              yield doc;
            } else if (verdict.keep === true) yield doc;
            else ctx.drop(doc, verdict.keep);
          }
        },
      };
    },
  };
  return definition;
}

/** A mapper rewrites a document or drops it: return the doc, or {drop: reason}. */
export interface MapperSpec<S extends z.ZodType, St = void> {
  name: string;
  kind: StageKind;
  description: string;
  options: S;
  /** per-stage state built once (a parsed word list, a compiled model) */
  setup?(options: z.output<S>): St;
  map(doc: Doc, options: z.output<S>, ctx: StageContext, state: St): Doc | { drop: string } | Promise<Doc | { drop: string }>;
}

export function defineMapper<S extends z.ZodType, St = void>(spec: MapperSpec<S, St>): StageDefinition<S> {
  return {
    name: spec.name,
    kind: spec.kind,
    description: spec.description,
    options: spec.options,
    create(options) {
      const state = spec.setup ? spec.setup(options) : (undefined as St);
      return {
        name: spec.name,
        async *run(input, ctx) {
          for await (const doc of input) {
            const before = doc.text;
            const result = await spec.map(doc, options, ctx, state);
            if ('drop' in result && typeof result.drop === 'string') {
              ctx.drop(doc, result.drop);
              continue;
            }
            const out = result as Doc;
            if (out.text !== before) ctx.stats.inc('changed');
            yield out;
          }
        },
      };
    },
  };
}
