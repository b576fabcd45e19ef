// Rolling output shards: documents go to <dir>/<prefix>.<part>.<ext>, each written under a
// temporary name and renamed when whole, a new part started once a file passes maxFileBytes.
import fs from 'node:fs';
import path from 'node:path';
import type { Doc } from '../core/doc.js';
import { FatalError } from '../core/errors.js';

export interface ShardOptions {
  dir: string;
  prefix: string;
  /** start a new part once the current file holds this many bytes */
  maxFileBytes: number;
  /** Parquet: rows per row group */
  rowGroupRows: number;
  /** write the drop_stage and drop_reason columns */
  dropped: boolean;
}

/** one file being written; `bytes` is what has reached the disk so far */
export interface ShardPart {
  write(doc: Doc): Promise<void>;
  /** finish the file (flush, footer); the caller renames it */
  finish(): Promise<void>;
  abort(): Promise<void>;
  readonly bytes: number;
}

export type PartFactory = (tmpPath: string, opts: ShardOptions) => ShardPart;

export const TMP_SUFFIX = '.tmp';

export class RollingWriter {
  private part?: ShardPart;
  private partIndex = 0;
  private current = '';
  readonly files: string[] = [];
  docs = 0;

  constructor(
    private readonly opts: ShardOptions,
    private readonly ext: string,
    private readonly factory: PartFactory,
  ) {
    try {
      fs.mkdirSync(opts.dir, { recursive: true });
    } catch (e) {
      throw new FatalError(`cannot create output directory ${opts.dir}: ${(e as Error).message}`);
    }
  }

  async write(doc: Doc): Promise<void> {
    if (this.part && this.part.bytes >= this.opts.maxFileBytes) await this.finishPart();
    if (!this.part) {
      this.current = path.join(this.opts.dir, `${this.opts.prefix}.${String(this.partIndex++).padStart(5, '0')}.${this.ext}`);
      this.part = this.factory(this.current + TMP_SUFFIX, this.opts);
    }
    await this.part.write(doc);
    this.docs++;
  }

  private async finishPart(): Promise<void> {
    const part = this.part!;
    this.part = undefined;
    await part.finish();
    fs.renameSync(this.current + TMP_SUFFIX, this.current);
    this.files.push(this.current);
  }

  /** finish and rename the last part; returns every file written */
  async close(): Promise<string[]> {
    if (this.part) await this.finishPart();
    return this.files;
  }

  /** drop the part in progress (its temp file is removed); finished parts stay */
  async abort(): Promise<void> {
    const part = this.part;
    this.part = undefined;
    if (part) {
      await part.abort();
      fs.rmSync(this.current + TMP_SUFFIX, { force: true });
    }
  }
}
