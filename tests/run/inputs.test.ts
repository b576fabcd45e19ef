import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { listInputs } from '../../src/run/inputs.js';

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
});
