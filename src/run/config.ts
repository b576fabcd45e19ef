// Loading a pipeline YAML: parse, validate against schemas/pipeline.ts, resolve each stage name
// in the registry and validate its options with the stage's own schema. Any problem is a
// FatalError naming the field, raised before a single record is read.
import fs from 'node:fs';
import YAML from 'yaml';
import type { z } from 'zod';
import { FatalError } from '../core/errors.js';
import type { Stage, StageDefinition } from '../core/stage.js';
import { PipelineConfig, type InputConfig, type OutputConfig } from '../../schemas/pipeline.js';
import { STAGES } from '../../stages/index.js';

export interface ResolvedStage {
  name: string;
  definition: StageDefinition;
  options: unknown;
}

export interface Pipeline {
  name: string;
  description?: string;
  input: InputConfig;
  output: OutputConfig;
  stages: ResolvedStage[];
  /** the YAML as loaded, copied into the run dir */
  source: string;
}

function fieldPath(path: ReadonlyArray<PropertyKey>): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

/** Levenshtein distance, for "did you mean" hints */
function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)] as number[]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

export function suggest(word: string, candidates: Iterable<string>): string {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dd = distance(word.toLowerCase(), c.toLowerCase());
    if (dd < bestD) {
      bestD = dd;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? ` (did you mean '${best}'?)` : '';
}

/** turn a zod error into one FatalError naming the first bad field under `prefix` */
export function zodFatal(error: z.ZodError, prefix: string, knownKeys: (path: ReadonlyArray<PropertyKey>) => string[] = () => []): FatalError {
  const issue = error.issues[0]!;
  const base = [...(prefix ? [prefix] : []), ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0]!;
    const field = fieldPath([...base, key]);
    return new FatalError(`${field}: unknown option '${key}'${suggest(key, knownKeys(issue.path))}`, field);
  }
  const field = fieldPath(base) || '(top level)';
  return new FatalError(`${field}: ${issue.message}`, field);
}

function objectKeys(schema: unknown): string[] {
  const shape = (schema as { shape?: Record<string, unknown> }).shape;
  return shape ? Object.keys(shape) : [];
}

export function resolveStage(name: string, rawOptions: unknown, where: string): ResolvedStage {
  const definition = STAGES[name];
  if (!definition) throw new FatalError(`${where}: unknown stage '${name}'${suggest(name, Object.keys(STAGES))}; known stages: ${Object.keys(STAGES).join(', ')}`, where);
  const parsed = definition.options.safeParse(rawOptions ?? {});
  if (!parsed.success) throw zodFatal(parsed.error, `${where}.${name}`, () => objectKeys(definition.options));
  return { name, definition, options: parsed.data };
}

export function parsePipeline(text: string, file = '<pipeline>'): Pipeline {
  let raw: unknown;
  try {
    raw = YAML.parse(text);
  } catch (e) {
    throw new FatalError(`${file}: not valid YAML: ${(e as Error).message}`);
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new FatalError(`${file}: a pipeline is a YAML mapping with name, input, output and stages`);
  const parsed = PipelineConfig.safeParse(raw);
  if (!parsed.success) {
    const shapes: Record<string, string[]> = {
      '': objectKeys(PipelineConfig),
      input: ['format', 'paths', 'maxRecordBytes', 'keepNonOk'],
      output: ['dir', 'formats', 'maxFileBytes', 'rowGroupRows', 'writeDropped'],
    };
    const e = zodFatal(parsed.error, '', (p) => shapes[String(p[0] ?? '')] ?? []);
    throw new FatalError(`${file}: ${e.message}`, e.field);
  }
  const cfg = parsed.data;
  const stages = cfg.stages.map((entry, i) => {
    try {
      if (typeof entry === 'string') return resolveStage(entry, {}, `stages[${i}]`);
      const keys = Object.keys(entry);
      if (keys.length !== 1) throw new FatalError(`stages[${i}]: a stage entry names exactly one stage, got ${keys.length} keys (${keys.join(', ')})`, `stages[${i}]`);
      return resolveStage(keys[0]!, entry[keys[0]!] ?? {}, `stages[${i}]`);
    } catch (e) {
      if (e instanceof FatalError) throw new FatalError(`${file}: ${e.message}`, e.field);
      throw e;
    }
  });
  return { name: cfg.name, description: cfg.description, input: cfg.input, output: cfg.output, stages, source: text };
}

export function loadPipeline(file: string): Pipeline {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new FatalError(`cannot read pipeline ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parsePipeline(text, file);
}

export function createStage(s: ResolvedStage): Stage {
  return s.definition.create(s.options as never);
}
