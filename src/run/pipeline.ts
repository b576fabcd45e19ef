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
import { listInputs, type InputFile } from './inputs.js';
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
  const marker = multi ? passMarker(runDir, plan.index, input.task) : path.join(runDir, DONE_DIR, `${input.task}.json`);
  if (!pc.force && fs.existsSync(marker)) {
    const parsed = TaskReport.safeParse(JSON.parse(fs.readFileSync(marker, 'utf8')));
    if (parsed.success && parsed.data.file === input.file) {
      log.info(`${input.task}: done in an earlier run, skipped (--force redoes it)`);
      return { report: parsed.data, resumed: true };
    }
    log.warn(`${input.task}: completion marker does not match this input; redoing the task`);
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
  // pass (Parquet keeps every meta field) and hands each to the global stage's collector
  const collector = plan.closesWith !== undefined ? pc.globals.get(plan.closesWith)!.collector(globalDir(runDir, p, plan.closesWith), input.task) : undefined;
  const kept = last
    ? openWriters(p, runDir, prefix, false)
    : [parquetWriter({ dir: intermediateDir(runDir, plan.index), prefix: input.task, maxFileBytes: Number.MAX_SAFE_INTEGER, rowGroupRows: p.output.rowGroupRows, dropped: false })];
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

  let stream: AsyncIterable<Doc> =
    plan.index === 0
      ? readDocs(
          input.format,
          input.file,
          { maxRecordBytes: p.input.maxRecordBytes, keepNonOk: p.input.keepNonOk },
          {
            stats: readerStats,
            recordError,
            onBytes: (n) => {
              opts.progress?.update(progressBase.docs + readerStats.get('docs'), progressBase.bytes + n, input.task);
            },
          },
        )
      : fs.existsSync(intermediateFile(runDir, plan.index - 1, input.task))
        ? readDocs('parquet', intermediateFile(runDir, plan.index - 1, input.task), { maxRecordBytes: Number.MAX_SAFE_INTEGER }, { stats: new Counters(), recordError })
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
    bytes: input.bytes,
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
  return { report, resumed: false };
}

function passMarker(runDir: string, pass: number, task: string): string {
  return path.join(runDir, DONE_DIR, `pass-${pass}`, `${task}.json`);
}

/**
 * The documents an earlier pass wrote for this one must still be there. If they vanished (a disk
 * cleaned, a copy half made), say which file, and remove that pass's marker so a rerun redoes it.
 */
function checkPassInput(runDir: string, pass: number, task: string): void {
  const file = intermediateFile(runDir, pass, task);
  if (fs.existsSync(file)) return;
  const marker = passMarker(runDir, pass, task);
  const written = fs.existsSync(marker) ? (JSON.parse(fs.readFileSync(marker, 'utf8')) as { docs_written?: number }).docs_written ?? 0 : 0;
  if (written === 0) return; // that pass kept nothing for this task: no file is right
  fs.rmSync(marker, { force: true });
  throw new Error(`${file} is missing, though pass ${pass} wrote ${written} documents there; its completion marker is removed: rerun to redo that pass`);
}

function intermediateFile(runDir: string, pass: number, task: string): string {
  return path.join(intermediateDir(runDir, pass), `${task}.00000.parquet`);
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

export async function runPipeline(p: Pipeline, opts: RunOptions): Promise<RunResult> {
  const rank = opts.rank ?? 0;
  const worldSize = opts.worldSize ?? 1;
  const runDir = opts.outputDir ?? p.output.dir;
  const all = listInputs(opts.inputs ?? p.input.paths, p.input.format);
  const mine = all.filter((_, i) => i % worldSize === rank);
  const plans = planPasses(p);
  if (plans.length > 1 && worldSize > 1) {
    throw new FatalError(`stages: ${p.stages.filter((s) => s.definition.global).map((s) => s.name).join(', ')} must see every input; run them with --world-size 1 (several ranks need the barrier of the executors issue)`, 'stages');
  }
  try {
    fs.mkdirSync(path.join(runDir, DONE_DIR), { recursive: true });
    writeFileAtomic(path.join(runDir, 'pipeline.yaml'), p.source);
  } catch (e) {
    throw new FatalError(`output.dir: cannot write to ${runDir}: ${(e as Error).message}`, 'output.dir');
  }
  const started = new Date();
  opts.log.info(`${p.name}: ${mine.length} input file(s), ${p.stages.map((s) => s.name).join(' -> ') || '(no stages)'} -> ${p.output.formats.join('+')} in ${runDir}${plans.length > 1 ? ` (${plans.length} passes)` : ''}`);
  opts.progress?.setTotalBytes(mine.reduce((a, f) => a + f.bytes, 0));
  const globals = new Map<number, GlobalStage>();
  p.stages.forEach((s, i) => {
    if (s.definition.global) globals.set(i, s.definition.global(s.options as never));
  });
  const runs: TaskRun[] = [];
  const failed: RunResult['failed'] = [];
  const reduceCounters = new Map<number, CounterMap>();
  // a pass redone means every later pass must be redone: its input changed
  let force = Boolean(opts.force);
  for (const plan of plans) {
    const pc: PassContext = { plan, passes: plans.length, globals, force };
    const base = { docs: 0, bytes: 0 };
    let redone = false;
    for (const input of mine) {
      try {
        const r = await runTask(p, input, runDir, opts, base, pc);
        runs.push(r);
        if (!r.resumed) redone = true;
        base.docs += r.report.reader.docs ?? 0;
      } catch (e) {
        if (e instanceof FatalError) throw e;
        const msg = (e as Error).stack ?? String(e);
        opts.log.error(`${input.task}: task failed in pass ${plan.index}: ${msg}`);
        failed.push({ task: input.task, error: (e as Error).message });
      }
      base.bytes += input.bytes;
    }
    if (plan.closesWith !== undefined) {
      if (failed.length) {
        opts.log.error(`pass ${plan.index}: ${failed.length} task(s) failed; ${p.stages[plan.closesWith]!.name} needs them all, so the later passes do not run`);
        break;
      }
      const g = plan.closesWith;
      const marker = path.join(runDir, DONE_DIR, `reduce-${g}.json`);
      if (force || redone || !fs.existsSync(marker)) {
        opts.log.info(`${p.stages[g]!.name}: reducing what ${mine.length} task(s) collected`);
        const counters = await globals.get(g)!.reduce(globalDir(runDir, p, g), mine.map((f) => f.task), opts.log);
        writeFileAtomic(marker, JSON.stringify(counters, null, 2));
        redone = true;
      }
      reduceCounters.set(g, JSON.parse(fs.readFileSync(marker, 'utf8')) as CounterMap);
    }
    force = force || redone;
  }
  opts.progress?.done();
  const report = mergeReports(p, runs, started, rank, worldSize, plans.length, reduceCounters);
  const statsName = worldSize > 1 ? `stats.rank-${rank}.json` : 'stats.json';
  writeFileAtomic(path.join(runDir, statsName), JSON.stringify(report, null, 2));
  return { runDir, report, failed };
}
