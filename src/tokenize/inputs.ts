// What `curate tokenize` and `curate bpe train` read: the pipeline's Parquet, JSONL(.gz) and WARC through
// src/io/readers.ts, and plain .txt files, which are cut into one document per paragraph (text between
// blank lines, the blank lines themselves dropped) or, with txtSplit 'file', one document per file.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { Doc } from '../core/doc.js';
import { FatalError, type RecordError } from '../core/errors.js';
import type { Counters } from '../core/stats.js';
import { lines } from '../core/iterables.js';
import { formatOf, readDocs, type InputFormat } from '../io/readers.js';

export type TextInputFormat = InputFormat | 'txt';
export type TxtSplit = 'paragraph' | 'file';

export interface TextInput {
  file: string;
  format: TextInputFormat;
  bytes: number;
}

function textFormatOf(file: string): TextInputFormat | undefined {
  return /\.txt(\.gz)?$/i.test(file) ? 'txt' : formatOf(file);
}

function walk(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) walk(p, out);
    else if (e.isFile() && textFormatOf(p)) out.push(p);
  }
}

/** files (in the order given) and directories (searched, sorted) */
export function listTextInputs(paths: string[]): TextInput[] {
  if (paths.length === 0) throw new FatalError('--input: no input given', 'input');
  const files: string[] = [];
  for (const p of paths) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      throw new FatalError(`--input: ${p} does not exist`, 'input');
    }
    if (st.isDirectory()) {
      const found: string[] = [];
      walk(p, found);
      if (found.length === 0) throw new FatalError(`--input: no .parquet, .jsonl(.gz), .txt or .warc(.gz) files under ${p}`, 'input');
      files.push(...found.sort());
    } else files.push(p);
  }
  return [...new Set(files)].map((file) => {
    const format = textFormatOf(file);
    if (!format) throw new FatalError(`--input: cannot tell the format of ${file} from its name (.parquet, .jsonl, .jsonl.gz, .txt, .warc.gz)`, 'input');
    return { file, format, bytes: fs.statSync(file).size };
  });
}

export interface InputContext {
  stats: Counters;
  recordError(err: RecordError): void;
  /** bytes of all inputs read so far */
  onBytes?(total: number): void;
  txtSplit?: TxtSplit;
  maxRecordBytes?: number;
}

/** documents of every input in order; a document without text (WARC HTML) is counted and skipped */
export async function* readTextDocs(inputs: TextInput[], ctx: InputContext): AsyncGenerator<Doc> {
  let before = 0;
  for (const input of inputs) {
    const onBytes = (n: number) => ctx.onBytes?.(before + n);
    const docs =
      input.format === 'txt'
        ? readTxt(input.file, ctx.txtSplit ?? 'paragraph', onBytes)
        : readDocs(input.format, input.file, { maxRecordBytes: ctx.maxRecordBytes ?? 64 << 20 }, { stats: ctx.stats, recordError: ctx.recordError, onBytes });
    for await (const doc of docs) {
      if (input.format === 'txt') ctx.stats.inc('docs');
      if (!doc.text) {
        ctx.stats.inc('skipped.no_text');
        continue;
      }
      yield doc;
    }
    before += input.bytes;
    ctx.onBytes?.(before);
  }
}

async function* txtChunks(file: string, onBytes: (n: number) => void): AsyncGenerator<Buffer> {
  const raw = fs.createReadStream(file, { highWaterMark: 256 * 1024 });
  let n = 0;
  raw.on('data', (c) => onBytes((n += c.length)));
  const stream = file.toLowerCase().endsWith('.gz') ? raw.pipe(zlib.createGunzip()) : raw;
  raw.on('error', (e) => stream.destroy(e));
  for await (const chunk of stream) yield chunk as Buffer;
}

async function* readTxt(file: string, split: TxtSplit, onBytes: (n: number) => void): AsyncGenerator<Doc> {
  const name = path.basename(file);
  if (split === 'file') {
    const parts: Buffer[] = [];
    for await (const c of txtChunks(file, onBytes)) parts.push(c);
    yield { id: name, text: Buffer.concat(parts).toString('utf8'), meta: { source: { file, offset: 0 } } };
    return;
  }
  let para: string[] = [];
  let paraOffset = 0;
  let n = 0;
  for await (const { line, offset } of lines(txtChunks(file, onBytes))) {
    const text = line.toString('utf8');
    if (text.trim() === '') {
      if (para.length) yield { id: `${name}#${n++}`, text: para.join('\n'), meta: { source: { file, offset: paraOffset } } };
      para = [];
      continue;
    }
    if (!para.length) paraOffset = offset;
    para.push(text);
  }
  if (para.length) yield { id: `${name}#${n++}`, text: para.join('\n'), meta: { source: { file, offset: paraOffset } } };
}
