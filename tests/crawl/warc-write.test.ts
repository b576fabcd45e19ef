// The WARC writer on its own: digests as Common Crawl writes them, files rolled by size and only
// ever seen whole, and `curate crawl` end to end (WARC files and crawl-stats.json in --out).
import { afterAll, describe, expect, it } from 'vitest';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { WARCParser } from 'warcio';
import { WarcWriter, base32, sha1Digest } from '../../src/io/warc-write.js';
import { readWarc } from '../../src/io/warc.js';
import { main } from '../../src/cli/main.js';
import { startSite, html, prose } from './server.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-warc-write-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const exchange = (i: number) => {
  const body = Buffer.from(`<html><body><p>page ${i} ${'x'.repeat(2000)}</p></body></html>`);
  return {
    url: `http://127.0.0.1:9/p${i}`,
    date: new Date('2026-01-02T03:04:05.678Z'),
    ip: '127.0.0.1',
    requestHead: Buffer.from(`GET /p${i} HTTP/1.1\r\nHost: 127.0.0.1:9\r\nUser-Agent: t\r\n\r\n`),
    responseHead: Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: ${body.length}\r\n\r\n`),
    body,
  };
};

describe('WarcWriter', () => {
  it('base32 SHA-1 digests as in RFC 4648 and Common Crawl', () => {
    expect(base32(Buffer.from('foobar'))).toBe('MZXW6YTBOI======');
    // SHA-1 is 20 bytes: exactly 32 base32 characters, no padding
    expect(sha1Digest(Buffer.from('abc'))).toBe(`sha1:${base32(crypto.createHash('sha1').update('abc').digest())}`);
    expect(sha1Digest(Buffer.from('abc'))).toBe('sha1:VGMT4NSHA2AWVOR6EVYXQUGCNSONBWE5');
  });

  it('rolls files by size, each whole (renamed from .tmp) and opening with warcinfo', async () => {
    const dir = path.join(tmp, 'roll');
    // a 1-byte limit: every exchange fills a file, which is committed at once
    const w = new WarcWriter({ dir, prefix: 'crawl', maxFileBytes: 1 });
    for (let i = 0; i < 5; i++) w.writeExchange(exchange(i));
    expect(fs.readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toHaveLength(0);
    const files = w.close();
    expect(files.map((f) => path.basename(f))).toEqual(['crawl-00000.warc.gz', 'crawl-00001.warc.gz', 'crawl-00002.warc.gz', 'crawl-00003.warc.gz', 'crawl-00004.warc.gz']);
    for (const f of files) {
      const types: string[] = [];
      for await (const ev of readWarc(f, { maxRecordBytes: 1 << 20 })) types.push(ev.record!.type);
      expect(types).toEqual(['warcinfo', 'request', 'response']);
      const recs = [];
      for await (const r of new WARCParser(fs.createReadStream(f))) {
        await r.readFully();
        recs.push(r.warcType);
      }
      expect(recs).toEqual(['warcinfo', 'request', 'response']);
    }
  });

  it('holds a file under .tmp until it is complete', () => {
    const dir = path.join(tmp, 'open');
    const w = new WarcWriter({ dir, prefix: 'crawl', maxFileBytes: 1 << 30 });
    const out = w.writeExchange(exchange(0));
    expect(out.file).toBe(path.join(dir, 'crawl-00000.warc.gz'));
    expect(fs.readdirSync(dir)).toEqual(['crawl-00000.warc.gz.tmp']);
    w.close();
    expect(fs.readdirSync(dir)).toEqual(['crawl-00000.warc.gz']);
  });
});

describe('curate crawl', () => {
  it('crawls seeds from a file into --out: WARC files and crawl-stats.json', async () => {
    const site = await startSite({ '/': html(prose('harbour', '<a href="/b">b</a>')), '/b': html(prose('bridge')) });
    try {
      const seeds = path.join(tmp, 'seeds.txt');
      fs.writeFileSync(seeds, `# one seed a line\n${site.origin}/\n`);
      const out = path.join(tmp, 'cli');
      const lines: string[] = [];
      const code = await main(['crawl', '--seeds', seeds, '--out', out, '--delay-ms', '0', '--max-pages', '10', '--user-agent', 'curate-cli-test/1'], { out: (s) => lines.push(s), err: (s) => lines.push(s) });
      expect(code).toBe(0);
      expect(fs.readdirSync(out).sort()).toEqual(['.crawl-state', 'crawl-00000.warc.gz', 'crawl-stats.json']);
      const stats = JSON.parse(fs.readFileSync(path.join(out, 'crawl-stats.json'), 'utf8'));
      expect(stats.outcomes).toMatchObject({ fetched: 2, warc_records: 4 }); // no robots.txt (404): everything allowed
      expect(lines.join('\n')).toContain('2 pages fetched');
      expect(await main(['crawl', '--seeds', 'ftp://x', '--out', out], { out: () => {}, err: (s) => lines.push(s) })).toBe(2);
    } finally {
      await site.close();
    }
  });
});
