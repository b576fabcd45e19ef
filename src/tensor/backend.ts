// TensorFlow.js backend selection, shared by everything that runs tensors (the classifiers, later the
// pretraining trainer): the fastest backend that loads here wins, and what was skipped and why is reported.
//
// Order, best first: tfjs-node-gpu (libtensorflow with CUDA), tfjs-node (libtensorflow on CPU), WebGPU
// (Dawn through the `webgpu` package), WASM (XNNPACK, SIMD), pure JS (`cpu`). Each is tried by dynamic
// import, so a package that is not installed (the tfjs-node install script downloads libtensorflow from
// outside the registry and fails offline) is a skipped candidate, not a crash.
import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { FatalError } from '../core/errors.js';

export type TfBackend = 'tfjs-node-gpu' | 'tfjs-node' | 'webgpu' | 'wasm' | 'cpu';

/** best first */
export const BACKEND_ORDER: readonly TfBackend[] = ['tfjs-node-gpu', 'tfjs-node', 'webgpu', 'wasm', 'cpu'];

/** the environment variable that forces a backend (or an order: `wasm,cpu`) */
export const BACKEND_ENV = 'CURATE_TF_BACKEND';

export interface SkippedBackend {
  backend: TfBackend;
  reason: string;
}

export interface BackendChoice {
  /** the backend that runs, one of BACKEND_ORDER */
  backend: TfBackend;
  /** tfjs's own name for it (`tensorflow`, `webgpu`, `wasm`, `cpu`) */
  tfName: string;
  /** the candidates tried before it, best first, with the reason each failed */
  skipped: SkippedBackend[];
  /** chosen because an option or CURATE_TF_BACKEND asked for it */
  forced: boolean;
  /** one line for the log: `tensorflow backend: wasm (skipped tfjs-node-gpu: ..., ...)` */
  describe(): string;
}

export interface SelectOptions {
  /** try only these, in this order (an option, or CURATE_TF_BACKEND); a forced list that all fail is a FatalError */
  prefer?: TfBackend | TfBackend[];
  /** where CURATE_TF_BACKEND is read from (tests pass their own) */
  env?: Record<string, string | undefined>;
}

/** how to load each candidate: import its package (which registers it with tfjs), then its tfjs name */
const LOADERS: Record<TfBackend, { tfName: string; load(): Promise<unknown> }> = {
  // the package names are held in variables so that TypeScript does not require them to be installed
  'tfjs-node-gpu': { tfName: 'tensorflow', load: () => importOptional('@tensorflow/tfjs-node-gpu') },
  'tfjs-node': { tfName: 'tensorflow', load: () => importOptional('@tensorflow/tfjs-node') },
  webgpu: {
    tfName: 'webgpu',
    load: async () => {
      // WebGPU in Node needs a navigator.gpu: the `webgpu` package (Dawn) provides one, when installed
      const g = globalThis as { navigator?: { gpu?: unknown } };
      if (!g.navigator?.gpu) {
        // without a Vulkan loader Dawn finds no GPU, and says so on stderr in every run: not started then
        if (process.platform === 'linux' && !vulkanLoaderPresent()) throw new Error(NO_VULKAN_LOADER);
        const webgpu = (await importOptional('webgpu')) as { create?: (flags: string[]) => unknown; globals?: object };
        if (!webgpu.create) throw new Error('the webgpu package has no create()');
        if (webgpu.globals) Object.assign(globalThis, webgpu.globals);
        const nav = (g.navigator ??= {} as { gpu?: unknown });
        nav.gpu = webgpu.create([]);
      }
      const gpu = g.navigator!.gpu as { requestAdapter(): Promise<unknown> };
      if (!(await gpu.requestAdapter())) throw new Error(noAdapterReason());
      await importOptional('@tensorflow/tfjs-backend-webgpu');
    },
  },
  wasm: { tfName: 'wasm', load: () => importOptional('@tensorflow/tfjs-backend-wasm') },
  cpu: { tfName: 'cpu', load: async () => {} }, // registered by @tensorflow/tfjs itself
};

const NO_VULKAN_LOADER = "no WebGPU adapter: no Vulkan loader (libvulkan.so.1) here, so Dawn sees no GPU (a GPU machine needs libvulkan1 and its driver's Vulkan ICD)";

/**
 * Why Dawn (the `webgpu` package) found no adapter, from what Vulkan this machine has: Dawn reaches a
 * GPU through the Vulkan loader (libvulkan1) and the GPU driver's ICD; the only ICD Debian bookworm
 * ships without a GPU driver is Mesa's software lavapipe, whose Vulkan is too old for Dawn.
 */
export function noAdapterReason(root = '/', env: Record<string, string | undefined> = process.env): string {
  if (!vulkanLoaderPresent(root, env)) return NO_VULKAN_LOADER;
  const icds = ['usr/share/vulkan/icd.d', 'etc/vulkan/icd.d'].flatMap((d) => {
    try {
      return fs.readdirSync(path.join(root, d));
    } catch {
      return [];
    }
  });
  if (icds.length === 0) return 'no WebGPU adapter: the Vulkan loader is here but no driver (ICD) is installed, so Dawn sees no GPU';
  if (icds.every((f) => /^lvp_icd/.test(f))) return "no WebGPU adapter: only Mesa's software Vulkan (lavapipe) is installed, and Debian bookworm's is too old for Dawn; a real GPU and its Vulkan driver are needed";
  return `no WebGPU adapter: Dawn found no usable GPU through the Vulkan drivers here (${icds.join(', ')})`;
}

/** where the dynamic linker looks for a library that Dawn opens by name: the system's directories */
const SYSTEM_LIB_DIRS = ['lib/x86_64-linux-gnu', 'usr/lib/x86_64-linux-gnu', 'lib/aarch64-linux-gnu', 'usr/lib/aarch64-linux-gnu', 'lib64', 'usr/lib64', 'lib', 'usr/lib', 'usr/local/lib'];

/**
 * Is there a Vulkan loader (libvulkan.so.1) where dlopen would find it: LD_LIBRARY_PATH, the directories
 * /etc/ld.so.conf and /etc/ld.so.conf.d name (a GPU driver's, such as NVIDIA's container mounts, are
 * registered there), and the system's own. Under `root` (tests give a folder standing for a machine).
 */
export function vulkanLoaderPresent(root = '/', env: Record<string, string | undefined> = process.env): boolean {
  const dirs = (env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean).map((d) => path.join(root, d));
  const confDir = path.join(root, 'etc/ld.so.conf.d');
  let confs: string[] = [path.join(root, 'etc/ld.so.conf')];
  try {
    confs = confs.concat(fs.readdirSync(confDir).filter((f) => f.endsWith('.conf')).map((f) => path.join(confDir, f)));
  } catch {
    // no ld.so.conf.d
  }
  for (const conf of confs) {
    let text = '';
    try {
      text = fs.readFileSync(conf, 'utf8');
    } catch {
      continue;
    }
    // a line that names a directory (`include` lines name the conf.d files read above)
    for (const line of text.split('\n')) {
      const d = line.replace(/#.*/, '').trim();
      if (d.startsWith('/')) dirs.push(path.join(root, d));
    }
  }
  for (const d of SYSTEM_LIB_DIRS) dirs.push(path.join(root, d));
  return dirs.some((d) => fs.existsSync(path.join(d, 'libvulkan.so.1')));
}

async function importOptional(name: string): Promise<unknown> {
  return (await import(name)) as unknown;
}

/** a failure as one short line: the first line of the message, without the module resolver's stack */
function shortReason(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err?.code === 'ERR_MODULE_NOT_FOUND') {
    const m = /Cannot find (?:package|module) '([^']+)'/.exec(err.message);
    return `not installed (${m ? m[1] : 'module not found'})`;
  }
  const msg = e instanceof Error ? e.message : String(e);
  return msg.split('\n').find((l) => l.trim())?.trim().slice(0, 300) ?? 'failed';
}

export function parseBackendList(text: string, where: string): TfBackend[] {
  const names = text.split(',').map((s) => s.trim()).filter(Boolean);
  if (!names.length) throw new FatalError(`${where}: expected one of ${BACKEND_ORDER.join(', ')}, got '${text}'`);
  for (const n of names) if (!BACKEND_ORDER.includes(n as TfBackend)) throw new FatalError(`${where}: unknown TensorFlow.js backend '${n}': expected one of ${BACKEND_ORDER.join(', ')}`);
  return names as TfBackend[];
}

let quieted = false;
const cache = new Map<string, Promise<BackendChoice>>();

/**
 * Pick and activate a TensorFlow.js backend. Without `prefer` or CURATE_TF_BACKEND, BACKEND_ORDER is tried
 * and the first that loads and initializes wins; with them, only the named ones are tried, in that order,
 * and none loading is a FatalError that says why each failed. The result is cached per order; the choice
 * is global to the process, as tfjs's engine is.
 */
export async function selectBackend(opts: SelectOptions = {}): Promise<BackendChoice> {
  const env = opts.env ?? process.env;
  const fromEnv = env[BACKEND_ENV]?.trim();
  const forced = opts.prefer !== undefined || !!fromEnv;
  const order = opts.prefer !== undefined ? (Array.isArray(opts.prefer) ? opts.prefer : [opts.prefer]) : fromEnv ? parseBackendList(fromEnv, BACKEND_ENV) : [...BACKEND_ORDER];
  const key = order.join(',');
  let pending = cache.get(key);
  if (!pending) {
    pending = trySelect(order, forced);
    cache.set(key, pending);
    pending.catch(() => cache.delete(key));
  }
  const choice = await pending;
  // another caller may have switched the process to another backend since
  if (tf.getBackend() !== choice.tfName) await tf.setBackend(choice.tfName);
  return choice;
}

async function trySelect(order: TfBackend[], forced: boolean): Promise<BackendChoice> {
  if (!quieted) {
    // tfjs otherwise prints a banner recommending tfjs-node on first use of the cpu backend
    tf.env().set('PROD', true);
    quieted = true;
  }
  const skipped: SkippedBackend[] = [];
  for (const backend of order) {
    const loader = LOADERS[backend];
    try {
      await loader.load();
      if (!tf.findBackendFactory(loader.tfName)) throw new Error(`loaded, but no '${loader.tfName}' backend was registered`);
      const ok = await tf.setBackend(loader.tfName);
      if (!ok) throw new Error(`'${loader.tfName}' failed to initialize`);
      await tf.ready();
      // a backend that initializes but cannot run (a broken driver) fails here rather than mid-training
      const probe = tf.tidy(() => tf.sum(tf.mul(tf.tensor1d([1, 2, 3]), 2)));
      const v = (await probe.data())[0];
      probe.dispose();
      if (v !== 12) throw new Error(`a test sum gave ${v}, not 12`);
      return { backend, tfName: loader.tfName, skipped, forced, describe: () => describeChoice(backend, skipped, forced) };
    } catch (e) {
      skipped.push({ backend, reason: shortReason(e) });
    }
  }
  throw new FatalError(`no TensorFlow.js backend could be loaded (tried ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')})${forced ? `; unset ${BACKEND_ENV} or choose another` : ''}`);
}

function describeChoice(backend: TfBackend, skipped: SkippedBackend[], forced: boolean): string {
  const rest = skipped.length ? ` (skipped ${skipped.map((s) => `${s.backend}: ${s.reason}`).join('; ')})` : '';
  return `tensorflow backend: ${backend}${forced ? ' (forced)' : ''}${rest}`;
}

export { tf };
