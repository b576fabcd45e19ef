// Throughput of the heuristic filter stages (docs/s, one core) on the real web-docs texts in
// ../shared/data/web-docs, each stage alone and all of them chained, plus langid and pii when registered.
// Prints one JSON line: `npx tsc -p . && node dist/bench/filters.js [--seconds 2]`.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { SHARED_DATA_DIR, flag, isEntryPoint, machine, note, printResult, repeatFor, round, runMain } from './common.js';
import type { Doc } from '../src/core/doc.js';
import type { StageContext, StageDefinition } from '../src/core/stage.js';
import { Counters } from '../src/core/stats.js';
import { silentLogger } from '../src/core/log.js';
import { fromArray } from '../src/core/iterables.js';
import { dataPath } from '../src/text/data-files.js';
import { STAGES } from '../stages/index.js';

export const WEB_DOCS_DIR = path.join(SHARED_DATA_DIR, 'web-docs');

/** every document of the web-docs set: the CC-MAIN-2019-30 file and the dolma samples, with their URLs */
export function loadWebDocs(): { docs: Doc[]; files: Record<string, number> } {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (/\.jsonl?\.gz$/.test(e.name)) files.push(p);
    }
  };
  walk(WEB_DOCS_DIR);
  const docs: Doc[] = [];
  const counts: Record<string, number> = {};
  for (const file of files) {
    const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').split('\n').filter((l) => l.trim());
    counts[path.relative(WEB_DOCS_DIR, file)] = lines.length;
    for (const line of lines) {
      const r = JSON.parse(line) as { id: string; text: string; metadata?: { url?: string; warc_url?: string } };
      // the CC file names the page in metadata; the dolma samples use the URL as the id
      const url = r.metadata?.warc_url ?? r.metadata?.url ?? (/^https?:\/\//.test(r.id) ? r.id : undefined);
      docs.push({ id: String(r.id), text: r.text ?? '', meta: url ? { url } : {} });
    }
  }
  return { docs, files: counts };
}

export function benchContext(stage: string, stats = new Counters()): StageContext {
  return {
    rank: 0, worldSize: 1, stats, log: silentLogger, signal: new AbortController().signal, runDir: '/tmp', stage,
    drop: () => {},
    recordError: () => {},
  };
}

interface StageStep {
  definition: StageDefinition;
  options: Record<string, unknown>;
}

/** docs through a chain of stages; returns how many came out */
async function runChain(steps: StageStep[], docs: Doc[]): Promise<number> {
  let stream: AsyncIterable<Doc> = fromArray(docs.map((d) => ({ id: d.id, text: d.text, meta: { ...d.meta } })));
  for (const s of steps) stream = s.definition.create(s.definition.options.parse(s.options)).run(stream, benchContext(s.definition.name));
  let out = 0;
  for await (const _ of stream) out++;
  return out;
}

interface Figures {
  /** documents per second of this process's CPU time: the per-core rate, unaffected by other load */
  docs_per_cpu_s: number;
  /** documents per second of wall time */
  docs_per_s: number;
  mb_per_cpu_s: number;
  kept_fraction: number;
}

/** docs/s of a chain over the set, repeated for at least `seconds` after a warm-up pass */
async function measure(steps: StageStep[], docs: Doc[], seconds: number): Promise<Figures> {
  const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d.text), 0);
  await runChain(steps, docs);
  let kept = 0;
  const { passes, wallSeconds: wall, cpuSeconds } = await repeatFor(seconds, async () => void (kept += await runChain(steps, docs)));
  return {
    docs_per_cpu_s: round((passes * docs.length) / cpuSeconds, 0),
    docs_per_s: round((passes * docs.length) / wall, 0),
    mb_per_cpu_s: round((passes * bytes) / cpuSeconds / 1e6, 2),
    kept_fraction: round(kept / (passes * docs.length), 3),
  };
}

function step(name: string, options: Record<string, unknown> = {}): StageStep {
  const definition = STAGES[name];
  if (!definition) throw new Error(`stage ${name} is not registered`);
  return { definition, options };
}

async function main(): Promise<void> {
  const seconds = Number(flag('seconds') ?? 2);
  const env = machine();
  const { docs } = loadWebDocs();
  const bytes = docs.reduce((n, d) => n + Buffer.byteLength(d.text), 0);
  note(`${docs.length} documents, mean ${round(bytes / docs.length / 1000, 2)} kB`);

  const urlOptions = { blocklistFile: dataPath('wordlists', 'url-blocklist.example.txt'), blockedWords: ['porn', 'xxx', 'casino'], blockedSubwords: ['xxx'] };
  const heuristics: StageStep[] = [
    step('url_filter', urlOptions),
    step('length'),
    step('gopher_repetition'),
    step('gopher_quality'),
    step('c4'),
    step('fineweb_quality'),
    step('c4_badwords'),
  ];
  const single: Record<string, StageStep> = {
    url_filter: heuristics[0]!,
    length: heuristics[1]!,
    length_tokens: step('length', { minTokens: 50, maxTokens: 100_000 }),
    gopher_repetition: heuristics[2]!,
    gopher_quality: heuristics[3]!,
    c4: heuristics[4]!,
    fineweb_quality: heuristics[5]!,
    c4_badwords: heuristics[6]!,
  };
  // the yardstick is a ~3 kB page: the documents of 2 to 4 kB, beside the whole set
  const around3kb = docs.filter((d) => {
    const n = Buffer.byteLength(d.text);
    return n >= 2000 && n <= 4000;
  });
  const bytes3kb = around3kb.reduce((n, d) => n + Buffer.byteLength(d.text), 0);
  const perStage: Record<string, unknown> = {};
  for (const [name, s] of Object.entries(single)) {
    note(`${name}...`);
    perStage[name] = { all: await measure([s], docs, seconds), docs_2_to_4_kb: await measure([s], around3kb, seconds / 2) };
  }
  const chains: Record<string, unknown> = {};
  note('heuristics chained...');
  chains.heuristics = { stages: heuristics.map((s) => s.definition.name), all: await measure(heuristics, docs, seconds), docs_2_to_4_kb: await measure(heuristics, around3kb, seconds) };
  // the same filters, the same documents kept, cheapest and most dropping first: gopher_quality drops
  // most web pages and shares its word split with gopher_repetition, which then sees far fewer pages
  const cheapFirst = ['length', 'url_filter', 'gopher_quality', 'gopher_repetition', 'c4', 'fineweb_quality', 'c4_badwords'].map((n) => heuristics.find((s) => s.definition.name === n)!);
  note('heuristics chained, cheapest first...');
  chains.heuristics_cheap_first = { stages: cheapFirst.map((s) => s.definition.name), all: await measure(cheapFirst, docs, seconds), docs_2_to_4_kb: await measure(cheapFirst, around3kb, seconds) };
  // the whole per-document path the issue sets a target for: language id, the heuristics, PII scrubbing
  const full = [step('langid'), ...cheapFirst, ...(STAGES.pii ? [step('pii')] : [])];
  note(`${full.map((s) => s.definition.name).join(' + ')}...`);
  chains.langid_heuristics_pii = { stages: full.map((s) => s.definition.name), all: await measure(full, docs, seconds), docs_2_to_4_kb: await measure(full, around3kb, seconds) };
  if (STAGES.pii) {
    note('langid + pii on every document...');
    const both = [step('langid'), step('pii')];
    chains.langid_pii_all_docs = { stages: ['langid', 'pii'], all: await measure(both, docs, seconds), docs_2_to_4_kb: await measure(both, around3kb, seconds) };
  }

  printResult({
    bench: 'filters',
    machine: env,
    input: {
      set: 'shared/data/web-docs (CC-MAIN-2019-30 + dolma samples)',
      all: { docs: docs.length, mean_kb: round(bytes / docs.length / 1000, 2) },
      docs_2_to_4_kb: { docs: around3kb.length, mean_kb: round(bytes3kb / around3kb.length / 1000, 2) },
    },
    note: 'docs_per_cpu_s: documents entering the first stage per second of this single-threaded process CPU time (the per-core rate; wall-time docs_per_s beside it drops when other work shares the machine); in chains, dropped documents skip the later stages',
    stages: perStage,
    chains,
  });
}

if (isEntryPoint(import.meta.url)) runMain(main);
