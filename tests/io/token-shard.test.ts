// llm.c token shards: what we write, numpy reads as llm.c's own loaders do; a wrong magic, a cut file or an
// id too wide for the shard is a clear error naming the file; nothing half-written keeps a final name.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { LlmcShardWriter, readBoundaries, readLlmcHeader, readLlmcShard, writeBoundaries, writeLlmcShard } from '../../src/io/token-shard.js';
import { LLMC_UINT16, LLMC_UINT32, llmcKindFor } from '../../schemas/token-shard.js';
import { loadTokenizer } from '../../src/tokenize/tokenizer.js';
import { python } from '../tokenize/numpy.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-shard-'));

// as llm.c's dev/data scripts and llmc/dataloader.h read a shard: header of 256 int32, then the tokens
const NUMPY_READER = `
import sys, json, numpy as np
path = sys.argv[1]
header = np.fromfile(path, dtype=np.int32, count=256)
dtype = {20240520: np.uint16, 20240801: np.uint32}[int(header[0])]
assert header[1] == {20240520: 1, 20240801: 7}[int(header[0])], "bad version"
tokens = np.memmap(path, dtype=dtype, mode="r", offset=256 * 4)
assert len(tokens) == header[2], "token count does not match the file size"
print(json.dumps({"magic": int(header[0]), "version": int(header[1]), "count": int(header[2]), "rest_zero": bool((header[3:] == 0).all()), "dtype": str(tokens.dtype), "tokens": tokens.tolist()}))
`;

describe('llm.c token shards', () => {
  it('numpy reads a shard of GPT-2 tokens back: header, uint16 tokens, the text', async () => {
    const gpt2 = await loadTokenizer('gpt2');
    const text = fs.readFileSync('data/lm/tinyshakespeare.txt', 'utf8').slice(0, 5000);
    const ids = [gpt2.eot, ...gpt2.encode(text)];
    const file = path.join(tmp, 'gpt2.bin');
    writeLlmcShard(file, ids, llmcKindFor(gpt2.vocabSize));
    expect(fs.statSync(file).size).toBe(1024 + 2 * ids.length);
    const r = JSON.parse(python(NUMPY_READER, [file]));
    expect(r).toMatchObject({ magic: 20240520, version: 1, count: ids.length, rest_zero: true, dtype: 'uint16' });
    expect(r.tokens).toEqual(ids);
    expect(gpt2.decode(r.tokens.slice(1))).toBe(text);
    expect([...readLlmcShard(file)]).toEqual(ids);
    expect([...readLlmcShard(file, 10, 5)]).toEqual(ids.slice(10, 15));
  });

  it('writes uint32 tokens under llm.c\'s own uint32 kind (magic 20240801, version 7) for a large vocabulary', () => {
    expect(llmcKindFor(50257)).toBe(LLMC_UINT16);
    expect(llmcKindFor(65536)).toBe(LLMC_UINT16);
    expect(llmcKindFor(65537)).toBe(LLMC_UINT32);
    const file = path.join(tmp, 'u32.bin');
    const ids = [0, 65535, 65536, 128255, 4_000_000_000];
    writeLlmcShard(file, ids, LLMC_UINT32);
    expect(fs.statSync(file).size).toBe(1024 + 4 * ids.length);
    const r = JSON.parse(python(NUMPY_READER, [file]));
    expect(r).toMatchObject({ magic: 20240801, version: 7, count: 5, dtype: 'uint32', tokens: ids });
    expect(readLlmcHeader(file)).toMatchObject({ kind: LLMC_UINT32, tokens: 5 });
  });

  it('refuses an id that does not fit the shard, and leaves no file behind', () => {
    const file = path.join(tmp, 'too-wide.bin');
    expect(() => writeLlmcShard(file, [1, 2, 65536], LLMC_UINT16)).toThrow(`${file}: token id 65536 does not fit this shard's uint16 tokens (0..65535); a vocabulary over 65,536 needs uint32 shards`);
    expect(() => writeLlmcShard(file, [-1], LLMC_UINT32)).toThrow(/token id -1 does not fit/);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('too-wide'))).toEqual([]);
  });

  it('a shard being written has only its temporary name until commit', () => {
    const file = path.join(tmp, 'growing.bin');
    const w = new LlmcShardWriter(file, LLMC_UINT16);
    w.append(new Uint32Array(600_000).fill(3)); // more than one write buffer
    expect(fs.existsSync(file)).toBe(false);
    w.commit();
    expect(readLlmcHeader(file).tokens).toBe(600_000);
  });

  it('checks magic, version and size before trusting a byte, naming the file', () => {
    const good = path.join(tmp, 'good.bin');
    writeLlmcShard(good, [1, 2, 3, 4], LLMC_UINT16);
    const bytes = fs.readFileSync(good);

    const truncated = path.join(tmp, 'truncated.bin');
    fs.writeFileSync(truncated, bytes.subarray(0, bytes.length - 3));
    expect(() => readLlmcShard(truncated)).toThrow(`${truncated}: truncated: the header says 4 uint16 tokens (1032 bytes with the header), the file has 1029 bytes`);

    const magic = path.join(tmp, 'magic.bin');
    const m = Buffer.from(bytes);
    m.writeInt32LE(12345, 0);
    fs.writeFileSync(magic, m);
    expect(() => readLlmcShard(magic)).toThrow(`${magic}: not an llm.c token shard: magic 12345, expected 20240520 or 20240801`);

    const version = path.join(tmp, 'version.bin');
    const v = Buffer.from(bytes);
    v.writeInt32LE(2, 4);
    fs.writeFileSync(version, v);
    expect(() => readLlmcHeader(version)).toThrow(`${version}: llm.c shard with magic 20240520 has version 2, expected 1`);

    const short = path.join(tmp, 'short.bin');
    fs.writeFileSync(short, bytes.subarray(0, 100));
    expect(() => readLlmcHeader(short)).toThrow(`${short}: not an llm.c token shard: 100 bytes, shorter than the 1024-byte header`);

    const extra = path.join(tmp, 'extra.bin');
    fs.writeFileSync(extra, Buffer.concat([bytes, Buffer.alloc(2)]));
    expect(() => readLlmcHeader(extra)).toThrow(/trailing bytes: the header says 4 uint16 tokens/);
  });

  it('boundary files: per window the offsets of document starts, readable by numpy', () => {
    const file = path.join(tmp, 'x.bnd');
    const windows = [[0, 3], [], [1], [0, 2, 3]];
    writeBoundaries(file, 4, windows);
    expect(readBoundaries(file)).toEqual({ contextTokens: 4, windows });
    const r = python(
      `import sys, json, numpy as np
a = np.fromfile(sys.argv[1], dtype=np.int32)
W, E, T = a[2], a[3], a[4]
ptr = a[256:256 + W + 1]
off = a[256 + W + 1:]
assert len(off) == E
print(json.dumps([off[ptr[w]:ptr[w + 1]].tolist() for w in range(W)]))`,
      [file],
    );
    expect(JSON.parse(r)).toEqual(windows);
  });
});
