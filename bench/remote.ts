// Remote input against local input: the 200 MB benchmark WARC read from a loopback HTTP server (a
// separate process serving the file with Range support) and from disk, by the WARC reader alone and
// by the one-pass curation chain (bench/warc-pipeline.ts), each in a fresh child process for its peak RSS.
// node dist/bench/remote.js [--size-mb 200] [--reader-runs 3] [--pipeline-runs 1] (0 skips the pipeline)
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readWarc } from '../src/io/warc.js';
import { MB, codeRevision, flag, isEntryPoint, machine, median, note, peakRssMb, printResult, round, runMain, startRssSampler } from './common.js';
import { ensureBenchWarcs } from './make-warc.js';

const SELF = fileURLToPath(import.meta.url);

/** the server child: serve one file at /<name>, with Range, as a static file server would */
function serve(file: string): void {
  const size = fs.statSync(file).size;
  const server = http.createServer((req, res) => {
    const m = req.headers.range ? /^bytes=(\d+)-(\d*)$/.exec(req.headers.range) : null;
    const start = m ? Number(m[1]) : 0;
    const end = m && m[2] ? Number(m[2]) : size - 1;
    const headers = { 'content-length': end - start + 1, 'accept-ranges': 'bytes', etag: '"bench"' };
    if (m) res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}` });
    else res.writeHead(200, headers);
    if (req.method === 'HEAD') return void res.end();
    fs.createReadStream(file, { start, end, highWaterMark: 256 * 1024 }).pipe(res);
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write(`${(server.address() as { port: number }).port}\n`));
}

function startServer(file: string): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SELF, '--serve', file], { stdio: ['ignore', 'pipe', 'inherit'] });
    child.on('error', reject);
    child.stdout!.once('data', (c: Buffer) => resolve({ url: `http://127.0.0.1:${c.toString().trim()}/${path.basename(file)}`, child }));
  });
}

/** the reader child: every record of one location, timed */
async function readOne(loc: string): Promise<void> {
  startRssSampler();
  const counts: Record<string, number> = {};
  const t0 = performance.now();
  let records = 0;
  let errors = 0;
  for await (const ev of readWarc(loc, { maxRecordBytes: 16 << 20, remote: { count: (k, n = 1) => void (counts[k] = (counts[k] ?? 0) + n) } })) {
    if (ev.record) records++;
    else errors++;
  }
  printResult({ records, errors, seconds: (performance.now() - t0) / 1000, peak_rss_mb: peakRssMb(), bytes_fetched: counts.bytes_fetched ?? 0 });
}

function child<T>(args: string[]): Promise<T> {
  return new Promise((resolve, reject) => {
    const c = spawn(process.execPath, ['--max-old-space-size=1024', ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    c.stdout.on('data', (d: Buffer) => (out += d.toString()));
    c.on('error', reject);
    c.on('close', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as T) : reject(new Error(`${args.join(' ')} exited with ${code}`))));
  });
}

interface ReadResult {
  records: number;
  errors: number;
  seconds: number;
  peak_rss_mb: number;
  bytes_fetched: number;
}
interface PipelineResult {
  docs: number;
  kept: number;
  seconds: number;
  peak_rss_mb: number;
}

async function main(): Promise<void> {
  const serveFile = flag('serve');
  if (serveFile) return serve(serveFile);
  const readLoc = flag('read');
  if (readLoc) return readOne(readLoc);

  const sizeMb = Number(flag('size-mb') ?? 200);
  const readerRuns = Number(flag('reader-runs') ?? 3);
  const pipelineRuns = Number(flag('pipeline-runs') ?? 1);
  const [{ file, sidecar }] = await ensureBenchWarcs([sizeMb]);
  const server = await startServer(file!);
  try {
    const mb = sidecar!.bytes / MB;
    const reader: Record<string, ReadResult[]> = { local: [], http: [] };
    for (let i = 0; i < readerRuns; i++) {
      // alternate, so drift in the machine's load falls on both
      for (const [name, loc] of [['local', file!], ['http', server.url]] as const) {
        const r = await child<ReadResult>([SELF, '--read', loc]);
        note(`remote: reader ${name} run ${i + 1}: ${round(mb / r.seconds, 1)} MB/s, ${r.records} records, peak ${r.peak_rss_mb} MB`);
        reader[name]!.push(r);
      }
    }
    const pipeline: Record<string, PipelineResult[]> = { local: [], http: [] };
    const pipelineScript = path.join(path.dirname(SELF), 'warc-pipeline.js');
    for (let i = 0; i < pipelineRuns; i++) {
      for (const [name, loc] of [['local', file!], ['http', server.url]] as const) {
        const r = await child<PipelineResult>([pipelineScript, '--child', loc]);
        note(`remote: pipeline ${name} run ${i + 1}: ${round(mb / r.seconds, 2)} MB/s, ${r.docs} docs, peak ${r.peak_rss_mb} MB`);
        pipeline[name]!.push(r);
      }
    }
    const summary = (rs: Array<{ seconds: number; peak_rss_mb: number }>) => ({
      runs: rs.length,
      median_mb_per_s: round(mb / median(rs.map((r) => r.seconds)), 2),
      peak_rss_mb: Math.max(...rs.map((r) => r.peak_rss_mb)),
    });
    const ratio = (a: Array<{ seconds: number }>, b: Array<{ seconds: number }>) => (a.length && b.length ? round(median(b.map((r) => r.seconds)) / median(a.map((r) => r.seconds)), 3) : null);
    printResult({
      bench: 'remote',
      machine: machine(),
      code: codeRevision(),
      file_mb: round(mb, 1),
      records: reader.local![0]?.records,
      same_records: reader.http!.every((r) => r.records === reader.local![0]!.records && r.errors === reader.local![0]!.errors),
      reader: { local: summary(reader.local!), http: summary(reader.http!), http_vs_local: ratio(reader.http!, reader.local!) },
      ...(pipelineRuns > 0 ? { pipeline: { local: summary(pipeline.local!), http: summary(pipeline.http!), http_vs_local: ratio(pipeline.http!, pipeline.local!), docs_same: pipeline.http!.every((r) => r.docs === pipeline.local![0]!.docs && r.kept === pipeline.local![0]!.kept) } } : {}),
      goal: 'http_vs_local >= 0.9 (throughput over loopback HTTP / from disk)',
    });
  } finally {
    server.child.kill();
  }
}

if (isEntryPoint(import.meta.url)) runMain(main);
