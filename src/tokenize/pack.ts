// Packing documents into training windows, streaming: each document's tokens follow one <|endoftext|>
// (EOT *before* the document, as llm.c's fineweb.py writes them: the EOT opens a document and is what a
// model sees before its first token), and the stream is cut into windows of context + 1 tokens (inputs
// and the targets shifted by one). Consecutive windows share one token: window k is stream tokens
// [k*T, k*T + T], so every token after the first is a target exactly once. A document longer than a
// window simply continues in the next; nothing is padded. Memory: one window plus the current document.

export interface PackedWindow {
  /** T + 1 tokens, or fewer for the last window of a stream (`partial`) */
  tokens: Uint32Array;
  /** offsets in this window of the EOTs that open documents, input positions only (< tokens.length - 1) */
  docStarts: number[];
  partial: boolean;
}

export class Packer {
  private readonly window: Uint32Array;
  private fill = 0;
  private starts: number[] = [];
  /** documents pushed */
  documents = 0;
  /** tokens pushed, EOTs included */
  tokens = 0;

  constructor(
    readonly contextTokens: number,
    readonly eot: number,
  ) {
    if (!Number.isInteger(contextTokens) || contextTokens < 1) throw new RangeError(`context must be a positive integer, got ${contextTokens}`);
    this.window = new Uint32Array(contextTokens + 1);
  }

  /** one document: EOT, then its tokens; yields every window it completes */
  *push(ids: ArrayLike<number>): Generator<PackedWindow> {
    this.documents++;
    this.tokens += ids.length + 1;
    this.starts.push(this.fill);
    this.window[this.fill++] = this.eot;
    if (this.fill === this.window.length) yield this.emit();
    let i = 0;
    while (i < ids.length) {
      const take = Math.min(ids.length - i, this.window.length - this.fill);
      for (let j = 0; j < take; j++) this.window[this.fill + j] = ids[i + j]!;
      this.fill += take;
      i += take;
      if (this.fill === this.window.length) yield this.emit();
    }
  }

  /** the remainder: a last, shorter window, if any token after the shared one is left */
  *finish(): Generator<PackedWindow> {
    if (this.fill > 1) {
      const tokens = this.window.slice(0, this.fill);
      const docStarts = this.starts.filter((s) => s < this.fill - 1);
      this.fill = 0;
      this.starts = [];
      yield { tokens, docStarts, partial: true };
    }
    this.fill = 0;
    this.starts = [];
  }

  private emit(): PackedWindow {
    const T = this.contextTokens;
    const out: PackedWindow = { tokens: this.window.slice(), docStarts: this.starts.filter((s) => s < T), partial: false };
    // the last token is the next window's first
    this.window[0] = this.window[T]!;
    this.fill = 1;
    this.starts = this.starts.includes(T) ? [0] : [];
    return out;
  }
}
