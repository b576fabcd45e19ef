// Reading the eval sets a user names for the decontaminate stage: plain text (one entry per line or per
// blank-line-separated paragraph), JSONL / JSON arrays (the named fields of each record), or Parquet (the
// named columns, read with DuckDB as our Parquet inputs are). Files may be gzip-compressed. Nothing from a
// benchmark ships with the project: these are the user's files.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { FatalError } from '../core/errors.js';
import type { Logger } from '../core/log.js';

export type EvalFormat = 'text' | 'jsonl' | 'parquet';

/** one eval set, as the stage's options give it once parsed */
export interface EvalSet {
  name: string;
  path: string;
  /** JSONL/Parquet: the fields (dotted paths) whose values are entries; a list value gives one entry per string */
  fields: string[];
  format: EvalFormat;
  /** text: one entry per line, or per paragraph (lines joined until a blank line) */
  split: 'line' | 'paragraph';
  /** where the set was named in the config, for errors (e.g. `evalSets[1]`) */
  where: string;
}

/** the format of an eval file from its name: .jsonl/.ndjson/.json and .parquet, anything else is text */
export function evalFormatOf(file: string): EvalFormat {
  const f = file.toLowerCase().replace(/\.gz$/, '');
  if (/\.(jsonl|ndjson|json)$/.test(f)) return 'jsonl';
  if (f.endsWith('.parquet')) return 'parquet';
  return 'text';
}

/** the default name of an eval set: its file name without directory and extensions */
export function evalSetName(file: string): string {
  return path.basename(file).replace(/\.gz$/i, '').replace(/\.(jsonl|ndjson|json|parquet|txt|text)$/i, '');
}

function readText(file: string): string {
  const raw = fs.readFileSync(file);
  const bytes = raw.length >= 2 && raw[0] === 0x1f && raw[1] === 0x8b ? zlib.gunzipSync(raw) : raw;
  return bytes.toString('utf8');
}

/** the strings at a dotted path of a record: a string, or each string of a list */
function valuesAt(record: unknown, field: string): string[] | undefined {
  let v: unknown = record;
  for (const part of field.split('.')) {
    if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
    v = (v as Record<string, unknown>)[part];
  }
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.filter((x): x is string => typeof x === 'string');
  return undefined;
}

/** what reading a set found beside its entries */
export interface ReadCounts {
  records: number;
  /** records without any of the fields */
  missingField: number;
  /** lines that are not JSON */
  badLines: number;
}

/**
 * The entries of one eval set, in file order. A JSONL line that is not JSON is counted and named in the
 * log (the rest of the set is read); a set that gives no entry at all is a FatalError naming its field,
 * since a wrong field name would otherwise decontaminate against nothing.
 */
export async function* evalEntries(set: EvalSet, log: Logger, counts: ReadCounts = { records: 0, missingField: 0, badLines: 0 }): AsyncGenerator<string> {
  let entries = 0;
  const fromRecord = function* (record: unknown): Generator<string> {
    counts.records++;
    let found = false;
    for (const field of set.fields) {
      const values = typeof record === 'string' && field === 'text' ? [record] : valuesAt(record, field);
      if (values === undefined) continue;
      found = true;
      for (const v of values) if (v.trim()) yield v;
    }
    if (!found) counts.missingField++;
  };
  let file: string;
  try {
    file = fs.realpathSync(set.path);
  } catch (e) {
    throw new FatalError(`${set.where}.path: cannot read eval set '${set.name}' at ${set.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, `${set.where}.path`);
  }
  if (set.format === 'parquet') {
    const { streamParquetRows } = await import('../io/parquet-read.js');
    try {
      for await (const row of streamParquetRows(file)) for (const v of fromRecord(row)) {
        entries++;
        yield v;
      }
    } catch (e) {
      if (e instanceof FatalError) throw e;
      throw new FatalError(`${set.where}.path: cannot read eval set '${set.name}' (${set.path}) as Parquet: ${(e as Error).message}`, `${set.where}.path`);
    }
  } else {
    let text: string;
    try {
      text = readText(file);
    } catch (e) {
      throw new FatalError(`${set.where}.path: cannot read eval set '${set.name}' at ${set.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, `${set.where}.path`);
    }
    if (set.format === 'text') {
      const units = set.split === 'paragraph' ? text.split(/\r?\n[ \t]*\r?\n/) : text.split(/\r?\n/);
      for (const u of units) {
        counts.records++;
        const entry = set.split === 'paragraph' ? u.replace(/\s*\r?\n\s*/g, ' ') : u;
        if (entry.trim()) {
          entries++;
          yield entry;
        }
      }
    } else if (/^\s*\[/.test(text)) {
      // a .json file holding one array of records (or of strings)
      let records: unknown;
      try {
        records = JSON.parse(text);
      } catch (e) {
        throw new FatalError(`${set.where}.path: eval set '${set.name}' (${set.path}) starts like a JSON array but is not JSON: ${(e as Error).message}`, `${set.where}.path`);
      }
      for (const r of Array.isArray(records) ? records : []) {
        for (const v of fromRecord(r)) {
          entries++;
          yield v;
        }
      }
    } else {
      const lines = text.split('\n');
      for (let i = 0; i < lines.length; i++) {
        const line = lines[i]!.trim();
        if (!line) continue;
        let record: unknown;
        try {
          record = JSON.parse(line);
        } catch (e) {
          counts.badLines++;
          if (counts.badLines <= 5) log.warn(`decontaminate: ${set.path}:${i + 1}: not JSON, skipped (${(e as Error).message})`);
          continue;
        }
        for (const v of fromRecord(record)) {
          entries++;
          yield v;
        }
      }
    }
  }
  if (entries === 0) {
    const why = set.format === 'text' ? 'the file has no non-empty line' : `no record has a string at ${set.fields.map((f) => `'${f}'`).join(' or ')} (${counts.records} records read)`;
    throw new FatalError(`${set.format === 'text' ? `${set.where}.path` : `${set.where}.field`}: eval set '${set.name}' (${set.path}) gives no entry: ${why}`, set.format === 'text' ? `${set.where}.path` : `${set.where}.field`);
  }
}
