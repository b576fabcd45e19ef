// Training speed of the GPT of src/train/model.ts against the same model in PyTorch (bench/torch_gpt.py),
// on this machine, in one run: each variant runs in its own process, the variants interleaved and repeated
// (`--rounds`), so a busy neighbour slows them all alike. One JSON line: tokens/s per variant (median of
// rounds, and every round). Variants: tfjs cpu (its own kernels, pure JS), cpu + our JS kernels (no addon),
// cpu + our JS kernels + the native addon (OpenBLAS matmuls, native attention and element-wise kernels; 1
// and 2 BLAS threads), WASM, PyTorch CPU with 1 and 2 threads. The model: 2 layers, width 128, 4 heads, context 64,
// microbatch 16, vocab 256 (bytes of tinyshakespeare as tokens); flags change it.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, codeRevision, flag, isEntryPoint, machine, median, note, printResult, round, runMain, tempDir } from './common.js';
import { writeLlmcShard } from '../src/io/token-shard.js';
import { LLMC_UINT16, type TokenManifest } from '../schemas/token-shard.js';

const shape = {
  layers: Number(flag('layers') ?? 2),
  heads: Number(flag('heads') ?? 4),
  width: Number(flag('width') ?? 128),
  context: Number(flag('context') ?? 64),
  batch: Number(flag('batch') ?? 16),
  vocab: 256,
};
const warmup = Number(flag('warmup') ?? 2);
const steps = Number(flag('steps') ?? 6);

/** bytes of tinyshakespeare as tokens: an llm.c shard and a manifest the trainer reads */
export function makeData(dir: string): string {
  const text = fs.readFileSync(path.join(REPO_ROOT, 'data', 'lm', 'tinyshakespeare.txt'));
  const n = Math.min(text.length, 400_000);
  const tokens = new Uint16Array(n);
  for (let i = 0; i < n; i++) tokens[i] = text[i]!;
  const valN = 20_000;
  writeLlmcShard(path.join(dir, 'train_000000.bin'), tokens.subarray(0, n - valN), LLMC_UINT16);
  writeLlmcShard(path.join(dir, 'val_000000.bin'), tokens.subarray(n - valN), LLMC_UINT16);
  const split = (file: string, t: number) => ({ documents: 1, tokens: t, shards: [{ file, tokens: t, windows: Math.floor(t / 64), documents: 1 }] });
  const manifest: TokenManifest = {
    version: 1,
    format: 'llmc',
    tokenizer: { spec: 'bytes', name: 'bytes', vocab_size: 256, eot: 0 },
    token_dtype: 'uint16',
    eot_position: 'before',
    context: 64,
    seed: 0,
    val_fraction: 0.05,
    max_shard_tokens: 100_000_000,
    inputs: ['data/lm/tinyshakespeare.txt'],
    splits: { train: split('train_000000.bin', n - valN), val: split('val_000000.bin', valN) },
    counts: {},
  };
  fs.writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  return path.join(dir, 'train_000000.bin');
}

type Variant = 'tfjs-cpu-stock' | 'tfjs-cpu-fast' | 'tfjs-cpu-native-1t' | 'tfjs-cpu-native-2t' | 'tfjs-wasm' | 'torch-1t' | 'torch-2t';
// stock: tfjs's own cpu kernels; fast: + src/train/cpu-kernels.ts (JavaScript); native: + the addon (src/train/native.ts)
const VARIANTS: Variant[] = ['torch-1t', 'tfjs-cpu-native-1t', 'torch-2t', 'tfjs-cpu-native-2t', 'tfjs-cpu-fast', 'tfjs-wasm', 'tfjs-cpu-stock'];

/** one variant in this process (a child of the main run): steps of training, tokens/s on stdout */
async function child(variant: Variant, dataDir: string): Promise<void> {
  const { tf } = await import('../src/tensor/backend.js');
  const { setupBackend } = await import('../src/train/trainer.js');
  const { forwardBackward } = await import('../src/train/trainer.js');
  const { openDataset, TrainStream } = await import('../src/train/data.js');
  const { Gpt } = await import('../src/train/model.js');
  const { AdamW, clipScale } = await import('../src/train/optim.js');
  const { Rng } = await import('../src/train/rng.js');
  const setup = await setupBackend({
    backend: variant === 'tfjs-wasm' ? 'wasm' : 'cpu',
    nativeMatmul: variant.includes('native'),
    threads: variant.endsWith('2t') ? 2 : 1,
    fastKernels: variant !== 'tfjs-cpu-stock',
  });
  if (variant.includes('native') && !setup.label.includes('native')) throw new Error(`native matmul not available: ${setup.notes.join('; ')}`);
  const ds = openDataset(dataDir);
  const rng = new Rng(1);
  const model = new Gpt({ layers: shape.layers, heads: shape.heads, width: shape.width, context: shape.context, vocab: shape.vocab }, rng);
  const opt = new AdamW(model.params, { beta1: 0.9, beta2: 0.95, eps: 1e-8, weightDecay: 0.1 });
  const stream = new TrainStream(ds, shape.batch, shape.context, rng);
  const losses: number[] = [];
  const step = () => {
    const { loss, norm, grads } = forwardBackward(model, stream, 1);
    opt.apply(grads, 1e-3, clipScale(norm, 1));
    for (const g of grads) g.dispose();
    losses.push(loss);
  };
  for (let i = 0; i < warmup; i++) step();
  const t0 = performance.now();
  for (let i = 0; i < steps; i++) step();
  const dt = (performance.now() - t0) / 1000;
  process.stdout.write(JSON.stringify({ variant, backend: setup.label, tokens_per_s: (steps * shape.batch * shape.context) / dt, step_s: dt / steps, loss_first: losses[0], loss_last: losses.at(-1), tensors: tf.memory().numTensors, parameters: model.parameterCount }) + '\n');
}

/** Debian's python3-torch lives in the system python; a pyenv or venv python3 first on PATH may lack it */
function pythonWithTorch(): string {
  const given = flag('python') ?? process.env.PYTHON;
  if (given) return given;
  for (const py of ['python3', '/usr/bin/python3']) {
    try {
      execFileSync(py, ['-c', 'import torch'], { stdio: 'ignore' });
      return py;
    } catch {
      // next
    }
  }
  return 'python3';
}

function runVariant(variant: Variant, dataDir: string, shard: string): Record<string, unknown> {
  const self = fileURLToPath(import.meta.url);
  let out: string;
  if (variant.startsWith('torch')) {
    const threads = variant === 'torch-2t' ? '2' : '1';
    const args = ['--shard', shard, '--threads', threads, '--layers', String(shape.layers), '--heads', String(shape.heads), '--width', String(shape.width), '--context', String(shape.context), '--batch', String(shape.batch), '--vocab', '256', '--warmup', String(warmup), '--steps', String(steps)];
    out = execFileSync(pythonWithTorch(), [path.join(REPO_ROOT, 'bench', 'torch_gpt.py'), ...args], { encoding: 'utf8', env: { ...process.env, OMP_NUM_THREADS: threads }, stdio: ['ignore', 'pipe', 'pipe'] });
  } else {
    const env = { ...process.env, OPENBLAS_NUM_THREADS: variant.endsWith('2t') ? '2' : '1' };
    out = execFileSync(process.execPath, [self, '--child', variant, '--data', dataDir, ...process.argv.slice(2).filter((a) => a !== '--child')], { encoding: 'utf8', env, stdio: ['ignore', 'pipe', 'pipe'] });
  }
  return JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, unknown>;
}

async function main(): Promise<void> {
  const childVariant = flag('child') as Variant | undefined;
  if (childVariant) return child(childVariant, flag('data')!);
  const env = machine();
  const rounds = Number(flag('rounds') ?? 3);
  const only = flag('variants')?.split(',') as Variant[] | undefined;
  const variants = only ?? VARIANTS;
  const tmp = tempDir('train-speed');
  try {
    const shard = makeData(tmp.dir);
    const runs: Record<string, Record<string, unknown>[]> = {};
    for (let r = 0; r < rounds; r++) {
      for (const v of variants) {
        try {
          const res = runVariant(v, tmp.dir, shard);
          (runs[v] ??= []).push(res);
          note(`round ${r + 1}/${rounds} ${v}: ${round(res.tokens_per_s as number, 0)} tokens/s`);
        } catch (e) {
          note(`${v}: failed: ${((e as { stderr?: string }).stderr ?? (e as Error).message).toString().split('\n').slice(-3).join(' ')}`);
          (runs[v] ??= []).push({ error: true });
        }
      }
    }
    const tps = (v: string) => (runs[v] ?? []).map((x) => x.tokens_per_s as number).filter((x) => Number.isFinite(x));
    const med = Object.fromEntries(variants.map((v) => [v, tps(v).length ? round(median(tps(v)), 0) : null]));
    const ratio = (a: string, b: string) => (med[a] && med[b] ? round((med[a] as number) / (med[b] as number), 2) : null);
    printResult({
      bench: 'train-speed',
      model: shape,
      warmup_steps: warmup,
      timed_steps: steps,
      rounds,
      tokens_per_s_median: med,
      tokens_per_s_rounds: Object.fromEntries(variants.map((v) => [v, tps(v).map((x) => round(x, 0))])),
      ratio_vs_torch_1t: Object.fromEntries(variants.map((v) => [v, ratio(v, 'torch-1t')])),
      ratio_vs_torch_2t: Object.fromEntries(variants.map((v) => [v, ratio(v, 'torch-2t')])),
      backends: Object.fromEntries(variants.map((v) => [v, (runs[v]?.[0]?.backend as string) ?? (runs[v]?.[0]?.torch ? `torch ${runs[v]![0]!.torch as string}` : null)])),
      parameters: runs[variants[0]!]?.[0]?.parameters ?? null,
      machine: { ...env, load_avg_1m_end: round((await import('node:os')).loadavg()[0]!, 2) },
      code: codeRevision(),
    });
  } finally {
    tmp.remove();
  }
}

if (isEntryPoint(import.meta.url)) runMain(main);
