// Launching data-parallel training: `curate train --workers N` starts N processes of `curate train` on
// this machine, each told its rank, the world size and rank 0's rendezvous address in the environment
// (CURATE_RANK, CURATE_WORLD_SIZE, CURATE_DIST_ADDR), as torchrun does with RANK, WORLD_SIZE and
// MASTER_ADDR/MASTER_PORT. Under Slurm, srun starts the processes and they read SLURM_PROCID and
// SLURM_NTASKS instead (`curate train --executor slurm` writes that batch script). A rank that dies stops
// the others: the run ends with the last good checkpoint named, and `--resume` continues from it with any
// worker count that divides the batch.
import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { FatalError } from '../core/errors.js';
import { CURATE_BIN } from '../run/slurm.js';
import { resolveCheckpoint } from './checkpoint.js';

export interface RankEnv {
  rank: number;
  world: number;
  addr: string;
}

/** this process's place in a data-parallel run, from the environment; undefined when it runs alone */
export function rankFromEnv(env: NodeJS.ProcessEnv = process.env): RankEnv | undefined {
  const rank = env.CURATE_RANK ?? env.SLURM_PROCID;
  const world = env.CURATE_WORLD_SIZE ?? env.SLURM_NTASKS;
  if (rank === undefined || world === undefined || Number(world) <= 1) return undefined;
  const addr = env.CURATE_DIST_ADDR;
  if (!addr) {
    if (env.CURATE_RANK !== undefined) throw new FatalError('CURATE_RANK is set but CURATE_DIST_ADDR (rank 0 host:port) is not', 'workers');
    return undefined; // a Slurm job step that is not ours: one process per task, each alone
  }
  return { rank: Number(rank), world: Number(world), addr };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface LaunchOptions {
  /** the `curate train` arguments each rank gets (without --workers) */
  args: string[];
  workers: number;
  /** the run's output directory, to name its last checkpoint */
  out: string;
  err: (line: string) => void;
}

/**
 * Run N ranks on this machine and wait for them. Rank 0's output is the run's; the other ranks' last
 * lines are shown when one fails. Returns the exit code: 0 when every rank finished.
 */
export async function launchLocal(o: LaunchOptions): Promise<number> {
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const children: ChildProcess[] = [];
  const tails: string[][] = [];
  const exits: Array<Promise<{ rank: number; code: number | null; signal: NodeJS.Signals | null }>> = [];
  for (let rank = 0; rank < o.workers; rank++) {
    const child = spawn(process.execPath, [...process.execArgv, CURATE_BIN, 'train', ...o.args], {
      env: { ...process.env, CURATE_RANK: String(rank), CURATE_WORLD_SIZE: String(o.workers), CURATE_DIST_ADDR: addr },
      stdio: ['ignore', rank === 0 ? 'inherit' : 'ignore', 'pipe'],
    });
    const tail: string[] = [];
    tails.push(tail);
    child.stderr!.setEncoding('utf8');
    let partial = '';
    child.stderr!.on('data', (c: string) => {
      const lines = (partial + c).split('\n');
      partial = lines.pop()!;
      for (const l of lines) {
        if (rank === 0) o.err(l);
        tail.push(l);
        if (tail.length > 20) tail.shift();
      }
    });
    children.push(child);
    exits.push(new Promise((resolve) => child.on('exit', (code, signal) => resolve({ rank, code, signal }))));
  }
  const forward = (sig: NodeJS.Signals) => () => {
    for (const c of children) c.kill(sig);
  };
  const onInt = forward('SIGINT');
  const onTerm = forward('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  try {
    const pending = new Set(exits.map((_, i) => i));
    let failed: { rank: number; code: number | null; signal: NodeJS.Signals | null } | undefined;
    let code0 = 0;
    while (pending.size) {
      const e = await Promise.race([...pending].map((i) => exits[i]!));
      pending.delete(e.rank);
      if (e.rank === 0) code0 = e.code ?? 1;
      if ((e.code !== 0 || e.signal) && !failed && !(e.rank === 0 && e.code === 130)) {
        failed = e;
        // the ring is broken: the others would wait on it; stop them
        for (const i of pending) children[i]!.kill('SIGTERM');
        const timer = setTimeout(() => {
          for (const i of pending) children[i]!.kill('SIGKILL');
        }, 5000);
        timer.unref();
      }
    }
    if (!failed) return code0;
    const last = resolveCheckpoint(o.out);
    if (failed.rank !== 0) for (const l of tails[failed.rank]!) o.err(`[rank ${failed.rank}] ${l}`);
    o.err(`curate train: rank ${failed.rank} of ${o.workers} ${failed.signal ? `was killed (${failed.signal})` : `exited with code ${failed.code}`}; the run stopped. ${last ? `The last good checkpoint is ${last}: rerun with --resume to continue (any --workers that divides the batch).` : 'No checkpoint was written.'}`);
    return 1;
  } finally {
    process.off('SIGINT', onInt);
    process.off('SIGTERM', onTerm);
  }
}

export interface SlurmTrainOptions {
  args: string[];
  out: string;
  nodes: number;
  tasksPerNode: number;
  partition?: string;
  time?: string;
  mem?: string;
  cpusPerTask?: number;
  sbatchArgs?: string[];
}

const shellQuote = (s: string) => (/^[A-Za-z0-9_./:=@%+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

/**
 * Write `<out>/slurm/train.sbatch` and submit it: one job of nodes x tasks-per-node tasks, started by
 * srun; rank 0's host (the first of the job's nodes) and a port derived from the job id are the
 * rendezvous. Returns the job id.
 */
export function submitTrainToSlurm(o: SlurmTrainOptions): { jobId: string; script: string } {
  const dir = path.resolve(o.out, 'slurm');
  fs.mkdirSync(dir, { recursive: true });
  const world = o.nodes * o.tasksPerNode;
  const script = path.join(dir, 'train.sbatch');
  const cmd = [process.execPath, CURATE_BIN, 'train', ...o.args].map(shellQuote).join(' ');
  fs.writeFileSync(
    script,
    [
      '#!/bin/bash',
      `#SBATCH --job-name=curate-train`,
      `#SBATCH --chdir=${process.cwd()}`,
      `#SBATCH --output=${path.join(dir, 'train.%j.log')}`,
      `#SBATCH --nodes=${o.nodes}`,
      `#SBATCH --ntasks-per-node=${o.tasksPerNode}`,
      `#SBATCH --cpus-per-task=${o.cpusPerTask ?? 1}`,
      ...(o.partition ? [`#SBATCH --partition=${o.partition}`] : []),
      ...(o.time ? [`#SBATCH --time=${o.time}`] : []),
      ...(o.mem ? [`#SBATCH --mem=${o.mem}`] : []),
      ...(o.sbatchArgs ?? []).map((a) => `#SBATCH ${a}`),
      'set -eu',
      'export CI=1',
      // rank 0 runs on the first node of the allocation; every task computes the same address
      'MASTER=$(scontrol show hostnames "$SLURM_JOB_NODELIST" | head -n 1)',
      'export CURATE_DIST_ADDR="$MASTER:$((20000 + SLURM_JOB_ID % 20000))"',
      `export CURATE_WORLD_SIZE=${world}`,
      // each task's rank is its SLURM_PROCID (read by curate train); one BLAS thread per task unless --threads says otherwise
      `srun --kill-on-bad-exit=1 bash -c 'CURATE_RANK=$SLURM_PROCID exec ${cmd.replace(/'/g, `'\\''`)}'`,
    ].join('\n') + '\n',
  );
  let out: string;
  try {
    out = execFileSync('sbatch', ['--parsable', script], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (e) {
    const err = e as NodeJS.ErrnoException & { stderr?: string };
    if (err.code === 'ENOENT') throw new FatalError('--executor slurm: sbatch is not on PATH (is this a Slurm login node?)', 'executor');
    throw new FatalError(`sbatch ${script} failed: ${(err.stderr ?? err.message).trim()}`, 'executor');
  }
  return { jobId: out.trim().split(';')[0]!, script };
}
