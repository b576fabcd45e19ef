// pipelines/pretrain.yaml and its checks: the shipped file parses; an unknown or mistyped field, a batch
// that does not divide into microbatches, a checkpoint of another shape: each a clear error naming the field.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { loadTrainConfig, parseTrainConfig } from '../../src/train/config.js';
import { train } from '../../src/train/trainer.js';
import { FatalError } from '../../src/core/errors.js';
import { makeDataset, tempDir, tinyConfig, SHAKESPEARE } from './helpers.js';

const yaml = (o: object) => YAML.stringify(o);
const base = { data: 'x', model: { layers: 2, heads: 2, width: 32, context: 16 }, optimizer: { lr: 1e-3, batchTokens: 128, microBatch: 4 }, steps: 10 };

function fatal(fn: () => unknown): FatalError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FatalError) return e;
    throw e;
  }
  throw new Error('expected a FatalError');
}

describe('training config', () => {
  it('parses the shipped pipelines/pretrain.yaml', () => {
    const c = loadTrainConfig('pipelines/pretrain.yaml');
    expect(c.model.vocab).toBe('auto');
    expect(c.optimizer.batchTokens % (c.optimizer.microBatch * c.model.context)).toBe(0);
  });

  it('names an unknown field, with a hint', () => {
    const e = fatal(() => parseTrainConfig(yaml({ ...base, optimizer: { ...base.optimizer, warmupStep: 10 } }), 'p.yaml'));
    expect(e.message).toBe("p.yaml: optimizer.warmupStep: unknown option 'warmupStep' (did you mean 'warmupSteps'?)");
    expect(e.field).toBe('optimizer.warmupStep');
    expect(fatal(() => parseTrainConfig(yaml({ ...base, stpes: 3 }), 'p.yaml')).message).toMatch(/stpes: unknown option 'stpes' \(did you mean 'steps'\?\)/);
  });

  it('names a mistyped field', () => {
    const e = fatal(() => parseTrainConfig(yaml({ ...base, model: { ...base.model, layers: 'two' } }), 'p.yaml'));
    expect(e.field).toBe('model.layers');
    expect(e.message).toMatch(/^p\.yaml: model\.layers: /);
  });

  it('a batch that does not divide into microbatches is an error naming optimizer.batchTokens', () => {
    const e = fatal(() => parseTrainConfig(yaml({ ...base, optimizer: { ...base.optimizer, batchTokens: 100 } }), 'p.yaml'));
    expect(e.field).toBe('optimizer.batchTokens');
    expect(e.message).toMatch(/optimizer\.batchTokens: 100 is not a multiple of microBatch x context = 4 x 16 = 64/);
  });

  it('heads must divide the width', () => {
    expect(fatal(() => parseTrainConfig(yaml({ ...base, model: { ...base.model, heads: 3 } }))).field).toBe('model.heads');
  });
});

describe('checkpoints of another shape', () => {
  let root: string;
  let data: string;
  beforeAll(async () => {
    root = tempDir('shape');
    data = await makeDataset(root, fs.readFileSync(SHAKESPEARE, 'utf8').slice(0, 20_000));
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('refuses to resume into another model shape, naming what differs', async () => {
    const out = path.join(root, 'run');
    await train({ config: tinyConfig(data, out, { steps: 2 }), measurePeak: false });
    const err = await train({ config: tinyConfig(data, out, { steps: 4 }, {}, { width: 64 }), resume: true, measurePeak: false }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect((err as FatalError).message).toMatch(/another shape: width 32 in the checkpoint, 64 in the config/);
    expect((err as FatalError).field).toBe('model.width');
  });

  it('a fresh run refuses a directory that holds a run', async () => {
    const out = path.join(root, 'run2');
    await train({ config: tinyConfig(data, out, { steps: 1 }), measurePeak: false });
    await expect(train({ config: tinyConfig(data, out, { steps: 1 }), measurePeak: false })).rejects.toThrow(/already holds a run .*--resume/);
  });
});
