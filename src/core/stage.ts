// The Stage contract: a stream of documents in, a stream out (DataTrove's PipelineStep.run).
// Every document that enters leaves kept, changed, or dropped through ctx.drop with a reason.
import type { z } from 'zod';
import type { Doc } from './doc.js';
import type { Counters } from './stats.js';
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
}

/** A filter answers "keep, or why not" per document (DataTrove's BaseFilter.filter). */
export interface FilterSpec<S extends z.ZodType> {
  name: string;
  description: string;
  options: S;
  /** true keeps the document; a string drops it with that reason */
  keep(doc: Doc, options: z.output<S>, ctx: StageContext): boolean | string | Promise<boolean | string>;
}

export function defineFilter<S extends z.ZodType>(spec: FilterSpec<S>): StageDefinition<S> {
  return {
    name: spec.name,
    kind: 'filter',
    description: spec.description,
    options: spec.options,
    create(options) {
      return {
        name: spec.name,
        async *run(input, ctx) {
          for await (const doc of input) {
            const verdict = await spec.keep(doc, options, ctx);
            if (verdict === true) yield doc;
            else ctx.drop(doc, verdict === false ? spec.name : verdict);
          }
        },
      };
    },
  };
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
