// The `curate train` and `curate sample` verbs (wired into src/cli/main.ts, loaded on use: TensorFlow.js
// takes most of a second to import). Same conventions as the other verbs: node:util parseArgs, a usage
// line on --help, FatalError (exit code 2) for what a user can fix.
import { parseArgs } from 'node:util';
import { FatalError } from '../core/errors.js';
import { checkTrainConfig, loadTrainConfig } from './config.js';
import { train } from './trainer.js';
import { launchLocal, rankFromEnv, submitTrainToSlurm } from './launch.js';
import { SBATCH_FLAGS } from '../run/slurm.js';
import { sample } from './sample.js';

type Out = { out: (s: string) => void; err: (s: string) => void };

const TRAIN_USAGE = `usage: curate train <pretrain.yaml> [--data <shard dir>] [--steps N] [--out <dir>] [--resume] [--backend B] [--threads N]
                   [--workers N | --executor slurm --nodes K --tasks-per-node M [--partition P --time T --mem M --cpus-per-task C --sbatch-arg A]]
  trains the GPT the YAML describes on the llm.c shards of \`curate tokenize\`; writes <out>/log.jsonl,
  <out>/loss.svg and <out>/checkpoints/step-N/ (--resume continues the newest); Ctrl-C checkpoints and stops
  --workers N      data parallel on this machine: N processes, each a slice of every batch, gradients
                   all-reduced over TCP before one identical AdamW step (one BLAS thread each unless --threads)
  --executor slurm the same over a Slurm allocation: srun starts nodes x tasks-per-node ranks (docs/training.md);
                   --wait waits for the job and exits 0 when its last checkpoint is the last step`;

const SAMPLE_USAGE = `usage: curate sample <run dir | checkpoint dir> [--prompt "..."] [--tokens 200] [--temperature 0.8] [--top-k 40] [--seed 0] [--tokenizer gpt2|bpe.json]
  generates text from a checkpoint (a run directory means its newest), decoded with the shards' tokenizer`;

function int(value: string, flag: string, min = 0): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new FatalError(`${flag} must be an integer >= ${min}, got '${value}'`);
  return n;
}

export async function cmdTrain(args: string[], io: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      data: { type: 'string' },
      steps: { type: 'string' },
      out: { type: 'string' },
      resume: { type: 'boolean', default: false },
      backend: { type: 'string' },
      threads: { type: 'string' },
      workers: { type: 'string' },
      executor: { type: 'string', default: 'local' },
      nodes: { type: 'string' },
      'tasks-per-node': { type: 'string' },
      ...SBATCH_FLAGS,
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    io.out(TRAIN_USAGE);
    return values.help ? 0 : 2;
  }
  // what every rank is started with: these arguments without the launcher's own flags
  const rankArgs = (): string[] => {
    const own = new Set(['--workers', '--executor', '--nodes', '--tasks-per-node', '--partition', '--time', '--mem', '--cpus-per-task', '--sbatch-arg']);
    const out: string[] = [];
    for (let i = 0; i < args.length; i++) {
      const [name] = args[i]!.split('=');
      if (name === '--wait') continue;
      if (own.has(name!)) {
        if (!args[i]!.includes('=')) i++;
        continue;
      }
      out.push(args[i]!);
    }
    // one BLAS thread per rank unless asked: N ranks share the machine's cores
    if (values.threads === undefined) out.push('--threads', '1');
    return out;
  };
  const file = positionals[0]!;
  const config = loadTrainConfig(file);
  if (values.data) config.data = values.data;
  if (values.out) config.out = values.out;
  if (values.steps) config.steps = int(values.steps, '--steps', 1);
  if (values.threads) config.threads = int(values.threads, '--threads');
  if (values.backend) {
    const allowed = ['auto', 'tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm', 'cpu'];
    if (!allowed.includes(values.backend)) throw new FatalError(`--backend must be one of ${allowed.join(', ')}, got '${values.backend}'`);
    config.backend = values.backend as typeof config.backend;
  }
  checkTrainConfig(config, file);
  if (!['local', 'slurm'].includes(values.executor!)) throw new FatalError(`--executor must be local or slurm, got '${values.executor}'`, 'executor');
  const me = rankFromEnv();
  if (!me && values.executor === 'slurm') {
    const nodes = int(values.nodes ?? '1', '--nodes', 1);
    const tasksPerNode = int(values['tasks-per-node'] ?? '1', '--tasks-per-node', 1);
    const { jobId, script } = submitTrainToSlurm({
      args: rankArgs(),
      out: config.out,
      nodes,
      tasksPerNode,
      partition: values.partition,
      time: values.time,
      mem: values.mem,
      cpusPerTask: values['cpus-per-task'] ? int(values['cpus-per-task'], '--cpus-per-task', 1) : undefined,
      sbatchArgs: values['sbatch-arg'],
    });
    io.err(`submitted ${script} as Slurm job ${jobId}: ${nodes * tasksPerNode} ranks (${nodes} node(s) x ${tasksPerNode}); rank 0 writes ${config.out}/log.jsonl`);
    io.out(jobId);
    if (!values.wait) return 0;
    const { squeueStates } = await import('../run/slurm.js');
    while (squeueStates([jobId]).has(jobId)) await new Promise((r) => setTimeout(r, 1000));
    const { listCheckpoints } = await import('./checkpoint.js');
    const last = listCheckpoints(config.out).at(-1);
    const finished = last?.step === config.steps;
    io.err(`Slurm job ${jobId} ended: ${last ? `last checkpoint ${last.dir} (step ${last.step} of ${config.steps})` : 'no checkpoint'}; its log: ${script.replace(/train\.sbatch$/, `train.${jobId}.log`)}`);
    return finished ? 0 : 1;
  }
  const workers = values.workers !== undefined ? int(values.workers, '--workers', 1) : 1;
  if (!me && workers > 1) return launchLocal({ args: rankArgs(), workers, out: config.out, err: io.err });
  let dist: import('./ring.js').Collective | undefined;
  if (me) {
    const { TcpRing } = await import('./ring.js');
    dist = await TcpRing.join(me);
  }
  // tests: CURATE_TRAIN_EXIT_AT=rank:step makes that rank die at that step, as a crashed machine would
  const dieAt = process.env.CURATE_TRAIN_EXIT_AT?.split(':').map(Number);
  const onLoss = dieAt && (me?.rank ?? 0) === dieAt[0] ? (step: number, loss: number) => (step === dieAt[1] ? process.exit(3) : loss) : undefined;
  const abort = new AbortController();
  const onSignal = () => {
    io.err('interrupted: finishing this step, writing a checkpoint (Ctrl-C again to stop at once)');
    abort.abort();
    process.once('SIGINT', () => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const r = await train({ config, resume: values.resume, signal: abort.signal, log: values.quiet ? () => {} : io.err, dist, onLoss });
    io.err(r.message);
    if (r.status === 'done') io.err(`sample it: curate sample ${config.out} --prompt "..." --tokens 200`);
    return r.status === 'nan' ? 1 : r.status === 'interrupted' ? 130 : 0;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    dist?.close();
  }
}

export async function cmdSample(args: string[], io: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      prompt: { type: 'string', default: '' },
      tokens: { type: 'string', default: '200' },
      temperature: { type: 'string', default: '0.8' },
      'top-k': { type: 'string', default: '40' },
      seed: { type: 'string', default: '0' },
      tokenizer: { type: 'string' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    io.out(SAMPLE_USAGE);
    return values.help ? 0 : 2;
  }
  const temperature = Number(values.temperature);
  if (!Number.isFinite(temperature) || temperature < 0) throw new FatalError(`--temperature must be a number >= 0, got '${values.temperature}'`);
  const r = await sample({
    checkpoint: positionals[0]!,
    prompt: values.prompt,
    tokens: int(values.tokens, '--tokens'),
    temperature,
    topK: int(values['top-k'], '--top-k'),
    seed: int(values.seed, '--seed', -(2 ** 31)),
    tokenizer: values.tokenizer,
  });
  if (values.json) io.out(JSON.stringify({ checkpoint: r.checkpoint, step: r.step, prompt_ids: r.promptIds, ids: r.ids, text: r.text }));
  else {
    io.err(`${r.checkpoint} (step ${r.step}), ${r.ids.length} tokens, ${r.backend}`);
    io.out(r.text);
  }
  return 0;
}
