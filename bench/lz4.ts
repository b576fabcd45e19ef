// LZ4 decoding speed of our own frame decoder (src/io/lz4.ts), in MB/s of decompressed output:
//  - decoder: the committed lz4 CLI fixtures (tests/fixtures/warc/lz4-varied-*.lz4, 381 kB of web
//    WARC, noise, zeros and repeats each) decoded in memory, over and over;
//  - warc: where the `lz4` CLI is on the PATH, the Common Crawl sample repeated to --size-mb, written
//    one LZ4 frame per record (FastWARC's layout: 64 KB linked blocks, no checksums) and as one
//    linked-block frame, read with readWarc, beside the same records as .warc.gz (one member per record)
//    and `lz4 -d` itself for scale.
// node dist/bench/lz4.js [--size-mb 20] [--runs 5]
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { lz4Frames } from '../src/io/lz4.js';
import { readWarc } from '../src/io/warc.js';
import { MB, REPO_ROOT, codeRevision, flag, machine, median, note, peakRssMb, printResult, round, runMain, startRssSampler, tempDir, timed } from './common.js';

const FIXTURES = ['lz4-varied-B4D-size.lz4', 'lz4-varied-hc-B5D-BX.lz4', 'lz4-varied-B6-split.lz4'];
const CHUNK = 256 * 1024;

async function* chunks(buf: Buffer): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += CHUNK) yield buf.subarray(i, i + CHUNK);
}

async function decodeBytes(buf: Buffer): Promise<number> {
  let n = 0;
  for await (const c of lz4Frames(chunks(buf), 'bench')) {
    if (c.error) throw c.error;
    n += c.data?.length ?? 0;
  }
  return n;
}

async function readAll(file: string): Promise<{ records: number; blockBytes: number; errors: number }> {
  let records = 0;
  let blockBytes = 0;
  let errors = 0;
  for await (const ev of readWarc(file, { maxRecordBytes: 16 << 20 })) {
    if (ev.error) errors++;
    else {
      records++;
      blockBytes += ev.record.body?.length ?? 0;
    }
  }
  return { records, blockBytes, errors };
}

function hasLz4Cli(): boolean {
  try {
    execFileSync('lz4', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const runs = Number(flag('runs') ?? 5);
  const sizeMb = Number(flag('size-mb') ?? 20);
  const where = machine();
  startRssSampler();

  const decoder: Record<string, unknown>[] = [];
  for (const name of FIXTURES) {
    const buf = fs.readFileSync(path.join(REPO_ROOT, 'tests/fixtures/warc', name));
    const out = await decodeBytes(buf); // warm up
    const reps = Math.max(1, Math.ceil((50 * MB) / out));
    const times: number[] = [];
    for (let r = 0; r < runs; r++) {
      const { seconds } = await timed(async () => {
        for (let i = 0; i < reps; i++) await decodeBytes(buf);
      });
      times.push(seconds);
    }
    const s = median(times);
    decoder.push({ fixture: name, compressed_bytes: buf.length, output_bytes: out, repeats: reps, mb_per_s: round((out * reps) / MB / s) });
    note(`decoder ${name}: ${round((out * reps) / MB / s)} MB/s`);
  }

  let warc: Record<string, unknown> | undefined;
  if (hasLz4Cli()) {
    const tmp = tempDir('lz4');
    try {
      // the sample's records, each its own frame (and its own gzip member), repeated to the size asked
      const sample = zlib.gunzipSync(fs.readFileSync(path.join(REPO_ROOT, 'data/sample/cc-sample.warc.gz')));
      const text = sample.toString('latin1');
      const starts = [...text.matchAll(/^WARC\/1\.[01]\r$/gm)].map((m) => m.index!);
      const recs = starts.map((s, i) => sample.subarray(s, i + 1 < starts.length ? starts[i + 1] : sample.length));
      const frames = recs.map((r) => execFileSync('lz4', ['-q', '-c', '-B4', '-BD', '--no-frame-crc'], { input: r, maxBuffer: 64 << 20 }));
      const members = recs.map((r) => zlib.gzipSync(r));
      const passes = Math.max(1, Math.round((sizeMb * MB) / sample.length));
      const perRecord = path.join(tmp.dir, 'per-record.warc.lz4');
      const gz = path.join(tmp.dir, 'per-record.warc.gz');
      const oneFrame = path.join(tmp.dir, 'one-frame.warc.lz4');
      const plain = path.join(tmp.dir, 'plain.warc');
      fs.writeFileSync(perRecord, Buffer.concat(Array.from({ length: passes }, () => frames).flat()));
      fs.writeFileSync(gz, Buffer.concat(Array.from({ length: passes }, () => members).flat()));
      fs.writeFileSync(plain, Buffer.concat(Array.from({ length: passes }, () => sample)));
      execFileSync('lz4', ['-q', '-f', '-B4', '-BD', plain, oneFrame]);
      const layouts = [
        ['lz4, one frame per record', perRecord],
        ['lz4, one frame for the file', oneFrame],
        ['gzip, one member per record', gz],
        ['plain .warc', plain],
      ] as const;
      // warm every path up first, then take the runs in turn, so no layout pays for the JIT alone
      for (const [, file] of layouts) await readAll(file);
      const times = layouts.map(() => [] as number[]);
      const outcomes = layouts.map(() => ({ records: 0, blockBytes: 0, errors: 0 }));
      for (let r = 0; r < runs; r++) {
        for (const [i, [, file]] of layouts.entries()) {
          const t = await timed(() => readAll(file));
          times[i]!.push(t.seconds);
          outcomes[i] = t.value;
        }
      }
      const rows = layouts.map(([layout, file], i) => {
        const s = median(times[i]!);
        note(`readWarc ${layout}: ${round((passes * sample.length) / MB / s)} MB/s`);
        return { layout, file_bytes: fs.statSync(file).size, records: outcomes[i]!.records, errors: outcomes[i]!.errors, seconds: round(s, 3), records_per_s: Math.round(outcomes[i]!.records / s), decompressed_mb_per_s: round((passes * sample.length) / MB / s) };
      });
      const cli = await timed(async () => {
        execFileSync('lz4', ['-d', '-c', '-q', perRecord], { stdio: ['ignore', 'ignore', 'ignore'] });
      });
      warc = { decompressed_bytes: passes * sample.length, passes, readWarc: rows, lz4_cli_d_mb_per_s: round(passes * sample.length / MB / cli.seconds) };
    } finally {
      tmp.remove();
    }
  } else note('lz4 CLI not on the PATH: the readWarc comparison is left out');

  printResult({ bench: 'lz4', machine: where, code: codeRevision(), runs, decoder, warc, peak_rss_mb: peakRssMb() });
}

runMain(main);
