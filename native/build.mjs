// Builds dist/native/curate_native.node (optional kernels for the trainer) at `npm install`, when it can:
// g++ and Node's headers are needed, OpenBLAS (Debian libopenblas-dev) is used when found. Any failure
// prints one line and exits 0: the trainer then runs on TensorFlow.js's own kernels (src/train/native.ts).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
// under dist/ (gitignored, like every build output)
const out = path.join(here, '..', 'dist', 'native', 'curate_native.node');
const src = path.join(here, 'curate_native.cc');
const say = (m) => process.stderr.write(`native: ${m}\n`);

if (process.env.CURATE_NO_NATIVE) {
  say('CURATE_NO_NATIVE is set: not building the native kernels');
  process.exit(0);
}
const includes = [path.join(path.dirname(process.execPath), '..', 'include', 'node'), '/usr/include/node', '/usr/local/include/node'].filter((d) => fs.existsSync(path.join(d, 'node_api.h')));
if (!includes.length) {
  say("Node's headers (node_api.h) not found: the trainer uses TensorFlow.js's own kernels");
  process.exit(0);
}
const cxx = process.env.CXX || 'g++';
// written beside and renamed when whole: a running trainer never loads a half-written file
const tmp = `${out}.${process.pid}.tmp`;
// -fopenmp-simd: the `#pragma omp simd reduction` loops vectorize (no OpenMP runtime); no -ffast-math
const base = ['-O3', '-std=c++17', '-shared', '-fPIC', '-fno-math-errno', '-fopenmp-simd', '-DNODE_GYP_MODULE_NAME=curate_native', `-I${includes[0]}`, src, '-o', tmp];
// -march=native: built on the machine that runs it (npm install), never shipped
const attempts = [
  { what: 'OpenBLAS', args: [...base, '-march=native', '-DCURATE_HAVE_CBLAS', '-I/usr/include/x86_64-linux-gnu/openblas-pthread', '-I/usr/include/openblas', '-lopenblas'] },
  { what: 'built-in loops (no OpenBLAS found)', args: [...base, '-march=native'] },
  { what: 'built-in loops, generic', args: base },
];
fs.mkdirSync(path.dirname(out), { recursive: true });
for (const a of attempts) {
  try {
    execFileSync(cxx, a.args, { stdio: ['ignore', 'ignore', 'pipe'] });
    fs.renameSync(tmp, out);
    say(`built ${path.relative(process.cwd(), out)} with ${a.what}`);
    // (the words of src/train/trainer.ts's NO_OPENBLAS)
    if (a.what !== 'OpenBLAS') say('OpenBLAS (Debian libopenblas-dev) was not found: training runs about 2.7x slower on these built-in loops; apt-get install libopenblas-dev, then node native/build.mjs');
    process.exit(0);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    if (e.code === 'ENOENT') {
      say(`no C++ compiler (${cxx}): the trainer uses TensorFlow.js's own kernels`);
      process.exit(0);
    }
  }
}
say('could not build the native kernels (see native/build.mjs); the trainer uses TensorFlow.js\'s own kernels');
process.exit(0);
