// The options of the `mix` stage, validated once when the pipeline loads: either `targets` (token
// proportions per domain, summing to 1) or `epochs` (a multiplier per domain, as the Llama and Dolma
// mixes state theirs). A wrong field is named: `stages[3].mix.targets: proportions sum to 0.9, not 1`.
import { z } from 'zod';

const name = z.string().min(1);

export const mixOptions = z
  .object({
    /** what a document is weighed by: `domain` (meta.domain, from the domain stage), `source` (Dolma's
     *  source, else the input file's name without extensions), or any other meta field */
    by: z.string().min(1).default('domain'),
    /** token proportions of the output per domain, summing to 1; a domain given 0 is dropped */
    targets: z.record(name, z.number().min(0).max(1)).optional(),
    /** per-domain multipliers: 2 repeats every document twice, 0.5 keeps half (seeded) */
    epochs: z.record(name, z.number().min(0)).optional(),
    /** targets only: tokens of the targeted domains in the output (default: the most reachable with no domain repeated beyond maxRepeat) */
    totalTokens: z.number().positive().optional(),
    /** targets only: the most times a domain's documents may be repeated (1: downsample only) */
    maxRepeat: z.number().positive().optional(),
    /** domains a mix does not name: dropped (the default with targets) or kept whole (the default with epochs) */
    others: z.enum(['drop', 'keep']).optional(),
    /** how tokens are counted: GPT-2 tokens (exact, slower) or whitespace words (a cheap estimate) */
    tokens: z.enum(['gpt2', 'words']).default('gpt2'),
    /** the seed of the per-document draws: the same input and seed give the same output */
    seed: z.number().int().default(0),
  })
  .strict()
  .superRefine((o, ctx) => {
    if (o.targets === undefined && o.epochs === undefined) {
      ctx.addIssue({ code: 'custom', path: [], message: 'a mix needs targets (token proportions per domain) or epochs (a multiplier per domain)' });
      return;
    }
    if (o.targets !== undefined && o.epochs !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['epochs'], message: 'give targets or epochs, not both' });
      return;
    }
    if (o.targets !== undefined) {
      const values = Object.values(o.targets);
      if (!values.length) ctx.addIssue({ code: 'custom', path: ['targets'], message: 'names no domain' });
      const sum = values.reduce((a, b) => a + b, 0);
      if (values.length && Math.abs(sum - 1) > 1e-6) ctx.addIssue({ code: 'custom', path: ['targets'], message: `proportions sum to ${Math.round(sum * 1e6) / 1e6}, not 1` });
    } else {
      if (!Object.keys(o.epochs!).length) ctx.addIssue({ code: 'custom', path: ['epochs'], message: 'names no domain' });
      for (const field of ['totalTokens', 'maxRepeat'] as const) {
        if (o[field] !== undefined) ctx.addIssue({ code: 'custom', path: [field], message: 'only with targets (epochs fix each rate directly)' });
      }
    }
  });

export type MixOptions = z.output<typeof mixOptions>;
