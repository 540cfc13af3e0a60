/**
 * The fast replay path against the general one on the benchmark's file, in-process: the same gzip
 * NDJSON files byte for byte and the same report. What main.ts does on a replay with the interval given.
 */
import { createHash } from 'node:crypto';
import { readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { replayFast } from '../src/fast-replay.js';
import { PartitionWriter, type PartitionFile } from '../src/partition-writer.js';
import type { RecordContext } from '../src/records.js';
import { replayGeneral } from '../src/replay-pass.js';
import { ShapeScan } from '../src/replay-shape.js';
import { ReportBuilder } from '../src/report.js';

const CTX: RecordContext = {
  api: 'aggregates',
  detectApi: true,
  interval: '2026-10-01T00:00:00Z/2026-10-31T00:00:00Z',
  defaultDate: '2026-10-01',
  queryId: '',
  collectedAt: '2026-11-01T06:00:00.000Z',
};

interface Replayed {
  rows: number;
  fastRows: number;
  ms: number;
  /** Each file's path below the output folder, record count and sha256. */
  files: string[];
  report: string;
}

async function replay(file: string, dir: string, fast: boolean): Promise<Replayed> {
  rmSync(dir, { recursive: true, force: true });
  const started = performance.now();
  const builder = new ReportBuilder();
  let writer: PartitionWriter | undefined;
  const openWriter = () => (writer ??= new PartitionWriter(dir, 'day', 'usage.all', 'gzip'));
  // Both passes also teach the shape scan, as on a replay with the interval given (one pass).
  const scan = new ShapeScan();
  const fastResult = fast ? await replayFast(file, { ctx: CTX, scan, builder, openWriter }) : undefined;
  let result: { rows: number; fastRows: number };
  if (fastResult) result = fastResult;
  else {
    writer = undefined;
    result = await replayGeneral(file, CTX, { builder, openWriter });
  }
  const files: PartitionFile[] = writer ? await (writer as PartitionWriter).close() : [];
  const ms = performance.now() - started;
  const meta = { api: 'legacy', interval: CTX.interval, granularity: 'Day', queryId: '', generatedAt: '' };
  return {
    rows: result.rows,
    fastRows: result.fastRows,
    ms,
    files: files.map(
      (f) =>
        `${path.relative(dir, f.path)} ${f.records} ${createHash('sha256').update(readFileSync(f.path)).digest('hex')}`,
    ),
    report: JSON.stringify([builder.build(meta, 10), builder.groupRows()]),
  };
}

export interface Identity {
  identical: boolean;
  rows: number;
  fastRows: number;
  generalMs: number;
  fastMs: number;
  files: number;
}

export async function checkIdentity(file: string, outDir: string): Promise<Identity> {
  const general = await replay(file, path.join(outDir, 'general'), false);
  const fast = await replay(file, path.join(outDir, 'fast'), true);
  rmSync(outDir, { recursive: true, force: true });
  return {
    identical:
      general.rows === fast.rows &&
      general.report === fast.report &&
      JSON.stringify(general.files) === JSON.stringify(fast.files),
    rows: fast.rows,
    fastRows: fast.fastRows,
    generalMs: general.ms,
    fastMs: fast.ms,
    files: fast.files.length,
  };
}
