// The dedup stages at scale: N synthetic documents (default 1,000,000) of words drawn from real web text, 10% of
// them near copies (a run of words changed) and 5% exact copies, through a pipeline of exact_dedup and
// minhash_dedup in a child process started as `curate` starts (old space capped at 1 GB). Prints
// docs/s, what was dropped, and peak RSS (the target: under 2 GB for 1M documents).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { flag, note, printResult, SHARED_DATA_DIR } from './common.js';
import { editWords, seededRandom } from '../src/dedup/perturb.js';
import { parsePipeline } from '../src/run/config.js';
import { runPipeline } from '../src/run/pipeline.js';
import { silentLogger } from '../src/core/log.js';

const WORDS_PER_DOC = 80;

function sourceWords(): string[] {
  const file = path.join(SHARED_DATA_DIR, 'web-docs', 'CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz');
  const words: string[] = [];
  for (const line of zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n')) {
    if (line) words.push(...(JSON.parse(line) as { text: string }).text.split(/\s+/).filter(Boolean));
  }
  return words;
}

/** write the synthetic corpus as 4 JSONL shards; returns the directory */
function makeCorpus(n: number, dir: string): void {
  const words = sourceWords();
  const rand = seededRandom(7);
  const shards = 4;
  const fds = Array.from({ length: shards }, (_, s) => fs.openSync(path.join(dir, `shard-${s}.jsonl`), 'w'));
  const recent: string[] = [];
  let buf = Array.from({ length: shards }, () => '');
  for (let i = 0; i < n; i++) {
    let text: string;
    const r = rand();
    if (r < 0.05 && recent.length) text = recent[Math.floor(rand() * recent.length)]!;
    else if (r < 0.15 && recent.length) text = editWords(recent[Math.floor(rand() * recent.length)]!, { fraction: 3 / WORDS_PER_DOC, seed: i, runWords: 3 });
    else {
      // words drawn independently from real text: distinct documents share no 5-gram by accident
      const picked: string[] = [];
      for (let w = 0; w < WORDS_PER_DOC; w++) picked.push(words[Math.floor(rand() * words.length)]!);
      text = picked.join(' ');
    }
    if (recent.length < 5000) recent.push(text);
    else recent[Math.floor(rand() * recent.length)] = text;
    const s = i % shards;
    buf[s] += JSON.stringify({ id: `d${i}`, text }) + '\n';
    if (buf[s]!.length > 1 << 20) {
      fs.writeSync(fds[s]!, buf[s]!);
      buf[s] = '';
    }
  }
  buf.forEach((b, s) => fs.writeSync(fds[s]!, b));
  fds.forEach((fd) => fs.closeSync(fd));
}

const YAML = (input: string) => `name: bench-dedup\ninput:\n  paths: [${input}]\noutput:\n  formats: [parquet]\n  writeDropped: false\nstages:\n  - exact_dedup\n  - minhash_dedup\n`;

async function child(input: string, out: string): Promise<void> {
  const started = Date.now();
  const { report } = await runPipeline(parsePipeline(YAML(input)), { outputDir: out, log: silentLogger });
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]) / 1024;
  const seconds = (Date.now() - started) / 1000;
  process.stdout.write(
    JSON.stringify({
      docs: report.totals.docs_read,
      kept: report.totals.docs_kept,
      exact_dropped: report.stages[0]!.dropped_total,
      near_dropped: report.stages[1]!.dropped_total,
      clusters: report.stages[1]!.counters['reduce.clusters'],
      largest_cluster: report.stages[1]!.counters['reduce.largest_cluster'],
      seconds,
      docs_per_s: report.totals.docs_read / seconds,
      peak_rss_mb: Math.round(hwm),
      balanced: report.totals.balanced,
    }) + '\n',
  );
}

async function main(): Promise<void> {
  if (process.argv[2] === '--child') return child(process.argv[3]!, process.argv[4]!);
  const n = Number(flag('docs') ?? 1_000_000);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-bench-dedup-'));
  try {
    const input = path.join(dir, 'in');
    fs.mkdirSync(input);
    note(`dedup-pipeline: writing ${n} synthetic documents...`);
    makeCorpus(n, input);
    note('dedup-pipeline: running exact_dedup + minhash_dedup...');
    const out = await new Promise<string>((resolve, reject) => {
      const c = spawn(process.execPath, ['--max-old-space-size=1024', fileURLToPath(import.meta.url), '--child', input, path.join(dir, 'out')], { stdio: ['ignore', 'pipe', 'inherit'] });
      let s = '';
      c.stdout.on('data', (d) => (s += d));
      c.on('exit', (code) => (code === 0 ? resolve(s) : reject(new Error(`child exited ${code}`))));
    });
    printResult({ bench: 'dedup-pipeline', input: { docs: n, words_per_doc: WORDS_PER_DOC, exact_copies: '5%', near_copies: '10% (one run of 3 of the 80 words changed: true Jaccard about 0.83, above the 0.8 check)' }, result: JSON.parse(out) });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
