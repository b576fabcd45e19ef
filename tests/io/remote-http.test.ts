// Reading WARC files over HTTP from a real server on loopback that drops connections, ignores Range,
// asks to slow down and loses files: the records and their offsets must be those of the local file, no
// record twice, and every failure counted and named by URL and byte.
import fs from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readWarc, type WarcEvent } from '../../src/io/warc.js';
import { configureRemote, remoteChunks } from '../../src/io/remote.js';
import { startFileServer, type FileServer } from '../helpers/file-server.js';
import { events } from '../helpers/warc-events.js';
import { RecordError } from '../../src/core/errors.js';

const SAMPLE = 'data/sample/cc-sample.warc.gz';
const sample = fs.readFileSync(SAMPLE);
const PLAIN = 'tests/fixtures/warc/example.warc';

/** the reader's events over a URL, and the remote counters it reported */
async function remoteEvents(url: string): Promise<{ ev: WarcEvent[]; counts: Record<string, number> }> {
  const counts: Record<string, number> = {};
  const ev: WarcEvent[] = [];
  const remote = { count: (k: string, n = 1) => void (counts[k] = (counts[k] ?? 0) + n) };
  for await (const e of readWarc(url, { maxRecordBytes: 16 << 20, remote })) ev.push(e);
  return { ev, counts };
}

const summary = (ev: WarcEvent[]) => ev.map((e) => (e.record ? `${e.record.offset}:${e.record.headers['warc-record-id']}:${e.record.body?.length}` : `error ${e.error!.reason}@${e.error!.offset}`));

describe('WARC over HTTP', () => {
  let server: FileServer;
  let local: string[];
  beforeAll(async () => {
    server = await startFileServer();
    local = summary(await events(SAMPLE));
    expect(local.length).toBeGreaterThan(10);
  });
  afterAll(() => server.close());
  afterEach(() => configureRemote());
  const serve = (p: string, route: Parameters<FileServer['routes']['set']>[1]) => {
    server.routes.set(p, route);
    return server.url + p;
  };

  it('reads the same records at the same offsets as the local file', async () => {
    const { ev, counts } = await remoteEvents(serve('/plain/cc.warc.gz', { body: sample }));
    expect(summary(ev)).toEqual(local);
    expect(counts.retries ?? 0).toBe(0);
    // the head fetched once for sniffing, then the file in one stream
    expect(counts.bytes_fetched).toBeGreaterThanOrEqual(sample.length);
  });

  it('resumes a dropped connection with a Range request from the last byte handed on', async () => {
    configureRemote({ backoffMs: 5 });
    const url = serve('/drop/cc.warc.gz', { body: sample, faults: [{ drop: 70_000 }, { drop: 200_000 }, { drop: 150_000 }] });
    const before = server.requests.length;
    const { ev, counts } = await remoteEvents(url);
    expect(summary(ev)).toEqual(local);
    expect(counts.retries).toBe(2);
    const ranges = server.requests.slice(before).filter((r) => r.path === '/drop/cc.warc.gz').map((r) => r.range);
    // the head request (cut at 70,000 bytes is past its 64 KiB), the stream, and two resumes from later bytes
    expect(ranges[0]).toBe('bytes=0-65535');
    expect(ranges[1]).toBeUndefined();
    expect(ranges.slice(2).every((r) => /^bytes=\d+-$/.test(r ?? ''))).toBe(true);
    expect(ranges.slice(2).map((r) => Number(/(\d+)/.exec(r!)![1]))).toEqual([200_000, 350_000]);
  });

  it('restarts a file whose server ignores Range without handing on any byte twice', async () => {
    configureRemote({ backoffMs: 5 });
    const url = serve('/norange/cc.warc.gz', { body: sample, ignoreRange: true, faults: [{ drop: 300_000 }, { drop: 100_000 }, { drop: 400_000 }] });
    const { ev, counts } = await remoteEvents(url);
    expect(summary(ev)).toEqual(local);
    expect(counts.range_ignored).toBeGreaterThanOrEqual(2);
    // every restart fetches the file again from byte 0
    expect(counts.bytes_fetched).toBeGreaterThan(sample.length + 300_000);
  });

  it('waits what Retry-After says on a 503, then reads the file', async () => {
    configureRemote({ backoffMs: 5 });
    const url = serve('/busy/cc.warc.gz', { body: sample, faults: [{ status: 503, retryAfter: '1' }, { status: 429, retryAfter: '0' }] });
    const t0 = Date.now();
    const { ev, counts } = await remoteEvents(url);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(950);
    expect(summary(ev)).toEqual(local);
    expect(counts.slowdowns).toBe(2);
    expect(counts.retries).toBe(2);
  });

  it('names a missing file by URL at offset 0, with one error and no records', async () => {
    const { ev } = await remoteEvents(server.url + '/nowhere/cc.warc.gz');
    expect(ev).toHaveLength(1);
    expect(ev[0]!.error!.reason).toBe('remote_not_found');
    expect(ev[0]!.error!.file).toBe(server.url + '/nowhere/cc.warc.gz');
    expect(ev[0]!.error!.offset).toBe(0);
  });

  it('keeps the records before a body that stays cut after every retry, and names the byte it stopped at', async () => {
    configureRemote({ backoffMs: 1, retries: 3 });
    const url = serve('/cut/cc.warc.gz', { body: sample, faults: [{ drop: 65536 + 1 }, { drop: 250_000 }, ...Array.from({ length: 10 }, () => ({ drop: 0 }))] });
    const { ev, counts } = await remoteEvents(url);
    const errs = ev.filter((e) => e.error);
    expect(errs).toHaveLength(1);
    expect(errs[0]!.error!.reason).toBe('remote_truncated');
    expect(errs[0]!.error!.offset).toBe(250_000);
    expect(errs[0]!.error!.message).toMatch(/gave up at byte 250000 of 605618 after 3 retries/);
    const got = summary(ev.filter((e) => e.record));
    expect(got.length).toBeGreaterThan(3);
    // each record read is the local file's record at the same offset
    expect(local.slice(0, got.length)).toEqual(got);
    expect(counts.retries).toBe(3);
  });

  it('a gzip that ends early (the server sent all it has) is named as locally: URL and member offset', async () => {
    const cut = sample.subarray(0, 300_000);
    const local = fs.mkdtempSync('/tmp/curate-cut-') + '/cut.warc.gz';
    fs.writeFileSync(local, cut);
    const want = summary(await events(local));
    expect(want.at(-1)).toMatch(/^error truncated_gzip@\d+$/);
    const { ev } = await remoteEvents(serve('/short/cut.warc.gz', { body: cut }));
    expect(summary(ev)).toEqual(want);
    expect(ev.at(-1)!.error!.file).toBe(server.url + '/short/cut.warc.gz');
  });

  it('drops a connection that goes silent (timeoutMs) and resumes', async () => {
    configureRemote({ backoffMs: 1, timeoutMs: 300 });
    const url = serve('/stall/cc.warc.gz', { body: sample, faults: [{ drop: 65536 }, { stall: 120_000 }] });
    const { ev, counts } = await remoteEvents(url);
    expect(summary(ev)).toEqual(local);
    expect(counts.retries).toBe(1);
  });

  it('stops when the file changes under it (another ETag on resume)', async () => {
    configureRemote({ backoffMs: 1 });
    const route = { body: sample, faults: [{ drop: 100_000 }] as Array<{ drop: number }>, etag: '"v1"' };
    const url = serve('/changed/cc.warc.gz', route);
    const chunks: Buffer[] = [];
    let err: unknown;
    try {
      for await (const c of remoteChunks(url, 0)) {
        chunks.push(c);
        route.etag = '"v2"';
      }
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RecordError);
    expect((err as RecordError).reason).toBe('remote_changed');
    expect(Buffer.concat(chunks).equals(sample.subarray(0, 100_000))).toBe(true);
  });

  it('reads an uncompressed WARC and a byte range, and an empty file is named', async () => {
    const plain = fs.readFileSync(PLAIN);
    const { ev } = await remoteEvents(serve('/p/example.warc', { body: plain }));
    expect(summary(ev)).toEqual(summary(await events(PLAIN)));
    const part: Buffer[] = [];
    for await (const c of remoteChunks(server.url + '/p/example.warc', 100, {}, 300)) part.push(c);
    expect(Buffer.concat(part).equals(plain.subarray(100, 300))).toBe(true);
    const empty = await remoteEvents(serve('/p/empty.warc', { body: Buffer.alloc(0) }));
    expect(empty.ev.map((e) => e.error?.reason)).toEqual(['empty_file']);
  });
});
