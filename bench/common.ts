// Helpers every benchmark shares: where bench data lives, command-line flags, timing, peak memory,
// and the rule that figures go to stdout as one JSON line while progress goes to stderr.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** the repository root; benchmarks run compiled from dist/bench/ */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
/** generated benchmark inputs (gitignored) */
export const BENCH_DATA_DIR = path.join(REPO_ROOT, 'bench', 'data');
/** the shared sample data beside the repository */
export const SHARED_DATA_DIR = path.resolve(REPO_ROOT, '..', 'shared', 'data');

/** benchmark sizes are decimal megabytes, as disk and network rates are usually quoted */
export const MB = 1e6;

/** a progress line or a note for whoever watches the run; never part of the figures */
export function note(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** the figures of one benchmark: one JSON object on one line of stdout */
export function printResult(result: object): void {
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** the value of `--name value` or `--name=value`, or undefined */
export function flag(name: string, argv: string[] = process.argv.slice(2)): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === `--${name}`) return argv[i + 1];
    if (a.startsWith(`--${name}=`)) return a.slice(name.length + 3);
  }
  return undefined;
}

/** a comma-separated list of positive numbers, e.g. `--sizes 20,200` */
export function numberList(text: string, what: string): number[] {
  const values = text.split(',').map((s) => Number(s.trim()));
  if (values.length === 0 || values.some((v) => !Number.isFinite(v) || v <= 0)) throw new Error(`${what}: expected positive numbers separated by commas, got '${text}'`);
  return values;
}

export function round(value: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/** run fn and return its result with the wall time in seconds */
export async function timed<T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number }> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { value, seconds: Number(process.hrtime.bigint() - start) / 1e9 };
}

/** what the figures were measured on, recorded beside them; call it before the work starts */
export function machine(): { node: string; cpus: number; cpu_model: string; memory_gb: number; platform: string; load_avg_1m: number; date: string } {
  const cpus = os.cpus();
  return {
    node: process.version,
    cpus: os.availableParallelism?.() ?? cpus.length,
    cpu_model: cpus[0]?.model.trim() ?? 'unknown',
    memory_gb: round(os.totalmem() / 2 ** 30, 1),
    platform: `${os.platform()} ${os.release()}`,
    // other work on the machine skews every figure: near 0 is a quiet machine, near `cpus` a busy one
    load_avg_1m: round(os.loadavg()[0]!, 2),
    date: new Date().toISOString().slice(0, 10),
  };
}

/** the commit the figures were measured at, and whether the engine's sources differed from it */
export function codeRevision(): { commit: string; modified: boolean } {
  const git = (...args: string[]) => execFileSync('git', ['-C', REPO_ROOT, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  try {
    return { commit: git('rev-parse', '--short', 'HEAD'), modified: git('status', '--porcelain', '--', 'src', 'stages', 'schemas') !== '' };
  } catch {
    return { commit: 'unknown', modified: false };
  }
}

/**
 * Peak resident memory of this process in MB. Linux keeps the high-water mark itself (VmHWM);
 * elsewhere we fall back to the largest rss seen by a 100 ms sampler started with startRssSampler.
 */
export function peakRssMb(): number {
  try {
    const m = /^VmHWM:\s+(\d+)\s+kB/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return round(Math.max(Number(m[1]) * 1024, sampledPeak) / MB, 1);
  } catch {
    // not Linux: the sampler is all we have
  }
  return round(Math.max(sampledPeak, process.memoryUsage().rss) / MB, 1);
}

let sampledPeak = 0;

/** sample rss every 100 ms until the process exits (the timer does not keep it alive) */
export function startRssSampler(): void {
  const sample = () => (sampledPeak = Math.max(sampledPeak, process.memoryUsage().rss));
  sample();
  setInterval(sample, 100).unref();
}

/**
 * Run `pass` over and over for at least `seconds`; how many passes, and the wall and CPU seconds they
 * took (CPU time: a busy neighbour on a shared machine slows wall time, not this process's CPU time).
 */
export async function repeatFor(seconds: number, pass: () => Promise<void>): Promise<{ passes: number; wallSeconds: number; cpuSeconds: number }> {
  let passes = 0;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  while (performance.now() - t0 < seconds * 1000) {
    await pass();
    passes++;
  }
  const cpu = process.cpuUsage(cpu0);
  return { passes, wallSeconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** a fresh temporary directory, removed by the returned function */
export function tempDir(prefix: string): { dir: string; remove(): void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `curate-bench-${prefix}-`));
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** a small seeded PRNG (mulberry32), so generated inputs are the same on every run */
export { mulberry32 as seededRandom } from '../src/core/random.js';

/** run a benchmark's main function, turning a failure into a message and exit code 1 */
export function runMain(main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    note(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exitCode = 1;
  });
}

/** true when this module is the script node was started with */
export function isEntryPoint(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(moduleUrl);
}
