// Shared by the stage tests (filters, langid, dedup): run one filter stage over documents and see what it kept,
// dropped (and why) and counted; read the real documents of tests/fixtures/docs/heuristic-filters.jsonl.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Doc } from '../../src/core/doc.js';
import type { StageDefinition } from '../../src/core/stage.js';
import { collect, fromArray } from '../../src/core/iterables.js';
import { Counters } from '../../src/core/stats.js';
import { silentLogger } from '../../src/core/log.js';

const FIXTURE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'docs', 'heuristic-filters.jsonl');

interface FixtureDoc {
  id: string;
  url: string;
  source_file: string;
  text: string;
}

const fixtures = new Map<string, FixtureDoc>(
  fs.readFileSync(FIXTURE, 'utf8').split('\n').filter(Boolean).map((l) => {
    const d = JSON.parse(l) as FixtureDoc;
    return [d.id, d];
  }),
);

/** a fixture document by id (or by a prefix of it), as the pipeline sees it: {id, text, meta.url} */
export function fixture(idOrPrefix: string): Doc {
  const d = fixtures.get(idOrPrefix) ?? [...fixtures.values()].find((f) => f.id.startsWith(idOrPrefix));
  if (!d) throw new Error(`no fixture document ${idOrPrefix}`);
  return { id: d.id, text: d.text, meta: { url: d.url } };
}

export interface FilterRun {
  kept: Doc[];
  /** `id:reason` of each dropped document */
  dropped: string[];
  stats: Record<string, number>;
}

/** run a filter stage with options (parsed by its schema, defaults filled) over documents */
export async function runFilter(stage: StageDefinition, docs: Doc[], options: Record<string, unknown> = {}): Promise<FilterRun> {
  const stats = new Counters();
  const dropped: string[] = [];
  const kept = await collect(
    stage.create(stage.options.parse(options)).run(fromArray(docs), {
      rank: 0, worldSize: 1, stats, log: silentLogger, signal: new AbortController().signal, runDir: '/tmp', stage: stage.name,
      drop: (d, r) => dropped.push(`${d.id}:${r}`),
      recordError: () => {},
    }),
  );
  return { kept, dropped, stats: stats.toJSON() };
}

/** the reason a filter drops one document with, or 'kept' */
export async function verdict(stage: StageDefinition, doc: Doc, options: Record<string, unknown> = {}): Promise<string> {
  const r = await runFilter(stage, [doc], options);
  return r.kept.length ? 'kept' : r.dropped[0]!.slice(doc.id.length + 1);
}

/** documents from plain texts, ids t0, t1... */
export function docsOf(...texts: string[]): Doc[] {
  return texts.map((text, i) => ({ id: `t${i}`, text, meta: {} }));
}

/**
 * The bad inputs every filter must get through without throwing, in bounded time: empty text, a 10 MB
 * single line, only emoji, only control characters, lone surrogates, 50,000 '@' or digits.
 */
export function badInputs(): Doc[] {
  const words = fixture('blj5uzvcoa4iybpd5o6kom5nir6ngmoj').text.replace(/\s+/g, ' ');
  let line = '';
  while (line.length < 10_000_000) line += words;
  return [
    { id: 'empty', text: '', meta: {} },
    { id: 'one_line_10mb', text: line.slice(0, 10_000_000), meta: {} },
    { id: 'emoji', text: '😀🎉👍🏽🇫🇷 '.repeat(2000), meta: {} },
    { id: 'control', text: Array.from({ length: 5000 }, (_, i) => String.fromCharCode(i % 32)).join(''), meta: {} },
    { id: 'surrogates', text: 'broken \ud800 text \udc00\udc00 here \ud83d'.repeat(500), meta: {} },
    { id: 'at_50k', text: '@'.repeat(50_000), meta: {} },
    { id: 'digits_50k', text: '7'.repeat(50_000), meta: {} },
    { id: 'newlines', text: '\n'.repeat(50_000), meta: {} },
  ];
}
