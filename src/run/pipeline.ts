// The local executor of one pipeline: each input file is a task (rank r of world size w takes the
// files whose index mod w is r); a task streams its file through the stages into rolling output
// shards, writes a completion marker with its stats, and a rerun skips tasks that have one.
import fs from 'node:fs';
import path from 'node:path';
import type { Doc } from '../core/doc.js';
import { FatalError, type RecordError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { GlobalStage, Stage, StageContext } from '../core/stage.js';
import { Counters, type CounterMap } from '../core/stats.js';
import { readDocs } from '../io/readers.js';
import { fromArray } from '../core/iterables.js';
import { parquetWriter } from '../io/parquet-write.js';
import { jsonlWriter } from '../io/jsonl-write.js';
import { TMP_SUFFIX, type RollingWriter, type ShardOptions } from '../io/shard-writer.js';
import { writeFileAtomic } from '../io/atomic.js';
import { createStage, type Pipeline } from './config.js';
import { listingSummary, loadInputs, resolveInputs, type InputFile, type InputSpec } from './inputs.js';
import { configureRemote } from '../io/remote.js';
import type { Progress } from './progress.js';
import { TaskReport, type RunReport, type StageStats } from '../../schemas/stats-report.js';

export interface RunOptions {
  /** replaces input.paths */
  inputs?: string[];
  /** replaces output.dir */
  outputDir?: string;
  /** redo tasks that have a completion marker */
  force?: boolean;
  rank?: number;
  worldSize?: number;
  log: Logger;
  progress?: Progress;
  signal?: AbortSignal;
  /** how many bad-record lines per task go to the log before the rest only go to errors/ */
  maxLoggedErrors?: number;
  /** replace input.shard (`R/W`) and input.limit */
  shard?: string;
  limit?: number;
}

export const DONE_DIR = '_done';


/** remove whatever an unfinished earlier attempt of this task (in this pass) left */
function clearTaskOutputs(runDir: string, prefix: string, dirs: string[]): void {
  for (const sub of dirs) {
    const dir = path.join(runDir, sub);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) if (f.startsWith(prefix + '.')) fs.rmSync(path.join(dir, f), { force: true });
  }
}

/**
 * A pass: the streaming stages run between two global stages (dedup). The first pass reads the
 * inputs; a pass that ends at a global stage collects for it and writes its documents to
 * `_passes/<k>/`, which the next pass reads after the global stage's reduce, opening with its filter.
 */
export interface PassPlan {
  index: number;
  /** the global stage whose filter opens this pass (index into the pipeline's stages) */
  opensWith?: number;
  /** the streaming stages of this pass */
  stages: number[];
  /** the global stage this pass collects for */
  closesWith?: number;
}

export function planPasses(p: Pipeline): PassPlan[] {
  const plans: PassPlan[] = [{ index: 0, stages: [] }];
  p.stages.forEach((s, i) => {
    const cur = plans[plans.length - 1]!;
    if (s.definition.global) {
      cur.closesWith = i;
      plans.push({ index: plans.length, opensWith: i, stages: [] });
    } else cur.stages.push(i);
  });
  return plans;
}

const PASSES_DIR = '_passes';
const GLOBAL_DIR = '_global';

function globalDir(runDir: string, p: Pipeline, stageIndex: number): string {
  return path.join(runDir, GLOBAL_DIR, `${stageIndex}-${p.stages[stageIndex]!.name}`);
}

interface PassContext {
  plan: PassPlan;
  passes: number;
  globals: Map<number, GlobalStage>;
  force: boolean;
}

function openWriters(p: Pipeline, runDir: string, prefix: string, dropped: boolean): RollingWriter[] {
  const opts: ShardOptions = {
    dir: path.join(runDir, dropped ? 'dropped' : 'docs'),
    prefix,
    maxFileBytes: p.output.maxFileBytes,
    rowGroupRows: p.output.rowGroupRows,
    dropped,
  };
  return p.output.formats.map((f) => (f === 'parquet' ? parquetWriter(opts) : jsonlWriter(opts)));
}

interface TaskRun {
  report: TaskReport;
  resumed: boolean;
}

function intermediateDir(runDir: string, pass: number): string {
  return path.join(runDir, PASSES_DIR, String(pass));
}

async function runTask(p: Pipeline, input: InputFile, runDir: string, opts: RunOptions, progressBase: { docs: number; bytes: number }, pc: PassContext): Promise<TaskRun> {
  const log = opts.log;
  const { plan } = pc;
  const multi = pc.passes > 1;
  const last = plan.index === pc.passes - 1;
  // one pass: outputs are named by the task; several: by task and pass, so a redo of one pass clears only its own
  const prefix = multi ? `${input.task}.p${plan.index}` : input.task;
  const marker = taskMarker(runDir, pc.passes, plan.index, input.task);
  if (!pc.force && fs.existsSync(marker)) {
    const parsed = TaskReport.safeParse(JSON.parse(fs.readFileSync(marker, 'utf8')));
    // a pass after a global stage is stale when that stage's reduce was redone after it
    const stale = plan.opensWith !== undefined && mtimeMs(reduceMarker(runDir, plan.opensWith)) > mtimeMs(marker);
    if (parsed.success && parsed.data.file === input.file && !stale) {
      log.info(`${input.task}: done in an earlier run, skipped (--force redoes it)`);
      return { report: parsed.data, resumed: true };
    }
    if (!stale) log.warn(`${input.task}: completion marker does not match this input; redoing the task`);
  }
  if (plan.index > 0) checkPassInput(runDir, plan.index - 1, input.task);
  fs.rmSync(marker, { force: true });
  clearTaskOutputs(runDir, prefix, ['docs', 'dropped', 'errors']);
  if (plan.closesWith !== undefined) clearTaskOutputs(runDir, input.task, [path.join(PASSES_DIR, String(plan.index))]);
  const started = Date.now();
  const signal = opts.signal ?? new AbortController().signal;

  const readerStats = new Counters();
  const errorsFile = path.join(runDir, 'errors', `${prefix}.jsonl`);
  fs.mkdirSync(path.dirname(errorsFile), { recursive: true });
  const errorsFd = fs.openSync(errorsFile + TMP_SUFFIX, 'w');
  let badRecords = 0;
  const maxLogged = opts.maxLoggedErrors ?? 20;
  const recordError = (err: RecordError) => {
    badRecords++;
    fs.writeSync(errorsFd, JSON.stringify({ task: input.task, ...err.toJSON() }) + '\n');
    if (badRecords <= maxLogged) log.warn(err.describe());
    else if (badRecords === maxLogged + 1) log.warn(`${input.task}: more bad records; all are listed in ${path.relative(process.cwd(), errorsFile)}`);
  };

  // the last pass writes the outputs; a pass before a global stage writes its documents for the next
  // pass and hands each to the global stage's collector. The pass files are JSONL.gz (every meta field,
  // and html when a global stage comes before extract): written and read a line at a time, where a
  // Parquet pass file buffered a row group to write and DuckDB a 2,048-row chunk to read (about 150 MB
  // of RSS on a 200 MB WARC's pass file, docs/dependencies.md)
  const collector = plan.closesWith !== undefined ? pc.globals.get(plan.closesWith)!.collector(globalDir(runDir, p, plan.closesWith), input.task) : undefined;
  const kept = last
    ? openWriters(p, runDir, prefix, false)
    : [jsonlWriter({ dir: intermediateDir(runDir, plan.index), prefix: input.task, maxFileBytes: Number.MAX_SAFE_INTEGER, rowGroupRows: p.output.rowGroupRows, dropped: false })];
  const droppedWriters = p.output.writeDropped ? openWriters(p, runDir, prefix, true) : [];
  const dropQueue: Doc[] = [];
  const flushDrops = async () => {
    while (dropQueue.length) {
      const d = dropQueue.shift()!;
      for (const w of droppedWriters) await w.write(d);
    }
  };

  const stages: Array<{ index: number; stage: Stage }> = [];
  if (plan.opensWith !== undefined) stages.push({ index: plan.opensWith, stage: pc.globals.get(plan.opensWith)!.filter(globalDir(runDir, p, plan.opensWith), input.task) });
  for (const i of plan.stages) stages.push({ index: i, stage: createStage(p.stages[i]!) });
  const stageStats = stages.map(() => new Counters());
  let docsOut = 0;
  let bytesRead = 0;

  let stream: AsyncIterable<Doc> =
    plan.index === 0
      ? readDocs(
          input.format,
          input.file,
          { maxRecordBytes: p.input.maxRecordBytes, keepNonOk: p.input.keepNonOk, crawl: p.input.crawl, runDir },
          {
            stats: readerStats,
            recordError,
            onBytes: (n) => {
              bytesRead = n;
              opts.progress?.update(progressBase.docs + readerStats.get('docs'), progressBase.bytes + n, input.task);
            },
          },
        )
      : fs.existsSync(intermediateFile(runDir, plan.index - 1, input.task))
        ? readDocs('jsonl', intermediateFile(runDir, plan.index - 1, input.task), { maxRecordBytes: Number.MAX_SAFE_INTEGER }, { stats: new Counters(), recordError })
        : fromArray<Doc>([]);
  stages.forEach(({ stage }, i) => {
    const stats = stageStats[i]!;
    const ctx: StageContext = {
      rank: opts.rank ?? 0,
      worldSize: opts.worldSize ?? 1,
      stats,
      log,
      signal,
      runDir,
      stage: stage.name,
      drop(doc, reason) {
        stats.inc(`dropped.${reason}`);
        if (droppedWriters.length) {
          const { html: _html, ...rest } = doc;
          void _html;
          dropQueue.push({ ...rest, meta: { ...doc.meta, drop_stage: stage.name, drop_reason: reason } });
        }
      },
      recordError,
    };
    const upstream = stream;
    // Count what enters, and write pending drops before the next document goes in, so the
    // drop queue never holds more than a few documents.
    const feed = (async function* () {
      for await (const doc of upstream) {
        if (signal.aborted) return;
        await flushDrops();
        stats.inc('in');
        yield doc;
      }
      await flushDrops();
    })();
    const out = stage.run(feed, ctx);
    stream = (async function* () {
      for await (const doc of out) {
        stats.inc('out');
        yield doc;
      }
    })();
  });

  try {
    for await (const doc of stream) {
      if (signal.aborted) break;
      collector?.add(doc, docsOut);
      for (const w of kept) await w.write(doc);
      docsOut++;
      await flushDrops();
    }
    await flushDrops();
    if (signal.aborted) throw new FatalError('interrupted');
    await collector?.close();
  } catch (e) {
    await Promise.all([...kept, ...droppedWriters].map((w) => w.abort()));
    fs.closeSync(errorsFd);
    fs.rmSync(errorsFile + TMP_SUFFIX, { force: true });
    throw e;
  }
  const files = (await Promise.all(kept.map((w) => w.close()))).flat();
  const droppedFiles = (await Promise.all(droppedWriters.map((w) => w.close()))).flat();
  fs.closeSync(errorsFd);
  fs.renameSync(errorsFile + TMP_SUFFIX, errorsFile);

  stages.forEach(({ stage }, i) => {
    const c = stageStats[i]!;
    const balance = c.get('in') + c.get('added') - c.get('out') - c.sumPrefix('dropped');
    if (balance !== 0) {
      c.inc('lost', balance);
      log.error(`${input.task}: stage ${stage.name} lost ${balance} documents without a drop reason (a bug in the stage)`);
    }
  });
  const report: TaskReport = {
    version: 1,
    task: input.task,
    pass: plan.index,
    file: input.file,
    // a remote file's size is known once it is read (its listing did not say)
    bytes: input.bytes || bytesRead,
    seconds: (Date.now() - started) / 1000,
    reader: readerStats.toJSON(),
    stages: stages.map(({ index, stage }, i) => ({ index, name: stage.name, counters: stageStats[i]!.toJSON() })),
    docs_written: docsOut,
    dropped_written: droppedWriters.length ? droppedWriters[0]!.docs : 0,
    files: last ? files.map((f) => path.relative(runDir, f)) : [],
    dropped_files: droppedFiles.map((f) => path.relative(runDir, f)),
    bad_records: badRecords,
  };
  writeFileAtomic(marker, JSON.stringify(report, null, 2));
  fs.rmSync(failureMarker(runDir, plan.index, input.task), { force: true });
  return { report, resumed: false };
}

function passMarker(runDir: string, pass: number, task: string): string {
  return path.join(runDir, DONE_DIR, `pass-${pass}`, `${task}.json`);
}

/** a task's completion marker: `_done/<task>.json` in a one-pass pipeline, else per pass */
export function taskMarker(runDir: string, passes: number, pass: number, task: string): string {
  return passes > 1 ? passMarker(runDir, pass, task) : path.join(runDir, DONE_DIR, `${task}.json`);
}

/** the marker of a global stage's reduce (stage index), holding its counters */
export function reduceMarker(runDir: string, stageIndex: number): string {
  return path.join(runDir, DONE_DIR, `reduce-${stageIndex}.json`);
}

export const FAILED_DIR = '_failed';

/** where a task that failed a pass says why, for `curate status` (removed when the task succeeds) */
export function failureMarker(runDir: string, pass: number, task: string): string {
  return path.join(runDir, FAILED_DIR, `pass-${pass}`, `${task}.json`);
}

export function recordFailure(runDir: string, pass: number, task: string, error: string, log?: string): void {
  writeFileAtomic(failureMarker(runDir, pass, task), JSON.stringify({ task, pass, error, log, at: new Date().toISOString() }, null, 2));
}

/** a file's modification time, 0 when it does not exist: markers order the steps as make orders targets */
function mtimeMs(file: string): number {
  try {
    return fs.statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * The documents an earlier pass wrote for this one must still be there. If they vanished (a disk
 * cleaned, a copy half made), say which file, and remove that pass's marker so a rerun redoes it.
 */
function checkPassInput(runDir: string, pass: number, task: string): void {
  const file = intermediateFile(runDir, pass, task);
  if (fs.existsSync(file)) return;
  const marker = passMarker(runDir, pass, task);
  if (!fs.existsSync(marker)) throw new Error(`pass ${pass} has not finished for this task (no ${marker}): rerun to redo it`);
  const written = (JSON.parse(fs.readFileSync(marker, 'utf8')) as { docs_written?: number }).docs_written ?? 0;
  if (written === 0) return; // that pass kept nothing for this task: no file is right
  fs.rmSync(marker, { force: true });
  throw new Error(`${file} is missing, though pass ${pass} wrote ${written} documents there; its completion marker is removed: rerun to redo that pass`);
}

function intermediateFile(runDir: string, pass: number, task: string): string {
  return path.join(intermediateDir(runDir, pass), `${task}.00000.jsonl.gz`);
}

function stageStatsFrom(name: string, c: Counters): StageStats {
  const dropped = c.withPrefix('dropped');
  const counters: CounterMap = {};
  for (const [k, v] of Object.entries(c.toJSON())) if (!['in', 'out', 'changed', 'added'].includes(k) && !k.startsWith('dropped.')) counters[k] = v;
  return {
    name,
    in: c.get('in'),
    out: c.get('out'),
    changed: c.get('changed'),
    added: c.get('added'),
    dropped,
    dropped_total: c.sumPrefix('dropped'),
    counters,
  };
}

/**
 * Merge task reports (every pass of every task) into the run report. Reader counts come from the
 * first pass, stage counts by position in the stage list, kept documents from the last pass;
 * `reduceCounters` are a global stage's counts from its reduce, per stage position.
 */
export function mergeReports(p: Pipeline, runs: TaskRun[], started: Date, rank: number, worldSize: number, passes = 1, reduceCounters = new Map<number, CounterMap>()): RunReport {
  const reader = new Counters();
  const stageCounters = p.stages.map(() => new Counters());
  for (const { report } of runs) {
    if (report.pass === 0) reader.merge(report.reader);
    for (const s of report.stages) stageCounters[s.index]?.merge(s.counters);
  }
  for (const [i, c] of reduceCounters) for (const [k, v] of Object.entries(c)) stageCounters[i]?.inc(`reduce.${k}`, v);
  const stages = p.stages.map((s, i) => stageStatsFrom(s.name, stageCounters[i]!));
  const final = runs.filter((r) => r.report.pass === passes - 1);
  const firsts = runs.filter((r) => r.report.pass === 0);
  const docsRead = reader.get('docs');
  const kept = final.reduce((a, r) => a + r.report.docs_written, 0);
  const dropped = stages.reduce((a, s) => a + s.dropped_total, 0);
  const added = stages.reduce((a, s) => a + s.added, 0);
  const finished = new Date();
  const seconds = (finished.getTime() - started.getTime()) / 1000;
  const fresh = runs.filter((r) => !r.resumed);
  const freshSeconds = fresh.reduce((a, r) => a + r.report.seconds, 0);
  const freshFirsts = firsts.filter((r) => !r.resumed);
  return {
    version: 1,
    pipeline: p.name,
    started: started.toISOString(),
    finished: finished.toISOString(),
    seconds,
    rank,
    world_size: worldSize,
    tasks: firsts.map((r) => {
      const all = runs.filter((x) => x.report.task === r.report.task);
      return { task: r.report.task, file: r.report.file, bytes: r.report.bytes, resumed: all.every((x) => x.resumed), seconds: all.reduce((a, x) => a + x.report.seconds, 0) };
    }),
    reader: {
      records: reader.get('records'),
      docs: docsRead,
      records_by_type: reader.withPrefix('records_by_type'),
      skipped: reader.withPrefix('skipped'),
      errors: reader.withPrefix('errors'),
      ...(reader.sumPrefix('remote') ? { remote: reader.withPrefix('remote') } : {}),
    },
    stages,
    output: {
      docs: kept,
      dropped_docs: runs.reduce((a, r) => a + r.report.dropped_written, 0),
      files: final.flatMap((r) => r.report.files),
      dropped_files: runs.flatMap((r) => r.report.dropped_files),
    },
    totals: {
      docs_read: docsRead,
      docs_kept: kept,
      docs_dropped: dropped,
      docs_added: added,
      bad_records: runs.reduce((a, r) => a + r.report.bad_records, 0),
      balanced: docsRead + added === kept + dropped && stages.every((s) => s.in + s.added === s.out + s.dropped_total),
    },
    throughput: {
      docs_per_s: freshSeconds > 0 ? freshFirsts.reduce((a, r) => a + (r.report.reader.docs ?? 0), 0) / freshSeconds : 0,
      mb_per_s: freshSeconds > 0 ? freshFirsts.reduce((a, r) => a + r.report.bytes, 0) / 1e6 / freshSeconds : 0,
    },
  };
}

export interface RunResult {
  runDir: string;
  report: RunReport;
  failed: Array<{ task: string; error: string }>;
}

/** what every step of a run needs: the pipeline, its run dir, all its inputs, its passes and global stages */
export interface RunSetup {
  p: Pipeline;
  runDir: string;
  /** every input of the run (all ranks), in task order */
  all: InputFile[];
  plans: PassPlan[];
  globals: Map<number, GlobalStage>;
}

/** the input list a run resolves (src/run/inputs.ts): the pipeline's input section, with --input, --shard, --limit over it */
export function inputSpec(p: Pipeline, opts: Pick<RunOptions, 'inputs' | 'shard' | 'limit'>): InputSpec {
  const shard = opts.shard ?? p.input.shard;
  const limit = opts.limit ?? p.input.limit;
  return {
    paths: opts.inputs ?? p.input.paths,
    ...(p.input.format ? { format: p.input.format } : {}),
    baseUrl: p.input.baseUrl,
    ...(shard !== undefined ? { shard } : {}),
    ...(limit !== undefined ? { limit } : {}),
    ...(p.input.cacheDir ? { cacheDir: p.input.cacheDir } : {}),
  };
}

/** how this process reads remote inputs: the pipeline's input.remote, input.s3 and input.cacheDir */
export function configureRemoteInputs(p: Pipeline): void {
  configureRemote({ ...p.input.remote, cacheDir: p.input.cacheDir, s3: p.input.s3 });
}

/** list the run's inputs once (listings read, s3:// prefixes listed, shard and limit taken) into the run dir */
export async function resolveRunInputs(p: Pipeline, opts: Pick<RunOptions, 'inputs' | 'shard' | 'limit' | 'outputDir' | 'log'>): Promise<InputFile[]> {
  configureRemoteInputs(p);
  return resolveInputs(inputSpec(p, opts), opts.outputDir ?? p.output.dir, opts.log);
}

export function prepareRun(p: Pipeline, opts: Pick<RunOptions, 'inputs' | 'outputDir'>): RunSetup {
  const runDir = opts.outputDir ?? p.output.dir;
  configureRemoteInputs(p);
  const all = loadInputs(opts.inputs ?? p.input.paths, p.input.format, runDir);
  const plans = planPasses(p);
  try {
    fs.mkdirSync(path.join(runDir, DONE_DIR), { recursive: true });
    const yamlFile = path.join(runDir, 'pipeline.yaml');
    if (!fs.existsSync(yamlFile) || fs.readFileSync(yamlFile, 'utf8') !== p.source) writeFileAtomic(yamlFile, p.source);
  } catch (e) {
    throw new FatalError(`output.dir: cannot write to ${runDir}: ${(e as Error).message}`, 'output.dir');
  }
  const globals = new Map<number, GlobalStage>();
  p.stages.forEach((s, i) => {
    if (s.definition.global) globals.set(i, s.definition.global(s.options as never));
  });
  return { p, runDir, all, plans, globals };
}

/** one task of one pass: skipped when its marker is current, else run and marked */
export async function runPassTask(setup: RunSetup, pass: number, input: InputFile, opts: RunOptions, progressBase: { docs: number; bytes: number }): Promise<TaskRun> {
  const pc: PassContext = { plan: setup.plans[pass]!, passes: setup.plans.length, globals: setup.globals, force: Boolean(opts.force) };
  return runTask(setup.p, input, setup.runDir, opts, progressBase, pc);
}

/**
 * The reduce of the global stage that closes `pass`, once every task of the run finished that pass (the
 * barrier between passes). Skipped when its marker is newer than every task marker of the pass.
 */
export async function runReduce(setup: RunSetup, pass: number, log: Logger, force = false): Promise<CounterMap> {
  const g = setup.plans[pass]?.closesWith;
  if (g === undefined) throw new FatalError(`pass ${pass} ends at no global stage: there is nothing to reduce`, 'step');
  const markers = setup.all.map((f) => taskMarker(setup.runDir, setup.plans.length, pass, f.task));
  const missing = setup.all.filter((_, i) => !fs.existsSync(markers[i]!)).map((f) => f.task);
  if (missing.length) throw new Error(`${setup.p.stages[g]!.name}: pass ${pass} is not finished for ${missing.length} task(s): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', ...' : ''}`);
  const marker = reduceMarker(setup.runDir, g);
  // a loop, not Math.max(...): a dump has tens of thousands of tasks, past the arguments a call takes
  const newest = markers.reduce((m, f) => Math.max(m, mtimeMs(f)), 0);
  if (force || !fs.existsSync(marker) || newest > mtimeMs(marker)) {
    log.info(`${setup.p.stages[g]!.name}: reducing what ${setup.all.length} task(s) collected`);
    const counters = await setup.globals.get(g)!.reduce(globalDir(setup.runDir, setup.p, g), setup.all.map((f) => f.task), log);
    writeFileAtomic(marker, JSON.stringify(counters, null, 2));
  }
  return JSON.parse(fs.readFileSync(marker, 'utf8')) as CounterMap;
}

/** every task's report of every pass, from the markers (the tasks may have run in other processes) */
export function readTaskRuns(setup: RunSetup, inputs: InputFile[] = setup.all, resumed = true): TaskRun[] {
  const runs: TaskRun[] = [];
  for (const plan of setup.plans) {
    for (const input of inputs) {
      const marker = taskMarker(setup.runDir, setup.plans.length, plan.index, input.task);
      if (!fs.existsSync(marker)) continue;
      const parsed = TaskReport.safeParse(JSON.parse(fs.readFileSync(marker, 'utf8')));
      if (parsed.success) runs.push({ report: parsed.data, resumed });
    }
  }
  return runs;
}

/** the reduce counters of every global stage that has run */
export function readReduceCounters(setup: RunSetup): Map<number, CounterMap> {
  const out = new Map<number, CounterMap>();
  for (const g of setup.globals.keys()) {
    const marker = reduceMarker(setup.runDir, g);
    if (fs.existsSync(marker)) out.set(g, JSON.parse(fs.readFileSync(marker, 'utf8')) as CounterMap);
  }
  return out;
}

/** merge the task reports into the run's stats file (stats.json, or stats.rank-<r>.json for one rank of several) */
export function finalizeRun(setup: RunSetup, runs: TaskRun[], started: Date, rank: number, worldSize: number): RunReport {
  const report = mergeReports(setup.p, runs, started, rank, worldSize, setup.plans.length, readReduceCounters(setup));
  const listing = listingSummary(setup.runDir);
  if (listing) report.inputs = listing;
  const statsName = worldSize > 1 ? `stats.rank-${rank}.json` : 'stats.json';
  writeFileAtomic(path.join(setup.runDir, statsName), JSON.stringify(report, null, 2));
  return report;
}

/**
 * The in-process executor: this rank's tasks one after another, pass by pass, with each global stage's
 * reduce between passes. Several ranks with global stages need a barrier between passes: `--workers`
 * (src/run/local-pool.ts) or `--executor slurm` provide it; a lone rank of several runs only one-pass pipelines.
 */
export async function runPipeline(p: Pipeline, opts: RunOptions): Promise<RunResult> {
  const rank = opts.rank ?? 0;
  const worldSize = opts.worldSize ?? 1;
  const plans = planPasses(p);
  if (plans.length > 1 && worldSize > 1) {
    throw new FatalError(`stages: ${p.stages.filter((s) => s.definition.global).map((s) => s.name).join(', ')} must see every input: run several ranks with --workers N or --executor slurm, which wait for every rank between passes`, 'stages');
  }
  await resolveRunInputs(p, opts);
  const setup = prepareRun(p, opts);
  const mine = setup.all.filter((_, i) => i % worldSize === rank);
  const started = new Date();
  opts.log.info(`${p.name}: ${mine.length} input file(s), ${p.stages.map((s) => s.name).join(' -> ') || '(no stages)'} -> ${p.output.formats.join('+')} in ${setup.runDir}${plans.length > 1 ? ` (${plans.length} passes)` : ''}`);
  opts.progress?.setTotalBytes(mine.reduce((a, f) => a + f.bytes, 0));
  const runs: TaskRun[] = [];
  const failed: RunResult['failed'] = [];
  for (const plan of plans) {
    const base = { docs: 0, bytes: 0 };
    for (const input of mine) {
      try {
        const r = await runPassTask(setup, plan.index, input, plan.index === 0 ? opts : { ...opts, force: false }, base);
        runs.push(r);
        base.docs += r.report.reader.docs ?? 0;
      } catch (e) {
        if (e instanceof FatalError) throw e;
        const msg = (e as Error).stack ?? String(e);
        opts.log.error(`${input.task}: task failed in pass ${plan.index}: ${msg}`);
        failed.push({ task: input.task, error: (e as Error).message });
        recordFailure(setup.runDir, plan.index, input.task, (e as Error).message);
      }
      base.bytes += input.bytes;
    }
    if (plan.closesWith !== undefined) {
      if (failed.length) {
        opts.log.error(`pass ${plan.index}: ${failed.length} task(s) failed; ${p.stages[plan.closesWith]!.name} needs them all, so the later passes do not run`);
        break;
      }
      await runReduce(setup, plan.index, opts.log);
    }
  }
  opts.progress?.done();
  const report = finalizeRun(setup, runs, started, rank, worldSize);
  return { runDir: setup.runDir, report, failed };
}
