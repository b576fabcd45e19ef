// Article extraction on the article-extraction-benchmark (issue 17's held-out set: 181 news and blog
// articles, scrapinghub/article-extraction-benchmark), scored as its evaluate.py scores it. The pages are not
// shipped (they are that repository's); give a checkout of it, or any folder of its layout:
//   node dist/bench/eval-article-benchmark.js DIR [--extractors curate,readability-linkedom]
//     [--output DIR/output] (write <extractor>.json predictions there, for the benchmark's own evaluate.py)
//     [--bootstrap N] (resamples for the ± figures, default 1000; 0: none)
// Prints one JSON line: per extractor precision, recall, F1 (with ±), pages/s, empty outputs.
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { extractHtml, readabilityText } from '../src/extract/extract.js';
import { BOOTSTRAP_SAMPLES, benchmarkPages, scoreBenchmark, writePredictions, type BenchmarkPage } from '../src/eval/article-benchmark.js';
import { flag, machine, note, printResult, round, runMain } from './common.js';

const EXTRACTORS: Record<string, (html: string) => string> = {
  curate: (html) => extractHtml(html).text,
  'readability-linkedom': (html) => readabilityText(html)?.text ?? '',
};

function parseOptions() {
  // the one argument that is neither a flag nor the value after a `--name` flag (`--name=value` holds its own)
  const isFlagWithValueNext = (a: string | undefined) => a !== undefined && a.startsWith('--') && !a.includes('=');
  const dir = process.argv.slice(2).find((a, i, all) => !a.startsWith('--') && !isFlagWithValueNext(all[i - 1]));
  if (!dir) throw new Error('usage: eval-article-benchmark DIR [--extractors a,b] [--output DIR] [--bootstrap N]: DIR holds ground-truth.json and html/<id>.html.gz');
  const extractors = (flag('extractors') ?? 'curate').split(',').map((s) => s.trim());
  for (const e of extractors) if (!EXTRACTORS[e]) throw new Error(`--extractors: unknown '${e}' (known: ${Object.keys(EXTRACTORS).join(', ')})`);
  const bootstrap = Number(flag('bootstrap') ?? BOOTSTRAP_SAMPLES);
  if (!(bootstrap >= 0)) throw new Error(`--bootstrap: expected a number, got '${flag('bootstrap')}'`);
  return { dir: path.resolve(dir), extractors, output: flag('output'), bootstrap };
}

async function main(): Promise<void> {
  const opts = parseOptions();
  const pages: BenchmarkPage[] = [...benchmarkPages(opts.dir)];
  note(`${opts.dir}: ${pages.length} pages`);
  const results: Record<string, object> = {};
  for (const name of opts.extractors) {
    const extract = EXTRACTORS[name]!;
    const predictions = new Map<string, string>();
    let seconds = 0;
    let errors = 0;
    for (const page of pages) {
      const started = performance.now();
      try {
        predictions.set(page.id, extract(page.html));
      } catch {
        errors++;
        predictions.set(page.id, '');
      }
      seconds += (performance.now() - started) / 1000;
    }
    const score = scoreBenchmark(pages, predictions, opts.bootstrap);
    if (opts.output) writePredictions(path.join(opts.output, `${name}.json`), pages, predictions);
    const empty = [...predictions.values()].filter((t) => !t.trim()).length;
    note(`${name.padEnd(22)} precision=${score.precision.toFixed(3)}${score.ci ? ` ± ${score.ci.precision.toFixed(3)}` : ''}  recall=${score.recall.toFixed(3)}${score.ci ? ` ± ${score.ci.recall.toFixed(3)}` : ''}  F1=${score.f1.toFixed(3)}${score.ci ? ` ± ${score.ci.f1.toFixed(3)}` : ''}  ${round(pages.length / seconds, 1)} pages/s`);
    results[name] = {
      precision: round(score.precision, 3),
      recall: round(score.recall, 3),
      f1: round(score.f1, 3),
      ci: score.ci && { precision: round(score.ci.precision, 3), recall: round(score.ci.recall, 3), f1: round(score.ci.f1, 3) },
      pages_per_s: round(pages.length / seconds, 1),
      empty,
      errors,
    };
  }
  printResult({ bench: 'eval-article-benchmark', machine: machine(), dir: opts.dir, pages: pages.length, extractors: results });
}

runMain(main);
