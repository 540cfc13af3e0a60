/**
 * One pass over a results file: every row is checked and taught to a ShapeScan (the rows decide the
 * replay's shape), and, when the pass has an output, normalised into the NDJSON partitions and the
 * report at the same time. The fast path takes the file when it can; a file it cannot prove it reads
 * exactly goes through the general path from the start, with a fresh scan and a fresh writer, so both
 * give the same facts, places, files and errors.
 */
import { replayFast } from './fast-replay.js';
import { UserError } from './errors.js';
import type { PartitionWriter } from './partition-writer.js';
import { checkUsageRow, describeProblem, type RecordContext, toRecord } from './records.js';
import { replayResultsFile } from './replay.js';
import { ShapeScan } from './replay-shape.js';
import type { ReportBuilder } from './report.js';

export interface ReplayOutput {
  builder: ReportBuilder;
  /** The run's writer, made on first use. */
  openWriter: () => PartitionWriter;
  /** Forgets the writer after the fast path removed what it wrote: the general path starts a new one. */
  dropWriter: () => void;
}

export interface ReplayPassResult {
  scan: ShapeScan;
  rows: number;
  /** How many rows the fast path took (0 when the general path read the file). */
  fastRows: number;
}

/** Reads `file` once; writes and reports its records only when `output` is given. */
export async function replayPass(
  file: string,
  ctx: RecordContext,
  output?: ReplayOutput,
): Promise<ReplayPassResult> {
  const fastScan = new ShapeScan();
  const fast = await replayFast(file, {
    ctx,
    scan: fastScan,
    builder: output?.builder,
    openWriter: output?.openWriter,
  });
  if (fast) return { scan: fastScan, ...fast };
  output?.dropWriter();
  return replayGeneral(file, ctx, output);
}

/** The general path's pass: any file the action reads, row by row through the record rules. */
export async function replayGeneral(
  file: string,
  ctx: RecordContext,
  output?: Omit<ReplayOutput, 'dropWriter'>,
): Promise<ReplayPassResult> {
  const scan = new ShapeScan();
  const result = await replayResultsFile(file, async (rows, _queryId, places) => {
    for (let i = 0; i < rows.length; i++) {
      const place = places?.[i] ?? `row ${scan.rows + 1}`;
      const checked = checkUsageRow(rows[i]);
      if (checked.problem) throw new UserError(describeProblem(checked, place));
      scan.add(checked, place);
      if (!output) continue;
      // A replay keeps the ids its rows carry: no run identity to fill in.
      const record = toRecord(checked, ctx);
      output.builder.add(record);
      await output.openWriter().write(record);
    }
  });
  return { scan, rows: result.rows, fastRows: 0 };
}

/**
 * Whether the lines a pass wrote with `used` are the lines `final` gives. The two contexts of a run
 * differ only in what the shape decides: the interval, which a record takes only when its row carries
 * none, and the date of undated rows.
 */
export function sameLines(scan: ShapeScan, used: RecordContext, final: RecordContext): boolean {
  return (
    (used.interval === final.interval || !scan.rowWithoutInterval) &&
    (used.defaultDate === final.defaultDate || scan.firstUndated === undefined)
  );
}
