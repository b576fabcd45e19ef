// The GPU check bench/gpu-check.sh runs: which TensorFlow.js backend loads (and why the others do not),
// a batch of the quality classifier and of the perplexity model scored on it, and training steps of a
// ~10M-parameter GPT on it, with tokens/s and MFU against the GPU's fp32 peak (nvidia-smi's name, looked
// up below). On a machine without a GPU it runs the same on the best backend that loads and says so.
// node dist/bench/gpu-check.js [--steps 50] [--backend webgpu]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { selectBackend, type TfBackend } from '../src/tensor/backend.js';
import { REPO_ROOT, codeRevision, flag, machine, note, printResult, round, runMain, tempDir } from './common.js';
import { makeData } from './train-speed.js';

/** dense fp32 peaks (TFLOPS, without tensor cores) from NVIDIA's data sheets, for MFU */
const FP32_PEAK_TFLOPS: Array<[RegExp, number]> = [
  [/H200/i, 67],
  [/H100.*(SXM|HBM3)/i, 67],
  [/H100/i, 51],
  [/A100/i, 19.5],
  [/L40S/i, 91.6],
  [/L4\b/i, 30.3],
  [/A10\b/i, 31.2],
  [/T4\b/i, 8.1],
  [/V100/i, 15.7],
];

function gpuName(): string | null {
  try {
    return execFileSync('nvidia-smi', ['--query-gpu=name', '--format=csv,noheader'], { encoding: 'utf8' }).trim().split('\n')[0] ?? null;
  } catch {
    return null;
  }
}

async function main(): Promise<void> {
  const steps = Number(flag('steps') ?? 50);
  const want = flag('backend');
  const gpu = gpuName();
  const peak = gpu ? (FP32_PEAK_TFLOPS.find(([re]) => re.test(gpu))?.[1] ?? null) : null;
  const choice = await selectBackend(want ? { prefer: want.split(',') as TfBackend[] } : {});
  note(`gpu-check: ${gpu ?? 'no NVIDIA GPU (nvidia-smi)'}; ${choice.describe()}`);
  const onGpu = choice.backend === 'webgpu' || choice.backend === 'tfjs-node-gpu';

  // the quality classifier: a batch of real web pages
  const { sharedClassifier } = await import('../src/classify/model.js');
  const { defaultQualityModel } = await import('../stages/classify/quality.js');
  const zlib = await import('node:zlib');
  const texts = zlib
    .gunzipSync(fs.readFileSync(path.join(REPO_ROOT, 'data', 'classifier-train', 'cc-main-2019-30-web-docs.jsonl.gz')))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, 512)
    .map((l) => (JSON.parse(l) as { text: string }).text);
  const classifier = await sharedClassifier(defaultQualityModel());
  await classifier.predict(texts.slice(0, 32));
  let t0 = performance.now();
  await classifier.predict(texts);
  const classifierDocsPerS = texts.length / ((performance.now() - t0) / 1000);

  // training: a ~10M-parameter GPT (6 layers, width 384, context 128, byte vocabulary), `steps` steps
  const tmp = tempDir('gpu-check');
  let trainResult: { tokensPerSecond: number; parameters: number; backend: string; step: number } | undefined;
  try {
    const data = path.join(tmp.dir, 'data');
    fs.mkdirSync(data);
    makeData(data);
    const { TrainConfig } = await import('../schemas/train.js');
    const { train } = await import('../src/train/trainer.js');
    const config = TrainConfig.parse({
      name: 'gpu-check',
      data,
      out: path.join(tmp.dir, 'out'),
      model: { layers: 6, heads: 6, width: 384, context: 128, vocab: 'auto' },
      optimizer: { lr: 6e-4, warmupSteps: 5, batchTokens: 16 * 128, microBatch: 16 },
      steps,
      evalIntervalSteps: 0,
      checkpointIntervalSteps: 0,
      logIntervalSteps: Math.max(1, Math.floor(steps / 5)),
      // without a GPU the trainer's own choice (cpu + native kernels) is the fair fallback, not WASM
      backend: onGpu ? choice.backend : 'auto',
    });
    t0 = performance.now();
    const r = await train({ config, log: note, measurePeak: false });
    trainResult = { tokensPerSecond: r.tokensPerSecond, parameters: r.parameters, backend: r.backend, step: r.step };
  } finally {
    tmp.remove();
  }
  const flops = 6 * trainResult.parameters * trainResult.tokensPerSecond;
  printResult({
    bench: 'gpu-check',
    machine: machine(),
    code: codeRevision(),
    gpu,
    backend: choice.backend,
    on_gpu: onGpu,
    skipped: choice.skipped,
    classifier_docs_per_s: round(classifierDocsPerS, 1),
    train: {
      steps: trainResult.step,
      parameters: trainResult.parameters,
      backend: trainResult.backend,
      tokens_per_s: Math.round(trainResult.tokensPerSecond),
      achieved_tflops: round(flops / 1e12, 3),
      fp32_peak_tflops: peak,
      mfu: peak ? round(flops / (peak * 1e12), 4) : null,
    },
    note: onGpu ? 'ran on the GPU backend' : 'no GPU backend loaded: these figures are the CPU fallback (see skipped for why)',
  });
}

runMain(main);
