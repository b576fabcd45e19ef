// The token shard formats, described once: llm.c's .bin shards (what `curate tokenize` writes by
// default), the document-boundary file beside them, Megatron-LM's indexed dataset (.bin + .idx), and the
// manifest.json of a tokenized dataset. Written and read by src/io/token-shard.ts and src/io/megatron.ts.
import { z } from 'zod';

// ---------------------------------------------------------------------------------------------------
// llm.c token shard (karpathy/llm.c dev/data/data_common.py write_datafile; llmc/dataloader.h reads it)
//
//   offset        size          field
//   0             4 x 256       header: int32 little-endian
//                                 [0] magic   20240520 (uint16 tokens) | 20240801 (uint32 tokens)
//                                 [1] version 1                        | 7
//                                 [2] token count N
//                                 [3..255] 0
//   1024          N x width     tokens, uint16 or uint32 little-endian
//
// The file is exactly 1024 + N x width bytes. uint16 holds ids up to 65,535 (a vocabulary of at most
// 65,536, GPT-2's 50,257 included). A larger vocabulary gets uint32 tokens under the magic and version
// llm.c itself uses for them (data_common.py's "llama-3" entry: 20240801, version 7), so readers that
// know llm.c's two kinds read ours.
// ---------------------------------------------------------------------------------------------------

export const LLMC_HEADER_INTS = 256;
export const LLMC_HEADER_BYTES = LLMC_HEADER_INTS * 4;

export interface LlmcKind {
  magic: number;
  version: number;
  /** bytes per token */
  width: 2 | 4;
  dtype: 'uint16' | 'uint32';
}

export const LLMC_UINT16: LlmcKind = { magic: 20240520, version: 1, width: 2, dtype: 'uint16' };
export const LLMC_UINT32: LlmcKind = { magic: 20240801, version: 7, width: 4, dtype: 'uint32' };
export const LLMC_KINDS: readonly LlmcKind[] = [LLMC_UINT16, LLMC_UINT32];

/** the narrowest llm.c kind that holds every id of a vocabulary */
export function llmcKindFor(vocabSize: number): LlmcKind {
  return vocabSize <= 0x10000 ? LLMC_UINT16 : LLMC_UINT32;
}

export const LlmcHeader = z.object({
  magic: z.number().int(),
  version: z.number().int(),
  tokens: z.number().int().nonnegative(),
});
export type LlmcHeader = z.infer<typeof LlmcHeader>;

// ---------------------------------------------------------------------------------------------------
// Document boundaries beside an llm.c shard: <shard>.bnd (written with --boundaries; our own format)
//
//   offset        size          field
//   0             4 x 256       header: int32 little-endian
//                                 [0] magic 0x444e4243 ("CBND" as bytes)  [1] version 1
//                                 [2] windows W   [3] entries E   [4] context T
//   1024          4 x (W + 1)   int32 row pointers: window w's entries are [ptr[w], ptr[w+1])
//   1024+4(W+1)   4 x E         int32 offsets, within the window, of the <|endoftext|> that opens a document
//
// Window w covers shard tokens [w*T, w*T + T] (T+1 tokens: inputs and the shifted targets). Offsets are
// input positions (0..T-1): an EOT at the window's last position opens a document in the next window,
// at offset 0. The last window may be shorter than T+1 (the split's remainder; see docs).
// ---------------------------------------------------------------------------------------------------

export const BOUNDARIES_MAGIC = 0x444e4243;
export const BOUNDARIES_VERSION = 1;
export const BOUNDARIES_SUFFIX = '.bnd';

// ---------------------------------------------------------------------------------------------------
// Megatron-LM indexed dataset (MMapIndexedDataset): <prefix>.bin holds the tokens of every sequence
// back to back; <prefix>.idx is, all little-endian (NVIDIA/Megatron-LM
// megatron/core/datasets/indexed_dataset.py, _IndexWriter.__enter__ / write and _IndexReader):
//
//   offset        size          field
//   0             9             magic b"MMIDIDX\x00\x00"
//   9             8             uint64 version = 1
//   17            1             uint8 dtype code (DType: uint8 1, int8 2, int16 3, int32 4, int64 5,
//                                 float64 6, float32 7, uint16 8)
//   18            8             uint64 sequence count S
//   26            8             uint64 document count D (= documents + 1: document_indices starts at 0)
//   34            4 x S         int32 sequence lengths (tokens)
//   34+4S         8 x S         int64 sequence pointers (byte offsets into .bin)
//   34+12S        8 x D         int64 document indices (sequence index where each document ends)
//
// We write one sequence per document, as tools/preprocess_data.py does without --split-sentences, with
// <|endoftext|> appended (its --append-eod), so document_indices is 0, 1, ..., S. The token dtype is
// uint16 for vocabularies under 65,500 and int32 above (DType.optimal_dtype).
// ---------------------------------------------------------------------------------------------------

export const MEGATRON_MAGIC = Uint8Array.of(0x4d, 0x4d, 0x49, 0x44, 0x49, 0x44, 0x58, 0x00, 0x00);
export const MEGATRON_VERSION = 1;
export const MEGATRON_HEADER_BYTES = 34;
export const MEGATRON_DTYPES = { uint8: 1, int8: 2, int16: 3, int32: 4, int64: 5, float64: 6, float32: 7, uint16: 8 } as const;
export type MegatronTokenDtype = 'uint16' | 'int32';

export function megatronDtypeFor(vocabSize: number): MegatronTokenDtype {
  return vocabSize < 65500 ? 'uint16' : 'int32';
}

// ---------------------------------------------------------------------------------------------------
// manifest.json of a tokenized dataset (written last: its presence means every shard is whole)
// ---------------------------------------------------------------------------------------------------

export const ShardEntry = z.object({
  /** file name, relative to the manifest */
  file: z.string(),
  tokens: z.number().int().nonnegative(),
  /** llm.c: context windows in the shard (the last may be short); Megatron: sequences (= documents) */
  windows: z.number().int().nonnegative(),
  /** documents that start in this shard */
  documents: z.number().int().nonnegative(),
  /** the boundary file beside it (llm.c, --boundaries) */
  boundaries: z.string().optional(),
  /** Megatron: the index file beside the .bin */
  index: z.string().optional(),
});
export type ShardEntry = z.infer<typeof ShardEntry>;

export const SplitSummary = z.object({
  documents: z.number().int().nonnegative(),
  /** tokens written (llm.c: a token shared by two shards counts in both) */
  tokens: z.number().int().nonnegative(),
  shards: z.array(ShardEntry),
});

export const TokenManifest = z.object({
  version: z.literal(1),
  format: z.enum(['llmc', 'megatron']),
  tokenizer: z.object({ spec: z.string(), name: z.string(), vocab_size: z.number().int().positive(), eot: z.number().int().nonnegative() }),
  token_dtype: z.enum(['uint16', 'uint32', 'int32']),
  /** llm.c: 'before' (EOT opens each document, as llm.c's fineweb.py); Megatron: 'after' (--append-eod) */
  eot_position: z.enum(['before', 'after']),
  context: z.number().int().positive(),
  seed: z.number().int(),
  val_fraction: z.number().min(0).max(1),
  max_shard_tokens: z.number().int().positive(),
  inputs: z.array(z.string()),
  splits: z.object({ train: SplitSummary, val: SplitSummary }),
  /** reader counts plus documents skipped without text */
  counts: z.record(z.string(), z.number()),
});
export type TokenManifest = z.infer<typeof TokenManifest>;
