// Joining a stream's chunks until enough bytes are at hand: what the gzip member and LZ4 frame splitters
// do before they look at a header or a block.

/** `head` plus chunks from `it` until it holds `n` bytes or the source ends, joined into one buffer once */
export async function gather(it: AsyncIterator<Buffer>, head: Buffer, n: number): Promise<{ bytes: Buffer; ended: boolean }> {
  const parts = head.length ? [head] : [];
  let have = head.length;
  let ended = false;
  while (have < n) {
    const r = await it.next();
    if (r.done) {
      ended = true;
      break;
    }
    parts.push(r.value);
    have += r.value.length;
  }
  return { bytes: parts.length > 1 ? Buffer.concat(parts, have) : parts.length ? parts[0]! : head, ended };
}
