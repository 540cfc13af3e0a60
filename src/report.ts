/**
 * The report, built by pure functions from the records as they stream past: totals, per-metric
 * statistics over buckets, the groups (one combination of the grouped fields over the whole
 * interval), and the trend per bucket. Holds one counter set per group and per bucket, never the rows.
 */
import type { IntervalDays } from './interval.js';
import { COUNT_FIELDS, type CountField, type UsageRecord } from './records.js';
import type { Organization } from './types.js';

export type Counts = Record<CountField, number>;

export interface MetricStats {
  total: number;
  min: number;
  max: number;
  /** Mean per bucket. */
  mean: number;
}

/** The grouped fields of a record; which ones count is decided from the data. */
export const DIMENSIONS = [
  'clientId',
  'clientName',
  'organizationId',
  'userId',
  'templateUri',
  'httpMethod',
  'platform',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];

/** What tells one group from another. A client's id identifies it; its name only when no id was grouped. */
function groupKey(fields: Record<Dimension, string>): string {
  return [
    fields.clientId || fields.clientName,
    fields.organizationId,
    fields.userId,
    fields.templateUri,
    fields.httpMethod,
    fields.platform,
  ].join('\u0000');
}

export interface GroupRow extends Counts {
  /** The grouped fields only. */
  group: Partial<Record<Dimension, string>>;
  rate429: number;
}

export interface TrendRow extends Counts {
  date: string;
  rate429: number;
}

/** The trend's rows, oldest first (a Trend makes each row when asked for it). */
export interface TrendRows extends Iterable<TrendRow> {
  readonly length: number;
  at(index: number): TrendRow | undefined;
  /** Row `index`'s date, without making the row. */
  dateAt(index: number): string | undefined;
  slice(start?: number, end?: number): TrendRow[];
}

export interface Breach {
  threshold:
    'max-429' | 'max-429-rate' | 'max-429-per-group' | 'max-rate-limit-events' | 'max-requests-growth';
  limit: number;
  value: number;
  group?: Partial<Record<Dimension, string>>;
}

export interface Report {
  api: string;
  /** Half-open instants, as the records carry it. */
  interval: string;
  /** The whole days the interval covers: first, last included, how many. */
  days?: IntervalDays;
  /** The credentials' organisation, on a live run. */
  organization?: Organization;
  granularity: string;
  queryId: string;
  generatedAt: string;
  records: number;
  /** The dimensions that vary in this data (the effective group-by). */
  dimensions: Dimension[];
  totals: Counts & { rate429: number };
  /** Set when some row carried no requests count: every 429 rate is then unknown (not 0). */
  rate429Unknown?: boolean;
  metrics: Record<CountField, MetricStats>;
  trend: TrendRows;
  groupCount: number;
  topBy429: GroupRow[];
  topByRequests: GroupRow[];
  breaches: Breach[];
}

function emptyCounts(): Counts {
  return { requests: 0, status200: 0, status300: 0, status400: 0, status429: 0, status500: 0 };
}

/** Spelled out rather than looped over COUNT_FIELDS: this runs for every record, three times. */
function addCounts(target: Counts, record: Counts): void {
  target.requests += record.requests;
  target.status200 += record.status200;
  target.status300 += record.status300;
  target.status400 += record.status400;
  target.status429 += record.status429;
  target.status500 += record.status500;
}

/** 429s as a percentage of requests, 4 decimals. */
export function rate429(counts: Counts): number {
  return ratePercent(counts.status429, counts.requests);
}

function ratePercent(status429: number, requests: number): number {
  return requests > 0 ? Math.round((status429 / requests) * 100 * 10_000) / 10_000 : 0;
}

/**
 * Six counts a bucket (COUNT_FIELDS order) in one Float64Array, the dates beside them: with tens of
 * thousands of days, an object per bucket (and its six boxed numbers) was megabytes held to the end.
 */
export class BucketCounts {
  /** Date to bucket number; made when first needed (a builder that adopted the counts adds none). */
  private index: Map<string, number> | undefined;

  constructor(
    readonly dates: string[] = [],
    private counts = new Float64Array(6 * 16),
  ) {}

  get size(): number {
    return this.dates.length;
  }

  add(date: string, record: Counts): void {
    if (!this.index) this.index = new Map(this.dates.map((d, i) => [d, i]));
    const at = 6 * (this.index.get(date) ?? this.push(date));
    const c = this.counts;
    c[at] = (c[at] as number) + record.requests;
    c[at + 1] = (c[at + 1] as number) + record.status200;
    c[at + 2] = (c[at + 2] as number) + record.status300;
    c[at + 3] = (c[at + 3] as number) + record.status400;
    c[at + 4] = (c[at + 4] as number) + record.status429;
    c[at + 5] = (c[at + 5] as number) + record.status500;
  }

  /** A bucket for `date`, which has none yet: returns its number. */
  push(date: string): number {
    const i = this.dates.length;
    this.dates.push(date);
    this.index?.set(date, i);
    if (this.counts.length < 6 * (i + 1)) {
      const grown = new Float64Array(Math.max(6 * 16, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    return i;
  }

  /** Adds `n` to count `c` (COUNT_FIELDS[c]) of bucket `i`. */
  addTo(i: number, c: number, n: number): void {
    this.counts[6 * i + c] = (this.counts[6 * i + c] as number) + n;
  }

  /** The counts of bucket `i`, `c` of them: COUNT_FIELDS[c]. */
  count(i: number, c: number): number {
    return this.counts[6 * i + c] as number;
  }

  /** Bucket `i` as a trend row (a fresh object). */
  row(i: number): TrendRow {
    const c = this.counts;
    const at = 6 * i;
    const requests = c[at] as number;
    const status429 = c[at + 4] as number;
    return {
      date: this.dates[i] as string,
      requests,
      status200: c[at + 1] as number,
      status300: c[at + 2] as number,
      status400: c[at + 3] as number,
      status429,
      status500: c[at + 5] as number,
      rate429: ratePercent(status429, requests),
    };
  }
}

/**
 * The trend of a built report: its rows made when asked for (each a fresh object, nothing kept), so a
 * report of tens of thousands of days holds their counts, not an object each. JSON as the array.
 */
export class Trend implements TrendRows {
  constructor(
    private readonly buckets: BucketCounts,
    /** Bucket numbers in date order. */
    private readonly order: Uint32Array,
  ) {}

  get length(): number {
    return this.order.length;
  }

  at(index: number): TrendRow | undefined {
    const bucket = this.bucketAt(index);
    return bucket === undefined ? undefined : this.buckets.row(bucket);
  }

  dateAt(index: number): string | undefined {
    const bucket = this.bucketAt(index);
    return bucket === undefined ? undefined : this.buckets.dates[bucket];
  }

  /** As Array.prototype.at reads an index: truncated, from the end when negative. */
  private bucketAt(index: number): number | undefined {
    const i = Math.trunc(index) || 0;
    return this.order[i < 0 ? this.order.length + i : i];
  }

  slice(start = 0, end = this.order.length): TrendRow[] {
    return Array.from(this.order.subarray(start, end), (bucket) => this.buckets.row(bucket));
  }

  *[Symbol.iterator](): Iterator<TrendRow> {
    for (const bucket of this.order) yield this.buckets.row(bucket);
  }

  toJSON(): TrendRow[] {
    return this.slice();
  }
}

export interface GroupState {
  counts: Counts;
  fields: Record<Dimension, string>;
}

export interface ReportMeta {
  api: string;
  interval: string;
  days?: IntervalDays;
  organization?: Organization;
  granularity: string;
  queryId: string;
  generatedAt: string;
}

export class ReportBuilder {
  private records = 0;
  private readonly totals = emptyCounts();
  private buckets = new BucketCounts();
  private readonly groups = new Map<string, GroupState>();

  add(record: UsageRecord): void {
    this.records++;
    addCounts(this.totals, record);
    this.buckets.add(record.date, record);
    const key = groupKey(record);
    let group = this.groups.get(key);
    if (!group) {
      const fields = {} as Record<Dimension, string>;
      for (const d of DIMENSIONS) fields[d] = record[d];
      this.groups.set(key, (group = { counts: emptyCounts(), fields }));
    } else if (!group.fields.clientName && record.clientName) {
      group.fields.clientName = record.clientName;
    }
    addCounts(group.counts, record);
  }

  /**
   * Counts summed elsewhere (the fast replay path), row by row in the order add() would have seen the
   * rows, with the groups in first-seen order, into an empty builder: it then holds what add() would
   * have made. Takes the buckets, counts and fields given as its own (no copies: with tens of
   * thousands of days, copies were megabytes of garbage); the caller must not change them afterwards.
   */
  absorb(records: number, totals: Counts, buckets: BucketCounts, groups: Iterable<GroupState>): void {
    if (this.records) throw new Error('ReportBuilder.absorb: the builder already holds records');
    this.records = records;
    addCounts(this.totals, totals);
    this.buckets = buckets;
    for (const group of groups) this.groups.set(groupKey(group.fields), group);
  }

  /** `groupRows`: pass them when the caller needs them too (the gate), so they are made once. */
  build(meta: ReportMeta, top: number, groupRows = this.groupRows()): Report {
    // Dates are `YYYY-MM-DD`: plain order is date order (no collation for tens of thousands of days).
    const dates = this.buckets.dates;
    const order = Uint32Array.from(dates.keys()).sort((a, b) => {
      const x = dates[a] as string;
      const y = dates[b] as string;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const trend = new Trend(this.buckets, order);
    return {
      ...meta,
      records: this.records,
      dimensions: this.dimensions(),
      totals: { ...this.totals, rate429: rate429(this.totals) },
      metrics: metricStats(this.buckets),
      trend,
      groupCount: groupRows.length,
      topBy429: rank(
        groupRows.filter((g) => g.status429 > 0),
        'status429',
        top,
      ),
      topByRequests: rank(groupRows, 'requests', top),
      breaches: [],
    };
  }

  /** Every group with its counts: the per-group threshold needs all of them, not only the top. */
  groupRows(): GroupRow[] {
    const dimensions = this.dimensions();
    return [...this.groups.values()].map((g) => toGroupRow(g, dimensions));
  }

  /** The dimensions that vary in this data: the effective group-by. */
  private dimensions(): Dimension[] {
    const groups = [...this.groups.values()];
    return DIMENSIONS.filter((d) => groups.some((g) => g.fields[d] !== ''));
  }
}

function toGroupRow(state: GroupState, dimensions: Dimension[]): GroupRow {
  const group: Partial<Record<Dimension, string>> = {};
  for (const d of dimensions) group[d] = state.fields[d];
  return { group, ...state.counts, rate429: rate429(state.counts) };
}

/** Highest first; ties broken by the other count, then by the group's text, so output is stable. */
function rank(rows: GroupRow[], by: 'status429' | 'requests', top: number): GroupRow[] {
  const other = by === 'status429' ? 'requests' : 'status429';
  // Each tied row's label made once, not at every comparison: thousands of groups with equal counts
  // made megabytes of label strings a sort.
  const labels = new Map<GroupRow, string>();
  const label = (row: GroupRow): string => {
    let text = labels.get(row);
    if (text === undefined) labels.set(row, (text = groupLabel(row.group)));
    return text;
  };
  return [...rows]
    .sort((a, b) => b[by] - a[by] || b[other] - a[other] || label(a).localeCompare(label(b)))
    .slice(0, top);
}

function metricStats(buckets: BucketCounts): Record<CountField, MetricStats> {
  const stats = {} as Record<CountField, MetricStats>;
  const n = buckets.size;
  for (const [c, field] of COUNT_FIELDS.entries()) {
    // A loop, not Math.min(...values): no array per field, and no argument list of every bucket.
    let total = 0;
    let min = n ? Infinity : 0;
    let max = n ? -Infinity : 0;
    for (let i = 0; i < n; i++) {
      const v = buckets.count(i, c);
      total += v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    stats[field] = {
      total,
      min,
      max,
      mean: n ? Math.round((total / n) * 100) / 100 : 0,
    };
  }
  return stats;
}

/** `Billing sync (3f2a...)  GET /api/v2/users`: a group in one line of plain text. */
export function groupLabel(group: Partial<Record<Dimension, string>>): string {
  const parts: string[] = [];
  if (group.clientName && group.clientId) parts.push(`${group.clientName} (${group.clientId})`);
  else if (group.clientName || group.clientId) parts.push((group.clientName || group.clientId) as string);
  for (const d of ['organizationId', 'userId', 'platform', 'httpMethod', 'templateUri'] as const) {
    if (group[d]) parts.push(group[d] as string);
  }
  return parts.join(' ') || '(all)';
}
