// Files that appear whole or not at all: written under a temporary name, renamed when complete,
// so a crash never leaves a half file that looks finished (the run directory's one rule).
import fs from 'node:fs';
import path from 'node:path';
import { TMP_SUFFIX } from './shard-writer.js';

export function writeFileAtomic(file: string, data: string | Uint8Array): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file + TMP_SUFFIX, data);
  fs.renameSync(file + TMP_SUFFIX, file);
}

/** a file written piece by piece; `commit` closes it and gives it its name */
export interface AtomicFile {
  write(data: Uint8Array): void;
  commit(): void;
}

export function openAtomic(file: string): AtomicFile {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const fd = fs.openSync(file + TMP_SUFFIX, 'w');
  return {
    write: (data) => {
      if (data.length) fs.writeSync(fd, data);
    },
    commit: () => {
      fs.closeSync(fd);
      fs.renameSync(file + TMP_SUFFIX, file);
    },
  };
}

/** a typed array's bytes, for writing */
export function bytesOf(a: Uint32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}
