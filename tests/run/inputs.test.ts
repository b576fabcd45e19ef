import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listInputs, loadInputs, resolveInputs } from '../../src/run/inputs.js';

describe('listing inputs', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-inputs-'));
  for (const f of ['a.jsonl', 'b.warc.gz', 'c.parquet', 'notes.md']) fs.writeFileSync(path.join(dir, f), 'x');

  it('takes @list files of paths (relative to the list), sorted and numbered as tasks', () => {
    const list = path.join(dir, 'inputs.txt');
    fs.writeFileSync(list, '# the shard list\nb.warc.gz\n\na.jsonl\n');
    const inputs = listInputs([`@${list}`]);
    expect(inputs.map((i) => [i.task, i.format])).toEqual([
      ['00000-a.jsonl', 'jsonl'],
      ['00001-b.warc.gz', 'warc'],
    ]);
  });

  it('names a missing list or file', () => {
    expect(() => listInputs([`@${path.join(dir, 'nope.txt')}`])).toThrow(/the list .*nope\.txt cannot be read/);
    const list = path.join(dir, 'broken.txt');
    fs.writeFileSync(list, 'gone.jsonl\n');
    expect(() => listInputs([`@${list}`])).toThrow(/gone\.jsonl does not exist/);
  });

  it('--shard and --limit on local files: every process sees the part the run took, until a run takes all', async () => {
    const runDir = path.join(dir, 'run');
    const spec = { paths: [dir], baseUrl: 'https://data.commoncrawl.org/' };
    const part = await resolveInputs({ ...spec, shard: '1/3' }, runDir);
    expect(part.map((i) => i.task)).toEqual(['00001-b.warc.gz']);
    // a worker process knows only the paths: it finds the part in the run dir
    expect(loadInputs([dir], undefined, runDir).map((i) => i.task)).toEqual(['00001-b.warc.gz']);
    expect((await resolveInputs({ ...spec, limit: 2 }, runDir)).map((i) => i.task)).toEqual(['00000-a.jsonl', '00001-b.warc.gz']);
    // the whole list again: no part kept stands for it
    expect((await resolveInputs(spec, runDir)).length).toBe(3);
    expect(loadInputs([dir], undefined, runDir).length).toBe(3);
  });
});
