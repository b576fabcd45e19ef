// Scale-out on one machine: the same WARC set through the cc-shard stages with `curate run --workers 1`
// and `--workers 2` (worker processes), and `--workers 2 --pin` (each worker on one CPU);
// wall time, speedup (target: >= 1.8x on 2 cores), the seconds of each task (a worker's first task pays
// its start-up: lazy model loads and the JIT's warm-up), outputs compared byte for byte.
// node dist/bench/executors.js [--files 4] [--size-mb 200] [--rounds 1] (a Common Crawl WARC file is
// ~1 GB; 20 MB files make the per-worker start-up a large share of the run: see docs/scale-out.md).
// With --rounds N the variants take turns N times and the speedups are medians: on a shared VM one
// variant's time moves by 5-10% between minutes, and interleaving spreads that over all of them.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, codeRevision, flag, machine, median, note, printResult, round, runMain, tempDir } from './common.js';
import { ensureBenchWarcs } from './make-warc.js';
import { PIPELINE_YAML } from './warc-pipeline.js';

// the cc-shard streaming stages, as bench/warc-pipeline.ts runs them
const PIPELINE = (input: string) => PIPELINE_YAML.replace('input:\n', `input:\n  paths: [${input}]\n`);

function outputs(dir: string): string[] {
  const out: string[] = [];
  for (const sub of ['docs', 'dropped']) {
    const d = path.join(dir, sub);
    if (fs.existsSync(d)) for (const f of fs.readdirSync(d).sort()) out.push(`${sub}/${f}:${fs.readFileSync(path.join(d, f)).toString('base64')}`);
  }
  return out;
}

async function main(): Promise<void> {
  const files = Number(flag('files') ?? 4);
  const sizeMb = Number(flag('size-mb') ?? 200);
  const [warc] = await ensureBenchWarcs([sizeMb]);
  const tmp = tempDir('executors');
  const dir = tmp.dir;
  const input = path.join(dir, 'in');
  fs.mkdirSync(input);
  for (let i = 0; i < files; i++) fs.symlinkSync(path.resolve(warc!.file), path.join(input, `part-${i}.warc.gz`));
  const yaml = path.join(dir, 'p.yaml');
  fs.writeFileSync(yaml, PIPELINE(input));
  const rounds = Math.max(1, Number(flag('rounds') ?? 1));
  type Run = { seconds: number; docs_per_s: number; task_seconds: number[]; pinned: boolean };
  const runs: Record<string, Run[]> = {};
  const outs: Record<string, string[]> = {};
  const variants: [string, string[]][] = [
    ['workers_1', ['--workers', '1']],
    ['workers_2', ['--workers', '2']],
    ['workers_2_pin', ['--workers', '2', '--pin']],
  ];
  for (let r = 0; r < rounds; r++) {
    for (const [name, args] of variants) {
      note(`executors: round ${r + 1} of ${rounds}, ${files} x ${sizeMb} MB with ${args.join(' ')}...`);
      const out = path.join(dir, name);
      const start = process.hrtime.bigint();
      const res = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'curate.js'), 'run', yaml, '--output', out, '--force', ...args, '--quiet'], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
      const seconds = Number(process.hrtime.bigint() - start) / 1e9;
      if (res.status !== 0) throw new Error(`curate run ${args.join(' ')} failed: ${res.stderr}`);
      const stats = JSON.parse(fs.readFileSync(path.join(out, 'stats.json'), 'utf8'));
      (runs[name] ??= []).push({
        seconds: round(seconds, 1),
        docs_per_s: round(stats.totals.docs_read / seconds, 1),
        task_seconds: (stats.tasks as { seconds: number }[]).map((t) => round(t.seconds, 1)),
        // the workers' logs name their CPUs: pinned when each names one
        pinned: fs.existsSync(path.join(out, 'logs')) && fs.readdirSync(path.join(out, 'logs')).every((f) => /on CPUs \d+\n/.test(fs.readFileSync(path.join(out, 'logs', f), 'utf8'))),
      });
      if (r === 0) outs[name] = outputs(out);
    }
  }
  const speedups = (name: string) => runs.workers_1!.map((one, i) => round(one.seconds / runs[name]![i]!.seconds, 2));
  printResult({
    bench: 'executors',
    machine: machine(),
    code: codeRevision(),
    input: { files, mb_each: sizeMb },
    rounds,
    runs: rounds === 1 ? Object.fromEntries(Object.entries(runs).map(([k, v]) => [k, v[0]])) : runs,
    speedups_2_workers: speedups('workers_2'),
    speedups_2_workers_pin: speedups('workers_2_pin'),
    speedup_2_workers: median(speedups('workers_2')),
    speedup_2_workers_pin: median(speedups('workers_2_pin')),
    target_speedup: 1.8,
    identical_outputs: JSON.stringify(outs.workers_1) === JSON.stringify(outs.workers_2) && JSON.stringify(outs.workers_1) === JSON.stringify(outs.workers_2_pin),
  });
  tmp.remove();
}

runMain(main);
