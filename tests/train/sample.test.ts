// `curate sample`: the requested number of tokens, the same tokens for the same seed, decoded with the
// tokenizer the checkpoint carries; and the command line around train and sample.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import YAML from 'yaml';
import { train } from '../../src/train/trainer.js';
import { drawToken, sample } from '../../src/train/sample.js';
import { Rng } from '../../src/train/rng.js';
import { main } from '../../src/cli/main.js';
import { makeDataset, tempDir, tinyConfig, SHAKESPEARE } from './helpers.js';

let root: string;
let data: string;
let run: string;

beforeAll(async () => {
  root = tempDir('sample');
  data = await makeDataset(root, fs.readFileSync(SHAKESPEARE, 'utf8').slice(0, 30_000));
  run = path.join(root, 'run');
  await train({ config: tinyConfig(data, run, { steps: 5 }), measurePeak: false });
});
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

describe('curate sample', () => {
  it('generates the requested number of tokens, deterministically for a seed', async () => {
    const a = await sample({ checkpoint: run, prompt: 'ROMEO:', tokens: 20, temperature: 1, topK: 0, seed: 7 });
    const b = await sample({ checkpoint: run, prompt: 'ROMEO:', tokens: 20, temperature: 1, topK: 0, seed: 7 });
    const c = await sample({ checkpoint: run, prompt: 'ROMEO:', tokens: 20, temperature: 1, topK: 0, seed: 8 });
    expect(a.ids).toHaveLength(20);
    expect(b.ids).toEqual(a.ids);
    expect(c.ids).not.toEqual(a.ids);
    expect(a.text.startsWith('ROMEO:')).toBe(true);
    expect(a.step).toBe(5);
  });

  it('longer than the context: the window slides', async () => {
    const r = await sample({ checkpoint: run, tokens: 40, temperature: 0.8, topK: 5, seed: 1 });
    expect(r.ids).toHaveLength(40);
  });

  it('draws greedily at temperature 0 and only from the top k', () => {
    const logits = Float32Array.from([0.1, 3, 2.9, -1]);
    expect(drawToken(logits, 0, 0, new Rng(1))).toBe(1);
    const seen = new Set<number>();
    const rng = new Rng(3);
    for (let i = 0; i < 200; i++) seen.add(drawToken(logits, 1, 2, rng));
    expect([...seen].sort()).toEqual([1, 2]);
  });
});

describe('the train and sample verbs', () => {
  const io = () => {
    const out: string[] = [];
    const err: string[] = [];
    return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } };
  };

  it('train runs a YAML with --data --out --steps, sample prints text', async () => {
    const yamlFile = path.join(root, 'p.yaml');
    const cfg = tinyConfig('nowhere', 'nowhere');
    fs.writeFileSync(yamlFile, YAML.stringify({ ...cfg, optimizer: { ...cfg.optimizer, minLr: undefined, decaySteps: undefined }, description: undefined }));
    const out = path.join(root, 'cli-run');
    const t = io();
    expect(await main(['train', yamlFile, '--data', data, '--out', out, '--steps', '3', '--quiet'], t.io)).toBe(0);
    expect(t.err.join('\n')).toMatch(/trained 3 steps/);
    const s = io();
    expect(await main(['sample', out, '--prompt', 'KING', '--tokens', '5', '--seed', '1', '--json'], s.io)).toBe(0);
    expect(JSON.parse(s.out[0]!).ids).toHaveLength(5);
  });

  it('a bad field in the YAML exits 2 with the field named', async () => {
    const yamlFile = path.join(root, 'bad.yaml');
    fs.writeFileSync(yamlFile, YAML.stringify({ data: data, model: { layers: 1, heads: 2, width: 32, context: 16 }, optimizer: { lr: 1e-3, batchTokens: 100, microBatch: 4 }, steps: 2 }));
    const t = io();
    expect(await main(['train', yamlFile], t.io)).toBe(2);
    expect(t.err.join('\n')).toMatch(/optimizer\.batchTokens: 100 is not a multiple/);
  });
});
