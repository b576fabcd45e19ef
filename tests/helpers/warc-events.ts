// Reading WARC files in tests: files written to a temporary folder, and the reader's events, records,
// errors (reason@offset) and target URIs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { readWarc, type WarcEvent } from '../../src/io/warc.js';

/** a function that writes a named file into a fresh temporary folder and returns its path */
export function tempWriter(prefix: string): (name: string, data: Buffer) => string {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  return (name, data) => {
    const p = path.join(tmp, name);
    fs.writeFileSync(p, data);
    return p;
  };
}

export async function events(file: string, maxRecordBytes = 16 << 20): Promise<WarcEvent[]> {
  const out: WarcEvent[] = [];
  for await (const e of readWarc(file, { maxRecordBytes })) out.push(e);
  return out;
}
export const records = (ev: WarcEvent[]) => ev.filter((e) => e.record).map((e) => e.record!);
export const errors = (ev: WarcEvent[]) => ev.filter((e) => e.error).map((e) => `${e.error!.reason}@${e.error!.offset}`);
export const urls = (ev: WarcEvent[]) => records(ev).map((r) => r.headers['warc-target-uri']);
