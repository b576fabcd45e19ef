// Scale-out on one machine: the same WARC set through the cc-shard stages with `curate run --workers 1`
// and `--workers 2` (worker processes), wall time and speedup (target: >= 1.8x on 2 cores), outputs
// compared byte for byte. node dist/bench/executors.js [--files 4] [--size-mb 20]
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, codeRevision, flag, machine, note, printResult, round, runMain, tempDir } from './common.js';
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
  const sizeMb = Number(flag('size-mb') ?? 20);
  const [warc] = await ensureBenchWarcs([sizeMb]);
  const tmp = tempDir('executors');
  const dir = tmp.dir;
  const input = path.join(dir, 'in');
  fs.mkdirSync(input);
  for (let i = 0; i < files; i++) fs.symlinkSync(path.resolve(warc!.file), path.join(input, `part-${i}.warc.gz`));
  const yaml = path.join(dir, 'p.yaml');
  fs.writeFileSync(yaml, PIPELINE(input));
  const runs: Record<string, { seconds: number; docs_per_s: number }> = {};
  const outs: Record<string, string[]> = {};
  for (const workers of [1, 2]) {
    note(`executors: ${files} x ${sizeMb} MB with --workers ${workers}...`);
    const out = path.join(dir, `w${workers}`);
    const start = process.hrtime.bigint();
    const r = spawnSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'curate.js'), 'run', yaml, '--output', out, '--workers', String(workers), '--quiet'], { encoding: 'utf8', env: { ...process.env, CI: 'true' } });
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (r.status !== 0) throw new Error(`curate run --workers ${workers} failed: ${r.stderr}`);
    const stats = JSON.parse(fs.readFileSync(path.join(out, 'stats.json'), 'utf8'));
    runs[`workers_${workers}`] = { seconds: round(seconds, 1), docs_per_s: round(stats.totals.docs_read / seconds, 1) };
    outs[workers] = outputs(out);
  }
  printResult({
    bench: 'executors',
    machine: machine(),
    code: codeRevision(),
    input: { files, mb_each: sizeMb },
    runs,
    speedup_2_workers: round(runs.workers_1!.seconds / runs.workers_2!.seconds, 2),
    target_speedup: 1.8,
    identical_outputs: JSON.stringify(outs[1]) === JSON.stringify(outs[2]),
  });
  tmp.remove();
}

runMain(main);
