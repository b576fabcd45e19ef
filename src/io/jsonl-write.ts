// JSONL(.gz) document shards, the format Dolma and DataTrove readers take.
import fs from 'node:fs';
import zlib from 'node:zlib';
import { once } from 'node:events';
import type { Doc } from '../core/doc.js';
import { docToJson } from './jsonl.js';
import { RollingWriter, type ShardOptions, type ShardPart } from './shard-writer.js';

class JsonlPart implements ShardPart {
  private readonly gz: zlib.Gzip;
  private readonly file: fs.WriteStream;
  constructor(tmpPath: string) {
    this.gz = zlib.createGzip();
    this.file = fs.createWriteStream(tmpPath);
    this.gz.pipe(this.file);
  }
  get bytes(): number {
    return this.file.bytesWritten;
  }
  async write(doc: Doc): Promise<void> {
    if (!this.gz.write(docToJson(doc) + '\n')) await once(this.gz, 'drain');
  }
  async finish(): Promise<void> {
    this.gz.end();
    await once(this.file, 'close');
  }
  async abort(): Promise<void> {
    this.gz.destroy();
    this.file.destroy();
  }
}

export function jsonlWriter(opts: ShardOptions): RollingWriter {
  return new RollingWriter(opts, 'jsonl.gz', (tmp) => new JsonlPart(tmp));
}
