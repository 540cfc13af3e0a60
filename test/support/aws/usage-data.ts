/** Writes usage rows the way the action does (normaliseRow, PartitionWriter, ReportBuilder), for tests. */
import path from 'node:path';
import type { Api, Compression, Granularity, GroupBy } from '../../../src/types.js';
import { formatDate, formatInterval, type Interval } from '../../../src/interval.js';
import { objectName, partitionGranularity } from '../../../src/layout.js';
import { PartitionWriter, type PartitionFile } from '../../../src/partition-writer.js';
import { normaliseRow } from '../../../src/records.js';
import { replayResultsFile } from '../../../src/replay.js';
import { type Report, ReportBuilder } from '../../../src/report.js';
import { ROOT } from '../run-action.js';

export const LEGACY_EXAMPLE = path.join(ROOT, 'examples/results/legacy-daily-by-client.json');

export interface RunShape {
  api: Api;
  granularity?: Granularity;
  interval: Interval;
  groupBy?: GroupBy[];
  compression?: Compression;
  top?: number;
}

export interface WrittenRun {
  files: PartitionFile[];
  report: Report;
}

/** Rows (either API's shape) or a results file, written under `dir` (the prefix folder). */
export async function writeRun(
  dir: string,
  source: unknown[] | string,
  shape: RunShape,
): Promise<WrittenRun> {
  const writer = new PartitionWriter(
    dir,
    partitionGranularity(shape.granularity),
    objectName(
      {
        api: shape.api,
        granularity: shape.granularity,
        groupBy: shape.groupBy ?? [],
        metrics: [],
        filters: { templateUris: [], httpMethods: [], oauthClientIds: [] },
      },
      shape.interval.end,
    ),
    shape.compression ?? 'gzip',
  );
  const builder = new ReportBuilder();
  const ctx = {
    api: shape.api,
    interval: formatInterval(shape.interval),
    defaultDate: formatDate(shape.interval.start),
    queryId: 'q-1',
    collectedAt: '2026-11-21T06:00:00.000Z',
  };
  const onRows = async (rows: unknown[]) => {
    for (const row of rows) {
      const record = normaliseRow(row, ctx);
      builder.add(record);
      await writer.write(record);
    }
  };
  if (typeof source === 'string') await replayResultsFile(source, onRows);
  else await onRows(source);
  const files = await writer.close();
  const report = builder.build(
    {
      api: shape.api,
      interval: ctx.interval,
      granularity: shape.granularity ?? 'total',
      queryId: 'q-1',
      generatedAt: ctx.collectedAt,
    },
    shape.top ?? 10,
  );
  return { files, report };
}

export const interval = (start: string, end: string): Interval => ({
  start: new Date(`${start}T00:00:00Z`),
  end: new Date(`${end}T00:00:00Z`),
});
