// Data-parallel training speed: `curate train --workers 2` against one worker, both with one BLAS thread
// per process, on the bytes of tinyshakespeare (bench/train-speed.ts's data), the same global batch. The
// goal: 2 workers on 2 cores reach >= 1.6x the tokens/s of one. Interleaved rounds; tokens/s is the
// median of the steps after the first (rank 0's log.jsonl).
// node dist/bench/train-dp.js [--steps 30] [--rounds 2] [--layers 2 --width 128 --context 64 --micro 16 --accum 4]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT, codeRevision, flag, machine, median, note, printResult, round, runMain, tempDir } from './common.js';
import { makeData } from './train-speed.js';

async function main(): Promise<void> {
  const steps = Number(flag('steps') ?? 30);
  const rounds = Number(flag('rounds') ?? 2);
  const layers = Number(flag('layers') ?? 2);
  const width = Number(flag('width') ?? 128);
  const context = Number(flag('context') ?? 64);
  const micro = Number(flag('micro') ?? 16);
  const accum = Number(flag('accum') ?? 4);
  const tmp = tempDir('train-dp');
  try {
    const data = path.join(tmp.dir, 'data');
    fs.mkdirSync(data);
    makeData(data);
    const yaml = path.join(tmp.dir, 'dp.yaml');
    fs.writeFileSync(
      yaml,
      [
        'name: bench-dp',
        `data: ${data}`,
        `out: ${path.join(tmp.dir, 'unused')}`,
        `model: { layers: ${layers}, heads: 4, width: ${width}, context: ${context}, vocab: auto }`,
        `optimizer: { lr: 0.003, warmupSteps: 2, batchTokens: ${micro * context * accum}, microBatch: ${micro} }`,
        `steps: ${steps}`,
        'evalIntervalSteps: 0',
        'checkpointIntervalSteps: 0',
        'logIntervalSteps: 1',
        'backend: cpu',
        'threads: 1',
      ].join('\n') + '\n',
    );
    const results: Record<string, number[]> = { 'workers-1': [], 'workers-2': [] };
    for (let r = 0; r < rounds; r++) {
      for (const workers of [1, 2]) {
        const out = path.join(tmp.dir, `w${workers}-${r}`);
        execFileSync(process.execPath, [path.join(REPO_ROOT, 'bin', 'curate.js'), 'train', yaml, '--out', out, '--workers', String(workers), '--threads', '1'], { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, CI: '1' } });
        const tps = fs
          .readFileSync(path.join(out, 'log.jsonl'), 'utf8')
          .trim()
          .split('\n')
          .map((l) => JSON.parse(l) as { step?: number; tokens_per_s?: number })
          .filter((l) => typeof l.tokens_per_s === 'number' && l.step! > 1)
          .map((l) => l.tokens_per_s!);
        const m = median(tps);
        note(`train-dp: round ${r + 1}, ${workers} worker(s): ${Math.round(m)} tokens/s`);
        results[`workers-${workers}`]!.push(m);
      }
    }
    const one = median(results['workers-1']!);
    const two = median(results['workers-2']!);
    printResult({
      bench: 'train-dp',
      machine: machine(),
      code: codeRevision(),
      model: { layers, width, context, micro_batch: micro, accumulation: accum, batch_tokens: micro * context * accum },
      tokens_per_s: { 'workers-1': Math.round(one), 'workers-2': Math.round(two), rounds: results },
      speedup: round(two / one, 3),
      goal: '--workers 2 >= 1.6x one worker, one BLAS thread each',
    });
  } finally {
    tmp.remove();
  }
}

runMain(main);
