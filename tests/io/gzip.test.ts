import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import zlib from 'node:zlib';
import { gunzipMembers, type GzipChunk } from '../../src/io/gzip.js';

async function* chunked(buf: Buffer, size: number): AsyncGenerator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function decode(buf: Buffer, size = 1000): Promise<{ data: Buffer; members: number[]; errors: string[] }> {
  const parts: Buffer[] = [];
  const members: number[] = [];
  const errors: string[] = [];
  for await (const c of gunzipMembers(chunked(buf, size), 'x.gz') as AsyncGenerator<GzipChunk>) {
    if (c.error) errors.push(`${c.error.reason}@${c.error.offset}`);
    if (c.data) {
      parts.push(c.data);
      if (members[members.length - 1] !== c.memberOffset) members.push(c.memberOffset);
    }
  }
  return { data: Buffer.concat(parts), members, errors };
}

const sample = fs.readFileSync('data/sample/cc-sample.warc.gz');

describe('gunzipMembers', () => {
  it('decodes a real multi-member .warc.gz exactly as zlib does, with each member offset', async () => {
    const { data, members, errors } = await decode(sample, 4096);
    expect(errors).toEqual([]);
    expect(data.equals(zlib.gunzipSync(sample))).toBe(true);
    // every reported offset is the start of a gzip member
    for (const m of members) expect([sample[m], sample[m + 1]]).toEqual([0x1f, 0x8b]);
    expect(members.length).toBeGreaterThan(100);
  });

  it('decodes whatever the read chunk size', async () => {
    const members = [zlib.gzipSync('a'.repeat(100_000)), zlib.gzipSync('b'), zlib.gzipSync(Buffer.alloc(300_000, 'c'))];
    const buf = Buffer.concat(members);
    for (const size of [1, 7, 64 * 1024]) {
      const { data, members: offs, errors } = await decode(buf, size);
      expect(errors).toEqual([]);
      expect(data.toString()).toBe('a'.repeat(100_000) + 'b' + 'c'.repeat(300_000));
      expect(offs).toEqual([0, members[0]!.length, members[0]!.length + members[1]!.length]);
    }
  });

  it('decodes members past the synchronous path: 10 MB out of one member, 1 MB of incompressible input', async () => {
    let x = 7;
    const noise = Buffer.from(Array.from({ length: 1 << 20 }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24)));
    const members = [zlib.gzipSync('head'), zlib.gzipSync(Buffer.alloc(10 << 20, 'z')), zlib.gzipSync(noise), zlib.gzipSync('tail')];
    const { data, members: offs, errors } = await decode(Buffer.concat(members), 64 * 1024);
    expect(errors).toEqual([]);
    expect(data.equals(Buffer.concat([Buffer.from('head'), Buffer.alloc(10 << 20, 'z'), noise, Buffer.from('tail')]))).toBe(true);
    expect(offs).toEqual(members.map((_, i) => members.slice(0, i).reduce((a, m) => a + m.length, 0)));
  });

  it('names a member cut off by the end of the file and keeps what came before', async () => {
    const a = zlib.gzipSync('first record');
    const b = zlib.gzipSync('second record '.repeat(1000));
    const { data, errors } = await decode(Buffer.concat([a, b.subarray(0, b.length - 20)]));
    expect(data.toString().startsWith('first record')).toBe(true);
    expect(errors).toEqual([`truncated_gzip@${a.length}`]);
  });

  it('reports garbage between members and resynchronises on the next member', async () => {
    const a = zlib.gzipSync('one');
    const c = zlib.gzipSync('three');
    const { data, errors } = await decode(Buffer.concat([a, Buffer.from('this is not gzip at all'), c]));
    expect(data.toString()).toBe('onethree');
    expect(errors).toEqual([`gzip_garbage@${a.length}`]);
  });

  it('reports a corrupt member and goes on with the next one', async () => {
    const a = zlib.gzipSync('one');
    const bad = zlib.gzipSync(fs.readFileSync('tests/fixtures/warc/example.warc'));
    bad.fill(0xff, 12, 200); // smash the deflate stream
    const c = zlib.gzipSync('three');
    const { data, errors } = await decode(Buffer.concat([a, bad, c]));
    expect(errors[0]).toBe(`gzip_corrupt@${a.length}`);
    expect(data.toString().startsWith('one')).toBe(true);
    expect(data.toString().endsWith('three')).toBe(true);
  });
});
