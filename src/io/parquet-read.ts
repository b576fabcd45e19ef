// Reading Parquet documents in bounded memory: DuckDB streams the file chunk by chunk, whatever
// codec wrote it (parquetjs-lite cannot read zstd, the codec our own shards use).
import { DuckDBInstance } from '@duckdb/node-api';

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export async function* streamParquetRows(file: string): AsyncGenerator<Record<string, unknown>> {
  const db = await DuckDBInstance.create(':memory:', { threads: '1' });
  const con = await db.connect();
  try {
    const result = await con.stream(`SELECT * FROM read_parquet(${sqlString(file)})`);
    for (;;) {
      const chunk = await result.fetchChunk();
      if (!chunk || chunk.rowCount === 0) break;
      const names = result.columnNames();
      for (const row of chunk.getRows()) {
        const obj: Record<string, unknown> = {};
        row.forEach((v, i) => (obj[names[i]!] = typeof v === 'bigint' ? Number(v) : v));
        yield obj;
      }
    }
  } finally {
    con.closeSync();
    db.closeSync();
  }
}

export { sqlString };
