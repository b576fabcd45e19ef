// Finding the compiled .js of a module to start as a worker thread or process. Built code (dist/) finds it
// beside itself; under vitest, modules run from their .ts sources, so the copy under dist/ is used
// (`npm test` compiles first).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** the path of `relativeJs` (e.g. './worker-child.js') next to the module at `fromUrl`, compiled */
export function compiledScript(fromUrl: string, relativeJs: string): string {
  const beside = fileURLToPath(new URL(relativeJs, fromUrl));
  if (fs.existsSync(beside)) return beside;
  let root = path.dirname(fileURLToPath(fromUrl));
  while (!fs.existsSync(path.join(root, 'package.json')) && path.dirname(root) !== root) root = path.dirname(root);
  const built = path.join(root, 'dist', path.relative(root, beside));
  if (!fs.existsSync(built)) throw new Error(`${built} is missing: run \`npm run build\` first`);
  return built;
}
