// PII scrubbing stage: replaces emails, phone numbers, IPs, card numbers, US SSNs, IBANs and secrets with typed
// placeholders (DataTrove's PIIFormatter, widened); per-document counts go to meta.pii, totals to `found.<type>`.
import { z } from 'zod';
import { defineMapper } from '../../src/core/stage.js';
import { DEFAULT_REPLACEMENTS, PII_TYPES, scrubPii, type PiiType, type ScrubOptions } from '../../src/pii/scrub.js';

const piiType = z.enum(PII_TYPES);

const options = z
  .object({
    /** the types to scrub; default all */
    types: z.array(piiType).min(1).default([...PII_TYPES]),
    /** placeholder per type, e.g. {email: "[email]"}; unnamed types keep the default (<EMAIL>, <PHONE>...) */
    replacements: z.partialRecord(piiType, z.string()).default({}),
    /** replace only publicly routable IPs (DataTrove's only_remove_public_ips); private, loopback and documentation addresses stay */
    publicIpsOnly: z.boolean().default(false),
  })
  .strict();

export const pii = defineMapper({
  name: 'pii',
  kind: 'pii',
  description: 'replace emails, phones, IPs, card numbers, US SSNs, IBANs and secrets with typed placeholders',
  options,
  setup(opts): ScrubOptions {
    return {
      types: new Set<PiiType>(opts.types),
      replacements: { ...DEFAULT_REPLACEMENTS, ...opts.replacements },
      publicIpsOnly: opts.publicIpsOnly,
    };
  },
  map(doc, _opts, ctx, scrub) {
    const result = scrubPii(doc.text, scrub);
    const types = Object.keys(result.counts) as PiiType[];
    if (types.length === 0) return doc;
    for (const type of types) ctx.stats.inc(`found.${type}`, result.counts[type]);
    for (const m of result.replaced) if (m.subtype) ctx.stats.inc(`secret_kind.${m.subtype}`);
    ctx.stats.inc('docs_with_pii');
    doc.text = result.text;
    doc.meta.pii = result.counts;
    return doc;
  },
});
