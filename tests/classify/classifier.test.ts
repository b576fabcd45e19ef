// The hashed-bag classifier: it separates separable text, is deterministic given a seed, refuses bad
// input before training, and a model directory of another version or with a broken file is a clear error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { loadClassifier } from '../../src/classify/model.js';
import { saveClassifier, trainClassifier, type Example } from '../../src/classify/train.js';
import { createFeaturizer, tokenize } from '../../src/classify/features.js';
import { hash32 } from '../../src/text/hash.js';
import { auc } from '../../src/classify/metrics.js';
import { detokenizeWikitext, splitTextDocuments } from '../../src/classify/text-docs.js';
import { main } from '../../src/cli/main.js';

const TINY = { buckets: 4096, dim: 8, epochs: 4, maxTokens: 256, backend: 'cpu' as const, labels: ['neg', 'pos'], positiveLabel: 'pos' };

// two registers of real text: Shakespeare's speeches and Common Crawl web pages (the shipped training data)
const gunzip = (file: string) => zlib.gunzipSync(fs.readFileSync(path.resolve('data/classifier-train', file))).toString('utf8');
const shakespeare = [...splitTextDocuments(gunzip('tinyshakespeare.txt.gz'), { targetChars: 600, maxChars: 900 })].slice(0, 150);
const web = gunzip('cc-main-2019-30-web-docs.jsonl.gz').split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { text: string }).text.slice(0, 900)).filter((t) => t.trim()).slice(0, 150);
const examples: Example[] = [...shakespeare.map((text) => ({ text, label: 'pos' })), ...web.map((text) => ({ text, label: 'neg' }))];

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), 'curate-classifier-test-'));

describe('hashed-bag classifier', () => {
  it('separates Shakespeare from web pages on held-out documents', async () => {
    const { classifier, card } = await trainClassifier(examples, { ...TINY, validFraction: 0.2, seed: 3 });
    expect(card.training.split.valid).toBe(60);
    expect(card.metrics.valid.auc).toBeGreaterThan(0.95);
    expect(card.metrics.valid.accuracy).toBeGreaterThan(0.85);
    const [p] = await classifier.predict(['But soft, what light through yonder window breaks? It is the east, and Juliet is the sun.']);
    expect(p!.length).toBe(2);
    expect(p![0]! + p![1]!).toBeCloseTo(1, 5);
    classifier.dispose();
  });

  it('is deterministic: the same seed gives the same weights and scores, another seed others', async () => {
    const a = await trainClassifier(examples, { ...TINY, epochs: 2, seed: 7 });
    const b = await trainClassifier(examples, { ...TINY, epochs: 2, seed: 7 });
    const c = await trainClassifier(examples, { ...TINY, epochs: 2, seed: 8 });
    expect(Buffer.from(a.classifier.weights.embedding.buffer).equals(Buffer.from(b.classifier.weights.embedding.buffer))).toBe(true);
    expect(a.card.metrics).toEqual(b.card.metrics);
    const texts = web.slice(0, 5);
    expect(await a.classifier.predict(texts)).toEqual(await b.classifier.predict(texts));
    expect(Buffer.from(a.classifier.weights.embedding.buffer).equals(Buffer.from(c.classifier.weights.embedding.buffer))).toBe(false);
    for (const t of [a, b, c]) t.classifier.dispose();
  });

  it('saves and loads a model directory that scores as the trained model did (int8 too)', async () => {
    const trained = await trainClassifier(examples, { ...TINY, epochs: 2, weightsDtype: 'int8' });
    const dir = tmp();
    const card = saveClassifier(dir, trained);
    expect(fs.statSync(path.join(dir, 'weights.bin')).size).toBe(card.model.weights_bytes);
    const loaded = await loadClassifier(dir, { backend: 'cpu' });
    expect(loaded.labels).toEqual(['neg', 'pos']);
    const texts = [...web.slice(0, 3), ...shakespeare.slice(0, 3), ''];
    const before = await trained.classifier.predict(texts);
    const after = await loaded.predict(texts);
    after.forEach((p, i) => expect(p[1]).toBeCloseTo(before[i]![1]!, 5));
    loaded.dispose();
    trained.classifier.dispose();
    fs.rmSync(dir, { recursive: true });
  });

  it('refuses one label only, and no examples, before training', async () => {
    await expect(trainClassifier(examples.filter((e) => e.label === 'pos'), TINY)).rejects.toThrow(/no examples of 'neg'/);
    await expect(trainClassifier(examples.filter((e) => e.label === 'pos'), { ...TINY, labels: undefined })).rejects.toThrow(/at least two labels; only 'pos'/);
    await expect(trainClassifier([], TINY)).rejects.toThrow(/no training examples/);
  });

  it('trains K > 2 labels with a macro one-vs-rest AUC', async () => {
    const third = gunzip('wikitext-2-valid.txt.gz');
    const wiki = [...splitTextDocuments(third, { targetChars: 600, maxChars: 900 })].slice(0, 100).map((text) => ({ text, label: 'wiki' }));
    const { classifier, card } = await trainClassifier([...examples, ...wiki], { ...TINY, labels: undefined, positiveLabel: undefined, epochs: 3 });
    expect(card.labels).toEqual(['neg', 'pos', 'wiki']);
    expect(card.positive_label).toBeNull();
    expect(Object.keys(card.metrics.valid.auc_by_label)).toEqual(['neg', 'pos', 'wiki']);
    expect(card.metrics.valid.auc).toBeGreaterThan(0.9);
    expect((await classifier.predict(['x']))[0]!.length).toBe(3);
    classifier.dispose();
  });
});

describe('model directory errors', () => {
  async function savedModel(): Promise<string> {
    const trained = await trainClassifier(examples.slice(140, 160), { ...TINY, epochs: 1, buckets: 256 });
    const dir = tmp();
    saveClassifier(dir, trained);
    trained.classifier.dispose();
    return dir;
  }

  it('names the file and the version expected for a card of another format version', async () => {
    const dir = await savedModel();
    const cardFile = path.join(dir, 'model.json');
    const card = JSON.parse(fs.readFileSync(cardFile, 'utf8'));
    fs.writeFileSync(cardFile, JSON.stringify({ ...card, format_version: 2 }));
    await expect(loadClassifier(dir)).rejects.toThrow(`${cardFile}: format version 2, this curate reads version 1`);
    fs.writeFileSync(cardFile, JSON.stringify({ ...card, format: 'fasttext' }));
    await expect(loadClassifier(dir)).rejects.toThrow(/format is "fasttext", expected "curate-hashed-bag-classifier"/);
  });

  it('names a missing, truncated or altered weights file, and a missing card', async () => {
    const dir = await savedModel();
    const weights = path.join(dir, 'weights.bin');
    const bytes = fs.readFileSync(weights);
    fs.writeFileSync(weights, bytes.subarray(0, bytes.length - 10));
    await expect(loadClassifier(dir)).rejects.toThrow(`${weights}: ${bytes.length - 10} bytes, expected ${bytes.length} bytes`);
    const altered = Buffer.from(bytes);
    altered[100] ^= 0xff;
    fs.writeFileSync(weights, altered);
    await expect(loadClassifier(dir)).rejects.toThrow(/sha256 .* does not match the card's/);
    fs.rmSync(weights);
    await expect(loadClassifier(dir)).rejects.toThrow(`${weights}: missing`);
    fs.rmSync(path.join(dir, 'model.json'));
    await expect(loadClassifier(dir)).rejects.toThrow(`${path.join(dir, 'model.json')}: missing`);
    await expect(loadClassifier(path.join(dir, 'nope'))).rejects.toThrow(/no such model directory/);
  });
});

describe('features', () => {
  it('hashes unigrams as hash32 of the lower-cased token, bigrams apart, and counts truncation', () => {
    const f = createFeaturizer({ buckets: 1 << 20, ngrams: [1, 2], maxTokens: 3, hashSeed: 5 });
    const r = f('Hello, World again and again');
    expect(tokenize('Hello, World again and again', 3)).toEqual(['hello', ',', 'world']);
    expect(Array.from(r.ids.slice(0, 3))).toEqual(['hello', ',', 'world'].map((t) => hash32(t, 5) % (1 << 20)));
    expect(r.ids.length).toBe(5);
    expect(r.truncated).toBe(true);
    expect(f('two words').truncated).toBe(false);
    expect(f('   ').ids.length).toBe(0);
  });

  it('detokenizes WikiText and cuts it at article headings', () => {
    expect(detokenizeWikitext(' It is 60 cm ( 24 in ) long , the " red " one @-@ mostly <unk> . ')).toBe('It is 60 cm (24 in) long, the "red" one-mostly.');
    const docs = [...splitTextDocuments(' = First = \n \n Some text here . \n \n = = Part = = \n \n More text . \n \n = Second = \n \n Other @-@ text . \n', {})];
    expect(docs).toEqual(['First\nSome text here.\n\nPart\nMore text.', 'Second\nOther-text.']);
  });

  it('AUC is the rank statistic with ties averaged', () => {
    expect(auc([0.1, 0.4, 0.35, 0.8], [false, false, true, true])).toBe(0.75);
    expect(auc([0.5, 0.5], [false, true])).toBe(0.5);
    expect(auc([0.5, 0.7], [true, true])).toBeNull();
  });
});

describe('curate classifier train', () => {
  const run = async (...args: string[]) => {
    const out: string[] = [];
    const err: string[] = [];
    const code = await main(['classifier', 'train', ...args], { out: (s) => out.push(s), err: (s) => err.push(s) });
    return { code, out: out.join('\n'), err: err.join('\n') };
  };

  it('trains from --pos/--neg files and writes a card with the files, the split and the command', async () => {
    const dir = tmp();
    const pos = path.join(dir, 'pos.txt');
    const neg = path.join(dir, 'neg.jsonl');
    fs.writeFileSync(pos, shakespeare.slice(0, 40).join('\n\n'));
    fs.writeFileSync(neg, web.slice(0, 40).map((text, i) => JSON.stringify({ id: String(i), text })).join('\n'));
    const r = await run('--pos', pos, '--neg', neg, '--out', path.join(dir, 'model'), '--buckets', '1024', '--dim', '4', '--epochs', '2', '--backend', 'cpu');
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/held out: \d+ examples, AUC/);
    const card = JSON.parse(fs.readFileSync(path.join(dir, 'model', 'model.json'), 'utf8'));
    expect(card.training.files.map((f: { path: string; label: string }) => [f.path, f.label])).toEqual([[pos, 'pos'], [neg, 'neg']]);
    expect(card.training.files[1].documents).toBe(40);
    expect(card.training.command).toContain(`curate classifier train --pos ${pos} --neg ${neg}`);
    expect(card.training.backend).toBe('cpu');
  });

  it('stops before training on an empty file or a labelled file with one label, naming it', async () => {
    const dir = tmp();
    const empty = path.join(dir, 'empty.jsonl');
    fs.writeFileSync(empty, '');
    const neg = path.join(dir, 'neg.jsonl');
    fs.writeFileSync(neg, JSON.stringify({ text: web[0] }));
    let r = await run('--pos', empty, '--neg', neg, '--out', path.join(dir, 'm'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${empty}: no documents (empty file) for label 'pos'`);
    const one = path.join(dir, 'one.jsonl');
    fs.writeFileSync(one, [web[0], web[1]].map((text) => JSON.stringify({ text, label: 'web' })).join('\n'));
    r = await run('--data', one, '--out', path.join(dir, 'm'));
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${one}: only one label ('web', 2 examples)`);
    r = await run('--pos', neg, '--out', path.join(dir, 'm'));
    expect(r.err).toContain('no --neg files');
    expect(fs.existsSync(path.join(dir, 'm'))).toBe(false);
  });
});
