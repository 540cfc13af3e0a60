/**
 * Growth against the previous period, pure: the window of equal length just before the interval, the
 * change of the totals in percent, the groups that moved most, and the `max-requests-growth` gate.
 * The previous period's rows are only compared, never written as records.
 */
import type { Interval } from './interval.js';
import { type Breach, type Dimension, groupLabel, type GroupRow } from './report.js';

/** The window of equal length (to the millisecond) that ends where `interval` starts. */
export function previousWindow(interval: Interval): Interval {
  const length = interval.end.getTime() - interval.start.getTime();
  return { start: new Date(interval.start.getTime() - length), end: new Date(interval.start.getTime()) };
}

export interface Change {
  previous: number;
  current: number;
  /** Percent change, two decimals; null when the previous value is 0 (no percentage exists). */
  change: number | null;
}

export interface Mover {
  group: Partial<Record<Dimension, string>>;
  requests: Change;
  status429: Change;
}

export interface Comparison {
  /** The previous window, `start/end`; '' on a replay without an interval. */
  previousInterval: string;
  /** Where the previous period came from: the job ids of its query, or the saved file. */
  source: string;
  previousRecords: number;
  totals: { requests: Change; status429: Change };
  /** Groups with the largest absolute change, largest first; groups that did not change are left out. */
  moversByRequests: Mover[];
  moversBy429: Mover[];
}

/** Percent change from `previous` to `current`, rounded to two decimals; null when `previous` is 0. */
export function percentChange(previous: number, current: number): number | null {
  if (previous === 0) return null;
  const rounded = Math.round(((current - previous) / previous) * 100 * 100) / 100;
  return rounded === 0 ? 0 : rounded;
}

/** The output form: two decimals, or '' when there is no percentage. */
export function formatChange(change: number | null): string {
  return change === null ? '' : change.toFixed(2);
}

function changeOf(previous: number, current: number): Change {
  return { previous, current, change: percentChange(previous, current) };
}

/** The same identity the report gives a group: a client by its id, by its name only when no id was grouped. */
function groupKey(group: Partial<Record<Dimension, string>>): string {
  return [
    group.clientId || group.clientName || '',
    group.organizationId ?? '',
    group.userId ?? '',
    group.templateUri ?? '',
    group.httpMethod ?? '',
    group.platform ?? '',
  ].join('\u0000');
}

export interface ComparisonInput {
  previousInterval: string;
  source: string;
  previousRecords: number;
  current: { totals: { requests: number; status429: number }; groups: GroupRow[] };
  previous: { totals: { requests: number; status429: number }; groups: GroupRow[] };
  top: number;
}

export function comparePeriods(input: ComparisonInput): Comparison {
  const byKey = new Map<
    string,
    { group: Partial<Record<Dimension, string>>; now?: GroupRow; before?: GroupRow }
  >();
  for (const row of input.current.groups) byKey.set(groupKey(row.group), { group: row.group, now: row });
  for (const row of input.previous.groups) {
    const key = groupKey(row.group);
    const entry = byKey.get(key);
    if (entry) entry.before = row;
    else byKey.set(key, { group: row.group, before: row });
  }
  const movers: Mover[] = [...byKey.values()].map(({ group, now, before }) => ({
    group,
    requests: changeOf(before?.requests ?? 0, now?.requests ?? 0),
    status429: changeOf(before?.status429 ?? 0, now?.status429 ?? 0),
  }));
  const rank = (field: 'requests' | 'status429') =>
    movers
      .filter((m) => m[field].current !== m[field].previous)
      .sort(
        (a, b) =>
          Math.abs(b[field].current - b[field].previous) - Math.abs(a[field].current - a[field].previous) ||
          groupLabel(a.group).localeCompare(groupLabel(b.group)),
      )
      .slice(0, input.top);
  return {
    previousInterval: input.previousInterval,
    source: input.source,
    previousRecords: input.previousRecords,
    totals: {
      requests: changeOf(input.previous.totals.requests, input.current.totals.requests),
      status429: changeOf(input.previous.totals.status429, input.current.totals.status429),
    },
    moversByRequests: rank('requests'),
    moversBy429: rank('status429'),
  };
}

/**
 * `max-requests-growth`: a breach when total requests grew by more than `limit` percent. Unrounded, like
 * the 429-rate gate; with no previous requests there is no percentage, so nothing to breach.
 */
export function evaluateGrowth(comparison: Comparison, limit: number | undefined): Breach[] {
  const { previous, current } = comparison.totals.requests;
  if (limit === undefined || previous === 0) return [];
  const exact = ((current - previous) / previous) * 100;
  if (!(exact > limit)) return [];
  const shown = Math.round(exact * 100) / 100;
  return [
    {
      threshold: 'max-requests-growth',
      limit,
      value: shown > limit ? shown : Math.round(exact * 1e8) / 1e8,
    },
  ];
}
