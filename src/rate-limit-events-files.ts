/**
 * Writes the near-limit event records as NDJSON, one file per partition, in the same layout as the
 * usage records. The events come in one synchronous answer (a few rows per limit and day), so each file
 * is written whole: to a temporary name first, then renamed (writeFileAtomic), so no half-written file
 * is ever uploaded, and a cancelled run removes it.
 */
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { Compression, Granularity } from './types.js';
import { writeFileAtomic } from './atomic-file.js';
import { describeError, UserError } from './errors.js';
import { partitionGranularity, partitionPath } from './layout.js';
import type { PartitionFile } from './partition-writer.js';
import { rateLimitEventLine, type RateLimitEventRecord } from './rate-limit-events.js';

const gzipAsync = promisify(gzip);

export async function writeRateLimitEventFiles(
  dir: string,
  granularity: Granularity | undefined,
  name: string,
  compression: Compression,
  records: RateLimitEventRecord[],
): Promise<PartitionFile[]> {
  const g = partitionGranularity(granularity);
  const byDate = new Map<string, RateLimitEventRecord[]>();
  for (const r of records) {
    const list = byDate.get(r.date);
    if (list) list.push(r);
    else byDate.set(r.date, [r]);
  }
  const files: PartitionFile[] = [];
  for (const [dt, rows] of [...byDate.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const relativePath = partitionPath(g, dt, name, compression);
    const filePath = path.join(dir, ...relativePath.split('/'));
    const text = rows.map(rateLimitEventLine).join('');
    const body = compression === 'gzip' ? await gzipAsync(Buffer.from(text, 'utf8'), { level: 6 }) : text;
    try {
      await mkdir(path.dirname(filePath), { recursive: true });
      await writeFileAtomic(filePath, body);
    } catch (error) {
      throw new UserError(`Could not write the NDJSON file ${filePath}: ${describeError(error)}`);
    }
    files.push({ granularity: g, dt, relativePath, path: filePath, records: rows.length });
  }
  return files;
}
