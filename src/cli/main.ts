// The `curate` command line: run | stage | inspect. Each verb parses its flags with
// node:util parseArgs; errors a user can fix end with exit code 2 and one clear line.
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { parseArgs } from 'node:util';
import { FatalError, type RecordError } from '../core/errors.js';
import { createLogger, type LogLevel } from '../core/log.js';
import { Counters } from '../core/stats.js';
import type { StageContext } from '../core/stage.js';
import type { Doc } from '../core/doc.js';
import { loadPipeline, resolveStage, createStage } from '../run/config.js';
import { runPipeline } from '../run/pipeline.js';
import { listInputs } from '../run/inputs.js';
import { createProgress } from '../run/progress.js';
import { docFromJson, docToJson } from '../io/jsonl.js';
import { STAGES } from '../../stages/index.js';
import { formatRunReport } from './report-text.js';
import { formatTable } from './table.js';
import { openViews, query, resolveTarget, summarize } from '../inspect/inspect.js';

const USAGE = `curate: a streaming data curation pipeline for LLM pretraining

usage:
  curate run <pipeline.yaml> [--input PATH ...] [--output DIR] [--force] [--rank R --world-size W] [--log-level L]
  curate stage <name> [--opt key=value ...] [--annotate] [--dropped FILE] [--list]   JSONL documents on stdin -> stdout
  curate inspect <run dir | file.parquet> [--sql QUERY] [--json] [--samples N]
  curate tokenize --input PATH ... --tokenizer gpt2|BPE.json --context N --out DIR [--val-fraction F] [--format llmc|megatron] [--boundaries]
  curate bpe train --input PATH ... --vocab-size N --out bpe.json
  curate classifier train (--pos FILE... --neg FILE... | --data LABELLED.jsonl...) --out DIR [--epochs N ...]

  curate <verb> --help   shows the flags of one verb
`;

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
      'log-level': { type: 'string', default: 'info' },
      quiet: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help || positionals.length !== 1) {
    io.out('usage: curate run <pipeline.yaml> [--input PATH ...] [--output DIR] [--force] [--rank R --world-size W] [--log-level debug|info|warn|error] [--quiet]');
    return values.help ? 0 : 2;
  }
  const rank = Number(values.rank);
  const worldSize = Number(values['world-size']);
  if (!Number.isInteger(worldSize) || worldSize < 1) throw new FatalError(`--world-size must be a positive integer, got ${values['world-size']}`);
  if (!Number.isInteger(rank) || rank < 0 || rank >= worldSize) throw new FatalError(`--rank must be an integer in [0, ${worldSize}), got ${values.rank}`);
  const level = values['log-level'] as LogLevel;
  if (!['debug', 'info', 'warn', 'error'].includes(level)) throw new FatalError(`--log-level must be debug, info, warn or error`);
  const pipeline = loadPipeline(positionals[0]!);
  listInputs(values.input ?? pipeline.input.paths, pipeline.input.format); // a missing input stops the run before anything is written
  const outDir = values.output ?? pipeline.output.dir;
  fs.mkdirSync(outDir, { recursive: true });
  const progress = createProgress();
  const log = createLogger({ level: values.quiet ? 'warn' : level, file: path.join(outDir, 'run.log'), write: io.err, beforeWrite: progress.clear });
  const abort = new AbortController();
  const onSignal = () => {
    log.warn('interrupted: finishing nothing more; completed tasks keep their markers, rerun to resume');
    abort.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const result = await runPipeline(pipeline, { inputs: values.input, outputDir: outDir, force: values.force, rank, worldSize, log, progress, signal: abort.signal });
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
