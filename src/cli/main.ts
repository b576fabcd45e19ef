// The `curate` command line: run | stage | inspect. Each verb parses its flags with
// node:util parseArgs; errors a user can fix end with exit code 2 and one clear line.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { FatalError, type RecordError } from '../core/errors.js';
import { createLogger, type LogLevel } from '../core/log.js';
import { Counters } from '../core/stats.js';
import type { StageContext } from '../core/stage.js';
import type { Doc } from '../core/doc.js';
import { loadPipeline, resolveStage, createStage } from '../run/config.js';
import { finalizeRun, prepareRun, resolveRunInputs, readTaskRuns, recordFailure, runPassTask, runPipeline, runReduce, type RunOptions } from '../run/pipeline.js';
import { runPipelineOnPool } from '../run/local-pool.js';
import { SBATCH_FLAGS, submitToSlurm, waitForJobs } from '../run/slurm.js';
import { formatStatus, runStatus } from '../run/status.js';
import type { Pipeline } from '../run/config.js';
import { createProgress } from '../run/progress.js';
import { docFromJson, docToJson } from '../io/jsonl.js';
import { STAGES } from '../../stages/index.js';
import { formatRunReport } from './report-text.js';
import { formatTable } from './table.js';

const USAGE = `curate: a streaming data curation pipeline for LLM pretraining

usage:
  curate run <pipeline.yaml> [--input PATH ...] [--output DIR] [--force] [--workers N] [--executor slurm --tasks N [--wait]] [--log-level L]
  curate status <run dir> [--json]
  curate stage <name> [--opt key=value ...] [--annotate] [--dropped FILE] [--list]   JSONL documents on stdin -> stdout
  curate inspect <run dir | file.parquet | train dir> [--report FILE.html] [--sql QUERY] [--json] [--samples N]
  curate crawl --seeds <URL | file> ... --out DIR [--max-pages N] [--max-depth N] [--delay-ms N] ...   polite crawl to WARC
  curate tokenize --input PATH ... --tokenizer gpt2|BPE.json --context N --out DIR [--val-fraction F] [--format llmc|megatron] [--boundaries]
  curate bpe train --input PATH ... --vocab-size N --out bpe.json
  curate classifier train (--pos FILE... --neg FILE... | --data LABELLED.jsonl...) --out DIR [--epochs N ...]
  curate train <pretrain.yaml> [--data DIR] [--steps N] [--out DIR] [--resume]   a GPT on tokenized shards
  curate sample <run or checkpoint dir> [--prompt TEXT] [--tokens N] [--temperature T] [--top-k K] [--seed S]

  curate <verb> --help   shows the flags of one verb
`;

const RUN_USAGE = `usage: curate run <pipeline.yaml> [flags]
  --input PATH ...        replaces input.paths: files, directories, https:// or s3:// files, s3://bucket/prefix/,
                          Common Crawl listings (warc.paths.gz; lines resolve against input.baseUrl)
  --shard R/W             only the inputs whose index mod W is R (input.shard)
  --limit N               only the first N inputs, after --shard (input.limit)
  --output DIR            replaces output.dir
  --force                 redo tasks that have a completion marker
  --workers N             worker processes on this machine (default: the number of cores; 1 runs in this process)
  --retries N             attempts after the first for a failed task (default 2)
  --pin                   pin each worker process to one CPU (Linux; the CPU with the fewest workers)
  --rank R --world-size W run only the input files whose index mod W is R (one-pass pipelines; see --step)
  --executor slurm        submit job arrays with sbatch instead of running here; with:
    --tasks N             the array size (world size)
    --partition P --time T --mem M --cpus-per-task C --sbatch-arg "--account=x" ...
    --wait                wait for the jobs and print the run's status
  --step pass:K|reduce:K|finalize
                          run one step of a run (what each Slurm job runs): pass K for this rank's tasks,
                          the reduce that closes pass K, or the merge of every marker into stats.json
  --log-level debug|info|warn|error  --quiet`;

type Out = { out: (s: string) => void; err: (s: string) => void };
const stdio: Out = { out: (s) => process.stdout.write(s + '\n'), err: (s) => process.stderr.write(s + '\n') };

export async function main(argv: string[], io: Out = stdio): Promise<number> {
  const [verb, ...rest] = argv;
  try {
    switch (verb) {
      case 'run':
        return await cmdRun(rest, io);
      case 'stage':
        return await cmdStage(rest, io);
      case 'inspect':
        return await cmdInspect(rest, io);
      case 'status':
        return cmdStatus(rest, io);
      case 'crawl': // loaded on use: crawlee takes a while to import
        return await (await import('../crawl/cli.js')).cmdCrawl(rest, io);
      case 'tokenize': // loaded on use, like the tokenizers behind it
        return await (await import('../tokenize/cli.js')).cmdTokenize(rest, io);
      case 'bpe':
        return await (await import('../tokenize/cli.js')).cmdBpe(rest, io);
      case 'train': // loaded on use, with TensorFlow.js
        return await (await import('../train/cli.js')).cmdTrain(rest, io);
      case 'sample':
        return await (await import('../train/cli.js')).cmdSample(rest, io);
      case 'classifier': // loaded on use: TensorFlow.js takes most of a second to import
        return await (await import('../classify/cli.js')).cmdClassifier(rest, io);
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        io.out(USAGE);
        return verb ? 0 : 2;
      default:
        io.err(`curate: unknown command '${verb}'\n\n${USAGE}`);
        return 2;
    }
  } catch (e) {
    if (e instanceof FatalError) {
      io.err(`curate ${verb}: ${e.message}`);
      return 2;
    }
    if (e instanceof TypeError && (e as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`curate ${verb}: ${e.message}`);
      return 2;
    }
    io.err(`curate ${verb}: ${(e as Error).stack ?? String(e)}`);
    return 1;
  }
}

/**
 * One step of a run, as each Slurm job runs it: `pass:K` runs pass K of this rank's tasks, `reduce:K` the
 * global stage's reduce that closes pass K (every task must have finished pass K), `finalize` merges
 * every task's marker into stats.json. A step skips what its markers say is done.
 */
async function runStep(p: Pipeline, step: string, opts: RunOptions & { rank: number; worldSize: number }): Promise<number> {
  const m = /^(pass|reduce):(\d+)$|^finalize$/.exec(step);
  if (!m) throw new FatalError(`--step must be pass:K, reduce:K or finalize, got '${step}'`, 'step');
  const setup = prepareRun(p, opts);
  if (step === 'finalize') {
    const runs = readTaskRuns(setup);
    const report = finalizeRun(setup, runs, new Date(fs.statSync(path.join(setup.runDir, 'pipeline.yaml')).mtimeMs), 0, 1);
    opts.log.info(formatRunReport(report));
    const marked = new Set(runs.map((r) => `${r.report.pass}:${r.report.task}`));
    const complete = setup.plans.every((plan) => setup.all.every((f) => marked.has(`${plan.index}:${f.task}`)));
    if (!complete) opts.log.error('finalize: some tasks have no completion marker yet; stats.json covers the finished ones (see curate status)');
    return complete && report.totals.balanced ? 0 : 1;
  }
  const pass = Number(m[2]);
  if (pass >= setup.plans.length) throw new FatalError(`--step ${step}: the pipeline has ${setup.plans.length} pass(es)`, 'step');
  if (m[1] === 'reduce') {
    await runReduce(setup, pass, opts.log, opts.force);
    return 0;
  }
  const mine = setup.all.filter((_, i) => i % opts.worldSize === opts.rank);
  opts.log.info(`${p.name}: pass ${pass} of rank ${opts.rank}/${opts.worldSize}: ${mine.length} task(s)`);
  let failures = 0;
  for (const input of mine) {
    try {
      await runPassTask(setup, pass, input, { ...opts, force: Boolean(opts.force) && pass === 0 }, { docs: 0, bytes: 0 });
    } catch (e) {
      if (e instanceof FatalError) throw e;
      failures++;
      opts.log.error(`${input.task}: pass ${pass} failed: ${(e as Error).stack ?? e}`);
      recordFailure(setup.runDir, pass, input.task, (e as Error).message);
    }
  }
  return failures ? 1 : 0;
}

function cmdStatus(args: string[], io: Out): number {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } } });
  if (values.help || positionals.length !== 1) {
    io.out('usage: curate status <run dir> [--json]   tasks done, failed and waiting per pass, from the markers (and squeue)');
    return values.help ? 0 : 2;
  }
  const status = runStatus(positionals[0]!);
  io.out(values.json ? JSON.stringify(status, null, 2) : formatStatus(status));
  return status.finished ? 0 : 1;
}

async function cmdRun(args: string[], io: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      input: { type: 'string', multiple: true },
      output: { type: 'string' },
      shard: { type: 'string' },
      limit: { type: 'string' },
      force: { type: 'boolean', default: false },
      rank: { type: 'string', default: '0' },
      'world-size': { type: 'string', default: '1' },
      workers: { type: 'string' },
      retries: { type: 'string', default: '2' },
      pin: { type: 'boolean' },
      executor: { type: 'string', default: 'local' },
      tasks: { type: 'string' },
      ...SBATCH_FLAGS,
      step: { type: 'string' },
      'log-level': { type: 'string', default: 'info' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    io.out(RUN_USAGE);
    return values.help ? 0 : 2;
  }
  const int = (flag: string, value: string | undefined, min: number): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isInteger(n) || n < min) throw new FatalError(`--${flag} must be an integer >= ${min}, got ${value}`, flag);
    return n;
  };
  const worldSize = int('world-size', values['world-size'], 1)!;
  const rank = int('rank', values.rank, 0)!;
  if (rank >= worldSize) throw new FatalError(`--rank must be an integer in [0, ${worldSize}), got ${values.rank}`, 'rank');
  const retries = int('retries', values.retries, 0)!;
  const level = values['log-level'] as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new FatalError(`--log-level must be debug, info, warn or error`);
  if (!['local', 'slurm'].includes(values.executor!)) throw new FatalError(`--executor must be local or slurm, got ${values.executor}`, 'executor');
  const limit = int('limit', values.limit, 1);
  const shard = values.shard;
  if (shard !== undefined && !(/^\d+\/\d+$/.test(shard) && Number(shard.split('/')[0]) < Number(shard.split('/')[1]))) throw new FatalError(`--shard takes R/W with R < W (e.g. 3/100), got ${shard}`, 'shard');
  const pipeline = loadPipeline(positionals[0]!);
  const outDir = values.output ?? pipeline.output.dir;
  // a missing input stops the run before anything is written; listings and s3:// prefixes are read here, once
  const warnOnly = (m: string) => io.err(`warn ${m}`);
  const inputCount = (await resolveRunInputs(pipeline, { inputs: values.input, shard, limit, outputDir: outDir, log: { debug: () => {}, info: () => {}, warn: warnOnly, error: warnOnly } })).length;
  fs.mkdirSync(outDir, { recursive: true });
  const progress = createProgress();
  const log = createLogger({ level: values.quiet ? 'warn' : level, file: path.join(outDir, 'run.log'), write: io.err, beforeWrite: progress.clear });
  if (values.step !== undefined) {
    try {
      return await runStep(pipeline, values.step, { inputs: values.input, outputDir: outDir, force: values.force, rank, worldSize, log, shard, limit });
    } finally {
      log.close();
    }
  }
  if (values.executor === 'slurm') {
    try {
      const tasks = int('tasks', values.tasks, 1);
      if (tasks === undefined) throw new FatalError('--executor slurm needs --tasks N (the job array size)', 'tasks');
      const { jobs } = submitToSlurm(pipeline, {
        inputs: values.input,
        shard,
        limit,
        outputDir: outDir,
        force: values.force,
        tasks,
        partition: values.partition,
        time: values.time,
        mem: values.mem,
        cpusPerTask: int('cpus-per-task', values['cpus-per-task'], 1),
        sbatchArgs: values['sbatch-arg'],
        retries,
        log,
      });
      if (!values.wait) {
        log.info(`follow it: curate status ${outDir}`);
        return 0;
      }
      await waitForJobs(jobs, log);
      const status = runStatus(outDir);
      log.info(formatStatus(status));
      return status.finished ? 0 : 1;
    } finally {
      log.close();
    }
  }
  const workers = int('workers', values.workers, 1) ?? os.availableParallelism();
  const abort = new AbortController();
  const onSignal = () => {
    log.warn('interrupted: finishing nothing more; completed tasks keep their markers, rerun to resume');
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const runOpts = { inputs: values.input, shard, limit, outputDir: outDir, force: values.force, rank, worldSize, log, progress, signal: abort.signal };
    // one rank of several, or one worker, runs in this process; else a pool of worker processes
    const result = worldSize === 1 && Math.min(workers, inputCount) > 1 ? await runPipelineOnPool(pipeline, { ...runOpts, workers, retries, pin: Boolean(values.pin), pipelineFile: positionals[0] }) : await runPipeline(pipeline, runOpts);
    log.info('');
    log.info(formatRunReport(result.report));
    log.info('');
    const docsDir = path.join(result.runDir, 'docs');
    log.info(`kept documents:    ${docsDir}/ (${result.report.output.files.length} file(s))`);
    if (result.report.output.dropped_files.length) log.info(`dropped documents: ${path.join(result.runDir, 'dropped')}/`);
    log.info(`stats:             ${path.join(result.runDir, worldSize > 1 ? `stats.rank-${rank}.json` : 'stats.json')}`);
    log.info(`look inside:       curate inspect ${result.runDir}`);
    if (result.failed.length) {
      log.error(`${result.failed.length} task(s) failed: ${result.failed.map((f) => `${f.task} (${f.error})`).join('; ')}`);
      return 1;
    }
    return result.report.totals.balanced ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    log.close();
  }
}

/** `--opt key=value`: the value is parsed as JSON when it is JSON (numbers, booleans, lists) */
export function parseOpts(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    const eq = p.indexOf('=');
    if (eq <= 0) throw new FatalError(`--opt takes key=value, got '${p}'`);
    const key = p.slice(0, eq);
    const raw = p.slice(eq + 1);
    let value: unknown = raw;
    try {
      value = JSON.parse(raw);
    } catch {
      // a plain string
    }
    out[key] = value;
  }
  return out;
}

async function cmdStage(args: string[], io: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      opt: { type: 'string', multiple: true, default: [] },
      annotate: { type: 'boolean', default: false },
      dropped: { type: 'string' },
      list: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.list) {
    io.out(formatTable(['stage', 'kind', 'description'], Object.values(STAGES).map((s) => [s.name, s.kind, s.description])));
    return 0;
  }
  if (values.help || positionals.length !== 1) {
    io.out('usage: curate stage <name> [--opt key=value ...] [--annotate] [--dropped FILE] < docs.jsonl > out.jsonl\n       curate stage --list');
    return values.help ? 0 : 2;
  }
  const stageOpts = parseOpts(values.opt ?? []);
  // --annotate: the filters' and dedup stages' annotate option (measure and mark, drop nothing)
  if (values.annotate) stageOpts.annotate = true;
  const resolved = resolveStage(positionals[0]!, stageOpts, 'stage');
  const stage = createStage(resolved);
  const stats = new Counters();
  const readerStats = new Counters();
  const log = createLogger({ level: 'warn', write: io.err });
  const droppedFd = values.dropped ? fs.openSync(values.dropped, 'w') : undefined;
  let bad = 0;
  const recordError = (e: RecordError) => {
    bad++;
    log.warn(e.describe());
  };
  const ctx: StageContext = {
    rank: 0,
    worldSize: 1,
    stats,
    log,
    signal: new AbortController().signal,
    runDir: fs.mkdtempSync(path.join(process.env.TMPDIR ?? '/tmp', 'curate-stage-')),
    stage: stage.name,
    drop(doc, reason) {
      stats.inc(`dropped.${reason}`);
      if (droppedFd !== undefined) fs.writeSync(droppedFd, docToJson(doc, { drop_stage: stage.name, drop_reason: reason }) + '\n');
    },
    recordError,
  };
  const input = (async function* (): AsyncGenerator<Doc> {
    let n = 0;
    let offset = 0;
    for await (const line of readline.createInterface({ input: process.stdin, crlfDelay: Infinity })) {
      const at = offset;
      offset += Buffer.byteLength(line) + 1;
      n++;
      if (!line.trim()) continue;
      readerStats.inc('records');
      const doc = docFromJson(line, `stdin:${n}`, { file: 'stdin', offset: at });
      if (doc instanceof Error) {
        recordError(doc);
        continue;
      }
      stats.inc('in');
      yield doc;
    }
  })();
  for await (const doc of stage.run(input, ctx)) {
    stats.inc('out');
    const ok = process.stdout.write(docToJson(doc) + '\n');
    if (!ok) await new Promise((r) => process.stdout.once('drain', r));
  }
  if (droppedFd !== undefined) fs.closeSync(droppedFd);
  fs.rmSync(ctx.runDir, { recursive: true, force: true });
  const dropped = stats.withPrefix('dropped');
  const extra = Object.entries(stats.toJSON()).filter(([k]) => !['in', 'out'].includes(k) && !k.startsWith('dropped.'));
  io.err(
    `${stage.name}: ${stats.get('in')} in, ${stats.get('out')} out, ${stats.sumPrefix('dropped')} dropped${Object.keys(dropped).length ? ` (${Object.entries(dropped).map(([k, v]) => `${k} ${v}`).join(', ')})` : ''}${bad ? `, ${bad} bad lines` : ''}${extra.length ? `; ${extra.map(([k, v]) => `${k} ${v}`).join(', ')}` : ''}`,
  );
  return 0;
}

/** the inspect verb lives with the inspect code (src/inspect/cli.ts); the HTML report loads Vega only when asked */
async function cmdInspect(args: string[], io: Out): Promise<number> {
  return (await import('../inspect/cli.js')).cmdInspect(args, io);
}
