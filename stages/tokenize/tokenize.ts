// Token counts per document: `meta.tokens` with GPT-2's encoding or a BPE trained by `curate bpe train`,
// and with keepIds the ids themselves (`meta.token_ids`) for a packer downstream. Drops nothing.
// The count is of the text alone: the <|endoftext|> that packing adds per document is not in it.
import fs from 'node:fs';
import { z } from 'zod';
import { defineMapper } from '../../src/core/stage.js';
import { loadTokenizer, type Tokenizer } from '../../src/tokenize/tokenizer.js';

const options = z
  .object({
    /** 'gpt2' (gpt-tokenizer's r50k) or the path of a BPE tokenizer.json */
    tokenizer: z.string().default('gpt2').refine((s) => s === 'gpt2' || fs.existsSync(s), { message: "must be 'gpt2' or the path of an existing tokenizer JSON file" }),
    /** also keep the ids in meta.token_ids (large: about 4 bytes of JSON per token in the Parquet meta column) */
    keepIds: z.boolean().default(false),
  })
  .strict();

export const tokenize = defineMapper({
  name: 'tokenize',
  kind: 'tokenize',
  description: 'meta.tokens: the token count with GPT-2 or a trained BPE (keepIds: meta.token_ids too); drops nothing',
  options,
  setup: () => ({ tokenizer: undefined as Promise<Tokenizer> | undefined }),
  async map(doc, o, ctx, state) {
    state.tokenizer ??= loadTokenizer(o.tokenizer);
    const tok = await state.tokenizer;
    const ids = tok.encode(doc.text);
    doc.meta.tokens = ids.length;
    if (o.keepIds) doc.meta.token_ids = Array.from(ids);
    ctx.stats.inc('tokens', ids.length);
    return doc;
  },
});
