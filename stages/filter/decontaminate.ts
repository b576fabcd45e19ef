// Eval-set decontamination: documents that share a normalized word n-gram (13 words by default, GPT-3's
// rule, Brown et al. 2020 appendix C) with an eval set the user names are dropped, or have the matching
// spans cut out with a margin (GPT-3's janitor). The eval n-grams are hashed into one index per run, built
// by the first task that needs it and read by every other (src/decontam/shared-index.ts); docs/decontamination.md.
import fs from 'node:fs';
import { z } from 'zod';
import type { Doc } from '../../src/core/doc.js';
import type { StageContext, StageDefinition } from '../../src/core/stage.js';
import { evalFormatOf, evalSetName, type EvalSet } from '../../src/decontam/eval-sets.js';
import type { NgramIndex, NgramMatch } from '../../src/decontam/ngram-index.js';
import { sharedIndex, type IndexOptions } from '../../src/decontam/shared-index.js';
import { removeSpans } from '../../src/decontam/spans.js';
import { normalizedWords, scanWords, type Words } from '../../src/decontam/words.js';

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

const evalFile = z
  .string()
  .min(1)
  .superRefine((p, ctx) => {
    if (!isFile(p)) ctx.addIssue({ code: 'custom', message: `no eval set file at ${p} (a relative path is taken from the working directory, ${process.cwd()})` });
  });

/** one eval set: a path, or {name, path, field, format, split} */
const evalSetEntry = z.preprocess(
  (v) => (typeof v === 'string' ? { path: v } : v),
  z
    .object({
      /** the name meta.decontam and the stats give the set; default: the file name without extensions */
      name: z.string().min(1).optional(),
      path: evalFile,
      /** JSONL/JSON/Parquet: the field(s) holding the eval text (dotted paths; a list value gives one entry per string) */
      field: z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]).default('text'),
      /** default: from the extension (.jsonl/.ndjson/.json, .parquet, anything else is text), .gz allowed */
      format: z.enum(['text', 'jsonl', 'parquet']).optional(),
      /** text files: one entry per line, or per paragraph (lines up to a blank line) */
      split: z.enum(['line', 'paragraph']).default('line'),
    })
    .strict(),
);

export const decontaminateOptions = z
  .object({
    /** the eval sets whose n-grams must not be trained on */
    evalSets: z.array(evalSetEntry).min(1, 'name at least one eval set file'),
    /** words per n-gram: 13 as GPT-3 and NeMo Curator's TaskDecontamination (DataTrove's default is 12) */
    ngramWords: z.number().int().min(1).max(64).default(13),
    /** drop the document (default), or cut the matching spans out with marginChars around them */
    mode: z.enum(['drop', 'remove_span']).default('drop'),
    /** remove_span: characters removed on each side of a match (GPT-3: 200) */
    marginChars: z.number().int().nonnegative().default(200),
    /** remove_span: a document left in more pieces than this is dropped as decontam_too_fragmented (GPT-3: 10) */
    maxPieces: z.number().int().min(1).default(10),
    /** remove_span: pieces shorter than this are discarded (GPT-3: 200 characters) */
    minPieceChars: z.number().int().nonnegative().default(200),
    /** remove_span: a document with less text than this left is dropped as decontam_too_little_left */
    minRemainingChars: z.number().int().nonnegative().default(200),
    /**
     * eval entries shorter than ngramWords words but at least this long are indexed whole, as one shorter
     * n-gram (NeMo Curator's min_ngram_size, 8); shorter ones are skipped. Default min(8, ngramWords);
     * set it to ngramWords to skip every short entry, as DataTrove does.
     */
    minEvalWords: z.number().int().min(1).max(64).optional(),
    /** drop and change nothing: write meta.decontam on every document with would_drop */
    annotate: z.boolean().default(false),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.minEvalWords !== undefined && o.minEvalWords > o.ngramWords) {
      ctx.addIssue({ code: 'custom', path: ['minEvalWords'], message: `minEvalWords (${o.minEvalWords}) is more than ngramWords (${o.ngramWords})` });
    }
    const seen = new Map<string, number>();
    o.evalSets.forEach((s, i) => {
      const name = s.name ?? evalSetName(s.path);
      const before = seen.get(name);
      if (before !== undefined) ctx.addIssue({ code: 'custom', path: ['evalSets', i, 'name'], message: `eval set name '${name}' is already used by evalSets[${before}]: give each set its own name` });
      else seen.set(name, i);
    });
  });

export type DecontaminateOptions = z.output<typeof decontaminateOptions>;

/** the eval sets of the options, with every default filled in */
export function evalSetsOf(o: DecontaminateOptions): EvalSet[] {
  return o.evalSets.map((s, i) => ({
    name: s.name ?? evalSetName(s.path),
    path: s.path,
    fields: typeof s.field === 'string' ? [s.field] : s.field,
    format: s.format ?? evalFormatOf(s.path),
    split: s.split,
    where: `evalSets[${i}]`,
  }));
}

export function indexOptionsOf(o: DecontaminateOptions): IndexOptions {
  return { evalSets: evalSetsOf(o), ngramWords: o.ngramWords, minEvalWords: o.minEvalWords ?? Math.min(8, o.ngramWords) };
}

/** what meta.decontam holds */
export interface DecontamMeta {
  /** the eval set of the first match (null: no match) */
  set: string | null;
  /** the first matched n-gram, as normalized words joined by spaces */
  ngram: string | null;
  /** positions of the document where an eval n-gram starts (overlapping ones each count) */
  matches: number;
  /** remove_span: pieces the removals left, before short ones were discarded */
  pieces?: number;
  /** remove_span: characters removed (or that would be, in annotate mode) */
  removed_chars?: number;
  /** annotate mode: the reason the document would be dropped, or null */
  would_drop?: string | null;
}

/** the words of a match as the index saw them */
function matchedNgram(text: string, words: Words, m: NgramMatch): string {
  return normalizedWords(text.slice(words.starts[m.word]!, words.ends[m.word + m.words - 1]!)).join(' ');
}

function decide(doc: Doc, index: NgramIndex, o: DecontaminateOptions, ctx: StageContext): Doc | undefined {
  const words = scanWords(doc.text);
  const found = index.matches(words);
  if (found.length === 0) {
    if (o.annotate) doc.meta.decontam = { set: null, ngram: null, matches: 0, would_drop: null } satisfies DecontamMeta;
    return doc;
  }
  const first = found[0]!;
  const set = index.header.sets[first.set]!.name;
  ctx.stats.inc(`decontam_set.${set}`);
  const meta: DecontamMeta = { set, ngram: matchedNgram(doc.text, words, first), matches: found.length };
  let reason: string | null = 'decontam_ngram';
  let cutText: string | undefined;
  if (o.mode === 'remove_span') {
    const spans = found.map((m) => [words.starts[m.word]!, words.ends[m.word + m.words - 1]!] as const);
    const cut = removeSpans(doc.text, spans, o.marginChars, o.minPieceChars);
    meta.pieces = cut.pieces;
    meta.removed_chars = doc.text.length - cut.text.length;
    reason = cut.pieces > o.maxPieces ? 'decontam_too_fragmented' : cut.text.length < o.minRemainingChars ? 'decontam_too_little_left' : null;
    cutText = cut.text;
  }
  if (o.annotate) {
    if (reason) ctx.stats.inc(`would_drop.${reason}`);
    doc.meta.decontam = { ...meta, would_drop: reason };
    return doc;
  }
  doc.meta.decontam = meta;
  if (reason) {
    ctx.drop(doc, reason);
    return undefined;
  }
  ctx.stats.inc('changed');
  ctx.stats.inc('decontam_chars_removed', meta.removed_chars ?? 0);
  doc.text = cutText!;
  return doc;
}

export const decontaminate: StageDefinition<typeof decontaminateOptions> = {
  name: 'decontaminate',
  kind: 'filter',
  description: 'drop documents sharing a 13-word n-gram (normalized) with the named eval sets, or cut those spans out (GPT-3 style)',
  options: decontaminateOptions,
  create(o) {
    const indexOptions = indexOptionsOf(o);
    return {
      name: 'decontaminate',
      async *run(input, ctx) {
        let index: NgramIndex | undefined;
        for await (const doc of input) {
          // built (or read) on the first document, so a task without documents never waits for it
          index ??= await sharedIndex(indexOptions, ctx.runDir, ctx.log);
          const out = decide(doc, index, o, ctx);
          if (out) yield out;
        }
      },
    };
  },
};
