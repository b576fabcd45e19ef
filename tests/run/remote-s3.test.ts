// `curate run` over s3:// inputs on a real S3-compatible server (s3rver, from npm) on loopback, through
// the AWS SDK v3: keys, prefix listings, a Common Crawl listing resolved against an s3:// base, a missing
// key, signed requests with credentials from the environment, unsigned ones for a public bucket.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { curateInProcess } from '../helpers/run-dir.js';
import { configureRemote, listS3, remoteChunks } from '../../src/io/remote.js';
import type { RunReport } from '../../schemas/stats-report.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-s3-'));
const sample = fs.readFileSync('data/sample/cc-sample.warc.gz');
const small = fs.readFileSync('tests/fixtures/warc/example.warc.gz');
const BUCKET = 'commoncrawl-test';

const report = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, 'stats.json'), 'utf8')) as RunReport;
const tasks = (dir: string) => fs.readdirSync(path.join(dir, '_done')).sort();

describe('curate run over s3://', () => {
  let server: S3rver;
  let endpoint: string;
  const env = { ...process.env };
  beforeAll(async () => {
    const objects = {
      'crawl-data/CC-TEST/segments/1/warc/a.warc.gz': sample,
      'crawl-data/CC-TEST/segments/1/warc/b.warc.gz': small,
      'crawl-data/CC-TEST/segments/1/warc/README.txt': Buffer.from('not an input'),
      'crawl-data/CC-TEST/warc.paths.gz': zlib.gzipSync('crawl-data/CC-TEST/segments/1/warc/b.warc.gz\n\ncrawl-data/CC-TEST/segments/1/warc/a.warc.gz\n'),
    };
    const dir = path.join(tmp, 's3rver');
    server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
    const { port } = (await server.run()) as { port: number };
    endpoint = `http://127.0.0.1:${port}`;
    // credentials from the usual chain: here the environment, as a user's shell would give them
    process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
    process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
    const { S3Client, PutObjectCommand } = await import('@aws-sdk/client-s3');
    const client = new S3Client({ endpoint, region: 'us-east-1', forcePathStyle: true });
    for (const [Key, Body] of Object.entries(objects)) await client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body }));
  });
  afterAll(async () => {
    process.env = env;
    configureRemote();
    await server.close();
  });

  const pipeline = (extra = '') => {
    const file = path.join(tmp, `p-${Math.random().toString(36).slice(2)}.yaml`);
    fs.writeFileSync(file, `name: s3\ninput:\n  s3: { endpoint: "${endpoint}"${extra} }\n  baseUrl: s3://${BUCKET}/\n  remote: { backoffMs: 5, retries: 1 }\noutput:\n  formats: [jsonl]\nstages:\n  - extract:\n      minTextChars: 1\n`);
    return file;
  };

  it('lists a prefix, reads each object, and names a missing key; the run goes on', async () => {
    const out = path.join(tmp, 'prefix');
    const r = await curateInProcess(['run', pipeline(), '--input', `s3://${BUCKET}/crawl-data/CC-TEST/segments/`, '--input', `s3://${BUCKET}/crawl-data/CC-TEST/gone.warc.gz`, '--output', out, '--workers', '1']);
    expect(r.code, r.err).toBe(0);
    expect(tasks(out)).toEqual(['00000-gone.warc.gz.json', '00001-a.warc.gz.json', '00002-b.warc.gz.json']);
    const s = report(out);
    expect(s.reader.errors).toEqual({ remote_not_found: 1 });
    expect(s.reader.remote!.bytes_fetched).toBeGreaterThanOrEqual(sample.length + small.length);
    // the same documents as the local files give
    const local = await curateInProcess(['run', pipeline(), '--input', 'data/sample/cc-sample.warc.gz', '--input', 'tests/fixtures/warc/example.warc.gz', '--output', path.join(tmp, 'local'), '--workers', '1']);
    expect(local.code, local.err).toBe(0);
    expect(s.reader.docs).toBe(report(path.join(tmp, 'local')).reader.docs);
    expect(s.tasks.find((t) => t.task === '00001-a.warc.gz')!.bytes).toBe(sample.length);
  });

  it('resolves a Common Crawl listing against an s3:// base, with --limit', async () => {
    const out = path.join(tmp, 'listing');
    const r = await curateInProcess(['run', pipeline(), '--input', `s3://${BUCKET}/crawl-data/CC-TEST/warc.paths.gz`, '--output', out, '--limit', '1', '--workers', '1']);
    expect(r.code, r.err).toBe(0);
    expect(tasks(out)).toEqual(['00000-a.warc.gz.json']);
    expect(report(out).inputs).toEqual({ listed: 2, blank_lines: 1, bad_lines: 0 });
  });

  it('reads a byte range, and unsigned requests work for a public bucket', async () => {
    delete process.env.AWS_ACCESS_KEY_ID;
    delete process.env.AWS_SECRET_ACCESS_KEY;
    configureRemote({ s3: { endpoint, anonymous: true } });
    const objects = await listS3(`s3://${BUCKET}/crawl-data/CC-TEST/segments/1/`);
    expect(objects.map((o) => [o.loc.split('/').pop(), o.bytes])).toEqual([
      ['README.txt', 12],
      ['a.warc.gz', sample.length],
      ['b.warc.gz', small.length],
    ]);
    const part: Buffer[] = [];
    for await (const c of remoteChunks(`s3://${BUCKET}/crawl-data/CC-TEST/segments/1/warc/a.warc.gz`, 1000, {}, 5000)) part.push(c);
    expect(Buffer.concat(part).equals(sample.subarray(1000, 5000))).toBe(true);
    // a pipeline run with no credentials anywhere: `anonymous: auto` goes unsigned
    const out = path.join(tmp, 'anon');
    const r = await curateInProcess(['run', pipeline(), '--input', `s3://${BUCKET}/crawl-data/CC-TEST/segments/1/warc/b.warc.gz`, '--output', out, '--workers', '1']);
    expect(r.code, r.err).toBe(0);
    expect(report(out).reader.docs).toBeGreaterThan(0);
  });
});
