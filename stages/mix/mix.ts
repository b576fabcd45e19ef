// Mixture weighting: resample the corpus so each domain (meta.domain, the input source, or another meta
// field) reaches a token proportion (`targets`) or a multiplier (`epochs`), as pretraining mixes do
// (Llama, Dolma). A global stage: pass 1 records each document's domain and token count, one reduce
// turns the totals into a rate per domain (mix-report.json in the stage dir), pass 2 emits each
// document floor(rate) times plus once more with probability frac(rate), drawn from a seeded hash of its id.
import fs from 'node:fs';
import path from 'node:path';
import type { Doc } from '../../src/core/doc.js';
import type { GlobalStage, StageDefinition } from '../../src/core/stage.js';
import { runGlobalOnStream } from '../../src/core/global.js';
import { writeFileAtomic } from '../../src/io/atomic.js';
import { mixOptions, type MixOptions } from '../../src/mix/options.js';
import { MIX_REPORT, copiesFor, countTokens, groupOf, planMix, type DomainTotals, type MixPlan } from '../../src/mix/plan.js';

/** what a task collected: its domains by first appearance, and per document (domain index, tokens) */
interface TaskCollection {
  domains: string[];
  docs: number;
  totals: Record<string, DomainTotals>;
}

const collectionFile = (dir: string, task: string) => path.join(dir, `${task}.json`);
const recordsFile = (dir: string, task: string) => path.join(dir, `${task}.docs`);

/** a uint32 array that grows (two per document: domain index, tokens) */
class U32List {
  private data = new Uint32Array(1024);
  length = 0;
  push(a: number, b: number): void {
    if (this.length + 2 > this.data.length) {
      const grown = new Uint32Array(this.data.length * 2);
      grown.set(this.data);
      this.data = grown;
    }
    this.data[this.length++] = a;
    this.data[this.length++] = b;
  }
  set(at: number, v: number): void {
    this.data[at] = v;
  }
  bytes(): Uint8Array {
    return new Uint8Array(this.data.buffer, 0, this.length * 4);
  }
}

function mixGlobal(o: MixOptions): GlobalStage {
  return {
    collector(dir, task) {
      const domains: string[] = [];
      const indexOf = new Map<string, number>();
      const records = new U32List();
      // GPT-2 counting is asynchronous (the encoding loads on first use); counts land in their slot
      // when ready and close() waits for the last
      let pending = 0;
      let failure: unknown;
      let settled: (() => void) | undefined;
      return {
        add(doc: Doc, index: number) {
          const domain = groupOf(doc, o.by);
          let di = indexOf.get(domain);
          if (di === undefined) {
            di = domains.length;
            domains.push(domain);
            indexOf.set(domain, di);
          }
          if (records.length !== index * 2) throw new Error(`mix: collector of ${task} got document ${index} after ${records.length / 2}`);
          const slot = records.length + 1;
          const counted = countTokens(doc.text, o.tokens);
          records.push(di, typeof counted === 'number' ? counted : 0);
          if (typeof counted !== 'number') {
            pending++;
            counted.then(
              (n) => records.set(slot, n),
              (e: unknown) => (failure ??= e),
            ).finally(() => {
              if (--pending === 0) settled?.();
            });
          }
        },
        async close() {
          if (pending > 0) await new Promise<void>((resolve) => (settled = resolve));
          if (failure) throw failure;
          const view = new Uint32Array(records.bytes().buffer, 0, records.length);
          const totals: Record<string, DomainTotals> = {};
          for (const d of domains) totals[d] = { docs: 0, tokens: 0 };
          for (let i = 0; i < records.length; i += 2) {
            const t = totals[domains[view[i]!]!]!;
            t.docs++;
            t.tokens += view[i + 1]!;
          }
          fs.mkdirSync(dir, { recursive: true });
          writeFileAtomic(recordsFile(dir, task), records.bytes());
          const collection: TaskCollection = { domains, docs: records.length / 2, totals };
          writeFileAtomic(collectionFile(dir, task), JSON.stringify(collection));
        },
      };
    },
    async reduce(dir, tasks, log) {
      const totals = new Map<string, DomainTotals>();
      let docs = 0;
      for (const task of tasks) {
        const file = collectionFile(dir, task);
        if (!fs.existsSync(file)) continue; // a task with no input documents
        const c = JSON.parse(fs.readFileSync(file, 'utf8')) as TaskCollection;
        docs += c.docs;
        for (const [d, t] of Object.entries(c.totals)) {
          const sum = totals.get(d) ?? { docs: 0, tokens: 0 };
          sum.docs += t.docs;
          sum.tokens += t.tokens;
          totals.set(d, sum);
        }
      }
      const plan = planMix(totals, o, (msg) => log.warn(`mix: ${msg}`));
      writeFileAtomic(path.join(dir, MIX_REPORT), JSON.stringify(plan, null, 2));
      log.info(`mix: ${plan.domains.map((d) => `${d.domain} x${d.rate.toFixed(3)}`).join(', ')}`);
      return {
        docs,
        tokens_in: plan.tokens_in,
        expected_tokens_out: Math.round(plan.expected_tokens_out),
        domains: plan.domains.length,
        missing_domains: plan.missing_domains.length,
      };
    },
    filter(dir, task) {
      return {
        name: 'mix',
        async *run(input, ctx) {
          const planFile = path.join(dir, MIX_REPORT);
          if (!fs.existsSync(planFile)) throw new Error(`mix: ${planFile} is missing: the reduce step did not run`);
          const plan = JSON.parse(fs.readFileSync(planFile, 'utf8')) as MixPlan;
          const rates = new Map(plan.domains.map((d) => [d.domain, d.rate]));
          const collection: TaskCollection = fs.existsSync(collectionFile(dir, task))
            ? (JSON.parse(fs.readFileSync(collectionFile(dir, task), 'utf8')) as TaskCollection)
            : { domains: [], docs: 0, totals: {} };
          const raw = collection.docs ? fs.readFileSync(recordsFile(dir, task)) : Buffer.alloc(0);
          const records = new Uint32Array(raw.buffer.slice(raw.byteOffset, raw.byteOffset + raw.length)); // aligned copy
          let index = 0;
          for await (const doc of input) {
            if (index >= collection.docs) throw new Error(`mix: task ${task} has more documents than its collector saw (${collection.docs}); rerun with --force`);
            const domain = collection.domains[records[2 * index]!]!;
            const tokens = records[2 * index + 1]!;
            index++;
            const copies = copiesFor(rates.get(domain) ?? 0, doc.id, plan.seed);
            ctx.stats.inc(`tokens_in.${domain}`, tokens);
            if (copies === 0) {
              ctx.drop(doc, 'mix_downsampled');
              continue;
            }
            ctx.stats.inc(`tokens_out.${domain}`, tokens * copies);
            ctx.stats.inc(`docs_out.${domain}`, copies);
            yield doc;
            for (let k = 1; k < copies; k++) {
              ctx.stats.inc('added');
              yield { ...doc, id: `${doc.id}#rep${k}`, meta: { ...doc.meta, mix_repeat: k } };
            }
          }
        },
      };
    },
  };
}

export const mix: StageDefinition<typeof mixOptions> = {
  name: 'mix',
  kind: 'mix',
  description: 'resample to token proportions (targets) or multipliers (epochs) per domain or source, seeded; repeats get ids <id>#rep<k>',
  options: mixOptions,
  create(o) {
    return { name: 'mix', run: (input, ctx) => runGlobalOnStream(mixGlobal(o), input, ctx) };
  },
  global: mixGlobal,
};
