// The eval-set index, built once per run and shared by its workers: the first task to need it takes a
// lock file under <run dir>/_decontam/, builds the index and writes it under a temporary name renamed into
// place; every other task (in this or another worker process, on this or another host sharing the run
// dir) waits for that file and reads it. Within a process the index is read once and kept.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '../core/log.js';
import { evalEntries, type EvalSet, type ReadCounts } from './eval-sets.js';
import { INDEX_VERSION, NgramIndex, NgramIndexBuilder } from './ngram-index.js';

export const INDEX_DIR = '_decontam';
/** a lock older than this is taken to belong to a builder that died on another host */
const STALE_LOCK_MS = 30 * 60 * 1000;
const POLL_MS = 100;

export interface IndexOptions {
  evalSets: EvalSet[];
  ngramWords: number;
  minEvalWords: number;
}

/**
 * What the index depends on: the options that shape it and each eval file's identity (real path, size,
 * modification time). A run whose eval files changed builds a new index instead of reading a stale one.
 */
export function indexFingerprint(o: IndexOptions): string {
  const sets = o.evalSets.map((s) => {
    let stat: { size: number; mtimeMs: number; real: string } = { size: -1, mtimeMs: -1, real: s.path };
    try {
      const real = fs.realpathSync(s.path);
      const st = fs.statSync(real);
      stat = { size: st.size, mtimeMs: st.mtimeMs, real };
    } catch {
      // reading the set will say what is wrong with it
    }
    return { name: s.name, fields: s.fields, format: s.format, split: s.split, ...stat };
  });
  const key = JSON.stringify({ version: INDEX_VERSION, ngramWords: o.ngramWords, minEvalWords: o.minEvalWords, sets });
  return crypto.createHash('sha256').update(key).digest('hex').slice(0, 16);
}

/** read every eval set into a new index (no file involved) */
export async function buildIndex(o: IndexOptions, log: Logger, fingerprint = indexFingerprint(o)): Promise<NgramIndex> {
  const builder = new NgramIndexBuilder(o.ngramWords, o.minEvalWords);
  for (const set of o.evalSets) {
    builder.startSet(set.name);
    const counts: ReadCounts = { records: 0, missingField: 0, badLines: 0 };
    for await (const entry of evalEntries(set, log, counts)) builder.add(entry);
    const info = builder.sets[builder.sets.length - 1]!;
    const notes = [
      counts.missingField ? `${counts.missingField} records without ${set.fields.join('/')}` : '',
      counts.badLines ? `${counts.badLines} lines not JSON` : '',
      info.skipped ? `${info.skipped} entries under ${o.minEvalWords} words skipped` : '',
    ].filter(Boolean);
    log.info(`decontaminate: eval set '${set.name}' (${set.path}): ${info.entries} entries, ${info.ngrams} n-grams${notes.length ? ` (${notes.join(', ')})` : ''}`);
  }
  return builder.finish(fingerprint);
}

const loaded = new Map<string, Promise<NgramIndex>>();

/** the index file a run keeps for these options */
export function indexFile(runDir: string, o: IndexOptions): string {
  return path.join(runDir, INDEX_DIR, `${indexFingerprint(o)}.index`);
}

/** the run's index for these options: read from the run dir, or built there by whoever comes first */
export function sharedIndex(o: IndexOptions, runDir: string, log: Logger): Promise<NgramIndex> {
  const file = indexFile(runDir, o);
  let p = loaded.get(file);
  if (!p) {
    p = loadOrBuild(o, file, log);
    loaded.set(file, p);
    p.catch(() => loaded.delete(file));
  }
  return p;
}

function tryRead(file: string, fingerprint: string, log: Logger): NgramIndex | undefined {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch {
    return undefined;
  }
  try {
    const index = NgramIndex.fromBytes(bytes);
    if (index.header.fingerprint !== fingerprint) throw new Error(`built from other eval sets (${index.header.fingerprint})`);
    return index;
  } catch (e) {
    log.warn(`decontaminate: ${file} is not usable (${(e as Error).message}); building it again`);
    fs.rmSync(file, { force: true });
    return undefined;
  }
}

/** remove a lock whose builder is gone: a dead process on this host, or a lock older than STALE_LOCK_MS */
function clearStaleLock(lock: string, log: Logger): void {
  let content: string;
  let age: number;
  try {
    content = fs.readFileSync(lock, 'utf8');
    age = Date.now() - fs.statSync(lock).mtimeMs;
  } catch {
    return; // gone already
  }
  const [host, pidText] = content.trim().split(' ');
  const pid = Number(pidText);
  let dead = false;
  if (host === os.hostname() && Number.isInteger(pid) && pid > 0) {
    try {
      process.kill(pid, 0);
    } catch (e) {
      dead = (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  }
  if (dead || age > STALE_LOCK_MS) {
    log.warn(`decontaminate: removing the stale index lock ${lock} (${dead ? `process ${pid} is gone` : `${Math.round(age / 1000)} s old`})`);
    fs.rmSync(lock, { force: true });
  }
}

async function loadOrBuild(o: IndexOptions, file: string, log: Logger): Promise<NgramIndex> {
  const fingerprint = path.basename(file, '.index');
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const lock = `${file}.lock`;
  let waitedMs = 0;
  for (;;) {
    const existing = tryRead(file, fingerprint, log);
    if (existing) {
      if (waitedMs > 0) log.info(`decontaminate: read the index another worker built (${existing.size} n-grams) after waiting ${waitedMs} ms`);
      return existing;
    }
    let fd: number | undefined;
    try {
      fd = fs.openSync(lock, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (fd !== undefined) {
      try {
        fs.writeSync(fd, `${os.hostname()} ${process.pid}\n`);
        fs.closeSync(fd);
        // the builder before us may have renamed its file between our read and our lock
        const again = tryRead(file, fingerprint, log);
        if (again) return again;
        const started = process.hrtime.bigint();
        const index = await buildIndex(o, log, fingerprint);
        const bytes = index.toBytes();
        // a name of our own: two builders (after a stale lock) never write into one temporary file
        const tmp = `${file}.${process.pid}-${crypto.randomBytes(4).toString('hex')}.tmp`;
        fs.writeFileSync(tmp, bytes);
        fs.renameSync(tmp, file);
        const ms = Number(process.hrtime.bigint() - started) / 1e6;
        log.info(`decontaminate: built the index of ${index.size} n-grams from ${o.evalSets.length} eval set(s) in ${Math.round(ms)} ms, ${bytes.length} bytes: ${file}`);
        return index;
      } finally {
        fs.rmSync(lock, { force: true });
      }
    }
    await sleep(POLL_MS);
    waitedMs += POLL_MS;
    clearStaleLock(lock, log);
  }
}
