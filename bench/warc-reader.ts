// WARC reading alone: the project's reader (src/io/warc.ts) against npm warcio, for speed on the
// 20 MB benchmark WARC and for what each does with damaged input (a cut file, garbage bytes).
// node dist/bench/warc-reader.js [--size-mb 20] [--runs 3]
import fs from 'node:fs';
import path from 'node:path';
import { WARCParser } from 'warcio';
import { readWarc } from '../src/io/warc.js';
import { MB, codeRevision, flag, machine, median, note, printResult, round, runMain, seededRandom, tempDir, timed } from './common.js';
import { ensureBenchWarcs } from './make-warc.js';

/** the pipeline's default (schemas/pipeline.ts); every benchmark record is smaller */
const MAX_RECORD_BYTES = 16 * 1024 * 1024;
const GARBAGE_BYTES = 4096;
const TRUNCATE_AT = 0.6;

interface ReadOutcome {
  records: number;
  /** block bytes handed to the caller, to check both readers saw the same content */
  block_bytes: number;
  /** records handed over with fewer block bytes than their Content-Length declares */
  short_blocks: number;
  /** problems reported to the caller: RecordErrors for ours, a thrown exception for warcio */
  errors: string[];
  /** problems only printed: warcio writes some to console.warn and carries on */
  warnings: string[];
}

const emptyOutcome = (): ReadOutcome => ({ records: 0, block_bytes: 0, short_blocks: 0, errors: [], warnings: [] });

interface WarcReader {
  name: string;
  describe: string;
  read(file: string): Promise<ReadOutcome>;
}

const own: WarcReader = {
  name: 'own',
  describe: 'readWarc (src/io/warc.ts): records with their blocks in memory',
  async read(file) {
    const out = emptyOutcome();
    for await (const ev of readWarc(file, { maxRecordBytes: MAX_RECORD_BYTES })) {
      if (ev.error) out.errors.push(`${ev.error.reason} at ${ev.error.offset ?? '?'}`);
      else {
        const length = ev.record.body?.length ?? 0;
        out.records++;
        out.block_bytes += length;
        if (length < ev.record.contentLength) out.short_blocks++;
      }
    }
    return out;
  },
};

const warcio: WarcReader = {
  name: 'warcio',
  describe: 'warcio@2.4.11 WARCParser with parseHttp: false, each block read with readFully()',
  async read(file) {
    const out = emptyOutcome();
    const consoleWarn = console.warn;
    console.warn = (...args: unknown[]) => out.warnings.push(args.map(String).join(' '));
    try {
      for await (const record of new WARCParser(fs.createReadStream(file), { parseHttp: false })) {
        const length = (await record.readFully()).length;
        out.records++;
        out.block_bytes += length;
        if (length < record.warcContentLength) out.short_blocks++;
      }
    } catch (e) {
      out.errors.push(`threw: ${(e as Error).message}`);
    } finally {
      console.warn = consoleWarn;
    }
    return out;
  },
};

const READERS = [own, warcio];

/** gzip member offsets of the intact file's records, from our reader */
async function memberOffsets(file: string): Promise<number[]> {
  const offsets: number[] = [];
  for await (const ev of readWarc(file, { maxRecordBytes: MAX_RECORD_BYTES })) if (ev.record) offsets.push(ev.record.offset);
  return offsets;
}

interface DamagedCase {
  name: string;
  how: string;
  file: string;
  /** records still whole in the damaged file: what a reader that loses nothing extra returns */
  whole_records: number;
}

function withGarbageAt(bytes: Buffer, at: number): Buffer {
  const random = seededRandom(28500);
  const garbage = Buffer.from(Array.from({ length: GARBAGE_BYTES }, () => Math.floor(random() * 256)));
  return Buffer.concat([bytes.subarray(0, at), garbage, bytes.subarray(at)]);
}

/** damaged copies of `file` in `dir`, with how many records each still holds whole */
function damagedCopies(file: string, dir: string, offsets: number[]): DamagedCase[] {
  const bytes = fs.readFileSync(file);
  const ends = offsets.map((_, i) => offsets[i + 1] ?? bytes.length);
  const write = (name: string, data: Buffer) => {
    const p = path.join(dir, `${name}.warc.gz`);
    fs.writeFileSync(p, data);
    return p;
  };
  const cut = Math.floor(bytes.length * TRUNCATE_AT);
  const middle = Math.floor(bytes.length / 2);
  const boundary = offsets.reduce((best, o) => (Math.abs(o - middle) < Math.abs(best - middle) ? o : best), 0);
  const insideMember = offsets.some((o) => o === middle) ? middle + 1 : middle;
  return [
    { name: 'truncated_60pct', how: `first ${TRUNCATE_AT * 100}% of the bytes (cut inside a gzip member)`, file: write('truncated', bytes.subarray(0, cut)), whole_records: ends.filter((e) => e <= cut).length },
    {
      name: 'garbage_inside_member',
      how: `${GARBAGE_BYTES} random bytes inserted at the middle byte, inside a gzip member`,
      file: write('garbage-inside', withGarbageAt(bytes, insideMember)),
      whole_records: offsets.length - 1,
    },
    {
      name: 'garbage_between_members',
      how: `${GARBAGE_BYTES} random bytes inserted between the two gzip members nearest the middle`,
      file: write('garbage-between', withGarbageAt(bytes, boundary)),
      whole_records: offsets.length,
    },
  ];
}

/** what a damaged file did to a reader, in short */
function damageSummary(o: ReadOutcome) {
  return {
    records: o.records,
    short_blocks: o.short_blocks,
    reports_error: o.errors.length > 0,
    error_count: o.errors.length,
    first_errors: o.errors.slice(0, 3),
    console_warnings: o.warnings.slice(0, 3),
  };
}

async function main(): Promise<void> {
  const host = machine();
  const sizeMb = Number(flag('size-mb') ?? 20);
  const runs = Number(flag('runs') ?? 3);
  const [{ file, sidecar }] = await ensureBenchWarcs([sizeMb]);
  const fileMb = sidecar.bytes / MB;

  // Speed: alternate the readers so neither always runs on a warmer page cache.
  const seconds = new Map<string, number[]>(READERS.map((r) => [r.name, []]));
  const intact = new Map<string, ReadOutcome>();
  for (let run = 0; run < runs; run++) {
    for (const reader of READERS) {
      const { value, seconds: s } = await timed(() => reader.read(file));
      seconds.get(reader.name)!.push(s);
      intact.set(reader.name, value);
      note(`warc-reader: ${reader.name} run ${run + 1}: ${value.records} records in ${round(s, 2)} s`);
    }
  }
  const speed = READERS.map((r) => {
    const s = median(seconds.get(r.name)!);
    const o = intact.get(r.name)!;
    return {
      reader: r.name,
      describe: r.describe,
      records: o.records,
      block_mb: round(o.block_bytes / MB, 1),
      errors: o.errors.length,
      seconds: round(s, 2),
      records_per_s: Math.round(o.records / s),
      mb_per_s: round(fileMb / s, 1),
    };
  });

  const tmp = tempDir('warc-reader');
  try {
    const cases = damagedCopies(file, tmp.dir, await memberOffsets(file));
    const damaged = [];
    for (const c of cases) {
      const row: Record<string, unknown> = { case: c.name, how: c.how, whole_records: c.whole_records };
      for (const reader of READERS) {
        row[reader.name] = damageSummary(await reader.read(c.file));
      }
      note(`warc-reader: ${JSON.stringify(row)}`);
      damaged.push(row);
    }
    printResult({ bench: 'warc-reader', machine: host, code: codeRevision(), file: path.basename(file), file_mb: round(fileMb, 1), runs, speed, damaged });
  } finally {
    tmp.remove();
  }
}

runMain(main);
