// Helpers over AsyncIterable, the only currency between stages (after streaming-iterables).

export async function* batch<T>(input: AsyncIterable<T>, size: number): AsyncGenerator<T[]> {
  let buf: T[] = [];
  for await (const item of input) {
    buf.push(item);
    if (buf.length >= size) {
      yield buf;
      buf = [];
    }
  }
  if (buf.length) yield buf;
}

/** count items as they pass, without buffering */
export async function* tap<T>(input: AsyncIterable<T>, fn: (item: T) => void): AsyncGenerator<T> {
  for await (const item of input) {
    fn(item);
    yield item;
  }
}

/** stop pulling from `input` once `signal` aborts */
export async function* untilAborted<T>(input: AsyncIterable<T>, signal: AbortSignal): AsyncGenerator<T> {
  for await (const item of input) {
    if (signal.aborted) return;
    yield item;
  }
}

export async function collect<T>(input: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of input) out.push(item);
  return out;
}

export async function* fromArray<T>(items: Iterable<T>): AsyncGenerator<T> {
  for (const item of items) yield item;
}

/** split a byte stream into lines (LF, CRLF tolerated); yields each line with its byte offset */
export async function* lines(input: AsyncIterable<Buffer>): AsyncGenerator<{ line: Buffer; offset: number }> {
  let rest: Buffer = Buffer.alloc(0);
  let restOffset = 0;
  for await (const chunk of input) {
    let buf = rest.length ? Buffer.concat([rest, chunk]) : chunk;
    let start = 0;
    for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
      const end = nl > start && buf[nl - 1] === 13 ? nl - 1 : nl;
      yield { line: buf.subarray(start, end), offset: restOffset + start };
      start = nl + 1;
    }
    restOffset += start;
    rest = buf.subarray(start);
    buf = rest;
  }
  if (rest.length) yield { line: rest, offset: restOffset };
}
