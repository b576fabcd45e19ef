// Builds a labeled JSONL {"text","label"} for the domain classifier from documents whose URL rules give
// a label (src/domain/url-rules.ts): the text the `domain` stage's fallback will see, labeled by the URL,
// for `curate classifier train --data <jsonl>`. Prints the label counts as one JSON line.
//
//   node dist/bench/domain-training-set.js [--out bench/data/domain-train.jsonl] [--inputs dir,file,...] [--minWords 50]
import fs from 'node:fs';
import path from 'node:path';
import { BENCH_DATA_DIR, REPO_ROOT, SHARED_DATA_DIR, flag, note, printResult } from './common.js';
import { Counters } from '../src/core/stats.js';
import { readDocs } from '../src/io/readers.js';
import { listInputs } from '../src/run/inputs.js';
import { extractHtml } from '../src/extract/extract.js';
import { UrlClassifier, OTHER } from '../src/domain/url-rules.js';
import { hash32 } from '../src/text/hash.js';

// pywb's WARCs come from a GPL-3.0 repository (tests only, see ../shared/data/README.md): not used here
const DEFAULT_INPUTS = [
  path.join(SHARED_DATA_DIR, 'web-docs'),
  path.join(REPO_ROOT, 'data', 'sample'),
  path.join(SHARED_DATA_DIR, 'warc', 'dolma'),
  path.join(SHARED_DATA_DIR, 'warc', 'resiliparse'),
  path.join(SHARED_DATA_DIR, 'warc', 'whirlwind'),
];

async function main(): Promise<void> {
  const out = flag('out') ?? path.join(BENCH_DATA_DIR, 'domain-train.jsonl');
  const inputs = (flag('inputs')?.split(',') ?? DEFAULT_INPUTS).filter((p) => fs.existsSync(p));
  const minWords = Number(flag('minWords') ?? 50);
  const maxChars = Number(flag('maxChars') ?? 20_000);
  const rules = UrlClassifier.withRules();
  const labels = new Counters();
  const skipped = new Counters();
  const perFile: Record<string, number> = {};
  const seen = new Set<string>();
  let docs = 0;
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.tmp`;
  const fd = fs.openSync(tmp, 'w');
  for (const input of listInputs(inputs)) {
    let kept = 0;
    const stats = new Counters();
    for await (const doc of readDocs(input.format, input.file, { maxRecordBytes: 16 * 1024 * 1024 }, { stats, recordError: () => skipped.inc('bad_record') })) {
      docs++;
      const url = typeof doc.meta.url === 'string' ? doc.meta.url : undefined;
      const label = rules.classify(url).label;
      if (label === OTHER) {
        skipped.inc(url ? 'no_label' : 'no_url');
        continue;
      }
      let text = doc.text;
      if (!text && doc.html) {
        try {
          text = extractHtml(doc.html).text;
        } catch {
          skipped.inc('extract_failed');
          continue;
        }
      }
      text = text.trim().slice(0, maxChars);
      if (text.split(/\s+/).filter(Boolean).length < minWords) {
        skipped.inc('too_short');
        continue;
      }
      const key = `${hash32(text)}:${hash32(text, 1)}`;
      if (seen.has(key)) {
        skipped.inc('duplicate');
        continue;
      }
      seen.add(key);
      fs.writeSync(fd, JSON.stringify({ text, label }) + '\n');
      labels.inc(label);
      kept++;
    }
    perFile[path.relative(REPO_ROOT, input.file)] = kept;
    note(`${input.file}: ${kept} labeled`);
  }
  fs.closeSync(fd);
  fs.renameSync(tmp, out);
  printResult({ benchmark: 'domain-training-set', out: path.relative(REPO_ROOT, out), docs_read: docs, labeled: labels.toJSON(), labeled_total: Object.values(labels.values).reduce((a, b) => a + b, 0), skipped: skipped.toJSON(), per_file: perFile, min_words: minWords });
}

main().catch((e: unknown) => {
  process.stderr.write(`${(e as Error).stack ?? String(e)}\n`);
  process.exitCode = 1;
});
