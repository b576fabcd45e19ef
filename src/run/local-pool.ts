// The local executor with `--workers N`: a pool of worker processes (src/run/worker-child.ts) runs the
// tasks of each pass, the parent runs each global stage's reduce between passes (the barrier), retries a
// task whose worker failed or died up to `retries` times, and merges the markers into stats.json.
import { fork, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { compiledScript } from '../core/compiled.js';
import { FatalError } from '../core/errors.js';
import type { InputFile } from './inputs.js';
import type { Pipeline } from './config.js';
import { finalizeRun, prepareRun, resolveRunInputs, recordFailure, runReduce, type PassPlan, type RunOptions, type RunResult } from './pipeline.js';
import type { TaskReport } from '../../schemas/stats-report.js';

export interface TaskMessage {
  type: 'task';
  id: number;
  source: string;
  pipelineFile?: string;
  outputDir: string;
  inputs?: string[];
  pass: number;
  task: string;
  force: boolean;
  rank: number;
  worldSize: number;
  maxLoggedErrors?: number;
}

export type ChildMessage =
  | { type: 'progress'; id: number; docs: number; bytes: number }
  | { type: 'log'; level: 'debug' | 'info' | 'warn' | 'error'; message: string }
  | { type: 'done'; id: number; run: { report: TaskReport; resumed: boolean } }
  | { type: 'failed'; id: number; message: string; fatal: boolean; field?: string; log: string };

export interface PoolOptions extends RunOptions {
  workers: number;
  /** attempts after the first for a task whose worker failed or died */
  retries?: number;
  /** the YAML file, for error messages */
  pipelineFile?: string;
  /** pin each worker process to one CPU (Linux, util-linux's taskset; default false) */
  pin?: boolean;
}

interface Slot {
  child: ChildProcess;
  /** the CPU the worker is pinned to */
  cpu?: number;
  busy?: { id: number; input: InputFile; docs: number; bytes: number };
}

/**
 * The parent's heap settings, passed on so that a worker's V8 runs as the in-process run's would: the
 * `curate` command caps old space (bin/curate.js), `node --max-old-space-size=N bin/curate.js` gives
 * a run more heap, and a plain `node bin/curate.js` leaves V8's defaults. Other flags stay behind
 * (-e, --inspect and test runners' loaders are not the workers' business); NODE_OPTIONS reaches
 * them through the environment.
 */
export function workerExecArgv(execArgv: readonly string[] = process.execArgv): string[] {
  return execArgv.filter((a) => /^--max[-_](old|semi)[-_]space[-_]size=\d+$/.test(a));
}

/** the CPUs this process may run on (Linux: Cpus_allowed_list of /proc/self/status, e.g. "0-3,8"), or null */
export function allowedCpus(status = '/proc/self/status'): number[] | null {
  let text: string;
  try {
    text = fs.readFileSync(status, 'utf8');
  } catch {
    return null;
  }
  const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(text);
  if (!m) return null;
  const cpus: number[] = [];
  for (const part of m[1]!.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a)) return null;
    for (let c = a!; c <= (b ?? a)!; c++) cpus.push(c);
  }
  return cpus.length ? cpus : null;
}

/** util-linux's taskset on PATH, which starts a program with a CPU affinity (Linux), or null */
function findTaskset(): string | null {
  for (const dir of (process.env.PATH ?? '/usr/bin:/bin').split(path.delimiter)) {
    const f = path.join(dir, 'taskset');
    if (dir && fs.existsSync(f)) return f;
  }
  return null;
}

export async function runPipelineOnPool(p: Pipeline, opts: PoolOptions): Promise<RunResult> {
  await resolveRunInputs(p, opts);
  const setup = prepareRun(p, opts);
  const retries = opts.retries ?? 2;
  const started = new Date();
  const script = compiledScript(import.meta.url, './worker-child.js');
  const size = Math.max(1, Math.min(opts.workers, setup.all.length));
  // --pin: each worker on one CPU with its helper threads (V8's GC and compiler, libuv's pool), as Slurm's
  // --cpu-bind=cores. Off by default: on 2 cores it measured within the noise (docs/scale-out.md), and
  // pinning fights other pinned jobs on a shared machine.
  const cpus = opts.pin ? allowedCpus() : null;
  const taskset = cpus ? findTaskset() : null;
  if (opts.pin && !taskset) opts.log.warn(`--pin: ${cpus ? "util-linux's taskset is not on PATH" : 'the CPUs this process may use are unknown (no /proc/self/status)'}; the workers are not pinned`);
  opts.log.info(`${p.name}: ${setup.all.length} input file(s) on ${size} worker process(es)${taskset ? ', each pinned to one CPU' : ''}, ${p.stages.map((s) => s.name).join(' -> ') || '(no stages)'} -> ${p.output.formats.join('+')} in ${setup.runDir}${setup.plans.length > 1 ? ` (${setup.plans.length} passes)` : ''}`);
  opts.progress?.setTotalBytes(setup.all.reduce((a, f) => a + f.bytes, 0));
  const runs: Array<{ report: TaskReport; resumed: boolean }> = [];
  const failed: RunResult['failed'] = [];
  const slots: Slot[] = [];
  let nextId = 0;
  let fatal: FatalError | undefined;

  type Job = { input: InputFile; attempts: number };
  // the pass being run; the workers live across passes, their handlers read this
  let cur: { plan: PassPlan; queue: Job[]; jobs: Map<number, Job>; done: { docs: number; bytes: number }; resolve: () => void } | undefined;

  const showProgress = () => {
    if (!cur) return;
    let docs = cur.done.docs;
    let bytes = cur.done.bytes;
    for (const s of slots) if (s.busy) (docs += s.busy.docs), (bytes += s.busy.bytes);
    opts.progress?.update(docs, bytes, `pass ${cur.plan.index}`);
  };
  const stopping = () => Boolean(fatal) || Boolean(opts.signal?.aborted);
  const settle = () => {
    if (cur && slots.every((s) => !s.busy) && (cur.queue.length === 0 || stopping())) cur.resolve();
  };
  const retryOrFail = (job: Job, why: string, log?: string) => {
    const pass = cur!.plan.index;
    job.attempts++;
    if (job.attempts <= retries && !opts.signal?.aborted) {
      opts.log.warn(`${job.input.task}: pass ${pass} failed (${why}); retry ${job.attempts} of ${retries}`);
      cur!.queue.unshift(job);
    } else {
      opts.log.error(`${job.input.task}: pass ${pass} failed after ${job.attempts} attempt(s): ${why}${log ? ` (its log: ${log})` : ''}`);
      failed.push({ task: job.input.task, error: why });
      recordFailure(setup.runDir, pass, job.input.task, why, log);
    }
  };
  const dispatch = (slot: Slot) => {
    if (!cur || stopping()) return settle();
    const job = cur.queue.shift();
    if (!job) return settle();
    const id = nextId++;
    cur.jobs.set(id, job);
    slot.busy = { id, input: job.input, docs: 0, bytes: 0 };
    const m: TaskMessage = {
      type: 'task',
      id,
      source: p.source,
      pipelineFile: opts.pipelineFile,
      outputDir: setup.runDir,
      inputs: opts.inputs,
      pass: cur.plan.index,
      task: job.input.task,
      // --force redoes the first pass; later passes follow from the markers' order
      force: Boolean(opts.force) && cur.plan.index === 0,
      rank: opts.rank ?? 0,
      worldSize: opts.worldSize ?? 1,
      maxLoggedErrors: opts.maxLoggedErrors,
    };
    slot.child.send(m);
  };
  const spawn = (): Slot => {
    const stdio: ['ignore', 'inherit', 'inherit', 'ipc'] = ['ignore', 'inherit', 'inherit', 'ipc'];
    let cpu: number | undefined;
    let child: ChildProcess;
    if (taskset && cpus) {
      // the CPU with the fewest live workers (a replacement for a dead worker takes its CPU)
      const load = (c: number) => slots.filter((s) => s.cpu === c).length;
      cpu = cpus.reduce((best, c) => (load(c) < load(best) ? c : best), cpus[0]!);
      child = fork(script, [], { execPath: taskset, execArgv: ['--cpu-list', String(cpu), process.execPath, ...workerExecArgv()], stdio });
    } else child = fork(script, [], { execArgv: workerExecArgv(), stdio });
    const slot: Slot = { child, cpu };
    slots.push(slot);
    child.on('message', (msg: ChildMessage) => {
      if (msg.type === 'log') return void opts.log[msg.level](msg.message);
      const busy = slot.busy;
      if (!busy || busy.id !== msg.id || !cur) return;
      if (msg.type === 'progress') {
        busy.docs = msg.docs;
        busy.bytes = msg.bytes;
        return showProgress();
      }
      const job = cur.jobs.get(msg.id)!;
      cur.jobs.delete(msg.id);
      slot.busy = undefined;
      if (msg.type === 'done') {
        runs.push(msg.run);
        cur.done.docs += msg.run.report.reader.docs ?? 0;
        cur.done.bytes += job.input.bytes;
        showProgress();
      } else if (msg.fatal) fatal ??= new FatalError(msg.message, msg.field);
      else retryOrFail(job, msg.message, msg.log);
      dispatch(slot);
    });
    child.on('exit', (code, signal) => {
      const i = slots.indexOf(slot);
      if (i >= 0) slots.splice(i, 1);
      const busy = slot.busy;
      slot.busy = undefined;
      if (!busy || !cur) return settle();
      const job = cur.jobs.get(busy.id)!;
      cur.jobs.delete(busy.id);
      // the task's outputs are under temporary names and its marker is missing: the retry redoes it whole
      retryOrFail(job, `worker process ${child.pid} exited (${signal ?? `code ${code}`}) during the task`);
      if (cur.queue.length && !stopping()) dispatch(spawn());
      else settle();
    });
    return slot;
  };

  try {
    for (const plan of setup.plans) {
      await new Promise<void>((resolve) => {
        cur = { plan, queue: setup.all.map((input) => ({ input, attempts: 0 })), jobs: new Map(), done: { docs: 0, bytes: 0 }, resolve };
        while (slots.length < Math.min(size, cur.queue.length)) spawn();
        for (const s of [...slots]) dispatch(s);
        settle();
      });
      cur = undefined;
      if (fatal) throw fatal;
      if (opts.signal?.aborted) throw new FatalError('interrupted');
      if (plan.closesWith !== undefined) {
        if (failed.length) {
          opts.log.error(`pass ${plan.index}: ${failed.length} task(s) failed; ${p.stages[plan.closesWith]!.name} needs them all, so the later passes do not run`);
          break;
        }
        await runReduce(setup, plan.index, opts.log);
      }
    }
  } finally {
    for (const s of slots) s.child.kill();
  }
  opts.progress?.done();
  const report = finalizeRun(setup, runs, started, 0, 1);
  return { runDir: setup.runDir, report, failed };
}
