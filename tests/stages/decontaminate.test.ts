// The decontaminate stage on real Common Crawl pages (tests/fixtures/docs/cc-2019-30-40docs.jsonl): eval
// sets made here from spans of those pages (text, JSONL and Parquet files in a temp dir) drop the page
// that holds the span, name the set and the n-gram, keep the other pages; 12 shared words are not a
// 13-gram; case and punctuation do not hide a match; remove_span cuts the span and its margin and keeps
// the rest; the too-fragmented rule; annotate mode; the run's index file; a missing eval file stops the config.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Doc } from '../../src/core/doc.js';
import { FatalError } from '../../src/core/errors.js';
import { collect, fromArray } from '../../src/core/iterables.js';
import { silentLogger, type Logger } from '../../src/core/log.js';
import { Counters } from '../../src/core/stats.js';
import { parsePipeline } from '../../src/run/config.js';
import { normalizedWords } from '../../src/decontam/words.js';
import { NgramIndex } from '../../src/decontam/ngram-index.js';
import { INDEX_DIR } from '../../src/decontam/shared-index.js';
import { decontaminate, type DecontamMeta } from '../../stages/filter/decontaminate.js';
import { STAGES } from '../../stages/index.js';

const FIXTURE = path.resolve('tests/fixtures/docs/cc-2019-30-40docs.jsonl');
const pages: Doc[] = fs
  .readFileSync(FIXTURE, 'utf8')
  .split('\n')
  .filter(Boolean)
  .map((l) => JSON.parse(l) as { id: string; text: string })
  .map((d) => ({ id: d.id, text: d.text, meta: {} }));
const page = (id: string) => pages.find((p) => p.id.startsWith(id))!;
const fresh = () => pages.map((p) => ({ id: p.id, text: p.text, meta: {} }));

// "Do you LOL?" (a blog post) and "Is hearing God like being a skilled athlete?": pages no other page copies
const LOL = 'x4ta76qugdlmekjkk5omvxtinnvitz3i';
const ATHLETE = 'yqxb2itswfjo3d2toonbl3wql5x6bc3g';
// a long conference page, for cutting a span out of its middle
const AIRFIELD = 'eaexzowqsb5ro4c4yt6lnzafykp7xmi2';

/** `count` whitespace-separated words of a page's text from word `from` (its own spelling and punctuation) */
function span(id: string, from: number, count: number): string {
  return page(id).text.split(/\s+/).filter(Boolean).slice(from, from + count).join(' ');
}

let tmp: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-decontam-'));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

interface Run {
  kept: Doc[];
  /** id -> reason */
  dropped: Map<string, string>;
  droppedDocs: Doc[];
  stats: Record<string, number>;
  runDir: string;
}

async function run(docs: Doc[], options: Record<string, unknown>, runDir = fs.mkdtempSync(path.join(tmp, 'run-')), log: Logger = silentLogger): Promise<Run> {
  const stats = new Counters();
  const dropped = new Map<string, string>();
  const droppedDocs: Doc[] = [];
  const stage = decontaminate.create(decontaminate.options.parse(options));
  const kept = await collect(
    stage.run(fromArray(docs), {
      rank: 0, worldSize: 1, stats, log, signal: new AbortController().signal, runDir, stage: 'decontaminate',
      drop: (d, r) => {
        dropped.set(d.id, r);
        droppedDocs.push(d);
        stats.inc(`dropped.${r}`);
      },
      recordError: () => {},
    }),
  );
  return { kept, dropped, droppedDocs, stats: stats.toJSON(), runDir };
}

describe('decontaminate', () => {
  it('is registered', () => {
    expect(STAGES.decontaminate).toBe(decontaminate);
  });

  it('drops the page holding a 30-word span of a text eval set, naming the set and the n-gram; keeps the others', async () => {
    const entry = span(LOL, 40, 30);
    const file = write('blog-quotes.txt', `${entry}\n${span(ATHLETE, 200, 5)}\n`);
    const input = fresh();
    const r = await run(input, { evalSets: [file] });
    expect([...r.dropped]).toEqual([[page(LOL).id, 'decontam_ngram']]);
    expect(r.kept.length).toBe(input.length - 1);
    const meta = r.droppedDocs[0]!.meta.decontam as DecontamMeta;
    expect(meta.set).toBe('blog-quotes'); // the file name without its extension
    expect(meta.ngram).toBe(normalizedWords(entry).slice(0, 13).join(' '));
    expect(meta.ngram!.split(' ')).toHaveLength(13);
    expect(meta.matches).toBe(30 - 13 + 1);
    expect(r.stats['dropped.decontam_ngram']).toBe(1);
    expect(r.stats['decontam_set.blog-quotes']).toBe(1);
    // the 5-word entry is under minEvalWords (8): skipped, it drops nothing
    for (const d of r.kept) expect(d.meta.decontam).toBeUndefined();
  });

  it('12 shared words are not a 13-gram; 13 are', async () => {
    const words = span(ATHLETE, 60, 13).split(' ');
    // the page's words followed by words the page does not have, so only the page's part can match
    const tail = 'zebra quantum marmalade orbit tangerine lighthouse';
    const twelve = write('twelve.txt', `${words.slice(0, 12).join(' ')} ${tail}\n`);
    const thirteen = write('thirteen.txt', `${words.join(' ')} ${tail}\n`);
    const a = await run(fresh(), { evalSets: [twelve] });
    expect(a.dropped.size).toBe(0);
    const b = await run(fresh(), { evalSets: [thirteen] });
    expect([...b.dropped.keys()]).toEqual([page(ATHLETE).id]);
    // with n = 12 the twelve words are enough
    const c = await run(fresh(), { evalSets: [twelve], ngramWords: 12 });
    expect([...c.dropped.keys()]).toEqual([page(ATHLETE).id]);
  });

  it('matches through case, punctuation and diacritics', async () => {
    const entry = span(LOL, 40, 20);
    // apostrophes dropped, other punctuation spaced out, upper case, accents added
    const disguised = entry.toUpperCase().replace(/['’]/g, '').replace(/[!?:]/g, ' ; ').replace(/E/g, 'É') + '!!!';
    expect(normalizedWords("Don't STOP: the U.S. café—well-known 1,000")).toEqual(['dont', 'stop', 'the', 'us', 'cafe', 'well', 'known', '1000']);
    expect(normalizedWords(disguised)).toEqual(normalizedWords(entry));
    const file = write('disguised.jsonl', JSON.stringify({ question: disguised, answer: 'n/a' }) + '\n');
    const r = await run(fresh(), { evalSets: [{ name: 'shouting', path: file, field: 'question' }] });
    expect([...r.dropped]).toEqual([[page(LOL).id, 'decontam_ngram']]);
    expect((r.droppedDocs[0]!.meta.decontam as DecontamMeta).set).toBe('shouting');
  });

  it('reads JSONL fields (lists too) and Parquet columns; the first set listed names a shared n-gram', async () => {
    const jsonl = write('qa.jsonl', [JSON.stringify({ id: 1, choices: ['no', span(ATHLETE, 100, 16)] }), 'not json', JSON.stringify({ id: 2 })].join('\n') + '\n');
    const parquet = path.join(tmp, 'passages.parquet');
    const db = await DuckDBInstance.create(':memory:');
    const con = await db.connect();
    const sql = (s: string) => `'${s.replace(/'/g, "''")}'`;
    await con.run(`COPY (SELECT * FROM (VALUES (${sql(span(LOL, 100, 20))}), (${sql(span(ATHLETE, 100, 16))})) t(passage)) TO ${sql(parquet)} (FORMAT parquet)`);
    con.closeSync();
    db.closeSync();
    const warnings: string[] = [];
    const log: Logger = { ...silentLogger, warn: (m: string) => warnings.push(m) };
    const r = await run(fresh(), { evalSets: [{ name: 'qa', path: jsonl, field: 'choices' }, { name: 'passages', path: parquet, field: 'passage' }] }, undefined, log);
    expect(new Map([...r.dropped].sort())).toEqual(new Map([[page(LOL).id, 'decontam_ngram'], [page(ATHLETE).id, 'decontam_ngram']].sort()));
    const setOf = (id: string) => (r.droppedDocs.find((d) => d.id === id)!.meta.decontam as DecontamMeta).set;
    expect(setOf(page(LOL).id)).toBe('passages');
    expect(setOf(page(ATHLETE).id)).toBe('qa'); // in both sets: the first listed
    expect(warnings.some((w) => /qa\.jsonl:2: not JSON/.test(w))).toBe(true);
  });

  it('a wrong field name stops the run, naming the field', async () => {
    const jsonl = write('wrong-field.jsonl', JSON.stringify({ question: span(LOL, 40, 20) }) + '\n');
    const err = await run(fresh(), { evalSets: [{ path: jsonl, field: 'prompt' }] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FatalError);
    expect((err as FatalError).field).toBe('evalSets[0].field');
  });

  it('indexes a short entry (8 to 12 words) whole, unless minEvalWords says otherwise', async () => {
    const file = write('short.txt', `${span(ATHLETE, 30, 10)}\n`);
    const a = await run(fresh(), { evalSets: [file] });
    expect([...a.dropped.keys()]).toEqual([page(ATHLETE).id]);
    expect((a.droppedDocs[0]!.meta.decontam as DecontamMeta).ngram!.split(' ')).toHaveLength(10);
    const b = await run(fresh(), { evalSets: [file], minEvalWords: 13 });
    expect(b.dropped.size).toBe(0);
  });

  it('remove_span cuts the span with 200 characters each side and keeps the rest', async () => {
    const doc = page(AIRFIELD);
    const words = doc.text.split(/\s+/).filter(Boolean);
    const from = Math.floor(words.length / 2);
    const entry = words.slice(from, from + 20).join(' ');
    const file = write('airfield.txt', `${entry}\n`);
    const r = await run([{ ...doc, meta: {} }], { evalSets: [file], mode: 'remove_span' });
    expect(r.dropped.size).toBe(0);
    const out = r.kept[0]!;
    const meta = out.meta.decontam as DecontamMeta;
    expect(meta.pieces).toBe(2);
    expect(meta.matches).toBe(20 - 13 + 1);
    const at = doc.text.indexOf(words[from]!, doc.text.length / 2 - 2000);
    expect(at).toBeGreaterThan(0);
    // the text before (up to 200 characters short of the match) and after survives; the match does not
    const before = doc.text.slice(0, at - 200).trim();
    expect(out.text.startsWith(before.slice(0, -30))).toBe(true);
    expect(normalizedWords(out.text).join(' ')).not.toContain(normalizedWords(entry).slice(0, 13).join(' '));
    expect(out.text.endsWith(doc.text.trim().slice(-300))).toBe(true);
    expect(meta.removed_chars).toBeGreaterThanOrEqual(entry.length + 400 - 10);
    expect(meta.removed_chars).toBe(doc.text.length - out.text.length);
    expect(r.stats.changed).toBe(1);
  });

  it('remove_span drops a page left in too many pieces, and one with too little left', async () => {
    const doc = page(AIRFIELD);
    const words = doc.text.split(/\s+/).filter(Boolean);
    const at = (f: number) => words.slice(Math.floor(words.length * f), Math.floor(words.length * f) + 14).join(' ');
    const file = write('fragments.txt', [at(0.2), at(0.4), at(0.6), at(0.8)].join('\n') + '\n');
    const r = await run([{ ...doc, meta: {} }], { evalSets: [file], mode: 'remove_span', maxPieces: 3 });
    expect([...r.dropped]).toEqual([[doc.id, 'decontam_too_fragmented']]);
    expect((r.droppedDocs[0]!.meta.decontam as DecontamMeta).pieces).toBe(5);
    // the default (10 pieces) keeps it, in 5 pieces
    const ok = await run([{ ...doc, meta: {} }], { evalSets: [file], mode: 'remove_span' });
    expect(ok.kept.length).toBe(1);
    expect(ok.kept[0]!.text.split('\n\n').length).toBeGreaterThanOrEqual(5);
    // a short page whose span and margins cover it all
    const lol = page(LOL);
    const all = write('whole-page.txt', `${lol.text.replace(/\s+/g, ' ')}\n`);
    const gone = await run([{ ...lol, meta: {} }], { evalSets: [all], mode: 'remove_span' });
    expect([...gone.dropped]).toEqual([[lol.id, 'decontam_too_little_left']]);
  });

  it('annotate drops and changes nothing, marks would_drop and counts it', async () => {
    const file = write('annotate.txt', `${span(LOL, 40, 30)}\n`);
    const input = fresh();
    const r = await run(input, { evalSets: [file], annotate: true });
    expect(r.dropped.size).toBe(0);
    expect(r.kept.length).toBe(input.length);
    const marked = r.kept.filter((d) => (d.meta.decontam as DecontamMeta).would_drop !== null);
    expect(marked.map((d) => d.id)).toEqual([page(LOL).id]);
    expect((marked[0]!.meta.decontam as DecontamMeta).would_drop).toBe('decontam_ngram');
    expect(r.kept.find((d) => d.id === page(ATHLETE).id)!.meta.decontam).toEqual({ set: null, ngram: null, matches: 0, would_drop: null });
    expect(r.stats['would_drop.decontam_ngram']).toBe(1);
    const span2 = await run(fresh(), { evalSets: [file], annotate: true, mode: 'remove_span' });
    const lol = span2.kept.find((d) => d.id === page(LOL).id)!;
    expect(lol.text).toBe(page(LOL).text);
    expect((lol.meta.decontam as DecontamMeta).removed_chars).toBeGreaterThan(0);
  });

  it('builds the index once into the run dir; later tasks read it; a stale lock or a broken file is recovered', async () => {
    const file = write('shared.txt', `${span(LOL, 40, 30)}\n`);
    const runDir = fs.mkdtempSync(path.join(tmp, 'shared-run-'));
    await run(fresh(), { evalSets: [file] }, runDir);
    const dir = path.join(runDir, INDEX_DIR);
    const files = fs.readdirSync(dir);
    expect(files.filter((f) => f.endsWith('.index'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.lock') || f.endsWith('.tmp'))).toEqual([]);
    const indexPath = path.join(dir, files.find((f) => f.endsWith('.index'))!);
    const index = NgramIndex.fromBytes(fs.readFileSync(indexPath));
    expect(index.header.sets[0]).toMatchObject({ name: 'shared', entries: 1, full: 1, ngrams: 18 });
    expect(index.size).toBe(18);
    // another run dir with a broken index file and a lock left by a process that is gone
    const other = fs.mkdtempSync(path.join(tmp, 'broken-run-'));
    fs.mkdirSync(path.join(other, INDEX_DIR));
    fs.writeFileSync(path.join(other, INDEX_DIR, path.basename(indexPath)), 'CURDECON garbage');
    fs.writeFileSync(path.join(other, INDEX_DIR, `${path.basename(indexPath)}.lock`), `${os.hostname()} 2147483646\n`);
    const warnings: string[] = [];
    const r = await run(fresh(), { evalSets: [file] }, other, { ...silentLogger, warn: (m: string) => warnings.push(m) });
    expect([...r.dropped.keys()]).toEqual([page(LOL).id]);
    expect(warnings.some((w) => /not usable/.test(w))).toBe(true);
    expect(fs.readFileSync(path.join(other, INDEX_DIR, path.basename(indexPath))).equals(fs.readFileSync(indexPath))).toBe(true);
  });

  it('a config naming a missing eval file fails before the run, naming the field', () => {
    const missing = path.join(tmp, 'no-such-eval.jsonl');
    const yaml = (sets: string) => `name: t\ninput: {paths: [x]}\nstages:\n  - decontaminate:\n      evalSets: ${sets}\n`;
    let err: unknown;
    try {
      parsePipeline(yaml(`[{name: mmlu, path: ${missing}}]`));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FatalError);
    expect((err as FatalError).field).toBe('stages[0].decontaminate.evalSets[0].path');
    expect((err as FatalError).message).toContain(missing);
    expect(() => parsePipeline(yaml(`[${missing}]`))).toThrow(/stages\[0\]\.decontaminate\.evalSets\[0\]\.path: no eval set file/);
    expect(() => parsePipeline(yaml('[]'))).toThrow(/evalSets/);
    const ok = write('ok.txt', 'one line\n');
    expect(() => parsePipeline(`${yaml(`[${ok}]`)}      ngramWord: 12\n`)).toThrow(/stages\[0\]\.decontaminate\.ngramWord: unknown option 'ngramWord' \(did you mean 'ngramWords'\?\)/);
    expect(() => parsePipeline(yaml(`[${ok}, ${ok}]`))).toThrow(/evalSets\[1\]\.name: eval set name 'ok' is already used/);
    expect(parsePipeline(yaml(`[${ok}]`)).stages[0]!.name).toBe('decontaminate');
  });

  it('the optional block in pipelines/cc-shard.yaml parses once turned on', () => {
    const text = fs.readFileSync('pipelines/cc-shard.yaml', 'utf8');
    expect(parsePipeline(text).stages.map((s) => s.name)).not.toContain('decontaminate');
    const evalFile = write('my-eval.jsonl', JSON.stringify({ text: 'a b c' }) + '\n');
    // uncomment the block between its markers, pointing it at a file that exists
    const lines = text.split('\n');
    const startAt = lines.findIndex((l) => l.includes('decontaminate: begin'));
    const endAt = lines.findIndex((l) => l.includes('decontaminate: end'));
    expect(startAt).toBeGreaterThan(0);
    expect(endAt).toBeGreaterThan(startAt);
    const on = lines.map((l, i) => (i > startAt && i < endAt ? l.replace(/^(\s*)# ?/, '$1') : l)).join('\n').replace(/path: [^,}\s]+/g, `path: ${evalFile}`);
    const p = parsePipeline(on);
    const stage = p.stages.find((s) => s.name === 'decontaminate');
    expect(stage).toBeDefined();
  });
});
