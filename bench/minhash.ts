// MinHash signatures (src/dedup/) on ~2 KB real web documents: signatures per CPU second against npm minhash@0.0.9,
// the two estimators' Jaccard agreement, LSH (14 x 8) detection of edited copies against the S-curve, and
// the minhash_dedup stage's precision and recall with and without its candidate check.
// Prints one JSON line: `npx tsc -p . && node dist/bench/minhash.js [--seconds 2]`.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { createRequire } from 'node:module';
import { SHARED_DATA_DIR, codeRevision, flag, isEntryPoint, machine, note, printResult, round, runMain } from './common.js';
import { normalizeForDedup, shingleHashes } from '../src/dedup/shingles.js';
import { MinHasher, jaccard, jaccardEstimate } from '../src/dedup/minhash.js';
import { DEFAULT_LSH, bandKey, bandRowsEqual, candidateProbability } from '../src/dedup/lsh.js';
import { editWords } from '../src/dedup/perturb.js';
import { silentLogger } from '../src/core/log.js';
import { minhashDedup } from '../stages/dedup/minhash-dedup.js';
import os from 'node:os';

/** the part of minhash@0.0.9 used here (the package ships no types) */
interface NpmMinhash {
  hashvalues: number[];
  update(shingle: string): void;
  jaccard(other: NpmMinhash): number;
}
const { Minhash } = createRequire(import.meta.url)('minhash') as { Minhash: new (config: { numPerm: number; seed?: number }) => NpmMinhash };

const CC_FILE = path.join(SHARED_DATA_DIR, 'web-docs', 'CC-MAIN-20190717121559-20190717143559-00140.jsonl.gz');
const DOC_CHARS = 2000;
const PERMS = 112;

/** every document of at least 2,000 characters, cut at the last space before 2,000 */
function loadDocs(): string[] {
  const lines = zlib.gunzipSync(fs.readFileSync(CC_FILE)).toString('utf8').split('\n').filter((l) => l.trim());
  const out: string[] = [];
  for (const line of lines) {
    const text = (JSON.parse(line) as { text?: string }).text ?? '';
    if (text.length < DOC_CHARS) continue;
    const cut = text.lastIndexOf(' ', DOC_CHARS);
    out.push(text.slice(0, cut > 0 ? cut : DOC_CHARS));
  }
  return out;
}

function cpuSeconds(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
}

/** docs per CPU second of fn over the documents, repeated for at least `seconds` after one warm-up pass */
function rate(docs: string[], seconds: number, fn: (text: string) => unknown): { docs_per_cpu_s: number; passes: number } {
  for (const d of docs) fn(d);
  const start = cpuSeconds();
  let n = 0;
  let passes = 0;
  while (cpuSeconds() - start < seconds) {
    for (const d of docs) fn(d);
    n += docs.length;
    passes++;
  }
  return { docs_per_cpu_s: round(n / (cpuSeconds() - start), 0), passes };
}

/** the word 5-gram strings minhash@0.0.9 is fed: the same normalized words our shingles hash */
function shingleStrings(text: string, n = 5): string[] {
  const words = normalizeForDedup(text).split(' ').filter((w) => w);
  if (words.length < n) return words.length ? [words.join(' ')] : [];
  const out: string[] = [];
  for (let i = 0; i + n <= words.length; i++) out.push(words.slice(i, i + n).join(' '));
  return out;
}

function npmSignature(text: string): NpmMinhash {
  const m = new Minhash({ numPerm: PERMS, seed: 1 });
  for (const s of shingleStrings(text)) m.update(s);
  return m;
}

function mean(xs: number[]): number {
  return xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : NaN;
}

async function main(): Promise<void> {
  const seconds = Number(flag('seconds') ?? 2);
  const docs = loadDocs();
  const mh = new MinHasher();
  note(`${docs.length} documents of ~${DOC_CHARS} chars`);

  note('throughput: ours...');
  const out = new Uint32Array(PERMS);
  const ours = rate(docs, seconds, (t) => mh.signature(t, out));
  const shinglingOnly = rate(docs, seconds, (t) => shingleHashes(t));
  note('throughput: minhash@0.0.9...');
  const npmDocs = docs.slice(0, 100);
  const npm = rate(npmDocs, Math.min(seconds, 2), npmSignature);

  // near-duplicates: every document and copies with 5, 10, 15% of words inserted/deleted/replaced, scattered
  // one word at a time or in runs of 5 or 20 words (a changed sentence, date line, footer)
  note('near-duplicates...');
  const texts: string[] = [...docs];
  const origin: number[] = docs.map((_, i) => i);
  const variants: Array<{ fraction: number; runWords: number }> = [];
  for (const fraction of [0.05, 0.1, 0.15]) for (const runWords of [1, 5, 20]) variants.push({ fraction, runWords });
  docs.forEach((d, i) => variants.forEach((v, k) => {
    texts.push(editWords(d, { ...v, seed: 1000 * i + k }));
    origin.push(i);
  }));
  const shingles = texts.map((t) => shingleHashes(t));
  const sigs = texts.map((t) => mh.signature(t));

  // estimator agreement on (original, copy) pairs and on unrelated neighbours
  const agreementPairs: Array<[number, number]> = [];
  for (let i = 0; i < docs.length; i++) {
    agreementPairs.push([i, (i + 1) % docs.length]);
    for (let k = 0; k < variants.length; k += 2) agreementPairs.push([i, docs.length + variants.length * i + k]);
  }
  const sample = agreementPairs.filter((_, i) => i % 3 === 0).slice(0, 600);
  const errOurs: number[] = [];
  const errNpm: number[] = [];
  const diff: number[] = [];
  for (const [a, b] of sample) {
    const truth = jaccard(shingles[a]!, shingles[b]!);
    const o = jaccardEstimate(sigs[a]!, sigs[b]!);
    const n = npmSignature(texts[a]!).jaccard(npmSignature(texts[b]!));
    errOurs.push(Math.abs(o - truth));
    errNpm.push(Math.abs(n - truth));
    diff.push(Math.abs(o - n));
  }

  // LSH candidates over the whole set: every pair sharing one band's rows
  const { bands, rows } = DEFAULT_LSH;
  const candidates = new Set<string>();
  for (let band = 0; band < bands; band++) {
    const buckets = new Map<number, number[]>();
    sigs.forEach((sig, i) => {
      if (!sig) return;
      const key = bandKey(sig, band, rows);
      const list = buckets.get(key);
      if (!list) return void buckets.set(key, [i]);
      for (const j of list) if (bandRowsEqual(sigs[j]!, sig, band, rows)) candidates.add(`${j},${i}`);
      list.push(i);
    });
  }

  // detection of (original, copy) pairs per true-Jaccard bucket, against the S-curve
  const buckets = new Map<number, { pairs: number; found: number; predicted: number }>();
  let truePairs = 0;
  let trueFound = 0;
  for (let t = docs.length; t < texts.length; t++) {
    const o = origin[t]!;
    const j = jaccard(shingles[o]!, shingles[t]!);
    const b = Math.min(9, Math.floor(j * 10));
    const row = buckets.get(b) ?? { pairs: 0, found: 0, predicted: 0 };
    const hit = candidates.has(`${o},${t}`);
    row.pairs++;
    row.predicted += candidateProbability(j);
    if (hit) row.found++;
    buckets.set(b, row);
  }
  // precision and recall at true Jaccard >= 0.8, over every pair of the same origin (original-copy and
  // copy-copy; those are computed exactly) and every candidate pair across origins (exact Jaccard too;
  // a cross-origin pair >= 0.8 that LSH missed is not seen, so recall counts the same-origin pairs)
  const group = variants.length + 1;
  for (let i = 0; i < docs.length; i++) {
    const members = [i, ...variants.map((_, k) => docs.length + variants.length * i + k)];
    for (let x = 0; x < group; x++) for (let y = x + 1; y < group; y++) {
      const [a, b] = [members[x]!, members[y]!].sort((p, q) => p - q) as [number, number];
      if (jaccard(shingles[a]!, shingles[b]!) >= 0.8) {
        truePairs++;
        if (candidates.has(`${a},${b}`)) trueFound++;
      }
    }
  }
  let candidatesTrue = 0;
  let crossOrigin = 0;
  let crossOriginTrue = 0;
  let verified = 0;
  let verifiedTrue = 0;
  let verifiedSameOriginTrue = 0;
  const candidateHistogram = new Array<number>(10).fill(0);
  for (const key of candidates) {
    const [a, b] = key.split(',').map(Number) as [number, number];
    const j = jaccard(shingles[a]!, shingles[b]!);
    candidateHistogram[Math.min(9, Math.floor(j * 10))]!++;
    const high = j >= 0.8;
    if (high) candidatesTrue++;
    // the check a pipeline can add after LSH: keep a candidate edge only if the signatures agree on >= 80%
    if (jaccardEstimate(sigs[a]!, sigs[b]!) >= 0.8) {
      verified++;
      if (high) verifiedTrue++;
      if (high && origin[a] === origin[b]) verifiedSameOriginTrue++;
    }
    if (origin[a] !== origin[b]) {
      crossOrigin++;
      if (high) crossOriginTrue++;
    }
  }

  // the stage's own chain (sorted band runs, candidate check at exact Jaccard >= 0.8, clustering): for
  // every pair of documents it puts in one cluster, is their true Jaccard >= 0.8; for every document it
  // drops, is it >= 0.8 with the one kept; recall over the same-origin pairs >= 0.8
  note('minhash_dedup stage chain...');
  const chain = async (verify: 'jaccard' | 'none') => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-bench-minhash-'));
    try {
      const g = minhashDedup.global!(minhashDedup.options.parse({ verify }));
      const c = g.collector(dir, 'all');
      texts.forEach((text, i) => c.add({ id: String(i), text, meta: {} }, i));
      await c.close();
      const counters = await g.reduce(dir, ['all'], silentLogger);
      const buf = fs.readFileSync(path.join(dir, 'all.clusters'));
      const rec = new Uint32Array(buf.buffer, buf.byteOffset, buf.length / 4);
      const root = new Int32Array(texts.length).map((_, i) => i);
      for (let i = 0; i < rec.length; i += 3) root[rec[i]!] = rec[i + 1]!;
      const members = new Map<number, number[]>();
      root.forEach((r, i) => members.set(r, [...(members.get(r) ?? []), i]));
      let pairs = 0;
      let pairsTrue = 0;
      let drops = 0;
      let dropsTrue = 0;
      for (const [r, m] of members) {
        if (m.length < 2) continue;
        for (let x = 0; x < m.length; x++) for (let y = x + 1; y < m.length; y++) {
          pairs++;
          if (jaccard(shingles[m[x]!]!, shingles[m[y]!]!) >= 0.8) pairsTrue++;
        }
        for (const d of m) if (d !== r) {
          drops++;
          if (jaccard(shingles[d]!, shingles[r]!) >= 0.8) dropsTrue++;
        }
      }
      let found = 0;
      let total = 0;
      for (let i = 0; i < docs.length; i++) {
        const group = [i, ...variants.map((_, k) => docs.length + variants.length * i + k)];
        for (let x = 0; x < group.length; x++) for (let y = x + 1; y < group.length; y++) {
          if (jaccard(shingles[group[x]!]!, shingles[group[y]!]!) < 0.8) continue;
          total++;
          if (root[group[x]!] === root[group[y]!]) found++;
        }
      }
      return {
        recall: round(found / total, 4),
        precision_cluster_pairs: round(pairsTrue / pairs, 4),
        precision_removals: round(dropsTrue / drops, 4),
        removed: drops,
        clusters: counters.clusters,
        candidate_pairs: counters.candidate_pairs,
        rejected_pairs: counters.rejected_pairs,
      };
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  };
  const stageChecked = await chain('jaccard');
  const stageUnchecked = await chain('none');

  printResult({
    bench: 'minhash',
    machine: machine(),
    code: codeRevision(),
    input: { set: 'shared/data/web-docs CC-MAIN-2019-30 file, documents >= 2,000 chars cut to ~2,000', docs: docs.length, mean_chars: round(mean(docs.map((d) => d.length)), 0), shingles_per_doc: round(mean(shingles.slice(0, docs.length).map((s) => s.length)), 0) },
    config: { shingle_words: 5, permutations: PERMS, bands, rows, hash: 'own murmur3-style 32-bit over UTF-16 code units; permutations mod 2^31-1 in exact float64' },
    throughput: {
      note: 'signatures per second of this process CPU time (one core), text normalization and shingling included; minhash@0.0.9 fed the same normalized 5-gram strings, one Minhash per document',
      ours: ours,
      ours_shingling_only: shinglingOnly,
      npm_minhash_0_0_9: npm,
      speedup: round(ours.docs_per_cpu_s / npm.docs_per_cpu_s, 1),
      target_docs_per_cpu_s: 5000,
    },
    jaccard_agreement: {
      pairs: sample.length,
      mean_abs_error_ours: round(mean(errOurs), 4),
      mean_abs_error_npm: round(mean(errNpm), 4),
      max_abs_error_ours: round(Math.max(...errOurs), 3),
      max_abs_error_npm: round(Math.max(...errNpm), 3),
      mean_abs_diff_ours_vs_npm: round(mean(diff), 4),
    },
    detection: {
      note: 'original vs edited copy (5/10/15% of words, scattered or in runs of 5 and 20): share found as LSH candidates per true-Jaccard bucket, beside the mean S-curve probability 1-(1-J^8)^14 of its pairs',
      copies: texts.length - docs.length,
      by_jaccard: [...buckets.entries()].sort((a, b) => a[0] - b[0]).map(([b, r]) => ({
        jaccard: `${(b / 10).toFixed(1)}-${((b + 1) / 10).toFixed(1)}`,
        pairs: r.pairs,
        found: round(r.found / r.pairs, 3),
        s_curve: round(r.predicted / r.pairs, 3),
      })),
      at_jaccard_0_8: {
        recall: round(trueFound / truePairs, 4),
        true_pairs: truePairs,
        precision: round(candidatesTrue / candidates.size, 4),
        candidate_pairs: candidates.size,
        cross_origin_candidates: crossOrigin,
        cross_origin_candidates_at_0_8: crossOriginTrue,
        candidates_by_jaccard: Object.fromEntries(candidateHistogram.map((c, b) => [`${(b / 10).toFixed(1)}-${((b + 1) / 10).toFixed(1)}`, c]).filter(([, c]) => c)),
      },
      at_jaccard_0_8_with_estimate_check: {
        note: 'candidates kept only when their signatures agree on >= 80% of the 112 values',
        recall: round(verifiedSameOriginTrue / truePairs, 4),
        precision: round(verifiedTrue / verified, 4),
        edges: verified,
      },
      stage_chain: {
        note: 'the minhash_dedup stage end to end on the same documents: precision over every pair put in one cluster and over every removal (true Jaccard >= 0.8 with the kept document), recall over same-origin pairs >= 0.8',
        checked_at_jaccard_0_8: stageChecked,
        unchecked_like_datatrove: stageUnchecked,
      },
    },
  });
}

if (isEntryPoint(import.meta.url)) runMain(main);
