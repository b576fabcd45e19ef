// Running a global stage (dedup) on one stream, for `curate stage <name>`: the documents are
// spooled to a temp JSONL while the collector sees them, the reduce runs, then the filter reads
// the spool back. Memory stays that of the stage's own files, as in a pipeline.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import type { Doc } from './doc.js';
import type { z } from 'zod';
import type { GlobalStage, StageContext, StageDefinition, StageKind } from './stage.js';
import { docFromJson, docToJson } from '../io/jsonl.js';

export async function* runGlobalOnStream(g: GlobalStage, input: AsyncIterable<Doc>, ctx: StageContext): AsyncGenerator<Doc> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `curate-${ctx.stage}-`));
  const spool = path.join(dir, 'docs.jsonl');
  const out = fs.createWriteStream(spool);
  // a collector that throws leaves the spool half written: the error is the collector's, not the stream's
  let spoolError: Error | undefined;
  out.on('error', (e) => (spoolError = e));
  try {
    const collector = g.collector(dir, 'stream');
    let index = 0;
    for await (const doc of input) {
      collector.add(doc, index++);
      if (!out.write(docToJson(doc) + '\n')) await new Promise<void>((r) => out.once('drain', () => r()));
    }
    await collector.close();
    await new Promise<void>((resolve, reject) => out.end((e?: Error | null) => (e ? reject(e) : resolve())));
    const counters = await g.reduce(dir, ['stream'], ctx.log);
    for (const [k, v] of Object.entries(counters)) ctx.stats.inc(`reduce.${k}`, v);
    const spooled = (async function* (): AsyncGenerator<Doc> {
      let n = 0;
      for await (const line of readline.createInterface({ input: fs.createReadStream(spool), crlfDelay: Infinity })) {
        const doc = docFromJson(line, `stream:${n++}`, {});
        if (!(doc instanceof Error)) yield doc;
      }
    })();
    yield* g.filter(dir, 'stream').run(spooled, ctx);
  } finally {
    out.destroy();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  if (spoolError) throw spoolError;
}

/**
 * The definition of a global stage: in a pipeline the runner splits the passes at it (`global`); alone
 * (`curate stage <name>`) it runs on one stream through runGlobalOnStream.
 */
export function globalStageDefinition<S extends z.ZodType>(d: { name: string; kind: StageKind; description: string; options: S; global: (o: z.output<S>) => GlobalStage }): StageDefinition<S> {
  return {
    ...d,
    create(o) {
      const g = d.global(o);
      return { name: d.name, run: (input, ctx) => runGlobalOnStream(g, input, ctx) };
    },
  };
}
