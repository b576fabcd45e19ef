// The pretraining YAML (pipelines/pretrain.yaml), validated once when `curate train` loads it: an unknown
// or mistyped field stops the run before a tensor is made and names the field (`optimizer.warmupStep`).
// The checkpoint's state.json shape is here too, so `curate sample` and a resume read what train wrote.
import { z } from 'zod';

export const ModelConfig = z
  .object({
    /** transformer blocks */
    layers: z.number().int().min(1).max(96),
    /** attention heads; width must be a multiple */
    heads: z.number().int().min(1).max(128),
    /** the residual stream's width (d_model) */
    width: z.number().int().min(8).max(8192),
    /** tokens per training sequence (the model's positions) */
    context: z.number().int().min(2).max(8192),
    /** 'auto': the tokenizer's vocabulary from the shards' manifest.json; a number must be at least that */
    vocab: z.union([z.literal('auto'), z.number().int().min(2)]).default('auto'),
  })
  .strict();

export const OptimizerConfig = z
  .object({
    /** the peak learning rate, reached at the end of warmup */
    lr: z.number().positive(),
    /** the floor the cosine decays to; default lr / 10 (Chinchilla, Hoffmann et al. 2022) */
    minLr: z.number().nonnegative().optional(),
    /** linear warmup from lr / warmupSteps to lr */
    warmupSteps: z.number().int().nonnegative().default(0),
    /** the step where the cosine reaches minLr (and stays); default: the run's steps */
    decaySteps: z.number().int().positive().optional(),
    /** AdamW's decoupled weight decay (Loshchilov & Hutter 2019) */
    weightDecay: z.number().nonnegative().default(0.1),
    /** decay the (tied) token and the position embeddings too, as nanoGPT does; biases and LayerNorm never */
    decayEmbeddings: z.boolean().default(true),
    beta1: z.number().min(0).max(1).default(0.9),
    beta2: z.number().min(0).max(1).default(0.95),
    eps: z.number().positive().default(1e-8),
    /** clip the global gradient norm to this; 0 turns clipping off */
    clipGradNorm: z.number().nonnegative().default(1),
    /** tokens per optimizer step: microBatch x context x accumulation steps */
    batchTokens: z.number().int().positive(),
    /** sequences per forward/backward pass */
    microBatch: z.number().int().positive(),
  })
  .strict();

export const TrainConfig = z
  .object({
    name: z.string().min(1).default('pretrain'),
    description: z.string().optional(),
    /** the directory `curate tokenize` wrote (train_*.bin, val_*.bin, manifest.json); --data replaces it */
    data: z.string().min(1),
    /** run directory: log.jsonl, loss.svg, checkpoints; --out replaces it */
    out: z.string().min(1).default('data/runs/pretrain'),
    model: ModelConfig,
    optimizer: OptimizerConfig,
    /** optimizer steps; --steps replaces it */
    steps: z.number().int().positive(),
    /** validation every this many steps (and at the end); 0: only at the end */
    evalIntervalSteps: z.number().int().nonnegative().default(100),
    /** validation reads at most this many val tokens (from the start of the val shards, the same every time) */
    evalTokens: z.number().int().positive().default(65536),
    /** a checkpoint every this many steps (and at the end); 0: only at the end */
    checkpointIntervalSteps: z.number().int().nonnegative().default(500),
    /** checkpoints kept on disk (the newest) */
    keepCheckpoints: z.number().int().min(1).default(2),
    /** a log line every this many steps */
    logIntervalSteps: z.number().int().positive().default(1),
    seed: z.number().int().default(0),
    /** a TensorFlow.js backend (or 'auto': tfjs-node, WebGPU, cpu with the native matmul, WASM, pure cpu) */
    backend: z.enum(['auto', 'tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm', 'cpu']).default('auto'),
    /** cpu backend: run BatchMatMul in the native addon when it is built (native/), else tfjs's JS kernel */
    nativeMatmul: z.boolean().default(true),
    /** native addon threads (OpenBLAS); 0: the addon's default (all cores) */
    threads: z.number().int().nonnegative().default(0),
  })
  .strict();

export type TrainConfig = z.infer<typeof TrainConfig>;
export type ModelConfig = z.infer<typeof ModelConfig>;
export type OptimizerConfig = z.infer<typeof OptimizerConfig>;

/** the keys of each object in the config, for "did you mean" hints */
export const TRAIN_CONFIG_KEYS: Record<string, string[]> = {
  '': Object.keys(TrainConfig.shape),
  model: Object.keys(ModelConfig.shape),
  optimizer: Object.keys(OptimizerConfig.shape),
};

/** one tensor in a checkpoint's .bin files: float32, little-endian, at `offset` floats */
export const TensorEntry = z.object({ name: z.string(), shape: z.array(z.number().int().nonnegative()), offset: z.number().int().nonnegative() });

export const CheckpointState = z.object({
  format: z.literal('curate-gpt-checkpoint'),
  version: z.literal(1),
  /** optimizer steps done */
  step: z.number().int().nonnegative(),
  /** training tokens consumed */
  tokens: z.number().int().nonnegative(),
  /** seconds of training before this checkpoint (a resume adds to it) */
  elapsed_s: z.number().nonnegative(),
  /** the config the run was started with (model shape, optimizer, seed...) */
  config: TrainConfig,
  /** the model as built: vocab resolved */
  model: z.object({ layers: z.number().int(), heads: z.number().int(), width: z.number().int(), context: z.number().int(), vocab: z.number().int(), parameters: z.number().int() }),
  /** where the next microbatch starts: a train shard (index into the manifest's list) and a token offset */
  data: z.object({ shard: z.number().int().nonnegative(), offset: z.number().int().nonnegative(), epoch: z.number().int().nonnegative(), order: z.array(z.number().int().nonnegative()) }),
  /** the seeded generator's state after this step */
  rng: z.number().int(),
  /** Adam's step count (bias correction) */
  adam_step: z.number().int().nonnegative(),
  tokenizer: z.object({ spec: z.string(), name: z.string(), vocab_size: z.number().int(), eot: z.number().int(), file: z.string().nullable() }),
  weights: z.array(TensorEntry),
  /** Adam's first and second moments, one entry per weight, in optimizer.bin (m then v) */
  moments: z.array(TensorEntry),
  last_loss: z.number().nullable(),
  backend: z.string(),
});
export type CheckpointState = z.infer<typeof CheckpointState>;
