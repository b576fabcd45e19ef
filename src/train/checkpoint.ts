// Checkpoints: a directory <run>/checkpoints/step-NNNNNNNN/ holding model.bin (every weight, float32 LE),
// optimizer.bin (Adam's m then v), state.json (step, data position, RNG state, config, tensor index) and
// the tokenizer file when there is one. It is written as <name>.tmp and renamed when whole (a directory
// rename is atomic), then latest.json is rewritten the same way: a kill at any moment leaves the last
// complete checkpoint in place and findable.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FatalError } from '../core/errors.js';
import { writeFileAtomic } from '../io/atomic.js';
import { CheckpointState } from '../../schemas/train.js';
import type { GptShape } from './model.js';

export const CHECKPOINTS_DIR = 'checkpoints';
export const LATEST_FILE = 'latest.json';

export interface CheckpointData {
  state: CheckpointState;
  weights: Map<string, Float32Array>;
  m: Float32Array[];
  v: Float32Array[];
}

function pack(arrays: { name: string; values: Float32Array; shape: number[] }[]): { bytes: Uint8Array; index: { name: string; shape: number[]; offset: number }[] } {
  const total = arrays.reduce((s, a) => s + a.values.length, 0);
  const all = new Float32Array(total);
  const index: { name: string; shape: number[]; offset: number }[] = [];
  let at = 0;
  for (const a of arrays) {
    all.set(a.values, at);
    index.push({ name: a.name, shape: a.shape, offset: at });
    at += a.values.length;
  }
  return { bytes: new Uint8Array(all.buffer), index };
}

export function checkpointName(step: number): string {
  return `step-${String(step).padStart(8, '0')}`;
}

/**
 * Write a checkpoint of `state` (weights and moments given as arrays in the model's parameter order,
 * with their shapes); `state.weights` and `state.moments` are filled in here. Returns its directory.
 */
export function writeCheckpoint(
  runDir: string,
  state: Omit<CheckpointState, 'weights' | 'moments'>,
  params: { name: string; shape: number[]; values: Float32Array; m: Float32Array; v: Float32Array }[],
  tokenizerFile: string | null,
  keep: number,
): string {
  if (os.endianness() !== 'LE') throw new FatalError('checkpoints are little-endian; this host is big-endian');
  const root = path.join(runDir, CHECKPOINTS_DIR);
  const name = checkpointName(state.step);
  const final = path.join(root, name);
  const tmp = `${final}.tmp`;
  try {
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.mkdirSync(tmp, { recursive: true });
    const model = pack(params.map((p) => ({ name: p.name, values: p.values, shape: p.shape })));
    const moments = pack([...params.map((p) => ({ name: `m.${p.name}`, values: p.m, shape: p.shape })), ...params.map((p) => ({ name: `v.${p.name}`, values: p.v, shape: p.shape }))]);
    fs.writeFileSync(path.join(tmp, 'model.bin'), model.bytes);
    fs.writeFileSync(path.join(tmp, 'optimizer.bin'), moments.bytes);
    if (tokenizerFile) fs.copyFileSync(tokenizerFile, path.join(tmp, 'tokenizer.json'));
    const full: CheckpointState = { ...state, tokenizer: { ...state.tokenizer, file: tokenizerFile ? 'tokenizer.json' : null }, weights: model.index, moments: moments.index };
    fs.writeFileSync(path.join(tmp, 'state.json'), JSON.stringify(full, null, 1) + '\n');
    fs.rmSync(final, { recursive: true, force: true }); // a rerun of the same step replaces it
    fs.renameSync(tmp, final);
    writeFileAtomic(path.join(runDir, LATEST_FILE), JSON.stringify({ checkpoint: `${CHECKPOINTS_DIR}/${name}`, step: state.step }) + '\n');
  } catch (e) {
    if (e instanceof FatalError) throw e;
    throw new FatalError(`${final}: cannot write the checkpoint: ${(e as Error).message}`);
  }
  // the oldest beyond `keep` go (never the one just written)
  const all = listCheckpoints(runDir);
  for (const old of all.slice(0, Math.max(0, all.length - keep))) if (old.dir !== final) fs.rmSync(old.dir, { recursive: true, force: true });
  return final;
}

/** complete checkpoints of a run directory, oldest first */
export function listCheckpoints(runDir: string): { dir: string; step: number }[] {
  const root = path.join(runDir, CHECKPOINTS_DIR);
  if (!fs.existsSync(root)) return [];
  return fs
    .readdirSync(root)
    .map((n) => /^step-(\d{8})$/.exec(n))
    .filter((m): m is RegExpExecArray => !!m && fs.existsSync(path.join(root, m[0], 'state.json')))
    .map((m) => ({ dir: path.join(root, m[0]), step: Number(m[1]) }))
    .sort((a, b) => a.step - b.step);
}

/**
 * The checkpoint directory a path names: a checkpoint directory itself (has state.json), or a run
 * directory (its latest.json, else its newest complete checkpoint). Undefined when there is none.
 */
export function resolveCheckpoint(target: string): string | undefined {
  if (fs.existsSync(path.join(target, 'state.json'))) return target;
  const latest = path.join(target, LATEST_FILE);
  if (fs.existsSync(latest)) {
    try {
      const dir = path.join(target, (JSON.parse(fs.readFileSync(latest, 'utf8')) as { checkpoint: string }).checkpoint);
      if (fs.existsSync(path.join(dir, 'state.json'))) return dir;
    } catch {
      // a damaged pointer: fall back to the listing
    }
  }
  return listCheckpoints(target).at(-1)?.dir;
}

function readFloats(file: string, expectedFloats: number): Float32Array {
  const buf = fs.readFileSync(file);
  if (buf.length !== expectedFloats * 4) throw new FatalError(`${file}: ${buf.length} bytes, the checkpoint's index says ${expectedFloats * 4}`);
  return new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.length));
}

/** read a checkpoint; `withOptimizer: false` skips optimizer.bin (sampling) */
export function readCheckpoint(dir: string, withOptimizer = true): CheckpointData {
  const file = path.join(dir, 'state.json');
  let raw: unknown;
  try {
    raw = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new FatalError(`${file}: cannot read the checkpoint: ${(e as Error).message}`);
  }
  const parsed = CheckpointState.safeParse(raw);
  if (!parsed.success) throw new FatalError(`${file}: not a curate checkpoint: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`);
  const state = parsed.data;
  const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);
  const unpack = (all: Float32Array, index: typeof state.weights) => index.map((e) => all.subarray(e.offset, e.offset + size(e.shape)));
  const total = (index: typeof state.weights) => index.reduce((s, e) => Math.max(s, e.offset + size(e.shape)), 0);
  const modelValues = unpack(readFloats(path.join(dir, 'model.bin'), total(state.weights)), state.weights);
  const weights = new Map(state.weights.map((e, i) => [e.name, modelValues[i]!]));
  let m: Float32Array[] = [];
  let v: Float32Array[] = [];
  if (withOptimizer) {
    const mv = unpack(readFloats(path.join(dir, 'optimizer.bin'), total(state.moments)), state.moments);
    const half = state.weights.length;
    m = mv.slice(0, half);
    v = mv.slice(half);
  }
  return { state, weights, m, v };
}

/** a checkpoint of another model shape is an error that says which dimension differs */
export function checkShape(dir: string, saved: GptShape, wanted: GptShape): void {
  const keys: (keyof GptShape)[] = ['layers', 'heads', 'width', 'context', 'vocab'];
  const diff = keys.filter((k) => saved[k] !== wanted[k]);
  if (diff.length) {
    throw new FatalError(
      `${dir}: the checkpoint is a model of another shape: ${diff.map((k) => `${k} ${saved[k]} in the checkpoint, ${wanted[k]} in the config`).join('; ')}; resume with the config it was trained with, or train into another --out`,
      `model.${diff[0]}`,
    );
  }
}

