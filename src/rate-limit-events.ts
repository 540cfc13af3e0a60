/**
 * Near-limit events (Genesys records one when a rate limit reaches 90% of its maximum), pure: the query
 * body, the answer checked and normalised into records, their totals per limit and entity, and the
 * `max-rate-limit-events` gate. The query itself is an adapter (genesys/rate-limits.ts).
 */
import type { Granularity } from './types.js';
import { UserError } from './errors.js';
import { formatDate, formatInstant, type Interval } from './interval.js';
import type { Breach } from './report.js';
import { organizationPart } from './layout.js';

/** The permission the endpoint needs; named in the warning or failure on a 403. */
export const RATE_LIMIT_PERMISSION = 'analytics:rateLimitAggregate:view';
/** The only metric of `RateLimitAggregationQuery` (SDK enum `oRateLimitRecorded`). */
export const RATE_LIMIT_METRIC = 'oRateLimitRecorded';
/** Group-by dimensions, from the SDK's `RateLimitAggregationQuery` groupBy enum. */
export const RATE_LIMIT_GROUP_BY = ['limitName', 'entityId', 'namespace'] as const;

/** The run's granularity as the ISO-8601 period the analytics query takes; none = one bucket for the interval. */
export function rateLimitGranularity(granularity?: Granularity): string | undefined {
  if (granularity === 'Day') return 'P1D';
  if (granularity === 'Week') return 'P7D';
  if (granularity === 'Month') return 'P1M';
  return undefined;
}

/** The `RateLimitAggregationQuery` body for the run's interval and granularity. */
export function rateLimitQueryBody(interval: Interval, granularity?: Granularity): Record<string, unknown> {
  const period = rateLimitGranularity(granularity);
  return {
    interval: `${formatInstant(interval.start)}/${formatInstant(interval.end)}`,
    ...(period ? { granularity: period } : {}),
    groupBy: [...RATE_LIMIT_GROUP_BY],
    metrics: [RATE_LIMIT_METRIC],
  };
}

/** One NDJSON line of the events table; every field, in this order. */
export interface RateLimitEventRecord {
  /** `YYYY-MM-DD`, the start of the bucket (the interval's start when there is no granularity). */
  date: string;
  limitName: string;
  namespace: string;
  entityId: string;
  /** The OAuth client's name when the entity is a client seen in the usage rows, else "". */
  entityName: string;
  events: number;
  /** The query's interval, `start/end`. */
  interval: string;
  collectedAt: string;
}

export const RATE_LIMIT_EVENT_FIELDS: (keyof RateLimitEventRecord)[] = [
  'date',
  'limitName',
  'namespace',
  'entityId',
  'entityName',
  'events',
  'interval',
  'collectedAt',
];

export interface NormaliseContext {
  interval: string;
  collectedAt: string;
  /** OAuth client id → name, from the usage rows. */
  clientNames: Map<string, string>;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A real instant of an ISO-8601 bucket interval's start, or undefined. */
function bucketStart(interval: unknown): string | undefined {
  if (typeof interval !== 'string') return undefined;
  const [start, end, extra] = interval.split('/');
  if (!start || !end || extra !== undefined) return undefined;
  const iso = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;
  const m = iso.exec(start);
  if (!m || !iso.test(end)) return undefined;
  const date = new Date(start);
  const stop = new Date(end);
  if (Number.isNaN(date.getTime()) || Number.isNaN(stop.getTime()) || stop <= date) return undefined;
  // Calendar check: 2026-02-30 parses as March; refuse it.
  const day = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (day.getUTCDate() !== Number(m[3]) || day.getUTCMonth() !== Number(m[2]) - 1) return undefined;
  return formatDate(date);
}

function dimension(group: Obj, name: string): string | undefined {
  const value = group[name];
  if (value === undefined) return '';
  // Control characters are dropped here; Markdown escaping happens where the value is shown.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  return typeof value === 'string' ? value.replace(/[\u0000-\u001f\u007f]/g, ' ').slice(0, 500) : undefined;
}

/**
 * The answer (`RateLimitAggregateQueryResponse`) as records, one per group and bucket with events.
 * A bucket that is not one (bad group, interval or count) is skipped and counted, never guessed at.
 */
export function normaliseRateLimitResponse(
  body: unknown,
  ctx: NormaliseContext,
): { records: RateLimitEventRecord[]; skipped: number } {
  if (!isObj(body)) {
    throw new UserError('Genesys Cloud: the near-limit events answer is not a JSON object.');
  }
  if (body.results === undefined) return { records: [], skipped: 0 };
  if (!Array.isArray(body.results)) {
    throw new UserError("Genesys Cloud: the near-limit events answer's 'results' is not a list.");
  }
  const records: RateLimitEventRecord[] = [];
  let skipped = 0;
  for (const result of body.results) {
    const group = isObj(result) && (result.group === undefined ? {} : result.group);
    const data = isObj(result) ? result.data : undefined;
    const limitName = isObj(group) ? dimension(group, 'limitName') : undefined;
    const namespace = isObj(group) ? dimension(group, 'namespace') : undefined;
    const entityId = isObj(group) ? dimension(group, 'entityId') : undefined;
    if (
      limitName === undefined ||
      namespace === undefined ||
      entityId === undefined ||
      !Array.isArray(data)
    ) {
      skipped++;
      continue;
    }
    for (const bucket of data) {
      const date = isObj(bucket) ? bucketStart(bucket.interval) : undefined;
      const metrics = isObj(bucket) && Array.isArray(bucket.metrics) ? bucket.metrics : undefined;
      const metric = metrics?.find((m: unknown) => isObj(m) && m.metric === RATE_LIMIT_METRIC) as
        Obj | undefined;
      const count = isObj(metric?.stats) ? metric.stats.count : undefined;
      if (!date || typeof count !== 'number' || !Number.isSafeInteger(count) || count < 0) {
        skipped++;
        continue;
      }
      if (count === 0) continue;
      records.push({
        date,
        limitName,
        namespace,
        entityId,
        entityName: ctx.clientNames.get(entityId) ?? '',
        events: count,
        interval: ctx.interval,
        collectedAt: ctx.collectedAt,
      });
    }
  }
  return { records, skipped };
}

/** One limit and entity over the whole interval. */
export interface RateLimitEventRow {
  limitName: string;
  namespace: string;
  entityId: string;
  entityName: string;
  events: number;
  /** Buckets (days with granularity Day) in which the limit came close. */
  buckets: number;
  firstDate: string;
  lastDate: string;
}

export interface RateLimitEventsReport {
  /** `forbidden`: the OAuth client lacks the permission; `failed`: the query failed. Nothing is known then. */
  status: 'ok' | 'forbidden' | 'failed';
  /** Why the events are not available. */
  message?: string;
  total: number;
  granularity: string;
  groupCount: number;
  /** The groups with the most events, at most `top`. */
  top: RateLimitEventRow[];
  /** Answer buckets that were not valid and were left out. */
  skipped: number;
}

export function summariseRateLimitEvents(
  records: RateLimitEventRecord[],
  granularity: string,
  top: number,
  skipped = 0,
): RateLimitEventsReport {
  const groups = new Map<string, RateLimitEventRow & { dates: Set<string> }>();
  let total = 0;
  for (const r of records) {
    total += r.events;
    const key = [r.namespace, r.limitName, r.entityId].join('\u0000');
    let row = groups.get(key);
    if (!row) {
      row = {
        limitName: r.limitName,
        namespace: r.namespace,
        entityId: r.entityId,
        entityName: r.entityName,
        events: 0,
        buckets: 0,
        firstDate: r.date,
        lastDate: r.date,
        dates: new Set(),
      };
      groups.set(key, row);
    }
    row.events += r.events;
    row.dates.add(r.date);
    if (r.date < row.firstDate) row.firstDate = r.date;
    if (r.date > row.lastDate) row.lastDate = r.date;
  }
  const rows = [...groups.values()]
    .map(({ dates, ...row }) => ({ ...row, buckets: dates.size }))
    .sort(
      (a, b) =>
        b.events - a.events ||
        b.buckets - a.buckets ||
        `${a.namespace} ${a.limitName} ${a.entityId}`.localeCompare(
          `${b.namespace} ${b.limitName} ${b.entityId}`,
        ),
    );
  return { status: 'ok', total, granularity, groupCount: rows.length, top: rows.slice(0, top), skipped };
}

/** The events could not be read: refused (403) or failed; `message` says why. */
export function unavailableRateLimitEvents(
  status: 'forbidden' | 'failed',
  granularity: string,
  message: string,
): RateLimitEventsReport {
  return { status, message, total: 0, granularity, groupCount: 0, top: [], skipped: 0 };
}

/** `max-rate-limit-events`: a breach when the events are more than the limit. */
export function evaluateRateLimitEvents(report: RateLimitEventsReport, limit: number | undefined): Breach[] {
  if (limit === undefined || report.status !== 'ok' || !(report.total > limit)) return [];
  return [{ threshold: 'max-rate-limit-events', limit, value: report.total }];
}

/** The events' table folder: a sibling of the usage prefix (never inside the usage table's folder). */
export function rateLimitEventsPrefix(usagePrefix: string): string {
  const parts = usagePrefix.split('/').filter(Boolean);
  const last = parts.pop() ?? 'genesys-usage';
  return [...parts, `${last}-rate-limit-events`].join('/');
}

/**
 * The object name of the events: a pure function of the query's shape (fixed group-by and metric,
 * the granularity), so a re-run replaces its objects; totals also carry the interval's end.
 */
export function rateLimitEventsObjectName(
  granularity?: Granularity,
  totalsEnd?: Date,
  organizationId?: string,
): string {
  const until =
    !granularity && totalsEnd
      ? `.until-${
          totalsEnd.toISOString().endsWith('T00:00:00.000Z')
            ? formatDate(totalsEnd)
            : formatInstant(totalsEnd).replace(/[-:]/g, '')
        }`
      : '';
  // The organisation, as in the usage objects: two organisations sharing a bucket never overwrite each other.
  return `ratelimits.${organizationPart(organizationId)}by-entityid-limitname-namespace${until}`;
}

/** One NDJSON line; keys in schema order because the records are built in that order. */
export function rateLimitEventLine(record: RateLimitEventRecord): string {
  return JSON.stringify(record) + '\n';
}
