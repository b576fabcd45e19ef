// What a dedup stage does with a document it would remove: drop it with the reason, or in annotate
// mode keep it marked `meta.dedup_keep: false` and count `would_drop.<reason>`.
import type { Doc } from '../core/doc.js';
import type { StageContext } from '../core/stage.js';

/** the document to hand on (annotate mode), or undefined when it was dropped */
export function dropOrMark(doc: Doc, reason: string, annotate: boolean, ctx: StageContext): Doc | undefined {
  if (!annotate) {
    ctx.drop(doc, reason);
    return undefined;
  }
  ctx.stats.inc(`would_drop.${reason}`);
  return { ...doc, meta: { ...doc.meta, dedup_keep: false } };
}
