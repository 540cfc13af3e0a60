/**
 * On a replay the rows decide the shape: granularity, interval, API and group-by come from the rows
 * when the inputs leave them out, and an input that contradicts the rows is refused with one line
 * naming the input, its value and the first row that contradicts it. Pure: the replay's pass over
 * the file (replay-pass.ts) feeds every checked row to a ShapeScan (which holds a few facts, never the
 * rows), then resolveShape() decides.
 */
import { GROUP_BY } from './genesys/models.js';
import { UserError } from './errors.js';
import { addDuration, bucketLength, DAY_MS, formatDate, formatInterval, type Interval } from './interval.js';
import type { CheckedRow } from './records.js';
import type { Api, Granularity, GroupBy, GroupField } from './types.js';

/** The dimensions a row can be grouped by; `client` stands for clientId and clientName together. */
const DIMENSIONS = ['client', 'organizationId', 'userId', 'templateUri', 'httpMethod', 'platform'] as const;
type Dimension = (typeof DIMENSIONS)[number];

function dimensionOf(field: GroupField): Dimension {
  return field === 'clientId' || field === 'clientName' ? 'client' : field;
}

/** What a pass over the rows learns from them: a few facts, and the first row behind each. */
export class ShapeScan {
  rows = 0;
  firstPlace = '';
  api: { value: Api; place: string } | undefined;
  mixedApi: { value: Api; place: string } | undefined;
  firstUndated: string | undefined;
  firstDated: string | undefined;
  /** Each date and the first row carrying it, in the order they first appear (at most a few thousand). */
  readonly dates = new Map<string, string>();
  /** The `interval` our own records carry, when every row carries the same one. */
  rowInterval: string | undefined;
  rowIntervalsDiffer = false;
  /** Some row carries no `interval` of its own: its record takes the run's. */
  rowWithoutInterval = false;
  /** Per dimension, the first row where it is not empty. */
  readonly dimensions = new Map<Dimension, string>();
  /** Whether only the client's name (no id) was seen: then the aggregates group-by is OauthClientName. */
  clientIdSeen = false;
  /** Up to two distinct organisation ids: one id on every row is the organisation, not a dimension. */
  readonly organizations = new Set<string>();
  rowWithoutOrganization = false;

  /** The one organisation every row carries, which names the replay's objects; none when the rows differ. */
  get soleOrganization(): string | undefined {
    return this.organizations.size === 1 && !this.rowWithoutOrganization
      ? [...this.organizations][0]
      : undefined;
  }
  firstWithoutRequests: string | undefined;

  add(row: CheckedRow, place: string): void {
    this.rows++;
    if (this.rows === 1) {
      this.firstPlace = place;
      this.rowInterval = row.interval;
    } else if (row.interval !== this.rowInterval) this.rowIntervalsDiffer = true;
    if (!row.interval) this.rowWithoutInterval = true;
    if (!this.api) this.api = { value: row.api, place };
    else if (row.api !== this.api.value) this.mixedApi ??= { value: row.api, place };
    if (row.date === undefined) this.firstUndated ??= place;
    else {
      this.firstDated ??= place;
      if (!this.dates.has(row.date)) this.dates.set(row.date, place);
    }
    const f = row.fields;
    if (f.clientId) this.clientIdSeen = true;
    if (f.clientId || f.clientName) this.note('client', place);
    if (f.organizationId) {
      this.note('organizationId', place);
      if (this.organizations.size < 2) this.organizations.add(f.organizationId);
    } else this.rowWithoutOrganization = true;
    if (f.userId) this.note('userId', place);
    if (f.templateUri) this.note('templateUri', place);
    if (f.httpMethod) this.note('httpMethod', place);
    if (f.platform) this.note('platform', place);
    if (!row.hasRequests) this.firstWithoutRequests ??= place;
  }

  private note(d: Dimension, place: string): void {
    if (!this.dimensions.has(d)) this.dimensions.set(d, place);
  }
}

/** The shape inputs as given; undefined = left out. */
export interface ShapeInputs {
  api?: Api;
  granularity?: Granularity;
  interval?: Interval;
  /** The raw input text, for messages. */
  intervalText?: string;
  groupBy?: GroupBy[];
  groupByText?: string;
}

export interface ReplayShape {
  api: Api;
  granularity: Granularity | undefined;
  interval: Interval | undefined;
  /** True when the interval came from the input or the rows' own `interval` (not guessed from dates). */
  intervalKnown: boolean;
  groupBy: GroupBy[];
  /** False when some row has no requests count: the 429 rate is then unknown. */
  requestsKnown: boolean;
  /** One line per value taken from the rows, to log. */
  inferred: string[];
}

function contradiction(input: string, value: string, why: string): UserError {
  return new UserError(`Input '${input}' has the value '${value}', which the rows contradict: ${why}.`);
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{3})?Z$/;

/** Our records' `interval` text (`start/end`, two instants), or undefined. */
function parseRowInterval(text: string | undefined): Interval | undefined {
  const [a, b, extra] = (text ?? '').split('/');
  if (!a || !b || extra !== undefined || !INSTANT.test(a) || !INSTANT.test(b)) return undefined;
  const start = new Date(a);
  const end = new Date(b);
  return Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || start >= end
    ? undefined
    : { start, end };
}

function dayNumber(date: string): number {
  return Date.parse(`${date}T00:00:00Z`) / DAY_MS;
}

function bucketEnd(date: string, granularity: Granularity): Date {
  return addDuration(new Date(`${date}T00:00:00Z`), bucketLength(granularity), 1);
}

/** Day, Week or Month from the spacing of the dates (two or more, sorted). */
function granularityFromDates(sorted: string[], interval?: Interval): Granularity {
  const startDate = interval ? formatDate(interval.start) : undefined;
  const days = sorted.map(dayNumber);
  const gaps = days.slice(1).map((d, i) => d - (days[i] as number));
  const monthly = sorted.every((d) => d.endsWith('-01') || d === startDate) && gaps.every((g) => g >= 28);
  if (monthly) return 'Month';
  if (gaps.every((g) => g % 7 === 0)) return 'Week';
  return 'Day';
}

/** The first date (in row order) that is not on a bucket boundary of `granularity`. */
function firstOffBoundary(
  dates: Map<string, string>,
  granularity: Granularity,
  interval: Interval | undefined,
): [string, string] | undefined {
  if (granularity === 'Day') return undefined;
  // Week alignment is not documented: weeks are 7 days apart from the first date, and a first bucket
  // may start at the interval's start (as a month's may), whatever the weekday.
  const startDate = interval ? formatDate(interval.start) : undefined;
  const anchorDate = [...dates.keys()].find((d) => d !== startDate);
  const anchor = anchorDate ? dayNumber(anchorDate) : 0;
  for (const [date, place] of dates) {
    const ok =
      date === startDate ||
      (granularity === 'Week' ? (((dayNumber(date) - anchor) % 7) + 7) % 7 === 0 : date.endsWith('-01'));
    if (!ok) return [date, place];
  }
  return undefined;
}

export function resolveShape(scan: ShapeScan, inputs: ShapeInputs): ReplayShape {
  const inferred: string[] = [];
  if (!scan.rows || !scan.api) throw new UserError('The results file holds no usage rows.');

  // API.
  if (scan.mixedApi) {
    throw new UserError(
      `The results file mixes both APIs' rows: ${scan.api.place} is a ${scan.api.value} row, ${scan.mixedApi.place} a ${scan.mixedApi.value} row.`,
    );
  }
  const api = scan.api.value;
  if (inputs.api && inputs.api !== api) {
    throw contradiction('api', inputs.api, `${scan.api.place} is a ${api} row`);
  }
  if (!inputs.api) inferred.push(`api: ${api} (inferred from the rows)`);

  // Interval: the input, else the one our own records carry.
  const rowInterval = scan.rowIntervalsDiffer ? undefined : parseRowInterval(scan.rowInterval);
  let interval = inputs.interval ?? rowInterval;
  const intervalKnown = interval !== undefined;
  const sorted = [...scan.dates.keys()].sort();

  // Granularity.
  let granularity = inputs.granularity;
  if (granularity) {
    const value = granularity;
    if (scan.firstUndated) {
      throw contradiction('granularity', value, `${scan.firstUndated} has no date (undated rows are totals)`);
    }
    const off = firstOffBoundary(scan.dates, granularity, interval);
    if (off) {
      throw contradiction(
        'granularity',
        value,
        `${off[1]} is dated ${off[0]}, which does not start a ${value.toLowerCase()} bucket`,
      );
    }
    const only = sorted.length === 1 ? sorted[0] : undefined;
    if (
      only &&
      interval &&
      only === formatDate(interval.start) &&
      interval.end > bucketEnd(only, granularity)
    ) {
      throw contradiction(
        'granularity',
        value,
        `every row is dated ${only}, the start of the interval ${formatInterval(interval)}, which spans more than one ${value.toLowerCase()}: the rows are totals (leave granularity out)`,
      );
    }
  } else if (scan.firstDated && scan.firstUndated) {
    throw new UserError(
      `The results file mixes dated and undated rows (${scan.firstDated} has a date, ${scan.firstUndated} none): a result has one granularity.`,
    );
  } else if (scan.firstDated) {
    const only = sorted.length === 1 ? (sorted[0] as string) : undefined;
    const totals =
      only !== undefined &&
      interval !== undefined &&
      only === formatDate(interval.start) &&
      interval.end.getTime() > Date.parse(`${only}T00:00:00Z`) + DAY_MS;
    if (!totals) {
      granularity = only ? 'Day' : granularityFromDates(sorted, interval);
      inferred.push(
        `granularity: ${granularity} (inferred from the rows: ${only ? 'one date' : `${sorted.length} dates from ${sorted[0]} to ${sorted[sorted.length - 1]}`})`,
      );
    } else
      inferred.push(
        `granularity: none, totals (inferred from the rows: every row is dated at the interval's start)`,
      );
  } else {
    inferred.push('granularity: none, totals (inferred from the rows: no row has a date)');
  }

  if (inputs.interval) {
    const text = inputs.intervalText ?? formatInterval(inputs.interval);
    const startDate = formatDate(inputs.interval.start);
    for (const [date, place] of scan.dates) {
      const dayStart = Date.parse(`${date}T00:00:00Z`);
      const outside = granularity
        ? dayStart >= inputs.interval.end.getTime() || bucketEnd(date, granularity) <= inputs.interval.start
        : date !== startDate;
      if (outside) throw contradiction('interval', text, `${place} is dated ${date}, outside it`);
    }
  } else if (rowInterval) {
    inferred.push(`interval: ${formatInterval(rowInterval)} (inferred from the rows' interval field)`);
  } else if (sorted.length && granularity) {
    interval = {
      start: new Date(`${sorted[0]}T00:00:00Z`),
      end: bucketEnd(sorted[sorted.length - 1] as string, granularity),
    };
    inferred.push(
      `interval: ${formatInterval(interval)} (inferred from the rows' dates, assuming complete buckets)`,
    );
  }

  const groupBy = resolveGroupBy(scan, inputs, api, inferred);
  return {
    api,
    granularity,
    interval,
    intervalKnown,
    groupBy,
    requestsKnown: scan.firstWithoutRequests === undefined,
    inferred,
  };
}

function resolveGroupBy(scan: ShapeScan, inputs: ShapeInputs, api: Api, inferred: string[]): GroupBy[] {
  const names = GROUP_BY[api === 'legacy' ? 'legacy' : 'organization'];
  // One organisation id on every row is the organisation the rows belong to, not a grouping.
  const present = DIMENSIONS.filter(
    (d) => scan.dimensions.has(d) && (d !== 'organizationId' || scan.organizations.size > 1),
  );
  if (inputs.groupBy?.length) {
    const text = inputs.groupByText ?? inputs.groupBy.map((g) => g.apiName).join(', ');
    const result: GroupBy[] = [];
    for (const g of inputs.groupBy) {
      const field: GroupField = api === 'legacy' && g.field === 'clientName' ? 'clientId' : g.field;
      const apiName = names[field];
      if (!apiName) {
        throw contradiction(
          'group-by',
          text,
          `the rows are ${api} rows, which cannot be grouped by ${g.apiName}`,
        );
      }
      if (!scan.dimensions.has(dimensionOf(field))) {
        throw contradiction('group-by', text, `no row has a ${field} (${scan.firstPlace} has none)`);
      }
      if (!result.some((r) => r.field === field)) result.push({ apiName, field });
    }
    const asked = new Set(result.map((g) => dimensionOf(g.field)));
    const extra = present.find((d) => !asked.has(d));
    if (extra) {
      throw contradiction(
        'group-by',
        text,
        `${scan.dimensions.get(extra)} has a ${extra === 'client' ? 'client' : extra}, so the rows are grouped by it too`,
      );
    }
    return result;
  }
  const result: GroupBy[] = [];
  for (const d of present) {
    const field: GroupField =
      d === 'client' ? (scan.clientIdSeen || api === 'legacy' ? 'clientId' : 'clientName') : d;
    const apiName = names[field];
    if (apiName) result.push({ apiName, field });
  }
  inferred.push(`group-by: ${result.map((g) => g.apiName).join(', ') || 'none'} (inferred from the rows)`);
  return result;
}
