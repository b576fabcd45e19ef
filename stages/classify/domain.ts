// Domain classification: meta.domain (encyclopedia, code, qa, news, forum, academic, ...) from URL rules
// (src/domain/url-rules.ts), and for documents whose URL says nothing, optionally from the multi-class
// text classifier. Drops nothing; the mix stage weighs the corpus by this label.
import { z } from 'zod';
import type { Doc } from '../../src/core/doc.js';
import type { Stage, StageContext, StageDefinition } from '../../src/core/stage.js';
import { OTHER, UrlClassifier, UrlRuleSchema } from '../../src/domain/url-rules.js';
import { loadDomainClassifier, topLabel, type Classifier } from '../../src/domain/classifier.js';

const options = z
  .object({
    /** rules tried before the built-in ones (data/domains/url-rules.json): {label, hosts?, paths?} */
    rules: z.array(UrlRuleSchema).default([]),
    /** false: only the pipeline's own rules */
    builtinRules: z.boolean().default(true),
    /** a classifier directory (`curate classifier train`): labels documents the URL rules leave as `other` */
    model: z.string().min(1).optional(),
    /** a model label below this probability leaves the document `other` */
    minConfidence: z.number().min(0).max(1).default(0.5),
    /** documents per classifier call */
    batchSize: z.number().int().positive().default(64),
    /** characters of each document the classifier reads */
    maxChars: z.number().int().positive().default(4000),
  })
  .strict();
export type DomainOptions = z.output<typeof options>;

type Source = 'url' | 'model' | 'none';

function label(doc: Doc, domain: string, source: Source, ctx: StageContext, score?: number): void {
  doc.meta.domain = domain;
  doc.meta.domain_source = source;
  if (score !== undefined) doc.meta.domain_score = Math.round(score * 10000) / 10000;
  else delete doc.meta.domain_score;
  ctx.stats.inc(`domain.${domain}`);
  ctx.stats.inc(`source.${source}`);
}

/** the stage, with the classifier loader a test may replace */
export function createDomainStage(o: DomainOptions, load: (dir: string) => Promise<Classifier> = loadDomainClassifier): Stage {
  const urls = UrlClassifier.withRules(o.rules, o.builtinRules);
  return {
    name: 'domain',
    async *run(input, ctx) {
      const model = o.model;
      if (model === undefined) {
        for await (const doc of input) {
          const v = urls.classify(typeof doc.meta.url === 'string' ? doc.meta.url : undefined);
          label(doc, v.label, v.label === OTHER ? 'none' : 'url', ctx);
          yield doc;
        }
        return;
      }
      // Documents wait in order behind those the classifier must see; the classifier is loaded on first need.
      let classifier: Classifier | undefined;
      const queue: Array<{ doc: Doc; ask: boolean }> = [];
      let asking = 0;
      const maxQueued = o.batchSize * 16;
      const flush = async () => {
        const ask = queue.filter((q) => q.ask).map((q) => q.doc);
        if (ask.length) {
          classifier ??= await load(model);
          for (let at = 0; at < ask.length; at += o.batchSize) {
            const part = ask.slice(at, at + o.batchSize);
            const probs = await classifier.predict(part.map((d) => d.text.slice(0, o.maxChars)));
            part.forEach((doc, i) => {
              const top = topLabel(classifier!.labels, probs[i]!);
              if (top.score >= o.minConfidence) label(doc, top.label, 'model', ctx, top.score);
              else label(doc, OTHER, 'none', ctx);
            });
          }
        }
        const out = queue.map((q) => q.doc);
        queue.length = 0;
        asking = 0;
        return out;
      };
      try {
        for await (const doc of input) {
          const v = urls.classify(typeof doc.meta.url === 'string' ? doc.meta.url : undefined);
          if (v.label !== OTHER) label(doc, v.label, 'url', ctx);
          else if (!doc.text.trim()) label(doc, OTHER, 'none', ctx);
          else {
            queue.push({ doc, ask: true });
            asking++;
            if (asking >= o.batchSize) yield* await flush();
            continue;
          }
          if (!queue.length) yield doc;
          else {
            queue.push({ doc, ask: false });
            if (queue.length >= maxQueued) yield* await flush();
          }
        }
        yield* await flush();
      } finally {
        classifier?.dispose();
      }
    },
  };
}

export const domain: StageDefinition<typeof options> = {
  name: 'domain',
  kind: 'classify',
  description: 'meta.domain (encyclopedia, code, qa, news, forum, academic, ...) from URL rules, else optionally from a text classifier; drops nothing',
  options,
  create: (o) => createDomainStage(o),
};
