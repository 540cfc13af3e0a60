/**
 * The record schema (CONTRACT): every field, in this order, so the crawler infers one stable schema.
 * Normalising is pure: both APIs' row shapes, and our own records (replayed NDJSON), become records.
 */
import type { Api } from './types.js';
import { UserError } from './errors.js';

export interface UsageRecord {
  date: string;
  clientId: string;
  clientName: string;
  organizationId: string;
  userId: string;
  templateUri: string;
  httpMethod: string;
  platform: string;
  requests: number;
  status200: number;
  status300: number;
  status400: number;
  status429: number;
  status500: number;
  interval: string;
  api: string;
  queryId: string;
  collectedAt: string;
}

export const RECORD_FIELDS: (keyof UsageRecord)[] = [
  'date',
  'clientId',
  'clientName',
  'organizationId',
  'userId',
  'templateUri',
  'httpMethod',
  'platform',
  'requests',
  'status200',
  'status300',
  'status400',
  'status429',
  'status500',
  'interval',
  'api',
  'queryId',
  'collectedAt',
];

export const COUNT_FIELDS = [
  'requests',
  'status200',
  'status300',
  'status400',
  'status429',
  'status500',
] as const;
export type CountField = (typeof COUNT_FIELDS)[number];

/** What every record of one run shares. */
export interface RecordContext {
  api: Api;
  /** On a replay the row's shape tells which API produced it. */
  detectApi?: boolean;
  /** `start/end` of the query, or '' on a replay without an interval. */
  interval: string;
  /** Date of rows that carry none (totals): the interval's start, else the run's date. */
  defaultDate: string;
  queryId: string;
  collectedAt: string;
}

type Row = Record<string, unknown>;

/** What a value that fails a check is shown as: JSON-escaped, cut at 40 characters, never the whole row. */
export function showValue(value: unknown): string {
  let shown: string;
  if (value === undefined) shown = 'undefined';
  else if (typeof value === 'object' && value !== null)
    shown = Array.isArray(value) ? 'an array' : 'an object';
  else shown = JSON.stringify(value) ?? String(value);
  return shown.length > 40 ? `${shown.slice(0, 40)}…` : shown;
}

/** The keys of an object, escaped and cut: what describes a row that is not a usage row. */
export function describeKeys(value: object): string {
  const keys = Object.keys(value);
  const shown = keys.slice(0, 8).map((k) => showValue(k.length > 30 ? `${k.slice(0, 30)}…` : k));
  return keys.length
    ? `keys ${shown.join(', ')}${keys.length > 8 ? ` and ${keys.length - 8} more` : ''}`
    : 'no keys';
}

/** A field that failed the row rules: the field, the value and what is accepted. */
export interface RowProblem {
  problem: true;
  field: string;
  value: unknown;
  accepted: string;
}

/** A row that passed the rules, before the run's context (interval, query id) is added. */
export interface CheckedRow {
  problem: false;
  api: Api;
  /** `YYYY-MM-DD`, or undefined for an undated row (totals). */
  date: string | undefined;
  /** False when the row carries no requests count: then no 429 rate can be computed from it. */
  hasRequests: boolean;
  fields: Omit<UsageRecord, 'date' | 'api' | CountField | 'interval' | 'queryId' | 'collectedAt'>;
  counts: Record<CountField, number>;
  interval: string;
  queryId: string;
  collectedAt: string;
}

const NOT_A_COUNT =
  'expected a whole number from 0 to 9007199254740991 (a JSON number or a string of digits)';
const NOT_A_DATE =
  "expected a real calendar date as the APIs write it: 'YYYY-MM-DD' (aggregates) or 'YYYY-MM-DDT00:00:00Z' (legacy)";
const NOT_A_STRING = 'expected a string';
const DATE_FORMAT = /^(\d{4})-(\d{2})-(\d{2})(?:T00:00:00(?:\.000)?Z)?$/;

/**
 * A count: absent or null is 0 (not asked for); a safe non-negative integer, as a JSON number or a
 * string of digits, is itself; anything else (negative, fractional, past 2^53-1, "1e3", true) is refused.
 */
function checkCount(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) {
    const n = Number(value);
    return Number.isSafeInteger(n) ? n : undefined;
  }
  return undefined;
}

/** `YYYY-MM-DD` of a real calendar date in either API's format; undefined when it is not one. */
export function checkDate(value: string): string | undefined {
  const m = DATE_FORMAT.exec(value);
  if (!m) return undefined;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  if (date.getUTCFullYear() !== y || date.getUTCMonth() !== mo - 1 || date.getUTCDate() !== d)
    return undefined;
  return value.slice(0, 10);
}

/**
 * The aggregates API's shape: its own field names, a `platform` (the legacy API has none), or a bare
 * `yyyy-MM-dd` date (legacy dates are date-times). Our own records say which API in `api`.
 */
function isAggregatesRow(row: Row): boolean {
  return (
    'requestCount' in row ||
    'oauthClient' in row ||
    'platform' in row ||
    ('user' in row && typeof row.user === 'object') ||
    (typeof row.date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(row.date))
  );
}

/** The keys that make an object a usage row (either API's spelling of the request count). */
export const ROW_COUNT_KEYS = [
  'requests',
  'requestCount',
  'status200',
  'status300',
  'status400',
  'status429',
  'status500',
];

/** True when an object carries a usage count: what tells a row from any other JSON object. */
export function hasUsageCount(value: object): boolean {
  return ROW_COUNT_KEYS.some((k) => k in value);
}

/**
 * THE row rules, in one pure function (the replay, the live query and any fast path share them):
 * - the row is a JSON object with at least one count field (requests, requestCount, status200..500);
 * - counts: absent or null = 0; else a JSON number or a string of 1-16 digits that is a whole number
 *   from 0 to 2^53-1 (9007199254740991); anything else (negative, fraction, exponent, boolean, "") is refused;
 * - `requests` is `requestCount` on aggregates rows (either name accepted there), `requests` otherwise;
 * - `date`: absent, null or "" = undated; else exactly `YYYY-MM-DD` or `YYYY-MM-DDT00:00:00Z`
 *   (`.000Z` allowed), a real calendar date;
 * - text fields (clientId, clientName, organizationId, userId, templateUri, httpMethod, platform,
 *   interval, queryId, collectedAt, api): absent or null = "", else a string; `api` is "", legacy or aggregates;
 * - `oauthClient` and `user` (aggregates): absent, null, or an object whose id/name are strings;
 * - any other field is ignored.
 */
export function checkUsageRow(raw: unknown): CheckedRow | RowProblem {
  const problem = (field: string, value: unknown, accepted: string): RowProblem => ({
    problem: true,
    field,
    value,
    accepted,
  });
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    return problem('(row)', raw, 'expected a JSON object');
  }
  const row = raw as Row;
  if (!hasUsageCount(row)) {
    return problem(
      '(row)',
      raw,
      `expected a usage row with requests or status counts, found ${describeKeys(row)}`,
    );
  }
  let bad: RowProblem | undefined;
  const text = (field: string, value: unknown): string => {
    if (value === undefined || value === null) return '';
    if (typeof value === 'string') return value;
    bad ??= problem(field, value, NOT_A_STRING);
    return '';
  };
  const nested = (field: string, key: string): unknown => {
    const value = row[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value)) {
      bad ??= problem(field, value, 'expected an object');
      return undefined;
    }
    return (value as Row)[key];
  };
  const api = text('api', row.api);
  if (api !== '' && api !== 'legacy' && api !== 'aggregates')
    return problem('api', api, 'expected legacy or aggregates');
  const aggregates = api ? api === 'aggregates' : isAggregatesRow(row);
  const requestsKey = aggregates && row.requestCount !== undefined ? 'requestCount' : 'requests';
  const counts = {} as Record<CountField, number>;
  for (const field of COUNT_FIELDS) {
    const key = field === 'requests' ? requestsKey : field;
    const value = row[key];
    if (value === undefined || value === null) counts[field] = 0;
    else {
      const n = checkCount(value);
      if (n === undefined) return problem(key, value, NOT_A_COUNT);
      counts[field] = n;
    }
  }
  let date: string | undefined;
  if (row.date !== undefined && row.date !== null && row.date !== '') {
    date = typeof row.date === 'string' ? checkDate(row.date) : undefined;
    if (!date) return problem('date', row.date, NOT_A_DATE);
  }
  const clientId = text('oauthClient.id', nested('oauthClient', 'id')) || text('clientId', row.clientId);
  const clientName =
    text('oauthClient.name', nested('oauthClient', 'name')) || text('clientName', row.clientName);
  const userId = text('user.id', nested('user', 'id')) || text('userId', row.userId);
  const fields = {
    clientId,
    clientName,
    organizationId: text('organizationId', row.organizationId),
    userId,
    templateUri: text('templateUri', row.templateUri),
    httpMethod: text('httpMethod', row.httpMethod),
    platform: text('platform', row.platform),
  };
  const interval = text('interval', row.interval);
  const queryId = text('queryId', row.queryId);
  const collectedAt = text('collectedAt', row.collectedAt);
  if (bad) return bad;
  const requestsValue = row[requestsKey];
  return {
    problem: false,
    api: aggregates ? 'aggregates' : 'legacy',
    date,
    hasRequests: requestsValue !== undefined && requestsValue !== null,
    fields,
    counts,
    interval,
    queryId,
    collectedAt,
  };
}

/** `row 12` / `line 12`: where a row came from, for messages. */
export type RowPlace = string;

/**
 * `row N (line L)`, as one flat string: a replay keeps one per date (the first row of each) for its
 * messages, and V8 keeps a concatenation as a tree of its pieces, about three times the size.
 */
export function rowPlace(row: number, line: number): RowPlace {
  return ['row ', row, ' (line ', line, ')'].join('');
}

/** The one-line message for a row that broke the rules: where, which field, the value (escaped, cut). */
export function describeProblem(p: RowProblem, place: RowPlace): string {
  if (p.field === '(row)') {
    return `The usage result's ${place} is not a usage row: ${p.accepted} (got ${showValue(p.value)}).`;
  }
  return `The usage result's ${place} has an invalid '${p.field}' ${showValue(p.value)}: ${p.accepted}.`;
}

/** A checked row with the run's context: the record as written. */
export function toRecord(row: CheckedRow, ctx: RecordContext): UsageRecord {
  return {
    date: row.date ?? ctx.defaultDate,
    ...row.fields,
    ...row.counts,
    // A replayed record keeps the query it came from.
    interval: row.interval || ctx.interval,
    api: ctx.detectApi ? row.api : ctx.api,
    queryId: row.queryId || ctx.queryId,
    collectedAt: row.collectedAt || ctx.collectedAt,
  };
}

/** A row of either API, or one of our own records, as a record. Throws on what breaks the rules. */
export function normaliseRow(raw: unknown, ctx: RecordContext, place: RowPlace = 'row'): UsageRecord {
  const checked = checkUsageRow(raw);
  if (checked.problem) throw new UserError(describeProblem(checked, place));
  return toRecord(checked, ctx);
}

/** One NDJSON line; keys in schema order because the literal above is built in that order. */
export function recordLine(record: UsageRecord): string {
  return JSON.stringify(record) + '\n';
}

/**
 * What a live run knows that its rows do not say: client-scoped rows are all the usage-client-id's (they
 * carry the organisation the usage happened in, none when summed across them); organisation rows get
 * the run's organisation. Replays keep the ids their rows carry.
 */
export function fillRunIdentity(
  record: UsageRecord,
  run: { live: boolean; usageClientId?: string; organizationId?: string },
): void {
  if (!run.live) return;
  if (run.usageClientId) record.clientId ||= run.usageClientId;
  else if (run.organizationId && !record.organizationId) record.organizationId = run.organizationId;
}
