/**
 * The replay's job done by DuckDB, as a user could do it instead: unnest the legacy document's rows,
 * write them as gzip NDJSON partitioned by day (the record schema), then the totals, the trend per day
 * and the top groups. Run as its own process so its time and peak memory are measured like the
 * action's: `node build/bench/duckdb-job.js FILE OUTPUT_DIR`.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const [file, outputDir] = process.argv.slice(2);
if (!file || !outputDir) throw new Error('usage: duckdb-job.js FILE OUTPUT_DIR');
const quote = (s: string) => `'${s.replace(/'/g, "''")}'`;

const instance = await DuckDBInstance.create(':memory:');
const db = await instance.connect();
await db.run(`SET preserve_insertion_order = true`);
await db.run(
  `CREATE TABLE raw AS SELECT unnest(results, recursive := true)
   FROM read_json(${quote(file)}, format = 'unstructured', maximum_object_size = 2000000000)`,
);
if (process.env.BENCH_DEBUG) console.error('loaded', performance.now());
await db.run(
  `CREATE TABLE rows AS SELECT *, strftime(CAST("date" AS DATE), '%Y-%m-%d') AS dt FROM raw; DROP TABLE raw`,
);
if (process.env.BENCH_DEBUG) console.error('dt', performance.now());
const collectedAt = new Date().toISOString();
// JSON output takes no PARTITION_BY: one COPY per day, as a user would script it.
const days = (await db.runAndReadAll(`SELECT DISTINCT dt FROM rows ORDER BY 1`)).getRows();
mkdirSync(outputDir, { recursive: true });
for (const [day] of days) {
  const dir = path.join(outputDir, `dt=${String(day)}`);
  mkdirSync(dir, { recursive: true });
  await db.run(
    `COPY (
       SELECT dt AS "date",
         clientId, clientName, organizationId, userId, templateUri, httpMethod, '' AS platform,
         CAST(requests AS BIGINT) AS requests, CAST(status200 AS BIGINT) AS status200,
         CAST(status300 AS BIGINT) AS status300, CAST(status400 AS BIGINT) AS status400,
         CAST(status429 AS BIGINT) AS status429, CAST(status500 AS BIGINT) AS status500,
         '' AS "interval", 'legacy' AS api, '' AS queryId, ${quote(collectedAt)} AS collectedAt
       FROM rows WHERE dt = ${quote(String(day))}
     ) TO ${quote(path.join(dir, 'legacy.json.gz'))} (FORMAT json, COMPRESSION gzip)`,
  );
}
if (process.env.BENCH_DEBUG) console.error('copied', performance.now());
const totals = await db.runAndReadAll(
  `SELECT count(*) AS records, sum(requests) AS requests, sum(status429) AS status429 FROM rows`,
);
const trend = await db.runAndReadAll(
  `SELECT CAST("date" AS DATE) AS day, sum(requests) AS requests, sum(status429) AS status429
   FROM rows GROUP BY day ORDER BY day`,
);
const top = await db.runAndReadAll(
  `SELECT clientId, templateUri, httpMethod, sum(requests) AS requests, sum(status429) AS status429
   FROM rows GROUP BY ALL ORDER BY status429 DESC, requests DESC LIMIT 10`,
);
console.log(
  JSON.stringify({
    records: String(totals.getRows()[0]?.[0]),
    days: trend.getRows().length,
    top: top.getRows().length,
  }),
);
db.closeSync();
instance.closeSync();
