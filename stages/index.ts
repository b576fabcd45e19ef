// The stage registry: the name a pipeline YAML (or `curate stage <name>`) uses -> its definition.
import type { StageDefinition } from '../src/core/stage.js';
import { extract } from './extract/extract.js';
import { length } from './filter/length.js';
import { langid } from './langid/langid.js';

export const STAGES: Record<string, StageDefinition> = {
  extract,
  langid,
  length,
};
