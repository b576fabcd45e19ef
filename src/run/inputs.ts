// Listing a run's input files: explicit files, directories searched for known formats, remote files
// (http(s)://, s3://bucket/key, s3://bucket/prefix/) and Common Crawl listings (warc.paths.gz).
import fs from 'node:fs';
import path from 'node:path';
import { FatalError, RecordError } from '../core/errors.js';
import { lines } from '../core/iterables.js';
import type { Logger } from '../core/log.js';
import { decodedChunks, formatOf, type InputFormat } from '../io/readers.js';
import { cachedCopy, isRemote, listS3, remoteSize } from '../io/remote.js';
import { writeFileAtomic } from '../io/atomic.js';

export interface InputFile {
  file: string;
  format: InputFormat;
  bytes: number;
  /** stable task name: index in the sorted input list plus the file name */
  task: string;
}

function walk(dir: string, out: string[]): void {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    // dot-directories (a crawl's .crawlee storage) and a crawl's stats are not inputs
    // a symlink counts as what it points to (inputs are often linked in from a shared store)
    const kind = e.isSymbolicLink() ? fs.statSync(p, { throwIfNoEntry: false }) : e;
    if (kind?.isDirectory()) {
      if (!e.name.startsWith('.')) walk(p, out);
    } else if (kind?.isFile() && formatOf(p) && e.name !== CRAWL_STATS_FILE) out.push(p);
  }
}

/** written beside a crawl's WARC files (src/crawl/); skipped when a directory is walked */
export const CRAWL_STATS_FILE = 'crawl-stats.json';

/**
 * `@list.txt` stands for the paths listed in that file, one per line (blank lines and # comments skipped;
 * relative paths are relative to the list): how a crawl's tens of thousands of WARC paths are handed to a
 * run, e.g. the local copies of a crawl's files (a listing of remote files is a `.paths` file: resolveInputs).
 */
function expandLists(paths: string[]): string[] {
  return paths.flatMap((p) => {
    if (!p.startsWith('@')) return [p];
    const list = p.slice(1);
    let text: string;
    try {
      text = fs.readFileSync(list, 'utf8');
    } catch {
      throw new FatalError(`input.paths: the list ${list} cannot be read`, 'input.paths');
    }
    return text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => path.resolve(path.dirname(list), l));
  });
}

export function listInputs(paths: string[], format?: InputFormat): InputFile[] {
  if (format === 'crawl') {
    // one task: the crawl itself, whose WARC files go under the run dir (src/crawl/source.ts)
    if (paths.length) throw new FatalError('input.paths: a crawl input reads no files (drop --input, or input.paths, or input.crawl)', 'input.paths');
    return [{ file: 'crawl', format, bytes: 0, task: '00000-crawl' }];
  }
  if (paths.length === 0) throw new FatalError('input.paths: no input given (set input.paths in the pipeline or pass --input)', 'input.paths');
  const files: string[] = [];
  for (const p of expandLists(paths)) {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      throw new FatalError(`input.paths: ${p} does not exist`, 'input.paths');
    }
    if (st.isDirectory()) walk(p, files);
    else files.push(p);
  }
  const unique = [...new Set(files)].sort();
  if (unique.length === 0) throw new FatalError(`input.paths: no .warc(.gz), .jsonl(.gz) or .parquet files under ${paths.join(', ')}`, 'input.paths');
  return unique.map((file, i) => {
    const f = format ?? formatOf(file);
    if (!f) throw new FatalError(`input.paths: cannot tell the format of ${file} from its name; set input.format`, 'input.format');
    const name = path.basename(file).replace(/[^A-Za-z0-9._-]+/g, '_');
    return { file, format: f, bytes: fs.statSync(file).size, task: `${String(i).padStart(5, '0')}-${name}` };
  });
}

// --- remote inputs and listings ---

/** what a run's input list is made from: resolved once, kept in the run dir as `_inputs.json` */
export interface InputSpec {
  paths: string[];
  format?: InputFormat;
  /** a listing's relative lines resolve against this */
  baseUrl: string;
  /** `R/W`: the inputs whose index mod W is R */
  shard?: string;
  /** the first N inputs (after shard) */
  limit?: number;
  cacheDir?: string;
}

/** a listing's line that names no input: counted, named by listing and byte offset, and skipped */
export interface BadListingLine {
  file: string;
  offset: number;
  line: number;
  reason: string;
  message: string;
}

export interface ListingSummary {
  /** lines that named an input */
  listed: number;
  blank_lines: number;
  bad_lines: number;
}

interface ResolvedInputs {
  version: 1;
  spec: InputSpec;
  inputs: InputFile[];
  listing: ListingSummary;
  bad_lines: BadListingLine[];
}

export const INPUTS_FILE = '_inputs.json';

/** Common Crawl's listings: warc.paths.gz, wet.paths.gz, wat.paths.gz (one relative path per line) */
export function isListing(p: string): boolean {
  return /\.paths(\.gz)?$/i.test(p.replace(/[?#].*$/, ''));
}

/** does this input list need resolving (a remote file, a listing, or a part of the list)? */
export function needsResolving(spec: Pick<InputSpec, 'paths' | 'shard' | 'limit'>): boolean {
  return spec.shard !== undefined || spec.limit !== undefined || spec.paths.some((p) => isRemote(p) || isListing(p));
}

function resolveAgainst(base: string, rel: string): string {
  if (isRemote(rel) || path.isAbsolute(rel)) return rel;
  if (isRemote(base)) return new URL(rel, base.endsWith('/') ? base : base + '/').href;
  return path.resolve(base, rel);
}

const BAD_LINE_LOGGED = 20;

/** the entries of one listing file (local or remote, gzip or plain), resolved against the base */
async function readListing(listing: string, spec: InputSpec, bad: BadListingLine[], summary: ListingSummary): Promise<string[]> {
  const out: string[] = [];
  try {
    let n = 0;
    for await (const { line, offset } of lines(decodedChunks(listing))) {
      n++;
      const l = line.toString('utf8').trim();
      if (!l) {
        summary.blank_lines++;
        continue;
      }
      if (l.startsWith('#')) continue;
      const badLine = (reason: string, message: string) => bad.push({ file: listing, offset, line: n, reason, message });
      if (/[\s\u0000-\u001f]/.test(l)) {
        badLine('bad_listing_line', `line ${n} is not one path: ${JSON.stringify(l.slice(0, 120))}`);
        continue;
      }
      let loc: string;
      try {
        loc = resolveAgainst(spec.baseUrl, l);
      } catch {
        badLine('bad_listing_line', `line ${n} does not resolve against ${spec.baseUrl}: ${JSON.stringify(l.slice(0, 120))}`);
        continue;
      }
      if (!spec.format && !formatOf(loc)) {
        badLine('bad_listing_line', `line ${n} names no .warc(.gz), .jsonl(.gz) or .parquet file: ${JSON.stringify(l.slice(0, 120))}`);
        continue;
      }
      summary.listed++;
      out.push(loc);
    }
  } catch (e) {
    const why = e instanceof RecordError ? e.describe() : `${listing}: ${(e as Error).message}`;
    throw new FatalError(`input.paths: the listing ${listing} cannot be read: ${why}`, 'input.paths');
  }
  return out;
}

function taskName(i: number, loc: string): string {
  const base = isRemote(loc) ? decodeURIComponent(new URL(loc).pathname.split('/').pop() || new URL(loc).host) : path.basename(loc);
  return `${String(i).padStart(5, '0')}-${base.replace(/[^A-Za-z0-9._-]+/g, '_')}`;
}

/** sizes of remote inputs when the list is short enough to ask (HEAD), for the progress line's ETA */
const SIZE_ASKED_UP_TO = 256;
const SIZE_CONCURRENCY = 8;

/**
 * Resolve the input list once: expand listings and s3:// prefixes, list local directories, take the
 * shard and the limit, and keep the result in `<runDir>/_inputs.json` so that every process of the run
 * (workers, Slurm tasks, `curate status`) sees the same tasks under the same names. A rerun with the
 * same spec reads that file instead of listing again. Task names carry each input's index in the whole
 * list (before shard and limit), so an input keeps its name whatever part of the list a run takes.
 */
export async function resolveInputs(spec: InputSpec, runDir: string, log?: Logger): Promise<InputFile[]> {
  const file = path.join(runDir, INPUTS_FILE);
  if (spec.format === 'crawl' || !needsResolving(spec)) {
    // local files, all of them: listed afresh by every process; a list an earlier run kept would stand for it
    fs.rmSync(file, { force: true });
    return listInputs(spec.paths, spec.format);
  }
  const cached = readResolved(file);
  if (cached && JSON.stringify(cached.spec) === JSON.stringify(spec)) return cached.inputs;
  if (spec.paths.length === 0) throw new FatalError('input.paths: no input given (set input.paths in the pipeline or pass --input)', 'input.paths');

  const bad: BadListingLine[] = [];
  const listing: ListingSummary = { listed: 0, blank_lines: 0, bad_lines: 0 };
  const locs: string[] = [];
  const known = new Map<string, number>();
  const local: string[] = [];
  for (const p of spec.paths) {
    if (isListing(p)) locs.push(...(await readListing(p, spec, bad, listing)));
    else if (/^s3:\/\/[^/]+(\/.*)?\/$/i.test(p) || /^s3:\/\/[^/]+$/i.test(p)) {
      let objects;
      try {
        objects = await listS3(p.endsWith('/') ? p : p + '/');
      } catch (e) {
        throw new FatalError(`input.paths: cannot list ${p}: ${(e as Error).name}: ${(e as Error).message}`, 'input.paths');
      }
      const picked = objects.filter((o) => spec.format || formatOf(o.loc));
      if (picked.length === 0) throw new FatalError(`input.paths: no .warc(.gz), .jsonl(.gz) or .parquet objects under ${p}`, 'input.paths');
      for (const o of picked) known.set(o.loc, o.bytes), locs.push(o.loc);
    } else if (/^https?:\/\/.*\/$/i.test(p)) throw new FatalError(`input.paths: ${p} is a directory URL; HTTP has no listing: name files or a .paths listing`, 'input.paths');
    else if (isRemote(p)) locs.push(p);
    else local.push(p);
  }
  listing.bad_lines = bad.length;
  bad.slice(0, BAD_LINE_LOGGED).forEach((b) => log?.warn(`${b.file}@${b.offset}: ${b.reason}: ${b.message}`));
  if (bad.length > BAD_LINE_LOGGED) log?.warn(`${bad.length - BAD_LINE_LOGGED} more bad listing lines: all are in ${path.join(runDir, INPUTS_FILE)}`);
  const localFiles = local.length ? listInputs(local, spec.format) : [];
  for (const f of localFiles) known.set(f.file, f.bytes);
  const all = [...new Set([...locs, ...localFiles.map((f) => f.file)])].sort();
  if (all.length === 0) throw new FatalError(`input.paths: ${spec.paths.join(', ')} list no inputs`, 'input.paths');
  let picked = all.map((loc, i) => ({ loc, i }));
  if (spec.shard) {
    const [r, w] = spec.shard.split('/').map(Number) as [number, number];
    picked = picked.filter(({ i }) => i % w === r);
  }
  if (spec.limit !== undefined) picked = picked.slice(0, spec.limit);
  if (picked.length === 0) throw new FatalError(`input.shard: ${spec.shard} of ${all.length} inputs is empty`, 'input.shard');
  const inputs: InputFile[] = picked.map(({ loc, i }) => {
    const format = spec.format ?? formatOf(loc);
    if (!format) throw new FatalError(`input.paths: cannot tell the format of ${loc} from its name; set input.format`, 'input.format');
    if (format === 'parquet' && isRemote(loc) && !spec.cacheDir) throw new FatalError(`input.cacheDir: ${loc} is remote Parquet, which is read from its footer: set input.cacheDir for its local copy`, 'input.cacheDir');
    return { file: loc, format, bytes: known.get(loc) ?? 0, task: taskName(i, loc) };
  });
  for (const f of inputs) {
    const copy = isRemote(f.file) && !known.has(f.file) ? cachedCopy(f.file) : undefined;
    if (copy) known.set(f.file, (f.bytes = fs.statSync(copy).size));
  }
  const unknown = inputs.filter((f) => isRemote(f.file) && !known.has(f.file));
  if (unknown.length && unknown.length <= SIZE_ASKED_UP_TO) {
    // a file that does not answer is not an error here: its task names what is wrong with it
    for (let k = 0; k < unknown.length; k += SIZE_CONCURRENCY) {
      await Promise.all(unknown.slice(k, k + SIZE_CONCURRENCY).map(async (f) => (f.bytes = (await remoteSize(f.file).catch(() => undefined)) ?? 0)));
    }
  }
  const resolved: ResolvedInputs = { version: 1, spec, inputs, listing, bad_lines: bad };
  fs.mkdirSync(runDir, { recursive: true });
  writeFileAtomic(file, JSON.stringify(resolved, null, 2));
  return inputs;
}

function readResolved(file: string): ResolvedInputs | undefined {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8')) as ResolvedInputs;
  } catch {
    return undefined;
  }
}

/** the input paths the run dir's resolved list was made from (what `curate status` looks up) */
export function resolvedPaths(runDir: string): string[] | undefined {
  return readResolved(path.join(runDir, INPUTS_FILE))?.spec.paths;
}

/** what a run's listings held besides inputs (stats.json: inputs), when its list was resolved */
export function listingSummary(runDir: string): ListingSummary | undefined {
  return readResolved(path.join(runDir, INPUTS_FILE))?.listing;
}

/**
 * The run's inputs, without listing anything remote: the list `resolveInputs` kept in the run dir
 * when these paths need resolving (any shard and limit it took hold), else the local files.
 */
export function loadInputs(paths: string[], format: InputFormat | undefined, runDir: string): InputFile[] {
  if (format === 'crawl' || !paths.some((p) => isRemote(p) || isListing(p))) {
    const cached = readResolved(path.join(runDir, INPUTS_FILE));
    if (cached && JSON.stringify(cached.spec.paths) === JSON.stringify(paths) && (cached.spec.shard || cached.spec.limit !== undefined)) return cached.inputs;
    return listInputs(paths, format);
  }
  const cached = readResolved(path.join(runDir, INPUTS_FILE));
  if (!cached || JSON.stringify(cached.spec.paths) !== JSON.stringify(paths)) throw new FatalError(`input.paths: the remote inputs of ${runDir} are not resolved yet (no ${INPUTS_FILE} for these paths): start the run with \`curate run\``, 'input.paths');
  return cached.inputs;
}
