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
import { finalizeRun, prepareRun, readTaskRuns, recordFailure, runPassTask, runPipeline, runReduce, type RunOptions } from '../run/pipeline.js';
import { runPipelineOnPool } from '../run/local-pool.js';
import { submitToSlurm, waitForJobs } from '../run/slurm.js';
import { formatStatus, runStatus } from '../run/status.js';
import type { Pipeline } from '../run/config.js';
import { listInputs } from '../run/inputs.js';
import { createProgress } from '../run/progress.js';
import { docFromJson, docToJson } from '../io/jsonl.js';
import { STAGES } from '../../stages/index.js';
import { formatRunReport } from './report-text.js';
import { formatTable } from './table.js';
import { openViews, query, resolveTarget, summarize } from '../inspect/inspect.js';

const USAGE = `curate: a streaming data curation pipeline for LLM pretraining

usage:
  curate run <pipeline.yaml> [--input PATH ...] [--output DIR] [--force] [--workers N] [--executor slurm --tasks N [--wait]] [--log-level L]
  curate status <run dir> [--json]
  curate stage <name> [--opt key=value ...] [--annotate] [--dropped FILE] [--list]   JSONL documents on stdin -> stdout
  curate inspect <run dir | file.parquet> [--sql QUERY] [--json] [--samples N]
  curate crawl --seeds <URL | file> ... --out DIR [--max-pages N] [--max-depth N] [--delay-ms N] ...   polite crawl to WARC
  curate tokenize --input PATH ... --tokenizer gpt2|BPE.json --context N --out DIR [--val-fraction F] [--format llmc|megatron] [--boundaries]
  curate bpe train --input PATH ... --vocab-size N --out bpe.json
  curate classifier train (--pos FILE... --neg FILE... | --data LABELLED.jsonl...) --out DIR [--epochs N ...]

  curate <verb> --help   shows the flags of one verb
`;

const RUN_USAGE = `usage: curate run <pipeline.yaml> [flags]
  --input PATH ...        replaces input.paths (files or directories)
  --output DIR            replaces output.dir
  --force                 redo tasks that have a completion marker
  --workers N             worker processes on this machine (default: the number of cores; 1 runs in this process)
  --retries N             attempts after the first for a failed task (default 2)
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
    const complete = setup.plans.every((plan) => setup.all.every((f) => runs.some((r) => r.report.pass === plan.index && r.report.task === f.task)));
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
      force: { type: 'boolean', default: false },
      rank: { type: 'string', default: '0' },
      'world-size': { type: 'string', default: '1' },
      workers: { type: 'string' },
      retries: { type: 'string', default: '2' },
      executor: { type: 'string', default: 'local' },
      tasks: { type: 'string' },
      partition: { type: 'string' },
      time: { type: 'string' },
      mem: { type: 'string' },
      'cpus-per-task': { type: 'string' },
      'sbatch-arg': { type: 'string', multiple: true },
      wait: { type: 'boolean', default: false },
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
  const pipeline = loadPipeline(positionals[0]!);
  listInputs(values.input ?? pipeline.input.paths, pipeline.input.format); // a missing input stops the run before anything is written
  const outDir = values.output ?? pipeline.output.dir;
  fs.mkdirSync(outDir, { recursive: true });
  const progress = createProgress();
  const log = createLogger({ level: values.quiet ? 'warn' : level, file: path.join(outDir, 'run.log'), write: io.err, beforeWrite: progress.clear });
  if (values.step !== undefined) {
    try {
      return await runStep(pipeline, values.step, { inputs: values.input, outputDir: outDir, force: values.force, rank, worldSize, log });
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
    const runOpts = { inputs: values.input, outputDir: outDir, force: values.force, rank, worldSize, log, progress, signal: abort.signal };
    // one rank of several, or one worker, runs in this process; else a pool of worker processes
    const inputs = listInputs(values.input ?? pipeline.input.paths, pipeline.input.format).length;
    const result = worldSize === 1 && Math.min(workers, inputs) > 1 ? await runPipelineOnPool(pipeline, { ...runOpts, workers, retries, pipelineFile: positionals[0] }) : await runPipeline(pipeline, runOpts);
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

async function cmdInspect(args: string[], io: Out): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      sql: { type: 'string' },
      json: { type: 'boolean', default: false },
      samples: { type: 'string', default: '3' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    io.out('usage: curate inspect <run dir | file.parquet> [--sql "SELECT ... FROM docs"] [--json] [--samples N]\n  views: docs (kept), dropped (with drop_stage, drop_reason)');
    return values.help ? 0 : 2;
  }
  const target = resolveTarget(positionals[0]!);
  if (values.sql) {
    const { con, close } = await openViews(target);
    try {
      let result;
      try {
        result = await query(con, values.sql);
      } catch (e) {
        throw new FatalError(`--sql: ${(e as Error).message}\n  views: ${Object.entries(target.views).filter(([, f]) => f.length).map(([v]) => v).join(', ') || '(none: no Parquet outputs)'}`);
      }
      if (values.json) for (const r of result.rows) io.out(JSON.stringify(Object.fromEntries(result.columns.map((c, i) => [c, r[i]]))));
      else io.out(formatTable(result.columns, result.rows as Array<Array<string | number | null>>));
    } finally {
      close();
    }
    return 0;
  }
  const s = await summarize(target, Number(values.samples));
  if (values.json) {
    io.out(JSON.stringify(s, null, 2));
    return 0;
  }
  if (s.report) io.out(formatRunReport(s.report) + '\n');
  io.out(`kept documents: ${s.docs}${target.views.dropped?.length ? `   dropped documents (with text): ${s.dropped}` : ''}`);
  if (s.length_quantiles) {
    const q = s.length_quantiles;
    io.out(`\ntext length (chars): min ${q.min}  p10 ${q.p10}  median ${q.p50}  p90 ${q.p90}  max ${q.max}  mean ${q.mean!.toFixed(0)}`);
    const max = Math.max(...s.length_histogram.map((h) => h.docs));
    io.out(formatTable(['chars', 'docs', ''], s.length_histogram.map((h) => [h.bucket, h.docs, '#'.repeat(Math.max(1, Math.round((h.docs / max) * 40)))])));
  }
  if (s.dropped_by_reason.length) {
    io.out('\ndropped, by stage and reason:');
    io.out(formatTable(['stage', 'reason', 'docs'], s.dropped_by_reason.map((d) => [d.stage, d.reason, d.docs])));
  }
  if (s.samples.length) {
    io.out('\nsample of kept documents:');
    for (const d of s.samples) io.out(`- ${d.url ?? d.id} (${d.chars} chars)\n  ${d.text}`);
  }
  if (s.dedup_clusters.length) {
    io.out('\nlargest near-duplicate clusters (kept document, one dropped copy):');
    for (const c of s.dedup_clusters) io.out(`- ${c.cluster} (${c.size} documents)\n  kept:    ${c.kept_text ?? '(not kept: dropped later by another stage)'}\n  dropped: ${c.dropped_id}: ${c.dropped_text}`);
  }
  if (s.mix?.rows.length) {
    io.out(`\nmix by ${s.mix.by} (${s.mix.mode}, ${s.mix.unit}, seed ${s.mix.seed}): target vs achieved share of ${s.mix.unit}`);
    const pct = (x: number | null | undefined) => (x === null || x === undefined ? '-' : `${(100 * x).toFixed(1)}%`);
    io.out(formatTable([s.mix.by, 'target', 'achieved', `${s.mix.unit} in`, `${s.mix.unit} out`], s.mix.rows.map((r) => [r.domain, pct(r.target), pct(r.achieved), r.tokens_in, r.tokens_out])));
    for (const w of s.mix.warnings) io.out(`  warning: ${w}`);
  }
  if (s.dropped_samples.length) {
    io.out('\nsample of dropped documents:');
    for (const d of s.dropped_samples) io.out(`- ${d.url ?? d.id} [${d.stage}: ${d.reason}]\n  ${d.text}`);
  }
  io.out(`\nquery it: curate inspect ${positionals[0]} --sql "SELECT url, text_chars FROM docs ORDER BY text_chars DESC LIMIT 5"`);
  return 0;
}
