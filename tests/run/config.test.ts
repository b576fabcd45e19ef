import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import { parsePipeline, loadPipeline } from '../../src/run/config.js';
import { FatalError } from '../../src/core/errors.js';

function fails(yaml: string): FatalError {
  try {
    parsePipeline(yaml, 'p.yaml');
  } catch (e) {
    expect(e).toBeInstanceOf(FatalError);
    return e as FatalError;
  }
  throw new Error('expected the pipeline to be refused');
}

const base = `name: t\ninput:\n  paths: [data/sample/cc-sample.warc.gz]\n`;

describe('pipeline config', () => {
  it('loads the shipped pipelines', () => {
    // every YAML under pipelines/ is a curation pipeline but pretrain.yaml, a `curate train` config (tests/train)
    const files = fs.readdirSync('pipelines').filter((f) => f !== 'pretrain.yaml');
    expect(files).toEqual(expect.arrayContaining(['smoke.yaml', 'cc-shard.yaml', 'crawl.yaml']));
    for (const f of files) {
      const p = loadPipeline(`pipelines/${f}`);
      expect(p.stages.map((s) => s.name)).toContain('extract');
    }
    const smoke = loadPipeline('pipelines/smoke.yaml');
    expect(smoke.stages.find((s) => s.name === 'length')).toMatchObject({ options: { minWords: 50, maxWords: 100_000 } });
  });

  it('a typo in an option name is named with its path and a suggestion', () => {
    const e = fails(base + `stages:\n  - extract:\n      minTextChar: 5\n`);
    expect(e.field).toBe('stages[0].extract.minTextChar');
    expect(e.message).toBe("p.yaml: stages[0].extract.minTextChar: unknown option 'minTextChar' (did you mean 'minTextChars'?)");
  });

  it('an unknown stage is named with the known ones', () => {
    const e = fails(base + `stages:\n  - extract\n  - lenght\n`);
    expect(e.field).toBe('stages[1]');
    expect(e.message).toMatch(/stages\[1\]: unknown stage 'lenght' \(did you mean 'length'\?\); known stages: extract, langid, length/);
  });

  it('a mistyped value names the field', () => {
    const e = fails(base + `stages:\n  - length:\n      minWords: many\n`);
    expect(e.field).toBe('stages[0].length.minWords');
    expect(e.message).toMatch(/expected number/);
  });

  it('unknown top-level and output keys, and broken YAML, are refused', () => {
    expect(fails(base + `stagse: []\n`).message).toMatch(/stagse: unknown option 'stagse' \(did you mean 'stages'\?\)/);
    expect(fails(base + `output:\n  formats: [csv]\n`).field).toBe('output.formats[0]');
    expect(fails(base + `output:\n  maxFileByte: 5\n`).message).toMatch(/output\.maxFileByte: unknown option 'maxFileByte' \(did you mean 'maxFileBytes'\?\)/);
    expect(fails(`name: [unclosed\n`).message).toMatch(/not valid YAML/);
    expect(fails(`- a list\n`).message).toMatch(/a pipeline is a YAML mapping/);
  });
});
