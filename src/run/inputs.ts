// Listing a run's input files: explicit files, or directories searched for known formats.
import fs from 'node:fs';
import path from 'node:path';
import { FatalError } from '../core/errors.js';
import { formatOf, type InputFormat } from '../io/readers.js';

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
 * run, e.g. Common Crawl's warc.paths after the files are copied or mounted (docs/scale-out.md).
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
