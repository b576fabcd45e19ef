// The real web documents the dedup tests make near-duplicates from (tests/dedup/fixtures/README.md).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export interface FixtureDoc {
  id: string;
  url: string;
  text: string;
}

const FILE = path.join(path.dirname(fileURLToPath(import.meta.url)), 'fixtures', 'cc-docs.jsonl');

export function ccDocs(): FixtureDoc[] {
  return fs.readFileSync(FILE, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as FixtureDoc);
}
