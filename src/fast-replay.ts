/**
 * The fast replay path: reads a saved legacy document `{"results":[...]}` or aggregates page
 * `{"entities":[...]}` as bytes, takes each flat row through FastRow (no decoding, no JSON.parse or
 * JSON.stringify), and hands any other row to the general path's rules (checkUsageRow, toRecord), in
 * order. Every row also teaches the shape scan, as the general path's pass does. Output, facts and
 * places are what the general path gives.
 *
 * When the file holds anything the general path might treat differently or refuse (another document
 * shape, invalid JSON, a row the record rules reject, a queryStatus other than complete, a truncated
 * file), it stops, removes what it wrote and returns undefined: the caller then replays the whole file
 * through the general path, which gives the same output or the same error as without a fast path.
 */
import { open, stat } from 'node:fs/promises';
import { FastRow, GroupCounter, NEED_MORE, NOT_FAST, skipValue, skipWhitespace } from './fast-rows.js';
import type { LineEncoder, PartitionWriter } from './partition-writer.js';
import {
  checkUsageRow,
  type CheckedRow,
  type RecordContext,
  rowPlace,
  toRecord,
  type UsageRecord,
} from './records.js';
import type { ShapeScan } from './replay-shape.js';
import { BucketCounts, type Counts, type Dimension, DIMENSIONS, type ReportBuilder } from './report.js';

export interface FastReplayTarget {
  ctx: RecordContext;
  /** Learns the shape from every row, as the general path's scan does (same facts, same places). */
  scan: ShapeScan;
  /** Records are written and reported only when both are given; else the pass only scans. */
  builder?: ReportBuilder;
  /** The run's writer (made on first use: its object name is the run's, whichever path writes). */
  openWriter?: () => PartitionWriter;
}

export interface FastReplayResult {
  rows: number;
  /** How many of them the fast path took (the rest went through the record rules). */
  fastRows: number;
}

const READ_SIZE = 1 << 20;
const COMPLETE = [Buffer.from('"Complete"'), Buffer.from('"Succeeded"')];
const QUERY_STATUS = Buffer.from('"queryStatus"');
const ROW_KEYS = [Buffer.from('"results"'), Buffer.from('"entities"')];

/** Thrown inside to leave the fast path for the general one. */
class NotForFastPath extends Error {}

function equals(b: Buffer, s: number, e: number, word: Buffer): boolean {
  return e - s === word.length && b.compare(word, 0, word.length, s, e) === 0;
}

/** The six counts at a[at..at+6). */
function toCounts(a: Float64Array, at = 0): Counts {
  return {
    requests: a[at] as number,
    status200: a[at + 1] as number,
    status300: a[at + 2] as number,
    status400: a[at + 3] as number,
    status429: a[at + 4] as number,
    status500: a[at + 5] as number,
  };
}

export async function replayFast(
  file: string,
  target: FastReplayTarget,
): Promise<FastReplayResult | undefined> {
  // Not a readable file: the general path says so in its own words.
  if (!(await stat(file).catch(() => undefined))?.isFile()) return undefined;
  let handle;
  try {
    handle = await open(file, 'r');
  } catch {
    return undefined;
  }
  const run = new FastReplay(target);
  try {
    let buf = Buffer.allocUnsafe(READ_SIZE);
    let len = 0;
    let eof = false;
    for (;;) {
      if (!eof) {
        if (len === buf.length) {
          const grown = Buffer.allocUnsafe(buf.length * 2);
          buf.copy(grown, 0, 0, len);
          buf = grown;
        }
        const { bytesRead } = await handle.read(buf, len, buf.length - len, null).catch(() => {
          throw new NotForFastPath();
        });
        if (bytesRead === 0) eof = true;
        len += bytesRead;
      }
      const consumed = await run.push(buf, len, eof);
      if (eof) break;
      run.shift(buf, consumed);
      buf.copyWithin(0, consumed, len);
      len -= consumed;
    }
    return await run.finish();
  } catch (error) {
    if (!(error instanceof NotForFastPath)) {
      // A write error: the caller closes the writer and keeps what is on disk, as on the general path.
      throw error;
    }
    await run.abort();
    return undefined;
  } finally {
    await handle.close();
  }
}

type State = 'start' | 'key' | 'afterValue' | 'rowsStart' | 'row' | 'afterRow' | 'end';

class FastReplay {
  private state: State = 'start';
  private sawRows = false;
  private rows = 0;
  private fastRows = 0;
  private writer: PartitionWriter | undefined;
  private readonly row: FastRow;
  /** The bytes the current row lies in: the encoder copies its values from there. */
  private source: Buffer = Buffer.alloc(0);
  /** One object for every row (no closure per row): writes the current row's line. */
  private readonly encoder: LineEncoder = {
    writeLine: (out, offset) => this.row.writeLine(this.source, out, offset),
  };
  private readonly groups = new GroupCounter();
  private readonly totals = new Float64Array(6);
  /**
   * The partitions by date (yyyymmdd as a number), as bucket numbers: their `YYYY-MM-DD` and six
   * counts, handed to the report as they are (tens of thousands of days hold no object each).
   */
  private readonly partitionOf = new Map<number, number>();
  private readonly buckets = new BucketCounts();
  private readonly writes: boolean;
  /** The newlines counted before `counted` (an index in the current buffer). */
  private counted = 0;
  private newlines = 0;
  /** What the scan already knows, so that a fast row that adds nothing new costs no decoding. */
  private knownDimensions = 0;
  private knownOrganization: Buffer | undefined;

  constructor(private readonly target: FastReplayTarget) {
    this.row = new FastRow(target.ctx);
    this.writes = Boolean(target.builder && target.openWriter);
  }

  /** The buffer drops its first `consumed` bytes: their newlines are counted first. */
  shift(b: Buffer, consumed: number): void {
    this.countNewlines(b, consumed);
    this.counted = 0;
  }

  private countNewlines(b: Buffer, to: number): void {
    for (let k = b.indexOf(0x0a, this.counted); k !== -1 && k < to; k = b.indexOf(0x0a, k + 1)) {
      this.newlines++;
    }
    this.counted = to;
  }

  /** Where the row starting at b[i] is, in the general path's words: `row N (line L)`. */
  private place(b: Buffer, i: number): string {
    this.countNewlines(b, i);
    return rowPlace(this.rows + 1, this.newlines + 1);
  }

  /** Reads what it can of b[0..len); returns how many bytes it consumed. */
  async push(b: Buffer, len: number, eof: boolean): Promise<number> {
    let i = 0;
    const needMore = (): number => {
      // Stopped mid-value at the end of the file: truncated, for the general path to report.
      if (eof) throw new NotForFastPath();
      return i;
    };
    for (;;) {
      const j = skipWhitespace(b, i, len);
      if (j >= len) {
        if (eof && this.state !== 'end') throw new NotForFastPath();
        return eof ? len : j;
      }
      i = j;
      const c = b[i];
      switch (this.state) {
        case 'start':
          if (c !== 0x7b) throw new NotForFastPath();
          this.state = 'key';
          i++;
          break;
        case 'key': {
          const keyEnd = skipValue(b, i, len);
          if (keyEnd === NEED_MORE) return needMore();
          if (c !== 0x22 || keyEnd < 0) throw new NotForFastPath();
          const v = skipWhitespace(b, keyEnd, len);
          if (v >= len) return needMore();
          if (b[v] !== 0x3a) throw new NotForFastPath();
          const value = skipWhitespace(b, v + 1, len);
          if (value >= len) return needMore();
          if (ROW_KEYS.some((k) => equals(b, i, keyEnd, k))) {
            // One array of rows per document, as a legacy result or an aggregates page has.
            if (b[value] !== 0x5b || this.sawRows) throw new NotForFastPath();
            this.sawRows = true;
            this.state = 'rowsStart';
            i = value + 1;
            break;
          }
          const valueEnd = skipValue(b, value, len);
          if (valueEnd === NEED_MORE) return needMore();
          if (valueEnd < 0) throw new NotForFastPath();
          // Only a complete result: any other status is for the general path to refuse.
          if (equals(b, i, keyEnd, QUERY_STATUS)) {
            if (!COMPLETE.some((word) => equals(b, value, valueEnd, word))) throw new NotForFastPath();
          }
          this.state = 'afterValue';
          i = valueEnd;
          break;
        }
        case 'afterValue':
          if (c === 0x2c) this.state = 'key';
          else if (c === 0x7d) {
            // A top-level object without rows is a row itself (NDJSON): the general path's.
            if (!this.sawRows) throw new NotForFastPath();
            this.state = 'end';
          } else throw new NotForFastPath();
          i++;
          break;
        case 'rowsStart':
          if (c === 0x5d) {
            this.state = 'afterValue';
            i++;
            break;
          }
          this.state = 'row';
          break;
        case 'row': {
          if (c !== 0x7b) throw new NotForFastPath();
          const end = this.row.parse(b, i, len);
          if (end === NEED_MORE) return needMore();
          if (end === NOT_FAST) {
            const valueEnd = skipValue(b, i, len);
            if (valueEnd === NEED_MORE) return needMore();
            if (valueEnd < 0) throw new NotForFastPath();
            await this.addGeneral(b.toString('utf8', i, valueEnd), this.place(b, i));
            i = valueEnd;
          } else {
            // Awaited only when the writer has something to wait for: no promise a row.
            const written = this.addFast(b, i, end);
            if (written) await written;
            i = end;
          }
          this.state = 'afterRow';
          break;
        }
        case 'afterRow':
          if (c === 0x2c) this.state = 'row';
          else if (c === 0x5d) this.state = 'afterValue';
          else throw new NotForFastPath();
          i++;
          break;
        case 'end':
          // Anything after the document (another document, NDJSON) is for the general path.
          throw new NotForFastPath();
      }
    }
  }

  private writerFor(): PartitionWriter {
    return (this.writer ??= (this.target.openWriter as () => PartitionWriter)());
  }

  private newPartition(date: number, dt: string): number {
    const p = this.buckets.push(dt);
    this.partitionOf.set(date, p);
    return p;
  }

  private addFast(b: Buffer, start: number, end: number): Promise<void> | undefined {
    const row = this.row;
    let p = this.partitionOf.get(row.date);
    if (p === undefined) {
      const ds = row.stringStart[7] as number;
      p = this.newPartition(row.date, b.toString('latin1', ds, ds + 10));
    }
    const dt = this.buckets.dates[p] as string;
    if (this.isNews(b, dt)) {
      // Something the scan has not seen: the general rules on the row itself give it the same facts.
      this.scanned(this.check(b.toString('utf8', start, end)), this.place(b, start));
    } else this.target.scan.rows++;
    this.rows++;
    this.fastRows++;
    if (!this.writes) return undefined;
    for (let k = 0; k < 6; k++) {
      const n = row.count(k);
      this.totals[k] = (this.totals[k] as number) + n;
      this.buckets.addTo(p, k, n);
    }
    this.groups.addRow(b, row);
    // In row order, straight into the writer's batch: the same batches as the general path's.
    this.source = b;
    return this.writerFor().writeEncodedLine(dt, row.lineLength(), this.encoder);
  }

  /**
   * Whether the fast row just parsed tells the scan anything it does not know yet (its first row, an
   * API, a date, a dimension, an organisation, the first row without an interval of its own). Fast
   * rows always have a date and a requests count and never an interval.
   */
  private isNews(b: Buffer, dt: string): boolean {
    const scan = this.target.scan;
    const row = this.row;
    if (!scan.rows || !scan.rowWithoutInterval || !scan.dates.has(dt)) return true;
    if (!scan.mixedApi && scan.api?.value !== (row.aggregates ? 'aggregates' : 'legacy')) return true;
    let present = 0;
    for (let f = 0; f < 7; f++) {
      // An absent field starts at -1 (its end is left from an earlier row).
      const s = row.fieldStart[f] as number;
      if (s >= 0 && (row.fieldEnd[f] as number) > s) present |= 1 << f;
    }
    if (present & ~this.knownDimensions) return true;
    if (present & 1 && !scan.clientIdSeen) return true;
    if (!(present & 4)) return !scan.rowWithoutOrganization;
    if (scan.organizations.size >= 2) return false;
    const known = this.knownOrganization;
    const s = row.fieldStart[2] as number;
    const e = row.fieldEnd[2] as number;
    // Fast rows' strings are as JSON.stringify writes them: equal bytes are equal ids.
    return !known || known.length !== e - s || b.compare(known, 0, known.length, s, e) !== 0;
  }

  private check(text: string): CheckedRow {
    let checked;
    try {
      checked = checkUsageRow(JSON.parse(text));
    } catch {
      throw new NotForFastPath();
    }
    // The general path reports it, with its own words and position.
    if (checked.problem) throw new NotForFastPath();
    return checked;
  }

  /** Adds a row to the scan and remembers what the scan now knows. */
  private scanned(row: CheckedRow, place: string): void {
    const scan = this.target.scan;
    scan.add(row, place);
    const d = scan.dimensions;
    // Bits by record field: clientId, clientName, organizationId, userId, templateUri, httpMethod, platform.
    this.knownDimensions =
      (d.has('client') ? 3 : 0) |
      (d.has('organizationId') ? 4 : 0) |
      (d.has('userId') ? 8 : 0) |
      (d.has('templateUri') ? 16 : 0) |
      (d.has('httpMethod') ? 32 : 0) |
      (d.has('platform') ? 64 : 0);
    const [first] = scan.organizations;
    if (first !== undefined && !this.knownOrganization) {
      this.knownOrganization = Buffer.from(JSON.stringify(first).slice(1, -1));
    }
  }

  /** A row the fast path does not take: exactly what the general path does with it. */
  private async addGeneral(text: string, place: string): Promise<void> {
    const checked = this.check(text);
    this.scanned(checked, place);
    this.rows++;
    if (!this.writes) return;
    const record: UsageRecord = toRecord(checked, this.target.ctx);
    if (!/^\d{4}-\d{2}-\d{2}$/.test(record.date)) throw new NotForFastPath();
    const date = Number(record.date.replace(/-/g, ''));
    const p = this.partitionOf.get(date) ?? this.newPartition(date, record.date);
    await this.writerFor().write(record);
    const counts = [
      record.requests,
      record.status200,
      record.status300,
      record.status400,
      record.status429,
      record.status500,
    ];
    for (let k = 0; k < 6; k++) {
      this.totals[k] = (this.totals[k] as number) + (counts[k] as number);
      this.buckets.addTo(p, k, counts[k] as number);
    }
    this.groups.addRecord(record);
  }

  async finish(): Promise<FastReplayResult> {
    if (!this.writes) return { rows: this.rows, fastRows: this.fastRows };
    (this.target.builder as ReportBuilder).absorb(
      this.rows,
      toCounts(this.totals),
      this.buckets,
      this.groups.groups.map((g) => ({
        fields: Object.fromEntries(DIMENSIONS.map((d, k) => [d, g.fields[k]])) as Record<Dimension, string>,
        counts: toCounts(g.counts),
      })),
    );
    return { rows: this.rows, fastRows: this.fastRows };
  }

  async abort(): Promise<void> {
    await this.writer?.abort();
  }
}
