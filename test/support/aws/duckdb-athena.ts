/**
 * DuckDB standing in for Athena over NDJSON partitions: a table named like the crawler's, with the
 * columns lower-cased and typed as the crawler infers them, and `granularity`/`dt` partition columns
 * from the folder names. Test-only: @duckdb/node-api is a dev dependency, never bundled.
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { COUNT_FIELDS, RECORD_FIELDS } from '../../../src/records.js';
import type { QueryResult } from './fake-athena.js';

const quote = (identifier: string) => `"${identifier.replace(/"/g, '""')}"`;
const literal = (text: string) => `'${text.replace(/'/g, "''")}'`;

export interface DuckAthena {
  query(sql: string): Promise<QueryResult>;
  /**
   * How many files the query reads, from DuckDB's own profile (EXPLAIN ANALYZE: "Total Files
   * Read"): the files left after the filters on the partition folders, as Athena prunes partitions.
   */
  filesRead(sql: string): Promise<number>;
  close(): void;
}

/** `root` holds `granularity=*\/dt=*\/*.json[.gz]` as under the S3 prefix. */
export async function duckAthena(root: string, database: string, table: string): Promise<DuckAthena> {
  const instance = await DuckDBInstance.create(':memory:');
  const connection = await instance.connect();
  const columns = RECORD_FIELDS.map(
    (f) =>
      `${literal(f)}: ${literal((COUNT_FIELDS as readonly string[]).includes(f) ? 'BIGINT' : 'VARCHAR')}`,
  ).join(', ');
  const select = RECORD_FIELDS.map((f) => `${quote(f)} AS ${quote(f.toLowerCase())}`).join(', ');
  await connection.run(`CREATE SCHEMA ${quote(database)}`);
  await connection.run(
    `CREATE VIEW ${quote(database)}.${quote(table)} AS SELECT ${select}, "granularity", "dt" FROM read_json(` +
      `${literal(`${root}/**/*.json*`)}, format = 'newline_delimited', ` +
      `columns = {${columns}}, hive_partitioning = true, hive_types_autocast = false)`,
  );
  return {
    async query(sql) {
      const reader = await connection.runAndReadAll(sql);
      return {
        columns: reader.columnNames(),
        rows: reader
          .getRows()
          .map((row) => row.map((v) => (v === null || v === undefined ? undefined : String(v)))),
      };
    },
    async filesRead(sql) {
      const reader = await connection.runAndReadAll(`EXPLAIN ANALYZE ${sql}`);
      const profile = reader
        .getRows()
        .map((row) => row.map(String).join('\n'))
        .join('\n');
      const counts = [...profile.matchAll(/Total Files Read: (\d+)/g)].map((m) => Number(m[1]));
      if (!counts.length) throw new Error(`no "Total Files Read" in the profile:\n${profile}`);
      return counts.reduce((a, b) => a + b, 0);
    },
    close: () => {
      connection.closeSync();
      instance.closeSync();
    },
  };
}
