// Parquet document shards: rows are gathered into Arrow record batches (apache-arrow) and
// streamed through parquet-wasm's writer one row group at a time, zstd-compressed.
// Measured against parquetjs-lite in docs/dependencies.md.
import fs from 'node:fs';
import { Writable } from 'node:stream';
import * as arrow from 'apache-arrow';
import * as pw from 'parquet-wasm/node';
import type { Doc } from '../core/doc.js';
import { docColumns, type ColumnSpec, type ColumnType } from '../../schemas/parquet-columns.js';
import { RollingWriter, type ShardOptions, type ShardPart } from './shard-writer.js';

/** a row group is flushed at rowGroupRows rows or this many bytes of text, whichever comes first */
const MAX_ROW_GROUP_TEXT_BYTES = 32 * 1024 * 1024;

function arrowType(t: ColumnType): arrow.DataType {
  switch (t) {
    case 'utf8':
      return new arrow.Utf8();
    case 'int64':
      return new arrow.Int64();
    case 'int32':
      return new arrow.Int32();
    case 'float64':
      return new arrow.Float64();
    case 'bool':
      return new arrow.Bool();
  }
}

/** Arrow table for a batch of documents, one column per spec */
export function docsToArrow(docs: Doc[], columns: ColumnSpec[]): arrow.Table {
  const vectors: Record<string, arrow.Vector> = {};
  for (const c of columns) {
    const values = docs.map((d) => {
      const v = c.value(d);
      if (v === undefined || v === null) return null;
      if (c.type === 'int64') return BigInt(Math.trunc(Number(v)));
      if (c.type === 'utf8') return String(v);
      return v;
    });
    vectors[c.name] = arrow.vectorFromArray(values, arrowType(c.type));
  }
  return new arrow.Table(vectors);
}

class ParquetPart implements ShardPart {
  private rows: Doc[] = [];
  private rowBytes = 0;
  private written = 0;
  private readonly queue: Array<pw.RecordBatch | null> = [];
  private wake?: () => void;
  private readonly done: Promise<void>;
  private readonly columns: ColumnSpec[];
  private readonly out: fs.WriteStream;

  constructor(tmpPath: string, private readonly opts: ShardOptions) {
    this.columns = docColumns(opts.dropped);
    const props = new pw.WriterPropertiesBuilder()
      .setCompression(pw.Compression.ZSTD)
      .setMaxRowGroupSize(opts.rowGroupRows)
      .setCreatedBy('curate')
      .build();
    const batches = new ReadableStream<pw.RecordBatch>(
      {
        pull: async (controller) => {
          while (this.queue.length === 0) await new Promise<void>((r) => (this.wake = r));
          const b = this.queue.shift()!;
          if (b === null) controller.close();
          else controller.enqueue(b);
        },
      },
      { highWaterMark: 0 },
    );
    this.out = fs.createWriteStream(tmpPath);
    this.out.on('error', () => {});
    const counter = new TransformStream<Uint8Array, Uint8Array>({
      transform: (chunk, c) => {
        this.written += chunk.byteLength;
        c.enqueue(chunk);
      },
    });
    this.done = pw.transformParquetStream(batches, props).then((bytes) => bytes.pipeThrough(counter).pipeTo(Writable.toWeb(this.out)));
    this.done.catch(() => {});
  }

  get bytes(): number {
    return this.written;
  }

  private push(b: pw.RecordBatch | null) {
    this.queue.push(b);
    const w = this.wake;
    this.wake = undefined;
    w?.();
  }

  private flushRows(): void {
    if (this.rows.length === 0) return;
    const table = docsToArrow(this.rows, this.columns);
    this.rows = [];
    this.rowBytes = 0;
    const wasmTable = pw.Table.fromIPCStream(arrow.tableToIPC(table, 'stream'));
    for (const b of wasmTable.recordBatches()) this.push(b);
    wasmTable.free();
  }

  async write(doc: Doc): Promise<void> {
    this.rows.push(doc);
    this.rowBytes += doc.text.length;
    if (this.rows.length >= this.opts.rowGroupRows || this.rowBytes >= MAX_ROW_GROUP_TEXT_BYTES) {
      this.flushRows();
      // back-pressure: let the writer take this row group before more rows pile up
      while (this.queue.length > 1) await new Promise((r) => setImmediate(r));
    }
  }

  async finish(): Promise<void> {
    this.flushRows();
    this.push(null);
    await this.done;
  }

  async abort(): Promise<void> {
    this.rows = [];
    this.push(null);
    await this.done.catch(() => {});
  }
}

export function parquetWriter(opts: ShardOptions): RollingWriter {
  return new RollingWriter(opts, 'parquet', (tmp, o) => new ParquetPart(tmp, o));
}
