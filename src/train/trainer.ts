// `curate train`: the pretraining loop. Reads the shards `curate tokenize` wrote, trains the GPT of
// model.ts with AdamW (optim.ts) on batches of batchTokens made of microbatches (gradient accumulation),
// evaluates on the val shards, writes log.jsonl, loss.svg and checkpoints (checkpoint.ts), and resumes from
// a checkpoint to exactly the losses an uninterrupted run gives (same ops in the same order on restored
// float32 state: weights, Adam moments and step, data position, RNG state).
import fs from 'node:fs';
import path from 'node:path';
import { FatalError } from '../core/errors.js';
import { tf, selectBackend, BACKEND_ORDER, type TfBackend, type BackendChoice } from '../tensor/backend.js';
import type { TrainConfig } from '../../schemas/train.js';
import { openDataset, TrainStream, validationWindows, unigramLoss, type Dataset } from './data.js';
import { Gpt, type GptShape } from './model.js';
import { AdamW, learningRate, globalNorm, clipScale, type ScheduleOptions } from './optim.js';
import { Rng, seedState } from './rng.js';
import { checkShape, listCheckpoints, readCheckpoint, resolveCheckpoint, writeCheckpoint } from './checkpoint.js';
import { loadNative, registerNativeMatmul, setNativeThreads } from './native.js';
import { registerFastCpuKernels } from './cpu-kernels.js';
import { installBufferPool } from './buffer-pool.js';
import { writeLossCurve, type CurvePoint } from './plot.js';
import { SOLO, type Collective } from './ring.js';

export interface TrainOptions {
  config: TrainConfig;
  /** continue from the newest checkpoint in config.out (none there: start from step 0, with a note) */
  resume?: boolean;
  /** human-readable progress lines (stderr in the CLI) */
  log?: (line: string) => void;
  /** stop at the end of the current step, write a checkpoint, return 'interrupted' */
  signal?: AbortSignal;
  /** tests: called with each step's loss before the update; the value returned is used (inject NaN), a throw is a kill */
  onLoss?: (step: number, loss: number) => number;
  /** skip the matmul peak measurement (tests): MFU is then not reported */
  measurePeak?: boolean;
  /** data parallel: this process's rank in the ring (src/train/ring.ts); rank 0 logs, evaluates and checkpoints */
  dist?: Collective;
}

export interface TrainResult {
  status: 'done' | 'nan' | 'interrupted';
  /** optimizer steps completed (and checkpointed, unless status is 'nan') */
  step: number;
  /** the loss of each step of this process, in order, with its step number */
  losses: { step: number; loss: number }[];
  val: { step: number; val_loss: number; val_ppl: number }[];
  unigramValLoss: number | null;
  lastCheckpoint: string | null;
  message: string;
  backend: string;
  parameters: number;
  tokensPerSecond: number;
}

/** the model shape a config asks for, vocab resolved from the manifest */
export function resolveShape(config: TrainConfig, ds: Dataset): GptShape {
  const manifestVocab = ds.manifest.tokenizer.vocab_size;
  const vocab = config.model.vocab === 'auto' ? manifestVocab : config.model.vocab;
  if (vocab < manifestVocab) throw new FatalError(`model.vocab: ${vocab} is smaller than the tokenizer's ${manifestVocab} ids (${ds.manifest.tokenizer.name}); use 'auto'`, 'model.vocab');
  return { layers: config.model.layers, heads: config.model.heads, width: config.model.width, context: config.model.context, vocab };
}

/** measured GFLOP/s of a square float32 matmul on the active backend: the peak MFU is stated against */
export function measurePeakGflops(size = 384, budgetMs = 400): number {
  const a = tf.randomUniform([size, size], -1, 1, 'float32', 1);
  const b = tf.randomUniform([size, size], -1, 1, 'float32', 2);
  tf.matMul(a, b).dispose(); // warm-up
  let reps = 0;
  const start = performance.now();
  while (performance.now() - start < budgetMs || reps < 2) {
    const c = tf.matMul(a, b);
    c.dataSync();
    c.dispose();
    reps++;
  }
  const seconds = (performance.now() - start) / 1000;
  a.dispose();
  b.dispose();
  return (2 * size ** 3 * reps) / seconds / 1e9;
}

export interface BackendSetup {
  choice: BackendChoice;
  /** 'cpu + native kernels (matmul on OpenBLAS, 2 threads)' etc. */
  label: string;
  notes: string[];
}

/**
 * Pick the backend for training. 'auto' prefers libtensorflow and WebGPU, then the cpu backend when the
 * native matmul loads (faster than WASM here: docs/training.md), then WASM, then pure-JS cpu.
 */
export async function setupBackend(config: Pick<TrainConfig, 'backend' | 'nativeMatmul' | 'threads'> & { fastKernels?: boolean }): Promise<BackendSetup> {
  const notes: string[] = [];
  const native = config.nativeMatmul ? loadNative() : { loaded: false, detail: 'nativeMatmul: false' };
  let prefer: TfBackend[] | undefined;
  if (config.backend !== 'auto') prefer = [config.backend];
  else if (!process.env.CURATE_TF_BACKEND && native.loaded) prefer = [...BACKEND_ORDER.filter((b) => b !== 'wasm' && b !== 'cpu'), 'cpu', 'wasm'];
  const choice = await selectBackend({ prefer });
  let label: string = choice.backend;
  if (choice.backend === 'cpu' && config.fastKernels === false) {
    label = "cpu (TensorFlow.js's own kernels)"; // the benchmark's baseline
  } else if (choice.backend === 'cpu') {
    registerFastCpuKernels();
    installBufferPool();
    if (native.loaded && registerNativeMatmul()) {
      setNativeThreads(config.threads);
      const s = loadNative();
      label = nativeBackendLabel(s.blas, s.threads ?? 1);
    } else {
      label = 'cpu + fast JS kernels (no native matmul)';
      notes.push(`native matmul: ${native.detail}`);
    }
  }
  return { choice, label, notes };
}

/** what a native addon built without OpenBLAS costs, and the fix (the same words as native/build.mjs prints) */
export const NO_OPENBLAS = 'built-in loops, no OpenBLAS (about 2.7x slower training: apt-get install libopenblas-dev, then node native/build.mjs)';

/** the backend line for the native kernels; an addon built without OpenBLAS (libopenblas-dev absent at npm install) says so */
export function nativeBackendLabel(blas: string | undefined, threads: number): string {
  const matmul = blas === 'openblas' ? 'openblas' : NO_OPENBLAS;
  return `cpu + native kernels (matmul on ${matmul}, ${threads} thread${threads === 1 ? '' : 's'})`;
}

/** FLOPs of one token of training by Kaplan et al. (2020): 6 x parameters (attention's T-dependent share left out) */
export function flopsPerToken(parameters: number): number {
  return 6 * parameters;
}

interface LogLine {
  [key: string]: unknown;
}

function round(v: number, digits = 4): number {
  if (!Number.isFinite(v)) return v;
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

/**
 * The gradients of one optimizer step: `accum` microbatches from the stream, each loss divided by accum,
 * gradients summed (in params' order); the loss of the step and the global gradient norm. The caller
 * applies (or, when not finite, drops) them and disposes them.
 */
export function forwardBackward(model: Gpt, stream: TrainStream, accum: number): { loss: number; norm: number; grads: tf.Tensor[] } {
  const { loss, grads } = accumulate(model, stream, accum, 0, 1);
  return { loss, norm: globalNorm(grads), grads };
}

/** this rank's microbatches of one step (index mod world = rank): the loss share and the summed gradients */
function accumulate(model: Gpt, stream: TrainStream, accum: number, rank: number, world: number): { loss: number; grads: tf.Tensor[] } {
  let grads: tf.Tensor[] | undefined;
  let loss = 0;
  const vars = model.params.map((p) => p.variable);
  for (let a = 0; a < accum; a++) {
    // data parallel: this rank's microbatches are those whose index mod world is its rank
    if (a % world !== rank) {
      stream.skip();
      continue;
    }
    const { ids, targets } = stream.next();
    const { value, grads: g } = tf.variableGrads(() => tf.div(model.loss(ids, targets, stream.B, stream.T), accum) as tf.Scalar, vars);
    loss += value.dataSync()[0]!;
    value.dispose();
    const list = model.params.map((p) => g[p.variable.name]!);
    if (!grads) grads = list;
    else {
      const sum = grads.map((acc, i) => tf.add(acc, list[i]!));
      for (const t of [...grads, ...list]) t.dispose();
      grads = sum;
    }
  }
  return { loss, grads: grads! };
}

/**
 * One optimizer step's gradients over every rank: this rank's share of the microbatches, then one ring
 * all-reduce of every gradient, the loss and the stop flag packed into one float32 buffer (a bucket per
 * step: TensorFlow.js hands back all gradients at the end of the backward pass, so there is no earlier
 * bucket to overlap with it). Every rank ends with the same bits, so every rank takes the same AdamW step.
 */
export async function distributedForwardBackward(model: Gpt, stream: TrainStream, accum: number, dist: Collective, stop: boolean): Promise<{ loss: number; norm: number; grads: tf.Tensor[]; stop: boolean }> {
  // the norm is taken of the summed gradients below, not of this rank's share
  const local = accumulate(model, stream, accum, dist.rank, dist.world);
  const sizes = local.grads.map((g) => g.size);
  const total = sizes.reduce((a, b) => a + b, 0);
  const buf = new Float32Array(total + 2);
  let at = 0;
  for (const g of local.grads) {
    buf.set(g.dataSync() as Float32Array, at);
    at += g.size;
    g.dispose();
  }
  buf[total] = local.loss;
  buf[total + 1] = stop ? 1 : 0;
  await dist.allReduceSum(buf);
  at = 0;
  const grads = local.grads.map((g, i) => {
    const t = tf.tensor(buf.subarray(at, at + sizes[i]!), g.shape, 'float32');
    at += sizes[i]!;
    return t;
  });
  return { loss: buf[total]!, norm: globalNorm(grads), grads, stop: buf[total + 1]! > 0 };
}

const num = (v: number) => (Number.isFinite(v) ? v : String(v)); // JSON has no NaN or Infinity

export async function train(opts: TrainOptions): Promise<TrainResult> {
  const cfg = opts.config;
  const dist = opts.dist ?? SOLO;
  /** rank 0 writes: the log, validation, loss.svg, checkpoints; the other ranks only compute */
  const lead = dist.rank === 0;
  const say = lead ? (opts.log ?? (() => {})) : () => {};
  const ds = openDataset(cfg.data);
  const shape = resolveShape(cfg, ds);
  const B = cfg.optimizer.microBatch;
  const T = shape.context;
  const accum = cfg.optimizer.batchTokens / (B * T);
  if (!Number.isInteger(accum)) throw new FatalError(`optimizer.batchTokens: ${cfg.optimizer.batchTokens} is not a multiple of microBatch x context = ${B * T}`, 'optimizer.batchTokens');
  if (accum % dist.world !== 0) throw new FatalError(`--workers ${dist.world}: each step's ${accum} microbatches (batchTokens ${cfg.optimizer.batchTokens} / (microBatch ${B} x context ${T})) do not split evenly over ${dist.world} ranks: use a worker count that divides ${accum}, or change optimizer.batchTokens`, 'workers');
  const sched: ScheduleOptions = {
    lr: cfg.optimizer.lr,
    minLr: cfg.optimizer.minLr ?? cfg.optimizer.lr / 10,
    warmupSteps: cfg.optimizer.warmupSteps,
    decaySteps: cfg.optimizer.decaySteps ?? cfg.steps,
  };

  // the run directory: a fresh run refuses one that holds checkpoints; --resume continues the newest
  const out = cfg.out;
  const existing = listCheckpoints(out);
  let resumeDir: string | undefined;
  if (opts.resume) {
    resumeDir = resolveCheckpoint(out);
    if (!resumeDir) say(`--resume: no checkpoint in ${out}; starting from step 0`);
  } else if (existing.length) {
    throw new FatalError(`${out} already holds a run (checkpoint at step ${existing.at(-1)!.step}): --resume to continue it, or choose another --out`);
  }
  const ckpt = resumeDir ? readCheckpoint(resumeDir) : undefined;
  if (ckpt) {
    checkShape(resumeDir!, ckpt.state.model, shape);
    if (ckpt.state.step >= cfg.steps) throw new FatalError(`${resumeDir}: the checkpoint is at step ${ckpt.state.step}, the config asks for ${cfg.steps} steps: raise --steps to train on`, 'steps');
  }

  const setup = await setupBackend(cfg);
  const backendLabel = setup.label;
  // tokenizer to decode samples with: the file travels with each checkpoint
  const tokSpec = ds.manifest.tokenizer.spec;
  const tokenizerFile = tokSpec !== 'gpt2' ? [path.resolve(tokSpec), path.resolve(ds.dir, tokSpec), path.join(ds.dir, 'tokenizer.json')].find((f) => fs.existsSync(f)) ?? null : null;
  if (tokSpec !== 'gpt2' && !tokenizerFile) say(`note: the tokenizer file '${tokSpec}' named in the manifest is not found; checkpoints will not carry it (curate sample then needs --tokenizer)`);

  const rng = new Rng(ckpt ? ckpt.state.rng : seedState(cfg.seed));
  const model = new Gpt(shape, ckpt ? ckpt.weights : rng, cfg.optimizer.decayEmbeddings);
  const optimizer = new AdamW(model.params, cfg.optimizer, ckpt ? { m: ckpt.m, v: ckpt.v, step: ckpt.state.adam_step } : undefined);
  if (ckpt) rng.state = ckpt.state.rng;
  const stream = new TrainStream(ds, B, T, rng, ckpt?.state.data);
  const N = model.parameterCount;
  const flopsTok = flopsPerToken(N);
  const startStep = ckpt?.state.step ?? 0;
  let tokens = ckpt?.state.tokens ?? 0;
  const elapsedBefore = ckpt?.state.elapsed_s ?? 0;

  // the log: a resume drops lines past the checkpoint (a killed run logged steps it will redo)
  fs.mkdirSync(out, { recursive: true });
  const logFile = path.join(out, 'log.jsonl');
  const trainCurve: CurvePoint[] = [];
  const valCurve: CurvePoint[] = [];
  if (!lead) {
    // the other ranks write nothing: rank 0 owns the run directory
  } else if (ckpt && fs.existsSync(logFile)) {
    const kept = fs
      .readFileSync(logFile, 'utf8')
      .split('\n')
      .filter((l) => l.trim())
      .filter((l) => {
        try {
          const o = JSON.parse(l) as { step?: number; loss?: number; val_loss?: number };
          if (typeof o.step === 'number' && o.step > startStep) return false;
          if (typeof o.step === 'number' && typeof o.loss === 'number') trainCurve.push({ step: o.step, loss: o.loss });
          if (typeof o.step === 'number' && typeof o.val_loss === 'number') valCurve.push({ step: o.step, loss: o.val_loss });
          return true;
        } catch {
          return false;
        }
      });
    fs.writeFileSync(logFile + '.tmp', kept.map((l) => l + '\n').join(''));
    fs.renameSync(logFile + '.tmp', logFile);
  } else if (!ckpt) {
    fs.rmSync(logFile, { force: true });
  }
  const logFd = lead ? fs.openSync(logFile, 'a') : -1;
  const writeLog = (line: LogLine) => void (lead && fs.writeSync(logFd, JSON.stringify(line) + '\n'));

  const valWindows = lead ? validationWindows(ds, T, cfg.evalTokens) : [];
  const unigram = valWindows.length ? unigramLoss(ds, valWindows, shape.vocab) : NaN;
  const peak = opts.measurePeak === false || !lead ? NaN : measurePeakGflops();
  const runTokens = cfg.steps * cfg.optimizer.batchTokens;
  const trainTokensAvailable = ds.train.reduce((s, x) => s + x.tokens, 0);

  // advice, before the first step
  const mixed = 'mixed precision: off (TensorFlow.js trains in float32; its cpu and WASM backends have no float16 kernels)';
  say(`backend: ${backendLabel}${setup.choice.skipped.length ? ` (skipped ${setup.choice.skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')})` : ''}`);
  for (const n of setup.notes) say(n);
  say(mixed);
  say(`model: ${shape.layers} layers, ${shape.heads} heads, width ${shape.width}, context ${T}, vocab ${shape.vocab} (${ds.manifest.tokenizer.name}): ${N.toLocaleString('en-US')} parameters`);
  if (dist.world > 1) say(`data parallel: ${dist.world} ranks, ${accum / dist.world} microbatches each per step, gradients summed by a ring all-reduce over TCP (src/train/ring.ts) before one AdamW step on every rank`);
  say(`batch: ${cfg.optimizer.batchTokens} tokens = ${accum} x microbatch ${B} x ${T}; ${cfg.steps} steps = ${runTokens.toLocaleString('en-US')} tokens (${(runTokens / trainTokensAvailable).toFixed(2)} epochs of ${trainTokensAvailable.toLocaleString('en-US')} train tokens)`);
  say(`tokens per parameter: ${(runTokens / N).toFixed(2)} (Chinchilla's compute-optimal is about 20: Hoffmann et al. 2022)${runTokens / N < 20 ? `; ${Math.ceil((20 * N) / cfg.optimizer.batchTokens)} steps would reach it` : ''}`);
  say(`compute: 6 x N x D = ${(flopsTok * runTokens).toExponential(2)} FLOPs${Number.isFinite(peak) ? `; measured matmul peak on this backend ${peak.toFixed(1)} GFLOP/s, so at least ${((flopsTok * runTokens) / (peak * 1e9)).toFixed(0)} s` : ''}`);
  if (valWindows.length) say(`validation: ${valWindows.length} windows (${valWindows.length * T} tokens); unigram baseline (train frequencies): loss ${unigram.toFixed(4)}, perplexity ${Math.exp(unigram).toFixed(1)}`);
  else say('validation: the val shards hold no full window of context + 1 tokens: no validation');
  if (ckpt) say(`resuming from ${resumeDir} (step ${startStep}, ${tokens} tokens)`);
  writeLog({
    event: ckpt ? 'resume' : 'start',
    step: startStep,
    backend: backendLabel,
    world_size: dist.world,
    mixed_precision: false,
    mixed_precision_note: mixed,
    parameters: N,
    model: shape,
    batch_tokens: cfg.optimizer.batchTokens,
    micro_batch: B,
    accumulation_steps: accum,
    steps: cfg.steps,
    run_tokens: runTokens,
    tokens_per_parameter: round(runTokens / N, 3),
    run_flops: flopsTok * runTokens,
    flops_per_token: flopsTok,
    peak_gflops: Number.isFinite(peak) ? round(peak, 2) : null,
    peak_source: Number.isFinite(peak) ? 'measured: 384x384x384 float32 matMul on this backend' : null,
    unigram_val_loss: Number.isFinite(unigram) ? round(unigram) : null,
    unigram_val_ppl: Number.isFinite(unigram) ? round(Math.exp(unigram), 2) : null,
    val_tokens: valWindows.length * T,
  });

  const evaluate = (): number => {
    let sum = 0;
    let n = 0;
    for (let i = 0; i < valWindows.length; i += B) {
      const group = valWindows.slice(i, i + B);
      const ids = new Int32Array(group.length * T);
      const targets = new Int32Array(group.length * T);
      group.forEach((w, r) => {
        ids.set(w.subarray(0, T), r * T);
        targets.set(w.subarray(1, T + 1), r * T);
      });
      const l = tf.tidy(() => model.loss(ids, targets, group.length, T));
      sum += l.dataSync()[0]! * group.length * T;
      n += group.length * T;
      l.dispose();
    }
    return sum / n;
  };

  const result: TrainResult = {
    status: 'done',
    step: startStep,
    losses: [],
    val: [],
    unigramValLoss: Number.isFinite(unigram) ? unigram : null,
    lastCheckpoint: resumeDir ?? null,
    message: '',
    backend: backendLabel,
    parameters: N,
    tokensPerSecond: 0,
  };
  let lastLoss: number | null = ckpt?.state.last_loss ?? null;
  const started = performance.now();
  let trainSeconds = 0;
  const elapsed = () => elapsedBefore + (performance.now() - started) / 1000;

  const checkpoint = (step: number) => {
    if (!lead) return null;
    const weights = model.params.map((p) => ({ name: p.name, shape: p.variable.shape, values: p.variable.dataSync() as Float32Array, m: new Float32Array(0) as Float32Array, v: new Float32Array(0) as Float32Array }));
    weights.forEach((w, i) => {
      w.m = optimizer.m[i]!.dataSync() as Float32Array;
      w.v = optimizer.v[i]!.dataSync() as Float32Array;
    });
    const dir = writeCheckpoint(
      out,
      {
        format: 'curate-gpt-checkpoint',
        version: 1,
        step,
        tokens,
        elapsed_s: round(elapsed(), 3),
        config: cfg,
        model: { ...shape, parameters: N },
        data: stream.pos,
        rng: rng.state,
        adam_step: optimizer.step,
        tokenizer: { spec: tokSpec, name: ds.manifest.tokenizer.name, vocab_size: ds.manifest.tokenizer.vocab_size, eot: ds.manifest.tokenizer.eot, file: null },
        last_loss: lastLoss,
        backend: backendLabel,
      },
      weights,
      tokenizerFile,
      cfg.keepCheckpoints,
    );
    result.lastCheckpoint = dir;
    writeLog({ event: 'checkpoint', step, dir: path.relative(out, dir) });
    return dir;
  };

  const plot = async () => {
    if (!lead) return;
    try {
      await writeLossCurve(path.join(out, 'loss.svg'), trainCurve, valCurve, `${cfg.name}: ${shape.layers}L ${shape.width}w, ${N.toLocaleString('en-US')} params`);
    } catch (e) {
      say(`note: could not write loss.svg: ${(e as Error).message}`);
    }
  };

  let windowTokens = 0;
  let windowSeconds = 0;
  try {
    for (let step = startStep; step < cfg.steps; step++) {
      const t0 = performance.now();
      const lr = learningRate(step, sched);
      // every rank must stop at the same step: the stop flag travels in the all-reduce with the gradients
      const { loss: stepLoss, norm, grads, stop } =
        dist.world > 1 ? await distributedForwardBackward(model, stream, accum, dist, opts.signal?.aborted ?? false) : { ...forwardBackward(model, stream, accum), stop: opts.signal?.aborted ?? false };
      let loss = stepLoss;
      if (opts.onLoss) loss = opts.onLoss(step + 1, loss);
      if (!Number.isFinite(loss) || !Number.isFinite(norm)) {
        for (const t of grads) t.dispose();
        const what = !Number.isFinite(loss) ? `loss is ${loss}` : `gradient norm is ${norm}`;
        result.status = 'nan';
        result.step = step;
        result.message = `${what} at step ${step + 1}: stopped without applying it; ${result.lastCheckpoint ? `the last good checkpoint is ${result.lastCheckpoint}` : 'no checkpoint was written before it'} (lower optimizer.lr, raise warmupSteps, or check clipGradNorm)`;
        writeLog({ event: 'nan', step: step + 1, loss: num(loss), grad_norm: num(norm), lr, last_good_checkpoint: result.lastCheckpoint ? path.relative(out, result.lastCheckpoint) : null });
        say(result.message);
        break;
      }
      optimizer.apply(grads, lr, clipScale(norm, cfg.optimizer.clipGradNorm));
      for (const t of grads) t.dispose();
      tokens += cfg.optimizer.batchTokens;
      lastLoss = loss;
      const seconds = (performance.now() - t0) / 1000;
      trainSeconds += seconds;
      windowTokens += cfg.optimizer.batchTokens;
      windowSeconds += seconds;
      const done = step + 1;
      result.step = done;
      result.losses.push({ step: done, loss });
      trainCurve.push({ step: done, loss });
      if (done % cfg.logIntervalSteps === 0 || done === cfg.steps) {
        const tps = windowTokens / windowSeconds;
        const mfu = Number.isFinite(peak) ? (flopsTok * tps) / (peak * 1e9) : null;
        writeLog({ step: done, loss: round(loss, 6), lr: lr, grad_norm: round(norm, 5), tokens, tokens_per_s: round(tps, 1), elapsed_s: round(elapsed(), 2), mfu: mfu === null ? null : round(mfu, 4) });
        say(`step ${done}/${cfg.steps}  loss ${loss.toFixed(4)}  lr ${lr.toExponential(2)}  grad norm ${norm.toFixed(3)}  ${tps.toFixed(0)} tokens/s${mfu === null ? '' : `  MFU ${(100 * mfu).toFixed(1)}%`}`);
        windowTokens = 0;
        windowSeconds = 0;
      }
      const last = done === cfg.steps;
      const stopping = stop;
      if (valWindows.length && ((cfg.evalIntervalSteps > 0 && done % cfg.evalIntervalSteps === 0) || last)) {
        const vl = evaluate();
        result.val.push({ step: done, val_loss: vl, val_ppl: Math.exp(vl) });
        valCurve.push({ step: done, loss: vl });
        writeLog({ step: done, val_loss: round(vl, 6), val_ppl: round(Math.exp(vl), 3), unigram_val_ppl: Number.isFinite(unigram) ? round(Math.exp(unigram), 2) : null });
        say(`step ${done}: val loss ${vl.toFixed(4)}, perplexity ${Math.exp(vl).toFixed(2)} (unigram ${Math.exp(unigram).toFixed(1)})`);
        await plot();
      }
      if ((cfg.checkpointIntervalSteps > 0 && done % cfg.checkpointIntervalSteps === 0) || last || stopping) checkpoint(done);
      if (stopping && !last) {
        result.status = 'interrupted';
        result.message = `interrupted after step ${done}: checkpoint ${result.lastCheckpoint}; continue with --resume`;
        say(result.message);
        break;
      }
    }
  } finally {
    if (lead) fs.closeSync(logFd);
    optimizer.dispose();
    model.dispose();
  }
  await plot();
  result.tokensPerSecond = trainSeconds > 0 ? ((result.step - startStep) * cfg.optimizer.batchTokens) / trainSeconds : 0;
  if (result.status === 'done') {
    const v = result.val.at(-1);
    result.message = `trained ${result.step} steps (${tokens.toLocaleString('en-US')} tokens) in ${elapsed().toFixed(1)} s, ${result.tokensPerSecond.toFixed(0)} tokens/s${v ? `; val perplexity ${v.val_ppl.toFixed(2)} (unigram ${Math.exp(unigram).toFixed(1)})` : ''}; checkpoint ${result.lastCheckpoint}`;
  }
  return result;
}
