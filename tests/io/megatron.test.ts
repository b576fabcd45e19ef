// Megatron-LM indexed datasets (.bin + .idx): read back by a Python reader that does what Megatron's
// _IndexReader and IndexedDataset.__getitem__ do (megatron/core/datasets/indexed_dataset.py), with numpy.
import { describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MegatronWriter, readMegatronIndex, readMegatronSequence } from '../../src/io/megatron.js';
import { megatronDtypeFor } from '../../schemas/token-shard.js';
import { loadTokenizer } from '../../src/tokenize/tokenizer.js';
import { python } from '../tokenize/numpy.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'curate-megatron-'));

const MEGATRON_READER = `
import sys, json, struct, numpy
prefix = sys.argv[1]
DTYPES = {1: numpy.uint8, 2: numpy.int8, 3: numpy.int16, 4: numpy.int32, 5: numpy.int64, 6: numpy.float64, 7: numpy.float32, 8: numpy.uint16}
with open(prefix + ".idx", "rb") as stream:
    assert stream.read(9) == b"MMIDIDX\\x00\\x00", "bad header"
    assert struct.unpack("<Q", stream.read(8))[0] == 1, "bad version"
    dtype = DTYPES[struct.unpack("<B", stream.read(1))[0]]
    sequence_count = struct.unpack("<Q", stream.read(8))[0]
    document_count = struct.unpack("<Q", stream.read(8))[0]
    offset = stream.tell()
buf = memoryview(numpy.memmap(prefix + ".idx", mode="r", order="C"))
lengths = numpy.frombuffer(buf, dtype=numpy.int32, count=sequence_count, offset=offset)
pointers = numpy.frombuffer(buf, dtype=numpy.int64, count=sequence_count, offset=offset + lengths.nbytes)
doc_idx = numpy.frombuffer(buf, dtype=numpy.int64, count=document_count, offset=offset + lengths.nbytes + pointers.nbytes)
assert lengths.shape[0] == doc_idx[-1]
bin_buf = memoryview(numpy.memmap(prefix + ".bin", mode="r", order="C"))
seqs = [numpy.frombuffer(bin_buf, dtype=dtype, count=int(lengths[i]), offset=int(pointers[i])).tolist() for i in range(sequence_count)]
print(json.dumps({"dtype": numpy.dtype(dtype).name, "lengths": lengths.tolist(), "pointers": pointers.tolist(), "doc_idx": doc_idx.tolist(), "seqs": seqs}))
`;

describe('Megatron indexed dataset', () => {
  it('a Python reader written as Megatron reads it gets every document back, EOD appended', async () => {
    const gpt2 = await loadTokenizer('gpt2');
    const docs = fs.readFileSync('data/lm/tinyshakespeare.txt', 'utf8').slice(0, 4000).split('\n\n');
    const prefix = path.join(tmp, 'shakespeare');
    const w = new MegatronWriter(prefix, megatronDtypeFor(gpt2.vocabSize));
    const expected = docs.map((d) => [...gpt2.encode(d), gpt2.eot]);
    for (const ids of expected) w.addDocument(ids);
    expect(fs.existsSync(prefix + '.idx')).toBe(false);
    w.commit();
    const r = JSON.parse(python(MEGATRON_READER, [prefix]));
    expect(r.dtype).toBe('uint16');
    expect(r.seqs).toEqual(expected);
    expect(r.doc_idx).toEqual(expected.map((_, i) => i).concat(expected.length));
    expect(r.pointers[1]).toBe(expected[0]!.length * 2);
    expect(gpt2.decode(r.seqs[2].slice(0, -1))).toBe(docs[2]);
    const index = readMegatronIndex(prefix);
    expect([...readMegatronSequence(prefix, index, 3)]).toEqual(expected[3]);
  });

  it('uses int32 tokens for a vocabulary of 65,500 or more (Megatron\'s optimal_dtype) and refuses ids that do not fit', () => {
    expect(megatronDtypeFor(50257)).toBe('uint16');
    expect(megatronDtypeFor(65500)).toBe('int32');
    const prefix = path.join(tmp, 'wide');
    const w = new MegatronWriter(prefix, 'int32');
    w.addDocument([1, 70000, 128000]);
    w.addDocument([5]);
    w.commit();
    const r = JSON.parse(python(MEGATRON_READER, [prefix]));
    expect(r).toMatchObject({ dtype: 'int32', lengths: [3, 1], pointers: [0, 12], seqs: [[1, 70000, 128000], [5]] });
    const narrow = new MegatronWriter(path.join(tmp, 'narrow'), 'uint16');
    expect(() => narrow.addDocument([70000])).toThrow(`${path.join(tmp, 'narrow')}.bin: token id 70000 does not fit the dataset's uint16 tokens (0..65535)`);
    expect(fs.readdirSync(tmp).filter((f) => f.startsWith('narrow'))).toEqual([]);
  });

  it('checks the index against the .bin and names what is wrong', () => {
    const prefix = path.join(tmp, 'checked');
    const w = new MegatronWriter(prefix, 'uint16');
    w.addDocument([1, 2, 3]);
    w.commit();
    fs.truncateSync(prefix + '.bin', 4);
    expect(() => readMegatronIndex(prefix)).toThrow(`${prefix}.bin: 4 bytes, but the index lists 3 uint16 tokens (6 bytes)`);
    fs.writeFileSync(prefix + '.idx', Buffer.from('not an index at all, at least 34 bytes long'));
    expect(() => readMegatronIndex(prefix)).toThrow(`${prefix}.idx: not a Megatron index: bad magic`);
  });
});
