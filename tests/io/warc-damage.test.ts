// Random damage (a flipped bit, a few overwritten bytes, inserted garbage) anywhere in a file of one
// compressed member or frame per record costs only the records whose members it touches; the reader
// never throws. A fixed seed, so a failure reproduces.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { readWarc } from '../../src/io/warc.js';
import { responseRecord } from '../helpers/warc.js';
import { lz4Frame } from './lz4-encode.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-warc-damage-'));
// fixed record ids, so the members and the damage are the same on every run
const recs = [0, 1, 2, 3, 4, 5].map((i) =>
  Buffer.from(
    responseRecord({ url: `http://x.example/${i}`, payload: `<p>page ${i} ${'some words here '.repeat(200 + 300 * i)} ${i}</p>` })
      .toString('latin1')
      .replace(/urn:uuid:[0-9a-f-]+/, `urn:uuid:00000000-0000-4000-8000-00000000000${i}`),
    'latin1',
  ),
);
const urls = recs.map((_, i) => `http://x.example/${i}`);

async function damageRun(name: string, members: Buffer[], trials: number, seed: number): Promise<string[]> {
  seed = Number(process.env.DAMAGE_SEED ?? seed);
  trials = Number(process.env.DAMAGE_TRIALS ?? trials);
  const rnd = (n: number) => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n;
  const starts = members.map((_, i) => members.slice(0, i).reduce((a, f) => a + f.length, 0));
  const whole = Buffer.concat(members);
  const problems: string[] = [];
  for (let t = 0; t < trials; t++) {
    const buf = Buffer.from(whole);
    const kind = rnd(3);
    const pos = rnd(buf.length);
    let n = 1;
    let data = buf;
    if (kind === 0) buf[pos] ^= 1 << rnd(8);
    else if (kind === 1) {
      n = 1 + rnd(8);
      for (let k = 0; k < n && pos + k < buf.length; k++) buf[pos + k] = rnd(256);
    } else data = Buffer.concat([buf.subarray(0, pos), Buffer.from('garbage!'), buf.subarray(pos)]);
    const file = path.join(tmp, name);
    fs.writeFileSync(file, data);
    const got = new Set<string>();
    for await (const ev of readWarc(file, { maxRecordBytes: 1 << 24 })) if (ev.record) got.add(ev.record.headers['warc-target-uri']!);
    const first = starts.findLastIndex((s) => s <= pos);
    const last = starts.findLastIndex((s) => s <= pos + n - 1);
    const lost = urls.filter((u, i) => (i < first || i > last) && !got.has(u));
    if (lost.length) problems.push(`${name}: damage ${kind} at ${pos} (member ${first}, +${pos - starts[first]!}) lost ${lost.join(' ')}`);
  }
  return problems;
}

describe('random damage in a file of one member or frame per record', () => {
  it('.warc.lz4 without checksums (liblz4 defaults), with every checksum, with independent blocks', async () => {
    const problems = [
      ...(await damageRun('plain.warc.lz4', recs.map((r) => lz4Frame(r, { linked: true })), 150, 7)),
      ...(await damageRun('checked.warc.lz4', recs.map((r) => lz4Frame(r, { linked: true, blockChecksum: true, contentChecksum: true })), 150, 1234)),
      ...(await damageRun('independent.warc.lz4', recs.map((r) => lz4Frame(r, { contentChecksum: true, contentSize: true })), 150, 99)),
    ];
    expect(problems).toEqual([]);
  });

  it('.warc.gz with one gzip member per record (Common Crawl)', async () => {
    expect(await damageRun('x.warc.gz', recs.map((r) => zlib.gzipSync(r)), 300, 7)).toEqual([]);
  });

  it('the damaged first bytes of the file cost the first record only', async () => {
    for (const [name, members] of [
      ['first.warc.lz4', recs.map((r) => lz4Frame(r, { linked: true }))],
      ['first.warc.gz', recs.map((r) => zlib.gzipSync(r))],
    ] as const) {
      const buf = Buffer.concat(members);
      buf[0] ^= 0xff;
      buf[1] ^= 0xff;
      const file = path.join(tmp, name);
      fs.writeFileSync(file, buf);
      const ev = [];
      for await (const e of readWarc(file, { maxRecordBytes: 1 << 24 })) ev.push(e);
      expect(ev.filter((e) => e.record).map((e) => e.record!.headers['warc-target-uri']), name).toEqual(urls.slice(1));
      expect(ev.filter((e) => e.error).map((e) => e.error!.reason), name).toEqual([name.endsWith('gz') ? 'gzip_garbage' : 'lz4_garbage']);
    }
  });
});
