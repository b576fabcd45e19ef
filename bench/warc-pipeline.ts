// End-to-end throughput and memory: the extract + length pipeline from a benchmark WARC to Parquet,
// once per WARC size, each in a fresh child process so its peak RSS belongs to that size alone.
// node dist/bench/warc-pipeline.js [--sizes 20,200] [--pipeline pipelines/cc-shard.yaml]
// (WARCs are built by make-warc when missing; --pipeline runs a pipeline file as `curate run` would, its
// global stages and passes included, instead of the one-pass chain below)
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from '../src/core/log.js';
import { parsePipeline } from '../src/run/config.js';
import { runPipeline } from '../src/run/pipeline.js';
import { createProgress } from '../src/run/progress.js';
import { MB, codeRevision, flag, machine, note, numberList, peakRssMb, printResult, round, runMain, isEntryPoint, startRssSampler, tempDir, timed } from './common.js';
import { DEFAULT_SIZES_MB, ensureBenchWarcs } from './make-warc.js';

// The stages and options of pipelines/cc-shard.yaml, with Parquet as the only output format.
export const PIPELINE_YAML = `
name: bench-warc-pipeline
input:
  maxRecordBytes: 16777216
output:
  formats: [parquet]
  rowGroupRows: 1000
  writeDropped: true
stages:
  - extract:
      maxHtmlChars: 2000000
      timeoutMs: 2000
  - url_filter:
      blocklistFile: data/wordlists/url-blocklist.example.txt
  - langid:
      languages: [en]
      minScore: 0.65
  - pii
  - length:
      minWords: 50
      maxWords: 100000
  - gopher_repetition
  - gopher_quality
  - c4
  - fineweb_quality
  - c4_badwords
`;

/** what a child process measures for one WARC */
interface ChildResult {
  records: number;
  docs: number;
  kept: number;
  bad_records: number;
  balanced: boolean;
  parquet_mb: number;
  seconds: number;
  peak_rss_mb: number;
}

function sizeOfFiles(dir: string, files: string[]): number {
  return files.reduce((a, f) => a + fs.statSync(path.join(dir, f)).size, 0);
}

/** the child: run the pipeline on one file and print a ChildResult */
async function measureOne(file: string): Promise<void> {
  startRssSampler();
  const out = tempDir('warc-pipeline');
  try {
    const progress = createProgress();
    const log = createLogger({ level: 'warn', beforeWrite: progress.clear });
    const pipelineFile = flag('pipeline');
    const pipeline = pipelineFile ? parsePipeline(fs.readFileSync(pipelineFile, 'utf8'), pipelineFile) : parsePipeline(PIPELINE_YAML, 'bench/warc-pipeline.ts');
    const { value: run, seconds } = await timed(() => runPipeline(pipeline, { inputs: [file], outputDir: out.dir, force: true, log, progress, maxLoggedErrors: 5 }));
    if (run.failed.length) throw new Error(`pipeline task failed: ${run.failed.map((f) => f.error).join('; ')}`);
    const { report } = run;
    const result: ChildResult = {
      records: report.reader.records,
      docs: report.reader.docs,
      kept: report.totals.docs_kept,
      bad_records: report.totals.bad_records,
      balanced: report.totals.balanced,
      parquet_mb: round(sizeOfFiles(run.runDir, report.output.files) / MB, 1),
      seconds,
      peak_rss_mb: peakRssMb(),
    };
    printResult(result);
  } finally {
    out.remove();
  }
}

/** run this script as a child on one file and read back its JSON line */
function runChild(file: string): Promise<ChildResult> {
  return new Promise((resolve, reject) => {
    // the same heap cap as the `curate` command's shebang (bin/curate.js)
    const pipeline = flag('pipeline');
    const child = spawn(process.execPath, ['--max-old-space-size=1024', fileURLToPath(import.meta.url), '--child', file, ...(pipeline ? ['--pipeline', pipeline] : [])], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString('utf8')));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`child for ${file} exited with code ${code}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult);
    });
  });
}

async function main(): Promise<void> {
  const child = flag('child');
  if (child) return measureOne(child);

  const host = machine();
  const sizes = numberList(flag('sizes') ?? DEFAULT_SIZES_MB.join(','), '--sizes');
  const warcs = await ensureBenchWarcs(sizes);
  const results = [];
  for (const [i, { file, sidecar }] of warcs.entries()) {
    note(`warc-pipeline: ${path.basename(file)} (${sidecar.records} records) ...`);
    const r = await runChild(file);
    const row = {
      size_mb: sizes[i]!,
      file_mb: round(sidecar.bytes / MB, 1),
      records: r.records,
      distinct_pages: sidecar.distinct_pages,
      docs: r.docs,
      kept: r.kept,
      bad_records: r.bad_records,
      balanced: r.balanced,
      parquet_mb: r.parquet_mb,
      seconds: round(r.seconds, 1),
      docs_per_s: round(r.docs / r.seconds, 1),
      mb_per_s: round(sidecar.bytes / MB / r.seconds, 2),
      peak_rss_mb: r.peak_rss_mb,
    };
    note(`warc-pipeline: ${JSON.stringify(row)}`);
    results.push(row);
  }
  printResult({ bench: 'warc-pipeline', machine: host, code: codeRevision(), pipeline: flag('pipeline') ?? 'the cc-shard chain without its global stages -> Parquet (zstd), kept and dropped', results });
}

if (isEntryPoint(import.meta.url)) runMain(main);
