// Throughput of the decontaminate stage (docs/s on one core) on ~3 KB documents made of real web text
// (data/classifier-train's CC-MAIN-2019-30 pages, paragraphs drawn with a seeded PRNG) against an index of
// 10,000 eval entries (sentences of data/classifier-train's WikiText-2 validation split), 1% of the documents
// carrying one of those entries; plus the index's build time, read time and size. A second, large index
// (200,000 entries of 30 WikiText words drawn at random, ~3.6 M n-grams, far beyond the CPU caches) shows the
// cost of memory reads. Prints one JSON line:
// `npx tsc -p tsconfig.json && node dist/bench/decontaminate.js [--docs 20000] [--entries 10000] [--large-entries 200000] [--seconds 3]`.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { flag, isEntryPoint, machine, note, printResult, repeatFor, round, runMain, seededRandom, tempDir } from './common.js';
import type { Doc } from '../src/core/doc.js';
import { Counters } from '../src/core/stats.js';
import { silentLogger } from '../src/core/log.js';
import { fromArray } from '../src/core/iterables.js';
import { dataPath } from '../src/text/data-files.js';
import type { StageContext } from '../src/core/stage.js';
import { decontaminate, indexOptionsOf } from '../stages/filter/decontaminate.js';
import { buildIndex, indexFile } from '../src/decontam/shared-index.js';
import { NgramIndex } from '../src/decontam/ngram-index.js';

const gunzip = (file: string) => zlib.gunzipSync(fs.readFileSync(dataPath('classifier-train', file))).toString('utf8');

/** paragraphs (at least 40 characters) of the real web pages */
function webParagraphs(): string[] {
  const out: string[] = [];
  for (const line of gunzip('cc-main-2019-30-web-docs.jsonl.gz').split('\n')) {
    if (!line.trim()) continue;
    const text = (JSON.parse(line) as { text?: string }).text ?? '';
    for (const p of text.split(/\n+/)) if (p.trim().length >= 40) out.push(p.trim());
  }
  return out;
}

/** WikiText sentences of 10 to 60 words, detokenized a little (" , " -> ", "), as eval entries */
function wikiSentences(): string[] {
  const out: string[] = [];
  for (const line of gunzip('wikitext-2-valid.txt.gz').split('\n')) {
    if (!line.trim() || line.trim().startsWith('=')) continue;
    for (const s of line.split(/(?<= \.) /)) {
      const t = s.replace(/ @(.)@ /g, '$1').replace(/ ([,.;:)'])/g, '$1').replace(/\( /g, '(').trim();
      const words = t.split(/\s+/).length;
      if (words >= 10 && words <= 60) out.push(t);
    }
  }
  return out;
}

/** `count` documents of about `chars` characters: random paragraphs until long enough */
function makeDocs(paragraphs: string[], count: number, chars: number, rand: () => number): Doc[] {
  const docs: Doc[] = [];
  for (let i = 0; i < count; i++) {
    let text = '';
    while (text.length < chars) text += (text ? '\n' : '') + paragraphs[Math.floor(rand() * paragraphs.length)]!;
    docs.push({ id: `d${i}`, text: text.slice(0, chars), meta: {} });
  }
  return docs;
}

function context(stats: Counters, runDir: string): StageContext {
  return {
    rank: 0, worldSize: 1, stats, log: silentLogger, signal: new AbortController().signal, runDir, stage: 'decontaminate',
    drop: () => {},
    recordError: () => {},
  };
}

async function runOnce(options: Record<string, unknown>, docs: Doc[], runDir: string): Promise<{ kept: number; stats: Counters }> {
  const stats = new Counters();
  const stage = decontaminate.create(decontaminate.options.parse(options));
  let kept = 0;
  for await (const _ of stage.run(fromArray(docs.map((d) => ({ id: d.id, text: d.text, meta: {} }))), context(stats, runDir))) kept++;
  return { kept, stats };
}

async function measure(options: Record<string, unknown>, docs: Doc[], runDir: string, seconds: number) {
  await runOnce(options, docs, runDir); // warm-up (and the index is read once per process)
  let kept = 0;
  let stats = new Counters();
  const { passes, wallSeconds: wall, cpuSeconds } = await repeatFor(seconds, async () => {
    const r = await runOnce(options, docs, runDir);
    kept += r.kept;
    stats = r.stats;
  });
  return {
    docs_per_cpu_s: round((passes * docs.length) / cpuSeconds, 0),
    docs_per_s: round((passes * docs.length) / wall, 0),
    kept_fraction: round(kept / (passes * docs.length), 4),
    last_pass_stats: stats.toJSON(),
  };
}

async function main(): Promise<void> {
  const docCount = Number(flag('docs') ?? 20_000);
  const entryCount = Number(flag('entries') ?? 10_000);
  const seconds = Number(flag('seconds') ?? 3);
  const env = machine();
  const rand = seededRandom(19);
  const paragraphs = webParagraphs();
  const sentences = wikiSentences();
  // eval entries: distinct sentences, repeated with a number when WikiText runs short of the count asked
  const entries = Array.from({ length: entryCount }, (_, i) => (i < sentences.length ? sentences[i]! : `${sentences[i % sentences.length]!} (${Math.floor(i / sentences.length)})`));
  const docs = makeDocs(paragraphs, docCount, 3000, rand);
  // 1% of the documents carry an eval entry in their middle
  let contaminated = 0;
  for (let i = 0; i < docs.length; i += 100) {
    const d = docs[i]!;
    const entry = entries[Math.floor(rand() * entries.length)]!;
    const at = d.text.indexOf(' ', d.text.length >> 1);
    d.text = `${d.text.slice(0, at)} ${entry} ${d.text.slice(at + 1)}`.slice(0, 3000 + entry.length);
    contaminated++;
  }
  const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d.text), 0);
  note(`${docs.length} documents, mean ${round(bytes / docs.length / 1000, 2)} kB; ${entries.length} eval entries (${sentences.length} distinct WikiText sentences)`);

  const tmp = tempDir('decontam');
  try {
    const evalFile = path.join(tmp.dir, 'wikitext-sentences.txt');
    fs.writeFileSync(evalFile, entries.join('\n') + '\n');
    const options = { evalSets: [{ name: 'wikitext', path: evalFile }] };
    const io = indexOptionsOf(decontaminate.options.parse(options));
    // the index: built from the file (read, normalized, hashed, sorted), written, read back
    const builds: number[] = [];
    let index: NgramIndex | undefined;
    for (let i = 0; i < 3; i++) {
      const t0 = performance.now();
      index = await buildIndex(io, silentLogger);
      builds.push(performance.now() - t0);
    }
    const fileBytes = index!.toBytes();
    const saved = path.join(tmp.dir, 'saved.index');
    fs.writeFileSync(saved, fileBytes);
    const t1 = performance.now();
    NgramIndex.fromBytes(fs.readFileSync(saved));
    const readMs = performance.now() - t1;
    // the stage as a pipeline runs it: the first task builds the run's index file, later ones read it
    const runDir = path.join(tmp.dir, 'run');
    note('drop mode...');
    const drop = await measure(options, docs, runDir, seconds);
    note('remove_span mode...');
    const span = await measure({ ...options, mode: 'remove_span' }, docs, runDir, seconds);
    note('annotate...');
    const annotate = await measure({ ...options, annotate: true }, docs, runDir, seconds);
    // the large index: random word sequences (no document holds one), so only the lookups' cost changes
    const largeEntries = Number(flag('large-entries') ?? 200_000);
    let large: Record<string, unknown> | undefined;
    if (largeEntries > 0) {
      note(`large index (${largeEntries} entries)...`);
      const vocabulary = [...new Set(sentences.join(' ').split(/\s+/))];
      const lines: string[] = [];
      for (let i = 0; i < largeEntries; i++) lines.push(Array.from({ length: 30 }, () => vocabulary[Math.floor(rand() * vocabulary.length)]!).join(' '));
      const largeFile = path.join(tmp.dir, 'random-words.txt');
      fs.writeFileSync(largeFile, lines.join('\n') + '\n');
      const largeOptions = { evalSets: [{ name: 'wikitext', path: evalFile }, { name: 'random', path: largeFile }] };
      const t0 = performance.now();
      const built = await buildIndex(indexOptionsOf(decontaminate.options.parse(largeOptions)), silentLogger);
      const buildMs = performance.now() - t0;
      const largeSaved = path.join(tmp.dir, 'large.index');
      fs.writeFileSync(largeSaved, built.toBytes());
      const t2 = performance.now();
      NgramIndex.fromBytes(fs.readFileSync(largeSaved));
      const largeReadMs = performance.now() - t2;
      large = {
        eval_entries: entries.length + largeEntries,
        ngrams: built.size,
        build_ms: round(buildMs, 0),
        read_ms: round(largeReadMs, 1),
        file_bytes: fs.statSync(largeSaved).size,
        drop: await measure(largeOptions, docs, path.join(tmp.dir, 'run-large'), seconds),
      };
    }
    printResult({
      bench: 'decontaminate',
      machine: env,
      input: {
        docs: docs.length,
        mean_kb: round(bytes / docs.length / 1000, 2),
        contaminated_docs: contaminated,
        eval_entries: entries.length,
        source: 'docs: paragraphs of data/classifier-train/cc-main-2019-30-web-docs.jsonl.gz; eval: sentences of data/classifier-train/wikitext-2-valid.txt.gz',
      },
      index: {
        ngram_words: io.ngramWords,
        ngrams: index!.size,
        build_ms: round(Math.min(...builds), 1),
        read_ms: round(readMs, 1),
        file_bytes: fileBytes.length,
        bytes_per_ngram: round(fileBytes.length / index!.size, 2),
        run_file: path.relative(tmp.dir, indexFile(runDir, io)),
      },
      note: 'docs_per_cpu_s: documents per second of this single-threaded process CPU time (the per-core rate); docs_per_s is wall time; the goal is >= 5,000 docs/s per core on 3 KB documents',
      drop,
      remove_span: span,
      annotate,
      large_index: large,
    });
  } finally {
    tmp.remove();
  }
}

if (isEntryPoint(import.meta.url)) runMain(main);
