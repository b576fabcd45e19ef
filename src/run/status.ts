// `curate status <run dir>`: what is done, failed, running or waiting, read from the run's markers (and
// from squeue for a run submitted to Slurm), so any executor's run can be followed and resumed.
import fs from 'node:fs';
import path from 'node:path';
import { FatalError } from '../core/errors.js';
import { parsePipeline } from './config.js';
import { failureMarker, prepareRun, reduceMarker, taskMarker } from './pipeline.js';
import { EXECUTOR_FILE, squeueStates, type ExecutorRecord } from './slurm.js';
import { resolvedPaths } from './inputs.js';
import { humanBytes } from './progress.js';

export interface PassStatus {
  pass: number;
  tasks: number;
  done: number;
  failed: Array<{ task: string; error: string; log?: string }>;
  /** neither done nor failed: queued, running, or not started */
  waiting: number;
  /** the global stage this pass ends at, and whether its reduce is done */
  reduce?: { stage: string; done: boolean };
}

export interface RunStatus {
  run_dir: string;
  pipeline: string;
  executor?: ExecutorRecord;
  passes: PassStatus[];
  /** remote inputs: bytes fetched by the tasks done, and the rate over their reading time */
  fetched?: { bytes: number; retries: number; seconds: number; mb_per_s: number };
  /** slurm job states still in the queue, by step */
  jobs: Array<{ step: string; id: string; state: string }>;
  finished: boolean;
}

export function runStatus(runDir: string): RunStatus {
  const yamlFile = path.join(runDir, 'pipeline.yaml');
  if (!fs.existsSync(yamlFile)) throw new FatalError(`${runDir}: not a run directory (no pipeline.yaml)`);
  const p = parsePipeline(fs.readFileSync(yamlFile, 'utf8'), yamlFile);
  const execFile = path.join(runDir, EXECUTOR_FILE);
  const executor = fs.existsSync(execFile) ? (JSON.parse(fs.readFileSync(execFile, 'utf8')) as ExecutorRecord) : undefined;
  const setup = prepareRun(p, { outputDir: runDir, inputs: executor?.inputs ?? resolvedPaths(runDir) });
  let fetched: RunStatus['fetched'];
  const passes = setup.plans.map((plan): PassStatus => {
    const status: PassStatus = { pass: plan.index, tasks: setup.all.length, done: 0, failed: [], waiting: 0 };
    for (const input of setup.all) {
      const marker = taskMarker(runDir, setup.plans.length, plan.index, input.task);
      if (fs.existsSync(marker)) {
        status.done++;
        const r = JSON.parse(fs.readFileSync(marker, 'utf8')) as { seconds?: number; reader?: Record<string, number> };
        const bytes = r.reader?.['remote.bytes_fetched'];
        if (plan.index === 0 && bytes) {
          fetched ??= { bytes: 0, retries: 0, seconds: 0, mb_per_s: 0 };
          fetched.bytes += bytes;
          fetched.retries += r.reader?.['remote.retries'] ?? 0;
          fetched.seconds += r.seconds ?? 0;
          fetched.mb_per_s = fetched.seconds > 0 ? Math.round((fetched.bytes / 1e6 / fetched.seconds) * 100) / 100 : 0;
        }
      }
      else {
        const f = failureMarker(runDir, plan.index, input.task);
        if (fs.existsSync(f)) {
          const { error, log } = JSON.parse(fs.readFileSync(f, 'utf8')) as { error: string; log?: string };
          status.failed.push({ task: input.task, error, log });
        } else status.waiting++;
      }
    }
    if (plan.closesWith !== undefined) status.reduce = { stage: p.stages[plan.closesWith]!.name, done: fs.existsSync(reduceMarker(runDir, plan.closesWith)) };
    return status;
  });
  const jobs = executor?.jobs ?? [];
  const states = squeueStates(jobs.map((j) => j.id));
  return {
    run_dir: runDir,
    pipeline: p.name,
    executor,
    passes,
    ...(fetched ? { fetched } : {}),
    jobs: jobs.filter((j) => states.has(j.id)).map((j) => ({ step: j.step, id: j.id, state: states.get(j.id)! })),
    finished: fs.existsSync(path.join(runDir, 'stats.json')) && passes.every((s) => s.done === s.tasks && (s.reduce?.done ?? true)),
  };
}

export function formatStatus(s: RunStatus): string {
  const lines: string[] = [];
  const ex = s.executor ? `, ${s.executor.executor} executor (world size ${s.executor.world_size}, submitted ${s.executor.submitted})` : '';
  lines.push(`${s.run_dir}: pipeline ${s.pipeline}, ${s.passes.length} pass(es), ${s.passes[0]?.tasks ?? 0} task(s)${ex}`);
  for (const p of s.passes) {
    lines.push(`pass ${p.pass}: ${p.done}/${p.tasks} done${p.failed.length ? `, ${p.failed.length} failed` : ''}${p.waiting ? `, ${p.waiting} waiting or running` : ''}`);
    for (const f of p.failed) lines.push(`  failed ${f.task}: ${f.error}${f.log ? ` (log: ${f.log})` : ''}`);
    if (p.reduce) lines.push(`reduce ${p.reduce.stage}: ${p.reduce.done ? 'done' : 'not yet'}`);
  }
  if (s.fetched) lines.push(`fetched ${humanBytes(s.fetched.bytes)} from remote inputs at ${s.fetched.mb_per_s} MB/s per task (${s.fetched.retries} retries)`);
  for (const j of s.jobs) lines.push(`slurm job ${j.id} (${j.step}): ${j.state}`);
  lines.push(s.finished ? 'finished: stats.json is written' : 'not finished');
  return lines.join('\n');
}
