/** Reads back what the action put in s3rver, e.g. for the Athena fake to query it with DuckDB. */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { duckAthena } from './duckdb-athena.js';
import { tempDir } from '../isolation.js';

export async function listKeys(s3: S3Client, bucket: string, prefix = ''): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    keys.push(...(page.Contents ?? []).map((o) => o.Key ?? ''));
    token = page.NextContinuationToken;
  } while (token);
  return keys.sort();
}

/** Copies every object under `prefix/` into `dir`, keeping the layout below the prefix. */
export async function downloadPrefix(
  s3: S3Client,
  bucket: string,
  prefix: string,
  dir: string,
): Promise<void> {
  for (const key of await listKeys(s3, bucket, `${prefix}/`)) {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const target = path.join(dir, ...key.slice(prefix.length + 1).split('/'));
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, Buffer.from(await object.Body!.transformToByteArray()));
  }
}

/**
 * Athena's stand-in for the fake: DuckDB over what the bucket holds at query time. `prefixes` maps
 * table names to their S3 prefix (the crawler names a table after its folder).
 */
export function athenaOverBucket(s3: S3Client, bucket: string, prefixes: Record<string, string>) {
  return async (sql: string, database: string) => {
    const table = new RegExp(`FROM "${database}"\\."([A-Za-z0-9_]+)"`).exec(sql)?.[1] ?? '';
    const dir = tempDir('athena-data');
    await downloadPrefix(s3, bucket, prefixes[table] ?? table, dir);
    const duck = await duckAthena(dir, database, table);
    try {
      return await duck.query(sql);
    } finally {
      duck.close();
    }
  };
}
