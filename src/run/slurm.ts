// The Slurm executor: a run becomes job arrays, one per pass (array task r runs `curate run --step pass:K
// --rank r --world-size N`, the input files whose index mod N is r), a single job per global stage's
// reduce between them, and a finalize job that merges the markers into stats.json, chained with
// `--dependency=afterok` (the barrier between passes), as DataTrove's SlurmPipelineExecutor chains its
// stages. Every step skips what its markers say is done, so resubmitting redoes only what is missing.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isRemote } from '../io/remote.js';
import { fileURLToPath } from 'node:url';
import { FatalError } from '../core/errors.js';
import type { Logger } from '../core/log.js';
import { writeFileAtomic } from '../io/atomic.js';
import type { Pipeline } from './config.js';
import { prepareRun, type RunSetup } from './pipeline.js';

export interface SlurmOptions {
  inputs?: string[];
  /** --shard and --limit, handed on to every job (they resolve the same input list from the run dir) */
  shard?: string;
  limit?: number;
  outputDir?: string;
  force?: boolean;
  /** array size: the world size of the run */
  tasks: number;
  partition?: string;
  /** per job, as sbatch takes them */
  time?: string;
  mem?: string;
  cpusPerTask?: number;
  /** more `#SBATCH` lines, e.g. `--account=abc` */
  sbatchArgs?: string[];
  /** attempts after the first, inside each array task */
  retries?: number;
  log: Logger;
}

export interface SubmittedJob {
  step: string;
  id: string;
  script: string;
}

/** what the run dir remembers of how it was launched: `curate status` reads it */
export interface ExecutorRecord {
  executor: 'local' | 'slurm';
  submitted: string;
  world_size: number;
  inputs?: string[];
  jobs?: SubmittedJob[];
}

export const EXECUTOR_FILE = '_executor.json';

/** the sbatch flags `curate run` and `curate train` share (node:util parseArgs options) */
export const SBATCH_FLAGS = {
  partition: { type: 'string' },
  time: { type: 'string' },
  mem: { type: 'string' },
  'cpus-per-task': { type: 'string' },
  'sbatch-arg': { type: 'string', multiple: true },
  wait: { type: 'boolean', default: false },
} as const;

/** the `curate` command of this checkout, for the processes a run starts */
export const CURATE_BIN = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', ...(fileURLToPath(import.meta.url).includes(`${path.sep}dist${path.sep}`) ? ['..'] : []), 'bin', 'curate.js');

function shellQuote(s: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

function sbatch(script: string, dependency?: string): string {
  const args = ['--parsable'];
  if (dependency) args.push(`--dependency=afterok:${dependency}`, '--kill-on-invalid-dep=yes');
  args.push(script);
  let out: string;
  try {
    out = execFileSync('sbatch', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new FatalError('--executor slurm: sbatch is not on PATH (is this a Slurm login node?)', 'executor');
    throw new FatalError(`sbatch ${script} failed: ${(err.stderr ?? err.message).trim()}`, 'executor');
  }
  return out.trim().split(';')[0]!;
}

/** writes the batch scripts under <run>/slurm/ and submits them; returns the jobs in order */
export function submitToSlurm(p: Pipeline, opts: SlurmOptions): { setup: RunSetup; jobs: SubmittedJob[] } {
  if (!Number.isInteger(opts.tasks) || opts.tasks < 1) throw new FatalError(`--tasks must be a positive integer, got ${opts.tasks}`, 'tasks');
  const setup = prepareRun(p, opts);
  const runDir = path.resolve(setup.runDir);
  const dir = path.join(runDir, 'slurm');
  fs.mkdirSync(path.join(dir, 'logs'), { recursive: true });
  const world = Math.min(opts.tasks, setup.all.length);
  const retries = opts.retries ?? 2;
  const curate = [process.execPath, '--max-old-space-size=1024', CURATE_BIN, 'run', path.join(runDir, 'pipeline.yaml'), '--output', runDir, ...(opts.inputs ?? []).flatMap((i) => ['--input', isRemote(i) ? i : path.resolve(i)]), ...(opts.shard ? ['--shard', opts.shard] : []), ...(opts.limit !== undefined ? ['--limit', String(opts.limit)] : [])];
  const header = (name: string, array?: number) =>
    [
      '#!/bin/bash',
      `#SBATCH --job-name=curate-${p.name}-${name}`,
      `#SBATCH --chdir=${process.cwd()}`,
      `#SBATCH --output=${path.join(dir, 'logs', array ? `${name}.%a.log` : `${name}.log`)}`,
      ...(array ? [`#SBATCH --array=0-${array - 1}`] : []),
      ...(opts.partition ? [`#SBATCH --partition=${opts.partition}`] : []),
      ...(opts.time ? [`#SBATCH --time=${opts.time}`] : []),
      ...(opts.mem ? [`#SBATCH --mem=${opts.mem}`] : []),
      `#SBATCH --cpus-per-task=${opts.cpusPerTask ?? 1}`,
      ...(opts.sbatchArgs ?? []).map((a) => `#SBATCH ${a}`),
      'set -u',
      // CI=1 keeps the progress line out of the job logs
      'export CI=1',
    ].join('\n');
  const withRetries = (cmd: string[]) =>
    [`for attempt in $(seq 0 ${retries}); do`, `  ${cmd.map(shellQuote).join(' ')} && exit 0`, `  echo "curate: attempt $attempt failed" >&2`, 'done', 'exit 1'].join('\n');
  const jobs: SubmittedJob[] = [];
  let after: string | undefined;
  const submit = (step: string, body: string, array?: number) => {
    const script = path.join(dir, `${step.replace(':', '-')}.sbatch`);
    writeFileAtomic(script, `${header(step.replace(':', '-'), array)}\n${body}\n`);
    const id = sbatch(script, after);
    jobs.push({ step, id, script });
    opts.log.info(`submitted ${step}${array ? ` (array of ${array})` : ''}: job ${id}${after ? ` after ${after}` : ''}`);
    after = id;
  };
  for (const plan of setup.plans) {
    const step = [...curate, '--step', `pass:${plan.index}`, '--rank', '$SLURM_ARRAY_TASK_ID', '--world-size', String(world), ...(opts.force && plan.index === 0 ? ['--force'] : [])];
    // $SLURM_ARRAY_TASK_ID must reach the shell unquoted
    submit(`pass:${plan.index}`, withRetries(step).replace(`'$SLURM_ARRAY_TASK_ID'`, '"$SLURM_ARRAY_TASK_ID"'), world);
    if (plan.closesWith !== undefined) submit(`reduce:${plan.index}`, withRetries([...curate, '--step', `reduce:${plan.index}`]));
  }
  submit('finalize', withRetries([...curate, '--step', 'finalize']));
  const record: ExecutorRecord = { executor: 'slurm', submitted: new Date().toISOString(), world_size: world, inputs: opts.inputs?.map((i) => path.resolve(i)), jobs };
  writeFileAtomic(path.join(runDir, EXECUTOR_FILE), JSON.stringify(record, null, 2));
  return { setup, jobs };
}

/** the jobs of `ids` still known to squeue, with their state (PENDING, RUNNING...) */
export function squeueStates(ids: string[]): Map<string, string> {
  const out = new Map<string, string>();
  if (!ids.length) return out;
  let text: string;
  try {
    text = execFileSync('squeue', ['-h', '-j', ids.join(','), '-o', '%i %T'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch {
    return out; // squeue missing, or every job already gone from the queue
  }
  for (const line of text.split('\n')) {
    const [id, state] = line.trim().split(/\s+/);
    if (id && state) out.set(id.split('_')[0]!, state);
  }
  return out;
}

/** waits until no job of the run is queued or running */
export async function waitForJobs(jobs: SubmittedJob[], log: Logger, pollMs = 1000, timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
  const ids = jobs.map((j) => j.id);
  const start = Date.now();
  let last = '';
  for (;;) {
    const states = squeueStates(ids);
    if (states.size === 0) return;
    const line = [...states.entries()].map(([id, s]) => `${jobs.find((j) => j.id === id)?.step ?? id}=${s}`).join(' ');
    if (line !== last) log.info(`slurm: ${line}`);
    last = line;
    if (Date.now() - start > timeoutMs) throw new Error(`slurm jobs still queued after ${timeoutMs} ms: ${line}`);
    await new Promise((r) => setTimeout(r, pollMs));
  }
}
