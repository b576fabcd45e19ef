// Near-duplicates made from real documents by inserting, deleting or replacing a fraction of their words,
// seeded, for the dedup tests and bench/minhash.ts (how often LSH finds a copy edited this much).
import { mulberry32 } from '../core/random.js';

export interface EditOptions {
  /** the fraction of the document's words to edit, e.g. 0.05 to 0.15 */
  fraction: number;
  seed: number;
  /**
   * words per edited run: 1 scatters single-word edits (the hardest case for 5-word shingles: one edit
   * changes up to 5 of them); larger runs are like a changed sentence, date line or footer, the way web
   * near-duplicates usually differ
   */
  runWords?: number;
}

/** mulberry32: a tiny seeded generator in [0, 1) */
export const seededRandom = mulberry32;

/** a made-up word unlikely to be in the document, so a replacement really changes its shingles */
function randomWord(random: () => number): string {
  const len = 3 + Math.floor(random() * 6);
  let w = '';
  for (let i = 0; i < len; i++) w += String.fromCharCode(97 + Math.floor(random() * 26));
  return w;
}

/**
 * The text with about fraction x (its word count) words edited, each edit an insertion, a deletion or a
 * replacement with equal chance. Words are whitespace-separated tokens; the result joins them by spaces.
 */
export function editWords(text: string, options: EditOptions): string {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const random = seededRandom(options.seed);
  const runWords = Math.max(1, Math.floor(options.runWords ?? 1));
  const target = Math.min(words.length, Math.round(options.fraction * words.length));
  const edited = new Set<number>();
  while (edited.size < target) {
    const start = Math.floor(random() * words.length);
    for (let k = 0; k < runWords && edited.size < target && start + k < words.length; k++) edited.add(start + k);
  }
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    if (!edited.has(i)) {
      out.push(words[i]!);
      continue;
    }
    const op = random();
    if (op < 1 / 3) out.push(words[i]!, randomWord(random)); // insert after
    else if (op < 2 / 3) continue; // delete
    else out.push(randomWord(random)); // replace
  }
  return out.join(' ');
}
