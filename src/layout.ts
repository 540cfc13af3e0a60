/**
 * Where records go: `<prefix>/granularity=<g>/dt=<date>/<name>.json[.gz]`, locally and in S3.
 * The name is a pure function of the query's shape, so a re-run replaces the same objects.
 */
import { createHash } from 'node:crypto';
import type { Api, Compression, Filters, Granularity, GroupBy, Metric } from './types.js';
import { addDuration, bucketLength, DAY_MS, formatDate, type Interval } from './interval.js';

export type PartitionGranularity = 'day' | 'week' | 'month' | 'total';

export interface QueryShape {
  api: Api;
  granularity?: Granularity;
  groupBy: GroupBy[];
  metrics: Metric[];
  filters: Filters;
  usageClientId?: string;
  /** The organisation whose data this is: two organisations sharing a bucket and prefix never collide. */
  organizationId?: string;
}

export function partitionGranularity(granularity?: Granularity): PartitionGranularity {
  return granularity ? (granularity.toLowerCase() as PartitionGranularity) : 'total';
}

/**
 * `aggregates.org-<id>.by-oauthclientid-templateuri.3f2a9c1e`: readable, and the hash covers everything
 * that changes what a row means (metrics, filters, client scope). The organisation keeps two
 * organisations' objects apart. Totals also carry the interval's end, because two total buckets that
 * start on the same day but end on different days are different data.
 */
export function objectName(shape: QueryShape, totalsEnd?: Date): string {
  const groups = shape.groupBy.map((g) => g.apiName.toLowerCase());
  // Filters and the organisation added later go in only when set, so older names stay as they were.
  const optional = {
    ...(shape.filters.platforms?.length ? { platforms: [...shape.filters.platforms].sort() } : {}),
    ...(shape.filters.userIds?.length ? { userIds: [...shape.filters.userIds].sort() } : {}),
    ...(shape.filters.organizationIds?.length
      ? { organizationIds: [...shape.filters.organizationIds].sort() }
      : {}),
    ...(shape.organizationId ? { organizationId: shape.organizationId } : {}),
  };
  const canonical = JSON.stringify({
    api: shape.api,
    granularity: shape.granularity ?? null,
    groupBy: [...groups].sort(),
    metrics: [...shape.metrics].sort(),
    templateUris: [...shape.filters.templateUris].sort(),
    httpMethods: [...shape.filters.httpMethods].sort(),
    oauthClientIds: [...shape.filters.oauthClientIds].sort(),
    usageClientId: shape.usageClientId ?? null,
    ...optional,
  });
  const hash = createHash('sha256').update(canonical).digest('hex').slice(0, 8);
  const by = groups.length ? `by-${[...groups].sort().join('-')}` : 'all';
  const until = !shape.granularity && totalsEnd ? `.until-${compactInstant(totalsEnd)}` : '';
  return `${shape.api}.${organizationPart(shape.organizationId)}${by}${until}.${hash}`;
}

/** `org-<id>.`, or `org-<hash>.` for an id that is not plain letters, digits and '-' (it comes from data). */
export function organizationPart(id: string | undefined): string {
  if (!id) return '';
  const safe = /^[A-Za-z0-9-]{1,64}$/.test(id)
    ? id
    : createHash('sha256').update(id).digest('hex').slice(0, 12);
  return `org-${safe}.`;
}

/** `2026-11-08`, or `20261108T120000Z` when the end is not at midnight: a key-safe, exact end. */
function compactInstant(date: Date): string {
  const iso = date.toISOString();
  return iso.endsWith('T00:00:00.000Z') ? formatDate(date) : iso.replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

function fileExtension(compression: Compression): string {
  return compression === 'gzip' ? '.json.gz' : '.json';
}

/** Relative path (forward slashes) of one partition's file under the prefix or the output folder. */
export function partitionPath(
  g: PartitionGranularity,
  dt: string,
  name: string,
  compression: Compression,
): string {
  return `granularity=${g}/dt=${dt}/${name}${fileExtension(compression)}`;
}

/** The bucket that starts on `date` (UTC), as a half-open interval. */
export function bucketBounds(date: string, granularity?: Granularity, interval?: Interval): Interval {
  const start = new Date(`${date}T00:00:00Z`);
  if (!granularity) {
    return { start: interval?.start ?? start, end: interval?.end ?? new Date(start.getTime() + DAY_MS) };
  }
  return { start, end: addDuration(start, bucketLength(granularity), 1) };
}

export interface Coverage {
  /** The part of the bucket the query covered. */
  start: Date;
  end: Date;
  complete: boolean;
}

/** How much of the bucket starting at `date` the interval covers. Unknown interval: assume complete. */
export function bucketCoverage(
  date: string,
  granularity: Granularity | undefined,
  interval?: Interval,
): Coverage {
  const bucket = bucketBounds(date, granularity, interval);
  if (!interval) return { ...bucket, complete: true };
  const start = new Date(Math.max(bucket.start.getTime(), interval.start.getTime()));
  const end = new Date(Math.min(bucket.end.getTime(), interval.end.getTime()));
  return {
    start,
    end,
    complete: start.getTime() === bucket.start.getTime() && end.getTime() === bucket.end.getTime(),
  };
}
