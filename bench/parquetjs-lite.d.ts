// Types for the part of parquetjs-lite@0.8.7 that bench/parquet-writers.ts uses; the package ships none.
declare module 'parquetjs-lite' {
  namespace parquet {
    type PrimitiveType = 'UTF8' | 'INT32' | 'INT64' | 'DOUBLE' | 'BOOLEAN';
    /** the codecs the "lite" build carries (no LZO, no Brotli, no zstd) */
    type Compression = 'UNCOMPRESSED' | 'GZIP' | 'SNAPPY';

    interface FieldDefinition {
      type: PrimitiveType;
      optional?: boolean;
      compression?: Compression;
    }

    class ParquetSchema {
      constructor(fields: Record<string, FieldDefinition>);
    }

    class ParquetWriter {
      static openFile(schema: ParquetSchema, path: string, opts?: { rowGroupSize?: number; pageSize?: number; useDataPageV2?: boolean }): Promise<ParquetWriter>;
      appendRow(row: Record<string, unknown>): Promise<void>;
      close(): Promise<void>;
    }
  }
  export = parquet;
}
