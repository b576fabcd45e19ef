// Where the files shipped under data/ are, whether the code runs compiled (dist/) or from source (tests).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** the repository root: the nearest directory above this file holding package.json and data/ */
export function repoRoot(): string {
  if (root) return root;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, 'package.json')) && fs.existsSync(path.join(dir, 'data'))) return (root = dir);
    const up = path.dirname(dir);
    if (up === dir) throw new Error(`cannot find the repository root above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
}

/** a path under data/ */
export function dataPath(...parts: string[]): string {
  return path.join(repoRoot(), 'data', ...parts);
}
