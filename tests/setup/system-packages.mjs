#!/usr/bin/env node
// The Debian packages the test suite needs, installed when missing: `npm test` runs this first (its
// `pretest`), and .ci/run before `npm ci`. As root (or with password-less sudo) it runs apt-get; otherwise it
// prints the exact command and stops. It also starts the one-node Slurm the Slurm test uses (.ci/slurm-up)
// and rebuilds the trainer's native addon when OpenBLAS arrived after `npm install` built it without.
// Plain Node with no dependencies: it runs before anything is installed.
//   --no-slurm        do not start Slurm        --no-native   do not rebuild the native addon
//   --check           only report what is missing (exit 1 if anything is)
// CURATE_SKIP_SYSTEM_PACKAGES=1 skips it all (the tests then say what they miss).
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const args = new Set(process.argv.slice(2));
const say = (m) => process.stderr.write(`system-packages: ${m}\n`);

const onPath = (cmd) => {
  const dirs = [...(process.env.PATH ?? '').split(':'), '/usr/sbin', '/sbin', '/usr/bin'];
  return dirs.some((d) => d && fs.existsSync(path.join(d, cmd)));
};
const pythonHas = (module) => spawnSync('python3', ['-c', `import ${module}`], { stdio: 'ignore' }).status === 0;
const cblasHeader = () => ['/usr/include/x86_64-linux-gnu/cblas.h', '/usr/include/aarch64-linux-gnu/cblas.h', '/usr/include/cblas.h', '/usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h'].some((f) => fs.existsSync(f));

// what each test needs, how to tell it is there, and the Debian packages that bring it
const NEEDS = [
  { what: 'headless Chromium for the HTML report tests (tests/inspect)', have: () => (process.env.CHROMIUM_PATH ? fs.existsSync(process.env.CHROMIUM_PATH) : ['/usr/bin/chromium', '/usr/bin/chromium-browser'].some((f) => fs.existsSync(f))), packages: ['chromium'] },
  { what: 'fonts for the report screenshots', have: () => fs.existsSync('/usr/share/fonts/truetype/liberation'), packages: ['fonts-liberation'] },
  { what: 'numpy, to read token shards as Python users do (tests/tokenize)', have: () => pythonHas('numpy'), packages: ['python3-numpy'] },
  { what: 'a real Slurm for the Slurm executor test (tests/run/slurm.test.ts)', have: () => onPath('slurmctld') && onPath('slurmd') && onPath('sinfo'), packages: ['slurm-wlm'] },
  { what: "munge, Slurm's authentication", have: () => onPath('munged'), packages: ['munge'] },
  { what: "a C++ compiler for the trainer's native kernels (native/build.mjs)", have: () => onPath('g++'), packages: ['g++'] },
  { what: "OpenBLAS for the native kernels' matmul (without it they run built-in loops, about 2.7x slower training)", have: cblasHeader, packages: ['libopenblas-dev'] },
];

function installCommand(packages) {
  return `apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends ${packages.join(' ')}`;
}

/** 'root', 'sudo' (password-less), or undefined when apt-get cannot be run from here */
function privilege() {
  if (!onPath('apt-get')) return undefined;
  if (process.getuid?.() === 0) return 'root';
  if (onPath('sudo') && spawnSync('sudo', ['-n', 'true'], { stdio: 'ignore' }).status === 0) return 'sudo';
  return undefined;
}

function aptGet(how, argv) {
  const cmd = how === 'sudo' ? 'sudo' : 'apt-get';
  const full = how === 'sudo' ? ['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', ...argv] : argv;
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  const r = spawnSync(cmd, full, { env, stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`apt-get ${argv.join(' ')} exited with ${r.status ?? r.signal}`);
}

function installMissing() {
  const missing = NEEDS.filter((n) => !n.have());
  if (!missing.length) return { installed: [], ok: true };
  const packages = [...new Set(missing.flatMap((n) => n.packages))];
  for (const n of missing) say(`missing: ${n.what} (${n.packages.join(' ')})`);
  if (args.has('--check')) return { installed: [], ok: false };
  const how = privilege();
  if (!how) {
    say(`cannot install them from here (not root, no password-less sudo${onPath('apt-get') ? '' : ', no apt-get'}). Run, as root:`);
    process.stderr.write(`\n    ${installCommand(packages)}\n\n`);
    say('then `npm test` again (or CURATE_SKIP_SYSTEM_PACKAGES=1 npm test to run without them: the tests that need them fail and say why)');
    return { installed: [], ok: false };
  }
  say(`installing ${packages.join(' ')} with apt-get${how === 'sudo' ? ' (sudo)' : ''} (a few minutes, once)`);
  aptGet(how, ['update', '-qq']);
  aptGet(how, ['install', '-y', '-qq', '--no-install-recommends', ...packages]);
  const still = NEEDS.filter((n) => !n.have());
  for (const n of still) say(`still missing after apt-get: ${n.what}`);
  return { installed: packages, ok: still.length === 0 };
}

function slurmRunning() {
  const r = spawnSync('sinfo', ['-h', '-o', '%T'], { encoding: 'utf8' });
  return r.status === 0 && /idle|mix|alloc/.test(r.stdout);
}

function startSlurm() {
  if (!onPath('slurmctld') || !onPath('munged') || slurmRunning()) return;
  const how = privilege();
  const script = path.join(root, '.ci', 'slurm-up');
  if (!how) {
    say(`Slurm is installed but not running; the Slurm test is skipped. Start it as root: ${script}`);
    return;
  }
  say('starting a one-node Slurm (.ci/slurm-up)');
  const r = spawnSync(how === 'sudo' ? 'sudo' : 'bash', how === 'sudo' ? ['bash', script] : [script], { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) say('Slurm did not start: tests/run/slurm.test.ts will be skipped (see the lines above)');
}

/** the addon npm install built, and what its matmul runs on, or undefined when there is none */
function nativeBlas() {
  const file = path.join(root, 'dist', 'native', 'curate_native.node');
  if (!fs.existsSync(file)) return undefined;
  try {
    return createRequire(import.meta.url)(file).info().blas;
  } catch {
    return undefined;
  }
}

function rebuildNative() {
  if (process.env.CURATE_NO_NATIVE || !cblasHeader() || !onPath('g++')) return;
  const blas = nativeBlas();
  if (blas === 'openblas') return;
  say(`OpenBLAS is here but the native kernels were built ${blas ? 'with built-in loops' : 'not at all'}: rebuilding (node native/build.mjs)`);
  execFileSync(process.execPath, [path.join(root, 'native', 'build.mjs')], { stdio: 'inherit' });
}

if (process.env.CURATE_SKIP_SYSTEM_PACKAGES) {
  say('CURATE_SKIP_SYSTEM_PACKAGES is set: not checking the Debian packages');
} else {
  const { ok } = installMissing();
  if (!ok) process.exit(1);
  if (!args.has('--check')) {
    if (!args.has('--no-slurm')) startSlurm();
    if (!args.has('--no-native')) rebuildNative();
  }
}
