// The stage registry: the name a pipeline YAML (or `curate stage <name>`) uses -> its definition.
import type { StageDefinition } from '../src/core/stage.js';
import { extract } from './extract/extract.js';
import { length } from './filter/length.js';
import { c4 } from './filter/c4.js';
import { c4Badwords } from './filter/c4-badwords.js';
import { finewebQuality } from './filter/fineweb-quality.js';
import { gopherQuality } from './filter/gopher-quality.js';
import { gopherRepetition } from './filter/gopher-repetition.js';
import { urlFilter } from './filter/url-filter.js';
import { decontaminate } from './filter/decontaminate.js';
import { langid } from './langid/langid.js';
import { pii } from './pii/pii.js';
import { exactDedup } from './dedup/exact-dedup.js';
import { minhashDedup } from './dedup/minhash-dedup.js';
import { lineDedup } from './dedup/line-dedup.js';
import { domain } from './classify/domain.js';
import { quality, qualityTop } from './classify/quality.js';
import { perplexity, perplexityBucket } from './classify/perplexity.js';
import { mix } from './mix/mix.js';
import { tokenize } from './tokenize/tokenize.js';

export const STAGES: Record<string, StageDefinition> = {
  extract,
  langid,
  length,
  gopher_quality: gopherQuality,
  gopher_repetition: gopherRepetition,
  c4,
  c4_badwords: c4Badwords,
  fineweb_quality: finewebQuality,
  url_filter: urlFilter,
  decontaminate,
  pii,
  exact_dedup: exactDedup,
  minhash_dedup: minhashDedup,
  line_dedup: lineDedup,
  quality,
  quality_top: qualityTop,
  perplexity,
  perplexity_bucket: perplexityBucket,
  domain,
  mix,
  tokenize,
};
