// The local executor of one pipeline: each input file is a task (rank r of world size w takes the
// files whose index mod w is r); a task streams its file through the stages into rolling output
// shards, writes a completion marker with its stats, and a rerun skips tasks that have one.
import fs from 'node:fs';
import path from 'node:path';
import type { Doc } from '../core/doc.js';
import { FatalError, type RecordError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import type { StageContext } from '../core/stage.js';
import { Counters, type CounterMap } from '../core/stats.js';
import { readDocs } from '../io/readers.js';
import { parquetWriter } from '../io/parquet-write.js';
import { jsonlWriter } from '../io/jsonl-write.js';
import { TMP_SUFFIX, type RollingWriter, type ShardOptions } from '../io/shard-writer.js';
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

export function writeFileAtomic(file: string, data: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file + TMP_SUFFIX, data);
  fs.renameSync(file + TMP_SUFFIX, file);
}

/** remove whatever an unfinished earlier attempt of this task left */
function clearTaskOutputs(runDir: string, task: string): void {
  for (const sub of ['docs', 'dropped', 'errors']) {
    const dir = path.join(runDir, sub);
    if (!fs.existsSync(dir)) continue;
    for (const f of fs.readdirSync(dir)) if (f.startsWith(task + '.')) fs.rmSync(path.join(dir, f), { force: true });
  }
}

function openWriters(p: Pipeline, runDir: string, task: string, dropped: boolean): RollingWriter[] {
  const opts: ShardOptions = {
    dir: path.join(runDir, dropped ? 'dropped' : 'docs'),
    prefix: task,
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

async function runTask(p: Pipeline, input: InputFile, runDir: string, opts: RunOptions, progressBase: { docs: number; bytes: number }): Promise<TaskRun> {
  const log = opts.log;
  const marker = path.join(runDir, DONE_DIR, `${input.task}.json`);
  if (!opts.force && fs.existsSync(marker)) {
    const parsed = TaskReport.safeParse(JSON.parse(fs.readFileSync(marker, 'utf8')));
    if (parsed.success && parsed.data.file === input.file) {
      log.info(`${input.task}: done in an earlier run, skipped (--force redoes it)`);
      return { report: parsed.data, resumed: true };
    }
    log.warn(`${input.task}: completion marker does not match this input; redoing the task`);
  }
  fs.rmSync(marker, { force: true });
  clearTaskOutputs(runDir, input.task);
  const started = Date.now();
  const signal = opts.signal ?? new AbortController().signal;

  const readerStats = new Counters();
  const errorsFile = path.join(runDir, 'errors', `${input.task}.jsonl`);
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

  const kept = openWriters(p, runDir, input.task, false);
  const droppedWriters = p.output.writeDropped ? openWriters(p, runDir, input.task, true) : [];
  const dropQueue: Doc[] = [];
  const flushDrops = async () => {
    while (dropQueue.length) {
      const d = dropQueue.shift()!;
      for (const w of droppedWriters) await w.write(d);
    }
  };

  const stages = p.stages.map((s) => createStage(s));
  const stageStats = stages.map(() => new Counters());
  let docsOut = 0;

  let stream: AsyncIterable<Doc> = readDocs(
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
  );
  stages.forEach((stage, i) => {
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
      for (const w of kept) await w.write(doc);
      docsOut++;
      await flushDrops();
    }
    await flushDrops();
    if (signal.aborted) throw new FatalError('interrupted');
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

  stages.forEach((s, i) => {
    const c = stageStats[i]!;
    const balance = c.get('in') - c.get('out') - c.sumPrefix('dropped');
    if (balance !== 0) {
      c.inc('lost', balance);
      log.error(`${input.task}: stage ${s.name} lost ${balance} documents without a drop reason (a bug in the stage)`);
    }
  });
  const report: TaskReport = {
    version: 1,
    task: input.task,
    file: input.file,
    bytes: input.bytes,
    seconds: (Date.now() - started) / 1000,
    reader: readerStats.toJSON(),
    stages: stages.map((s, i) => ({ name: s.name, counters: stageStats[i]!.toJSON() })),
    docs_written: docsOut,
    dropped_written: droppedWriters.length ? droppedWriters[0]!.docs : 0,
    files: files.map((f) => path.relative(runDir, f)),
    dropped_files: droppedFiles.map((f) => path.relative(runDir, f)),
    bad_records: badRecords,
  };
  writeFileAtomic(marker, JSON.stringify(report, null, 2));
  return { report, resumed: false };
}

function stageStatsFrom(name: string, c: Counters): StageStats {
  const dropped = c.withPrefix('dropped');
  const counters: CounterMap = {};
  for (const [k, v] of Object.entries(c.toJSON())) if (!['in', 'out', 'changed'].includes(k) && !k.startsWith('dropped.')) counters[k] = v;
  return {
    name,
    in: c.get('in'),
    out: c.get('out'),
    changed: c.get('changed'),
    dropped,
    dropped_total: c.sumPrefix('dropped'),
    counters,
  };
}

/** merge task reports into the run report (also used to merge ranks) */
export function mergeReports(p: Pipeline, runs: TaskRun[], started: Date, rank: number, worldSize: number): RunReport {
  const reader = new Counters();
  const stageCounters = p.stages.map(() => new Counters());
  for (const { report } of runs) {
    reader.merge(report.reader);
    report.stages.forEach((s, i) => stageCounters[i]?.merge(s.counters));
  }
  const stages = p.stages.map((s, i) => stageStatsFrom(s.name, stageCounters[i]!));
  const docsRead = reader.get('docs');
  const kept = runs.reduce((a, r) => a + r.report.docs_written, 0);
  const dropped = stages.reduce((a, s) => a + s.dropped_total, 0);
  const finished = new Date();
  const seconds = (finished.getTime() - started.getTime()) / 1000;
  const fresh = runs.filter((r) => !r.resumed);
  const freshSeconds = fresh.reduce((a, r) => a + r.report.seconds, 0);
  return {
    version: 1,
    pipeline: p.name,
    started: started.toISOString(),
    finished: finished.toISOString(),
    seconds,
    rank,
    world_size: worldSize,
    tasks: runs.map((r) => ({ task: r.report.task, file: r.report.file, bytes: r.report.bytes, resumed: r.resumed, seconds: r.report.seconds })),
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
      files: runs.flatMap((r) => r.report.files),
      dropped_files: runs.flatMap((r) => r.report.dropped_files),
    },
    totals: {
      docs_read: docsRead,
      docs_kept: kept,
      docs_dropped: dropped,
      bad_records: runs.reduce((a, r) => a + r.report.bad_records, 0),
      balanced: docsRead === kept + dropped && stages.every((s) => s.in === s.out + s.dropped_total),
    },
    throughput: {
      docs_per_s: freshSeconds > 0 ? fresh.reduce((a, r) => a + (r.report.reader.docs ?? 0), 0) / freshSeconds : 0,
      mb_per_s: freshSeconds > 0 ? fresh.reduce((a, r) => a + r.report.bytes, 0) / 1e6 / freshSeconds : 0,
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
  try {
    fs.mkdirSync(path.join(runDir, DONE_DIR), { recursive: true });
    writeFileAtomic(path.join(runDir, 'pipeline.yaml'), p.source);
  } catch (e) {
    throw new FatalError(`output.dir: cannot write to ${runDir}: ${(e as Error).message}`, 'output.dir');
  }
  const started = new Date();
  opts.log.info(`${p.name}: ${mine.length} input file(s), ${p.stages.map((s) => s.name).join(' -> ') || '(no stages)'} -> ${p.output.formats.join('+')} in ${runDir}`);
  opts.progress?.setTotalBytes(mine.reduce((a, f) => a + f.bytes, 0));
  const runs: TaskRun[] = [];
  const failed: RunResult['failed'] = [];
  const base = { docs: 0, bytes: 0 };
  for (const input of mine) {
    try {
      const r = await runTask(p, input, runDir, opts, base);
      runs.push(r);
    } catch (e) {
      if (e instanceof FatalError) throw e;
      const msg = (e as Error).stack ?? String(e);
      opts.log.error(`${input.task}: task failed: ${msg}`);
      failed.push({ task: input.task, error: (e as Error).message });
    }
    base.docs += runs[runs.length - 1]?.report.reader.docs ?? 0;
    base.bytes += input.bytes;
  }
  opts.progress?.done();
  const report = mergeReports(p, runs, started, rank, worldSize);
  const statsName = worldSize > 1 ? `stats.rank-${rank}.json` : 'stats.json';
  writeFileAtomic(path.join(runDir, statsName), JSON.stringify(report, null, 2));
  return { runDir, report, failed };
}
