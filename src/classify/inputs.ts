// Training inputs of `curate classifier train`: documents from JSONL (.jsonl/.jsonl.gz, a `text` field,
// and `label` for labelled data), Parquet, WARC (through the pipeline's own reader and extract stage, so
// the model sees the text the pipeline will score), and plain text (.txt/.txt.gz, cut into documents).
import crypto from 'node:crypto';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { FatalError, type RecordError } from '../core/errors.js';
import { Counters } from '../core/stats.js';
import { silentLogger } from '../core/log.js';
import { lines } from '../core/iterables.js';
import type { Doc } from '../core/doc.js';
import type { StageContext } from '../core/stage.js';
import { formatOf, readDocs } from '../io/readers.js';
import { extract } from '../../stages/extract/extract.js';
import { splitTextDocuments } from './text-docs.js';

export type TrainingFormat = 'jsonl' | 'parquet' | 'warc' | 'txt';

export interface TrainingFileInfo {
  path: string;
  label?: string;
  bytes: number;
  sha256: string;
  documents: number;
}

export function trainingFormatOf(file: string): TrainingFormat {
  if (/\.(txt|text)(\.gz)?$/i.test(file)) return 'txt';
  const f = formatOf(file);
  if (!f) throw new FatalError(`${file}: unknown training file type: expected .jsonl(.gz), .parquet, .warc(.gz) or .txt(.gz)`);
  return f;
}

function gunzipIfGz(buf: Buffer): Buffer {
  return buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b ? zlib.gunzipSync(buf) : buf;
}

/** size and sha256 of a file, for the model card */
export function describeFile(file: string): { bytes: number; sha256: string } {
  const data = fs.readFileSync(file);
  return { bytes: data.length, sha256: crypto.createHash('sha256').update(data).digest('hex') };
}

export interface ReadStats {
  /** lines or records that could not be used (malformed JSON, no text, no label), by reason */
  skipped: Counters;
  warn(message: string): void;
}

function stageContext(file: string, stats: ReadStats): StageContext {
  return {
    rank: 0,
    worldSize: 1,
    stats: new Counters(),
    log: silentLogger,
    signal: new AbortController().signal,
    runDir: '/tmp',
    stage: 'extract',
    drop: (_doc, reason) => stats.skipped.inc(`extract_${reason}`),
    recordError: (e: RecordError) => {
      stats.skipped.inc(e.reason);
      stats.warn(`${file}: ${e.describe()}`);
    },
  };
}

/** the texts of one unlabelled training file, in file order */
export async function* readTrainingTexts(file: string, stats: ReadStats): AsyncGenerator<string> {
  if (!fs.existsSync(file)) throw new FatalError(`${file}: no such training file`);
  const format = trainingFormatOf(file);
  if (format === 'txt') {
    yield* splitTextDocuments(gunzipIfGz(fs.readFileSync(file)).toString('utf8'));
    return;
  }
  const ctx = stageContext(file, stats);
  const docs = readDocs(format, file, { maxRecordBytes: 64 * 1024 * 1024 }, { stats: new Counters(), recordError: ctx.recordError });
  // HTML (WARC, or JSONL with an html field) goes through the extract stage; plain text passes it unchanged
  const extractor = extract.create(extract.options.parse({}));
  for await (const doc of extractor.run(docs as AsyncIterable<Doc>, ctx)) {
    if (doc.text.trim()) yield doc.text;
    else stats.skipped.inc('empty_text');
  }
}

/** `{"text", "label"}` lines of a labelled JSONL file */
export async function* readLabelledJsonl(file: string, stats: ReadStats): AsyncGenerator<{ text: string; label: string }> {
  if (!fs.existsSync(file)) throw new FatalError(`${file}: no such training file`);
  if (trainingFormatOf(file) !== 'jsonl') throw new FatalError(`${file}: --data takes JSONL lines {"text": ..., "label": ...}`);
  const raw = fs.createReadStream(file);
  const stream = /\.gz$/i.test(file) ? raw.pipe(zlib.createGunzip()) : raw;
  raw.on('error', (e) => stream.destroy(e));
  let n = 0;
  for await (const { line } of lines(stream as AsyncIterable<Buffer>)) {
    n++;
    if (line.length === 0) continue;
    let value: { text?: unknown; label?: unknown };
    try {
      value = JSON.parse(line.toString('utf8'));
    } catch (e) {
      stats.skipped.inc('malformed_json');
      stats.warn(`${file}:${n}: malformed_json: ${(e as Error).message}`);
      continue;
    }
    const label = typeof value?.label === 'number' ? String(value.label) : value?.label;
    if (typeof value?.text !== 'string' || typeof label !== 'string' || !label) {
      stats.skipped.inc('no_text_or_label');
      stats.warn(`${file}:${n}: no_text_or_label: expected {"text": string, "label": string}`);
      continue;
    }
    if (!value.text.trim()) {
      stats.skipped.inc('empty_text');
      continue;
    }
    yield { text: value.text, label };
  }
}
