// WARC writer (WARC/1.1, ISO 28500): the crawler's output. Each record is its own gzip member, as
// Common Crawl writes, so any record can be read from its offset; files roll by size, are written
// under a temporary name and renamed when whole, and each starts with a warcinfo record.
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { openAtomic, type AtomicFile } from './atomic.js';
import { TMP_SUFFIX } from './shard-writer.js';
import type { WarcRecord } from './warc.js';

/** one HTTP exchange as fetched: the request as sent and the response as received */
export interface HttpExchange {
  url: string;
  date: Date;
  /** the server's IP address, when known */
  ip?: string;
  /** request line and headers, ending with CRLF CRLF */
  requestHead: Buffer;
  /** status line and headers, ending with CRLF CRLF */
  responseHead: Buffer;
  /** the entity body after transfer decoding (content encodings kept, as received) */
  body: Buffer;
}

export interface WarcWriterOptions {
  dir: string;
  /** file names are `<prefix>-<5-digit sequence>.warc.gz` */
  prefix: string;
  /** start a new file once one holds this many (compressed) bytes */
  maxFileBytes: number;
  /** first sequence number (a resumed crawl continues after its last whole file) */
  firstSequence?: number;
  /** fields of each file's warcinfo record (software, operator, robots policy...) */
  info?: Record<string, string>;
  /** called when a file is whole and renamed to its final name */
  onCommit?(file: string): void;
}

/** where the response record of an exchange landed, and the record as a reader would yield it */
export interface WrittenExchange {
  file: string;
  /** offset of the response record's gzip member */
  offset: number;
  response: WarcRecord;
}

const BASE32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** RFC 4648 base32, as WARC digests are written (`sha1:` + 32 characters) */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  while (out.length % 8) out += '=';
  return out;
}

export function sha1Digest(...parts: Uint8Array[]): string {
  const h = crypto.createHash('sha1');
  for (const p of parts) h.update(p);
  return `sha1:${base32(h.digest())}`;
}

/** WARC-Date: UTC to the second, as Common Crawl writes it */
export function warcDate(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function newRecordId(): string {
  return `<urn:uuid:${crypto.randomUUID()}>`;
}

/** one record's bytes: header block, CRLF CRLF, content block, CRLF CRLF */
export function warcRecordBytes(headers: Array<[string, string]>, block: Buffer): Buffer {
  const all: Array<[string, string]> = [...headers, ['Content-Length', String(block.length)]];
  const head = 'WARC/1.1\r\n' + all.map(([k, v]) => `${k}: ${v.replace(/[\r\n]+/g, ' ')}\r\n`).join('') + '\r\n';
  return Buffer.concat([Buffer.from(head, 'utf8'), block, Buffer.from('\r\n\r\n')]);
}

export class WarcWriter {
  private file?: AtomicFile;
  private name?: string;
  private bytes = 0;
  private seq: number;
  readonly committed: string[] = [];
  records = 0;

  constructor(private readonly opts: WarcWriterOptions) {
    this.seq = opts.firstSequence ?? 0;
    fs.mkdirSync(opts.dir, { recursive: true });
  }

  /** the final name of the file the next record goes to */
  currentFile(): string {
    return path.join(this.opts.dir, `${this.opts.prefix}-${String(this.seq).padStart(5, '0')}.warc.gz`);
  }

  private open(): void {
    this.name = this.currentFile();
    this.file = openAtomic(this.name);
    this.bytes = 0;
    const fields = { software: 'curate', format: 'WARC File Format 1.1', conformsTo: 'https://iipc.github.io/warc-specifications/specifications/warc-format/warc-1.1/', ...this.opts.info };
    const block = Buffer.from(Object.entries(fields).map(([k, v]) => `${k}: ${v}\r\n`).join(''), 'utf8');
    this.append(
      warcRecordBytes(
        [
          ['WARC-Type', 'warcinfo'],
          ['WARC-Record-ID', newRecordId()],
          ['WARC-Date', warcDate(new Date())],
          ['WARC-Filename', path.basename(this.name)],
          ['Content-Type', 'application/warc-fields'],
        ],
        block,
      ),
    );
  }

  /** append one record as its own gzip member; returns the member's offset */
  private append(record: Buffer): number {
    const member = zlib.gzipSync(record, { level: 6 });
    const at = this.bytes;
    this.file!.write(member);
    this.bytes += member.length;
    this.records++;
    return at;
  }

  /** write the request and response records of one exchange (the request first, as Common Crawl does) */
  writeExchange(ex: HttpExchange): WrittenExchange {
    if (!this.file) this.open();
    const requestId = newRecordId();
    const responseId = newRecordId();
    const date = warcDate(ex.date);
    const common = (type: string, id: string, other: string): Array<[string, string]> => [
      ['WARC-Type', type],
      ['WARC-Record-ID', id],
      ['WARC-Date', date],
      ['WARC-Target-URI', ex.url],
      ...(ex.ip ? ([['WARC-IP-Address', ex.ip]] as Array<[string, string]>) : []),
      ['WARC-Concurrent-To', other],
    ];
    const requestHeaders: Array<[string, string]> = [...common('request', requestId, responseId), ['WARC-Block-Digest', sha1Digest(ex.requestHead)], ['Content-Type', 'application/http; msgtype=request']];
    this.append(warcRecordBytes(requestHeaders, ex.requestHead));
    const block = Buffer.concat([ex.responseHead, ex.body]);
    const responseHeaders: Array<[string, string]> = [
      ...common('response', responseId, requestId),
      ['WARC-Block-Digest', sha1Digest(block)],
      ['WARC-Payload-Digest', sha1Digest(ex.body)],
      ['Content-Type', 'application/http; msgtype=response'],
    ];
    const offset = this.append(warcRecordBytes(responseHeaders, block));
    const file = this.name!;
    const headers: Record<string, string> = {};
    for (const [k, v] of responseHeaders) headers[k.toLowerCase()] = v;
    headers['content-length'] = String(block.length);
    const response: WarcRecord = { version: 'WARC/1.1', type: 'response', headers, offset, contentLength: block.length, body: block };
    if (this.bytes >= this.opts.maxFileBytes) this.commit();
    return { file, offset, response };
  }

  /** close the current file and give it its final name */
  commit(): void {
    if (!this.file) return;
    this.file.commit();
    this.committed.push(this.name!);
    this.opts.onCommit?.(this.name!);
    this.file = undefined;
    this.seq++;
  }

  /** commit what was written; returns every file this writer completed */
  close(): string[] {
    this.commit();
    return this.committed;
  }

  /** drop the unfinished file (a crash leaves the same: a .tmp that is never read) */
  abort(): void {
    if (!this.file) return;
    try {
      this.file.commit();
    } catch {
      // already gone
    }
    fs.rmSync(this.name!, { force: true });
    this.file = undefined;
  }
}

/** whole WARC files of a crawl in `dir`, in sequence order; leftover temporary files are removed */
export function completedWarcFiles(dir: string, prefix: string): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const f of fs.readdirSync(dir)) {
    if (!f.startsWith(prefix + '-')) continue;
    if (f.endsWith(TMP_SUFFIX)) fs.rmSync(path.join(dir, f), { force: true });
    else if (/-\d{5,}\.warc\.gz$/.test(f)) out.push(path.join(dir, f));
  }
  return out.sort();
}

/** the sequence number of a WARC file name written by WarcWriter */
export function warcSequence(file: string): number {
  const m = /-(\d{5,})\.warc\.gz$/.exec(file);
  return m ? Number(m[1]) : -1;
}
