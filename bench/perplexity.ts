// The perplexity stage's model (data/models/perplexity): speed on this CPU (docs/s, tokens/s) and whether
// it is useful, as the AUC of -perplexity for telling WikiText articles from Common Crawl pages, beside the
// fastText-style quality classifier's AUC on the same documents. Two splits: held-in (the WikiText articles
// the model trained on) and held-out (the articles src/perplexity/wikitext.ts keeps out of training; the
// quality classifier trained on all of WikiText-2 valid, so for it both are held-in).
// node dist/bench/perplexity.js [--docs N] [--max-tokens 512]
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { sharedScorer } from '../src/perplexity/scorer.js';
import { isHeldOut, wikitextArticles } from '../src/perplexity/wikitext.js';
import { auc } from '../src/classify/metrics.js';
import { sharedClassifier } from '../src/classify/model.js';
import { readCard } from '../src/classify/card.js';
import { defaultPerplexityModel } from '../stages/classify/perplexity.js';
import { defaultQualityModel } from '../stages/classify/quality.js';
import { REPO_ROOT, codeRevision, flag, machine, note, printResult, round, runMain } from './common.js';

/** documents of about a web page's length: WikiText articles cut into runs of paragraphs */
function wikiDocs(held: boolean, n: number): string[] {
  const out: string[] = [];
  for (const a of wikitextArticles(fs.readFileSync(path.join(REPO_ROOT, 'data', 'lm', 'wikitext-2-valid.txt'), 'utf8'))) {
    if (isHeldOut(a.title) !== held) continue;
    let cur = '';
    for (const p of a.text.split('\n\n')) {
      cur = cur ? `${cur}\n\n${p}` : p;
      if (cur.length >= 2000) {
        out.push(cur);
        cur = '';
      }
    }
  }
  return out.slice(0, n);
}

async function main(): Promise<void> {
  const n = Number(flag('docs') ?? 300);
  const maxTokens = Number(flag('max-tokens') ?? 512);
  const web = zlib
    .gunzipSync(fs.readFileSync(path.join(REPO_ROOT, 'data', 'classifier-train', 'cc-main-2019-30-web-docs.jsonl.gz')))
    .toString('utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => (JSON.parse(l) as { text: string }).text)
    .filter((t) => t.length >= 500)
    .slice(0, n);
  const heldOut = wikiDocs(true, n);
  const heldIn = wikiDocs(false, n);
  note(`perplexity: ${web.length} web pages, ${heldOut.length} held-out and ${heldIn.length} held-in WikiText documents`);

  const scorer = await sharedScorer(defaultPerplexityModel());
  const opts = { maxTokens, windowBatch: 16 };
  const timedScore = (texts: string[]) => {
    const t0 = performance.now();
    const tokens0 = scorer.tokensScored;
    const out: number[] = [];
    for (let i = 0; i < texts.length; i += 32) for (const s of scorer.score(texts.slice(i, i + 32), opts)) out.push(s.perplexity ?? Infinity);
    return { ppl: out, seconds: (performance.now() - t0) / 1000, tokens: scorer.tokensScored - tokens0 };
  };
  scorer.score(web.slice(0, 4), opts); // warm-up
  const w = timedScore(web);
  const o = timedScore(heldOut);
  const i = timedScore(heldIn);
  const seconds = w.seconds + o.seconds + i.seconds;
  const docs = web.length + heldOut.length + heldIn.length;
  const tokens = w.tokens + o.tokens + i.tokens;

  const aucOf = (pos: number[], neg: number[]) => auc([...pos, ...neg].map((p) => -p), [...pos.map(() => true), ...neg.map(() => false)]);
  const classifier = await sharedClassifier(defaultQualityModel());
  const card = readCard(defaultQualityModel());
  const label = card.labels.indexOf(card.positive_label!);
  const q = async (texts: string[]) => (await classifier.predict(texts)).map((p) => p[label]!);
  const [qw, qo, qi] = [await q(web), await q(heldOut), await q(heldIn)];
  const aucQ = (pos: number[], neg: number[]) => auc([...pos, ...neg], [...pos.map(() => true), ...neg.map(() => false)]);
  const med = (xs: number[]) => round([...xs].sort((a, b) => a - b)[xs.length >> 1]!, 1);
  printResult({
    bench: 'perplexity',
    machine: machine(),
    code: codeRevision(),
    model: { dir: path.relative(REPO_ROOT, scorer.dir), parameters: scorer.parameters, context: scorer.context, step: scorer.step },
    backend: scorer.backend,
    max_tokens: maxTokens,
    speed: { docs, tokens, seconds: round(seconds, 2), docs_per_s: round(docs / seconds, 1), tokens_per_s: Math.round(tokens / seconds) },
    median_perplexity: { web: med(w.ppl), wikitext_held_out: med(o.ppl), wikitext_held_in: med(i.ppl) },
    auc_minus_perplexity: { held_out_vs_web: round(aucOf(o.ppl, w.ppl) ?? NaN, 4), held_in_vs_web: round(aucOf(i.ppl, w.ppl) ?? NaN, 4) },
    auc_quality_classifier: { held_out_vs_web: round(aucQ(qo, qw) ?? NaN, 4), held_in_vs_web: round(aucQ(qi, qw) ?? NaN, 4), note: 'the classifier trained on all of WikiText-2 valid: both splits are held-in for it' },
  });
}

runMain(main);
