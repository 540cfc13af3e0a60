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

function text(value: unknown): string {
  if (value === undefined || value === null) return '';
  return typeof value === 'string' ? value : String(value);
}

function count(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0;
  if (typeof value === 'string' && /^-?\d+(\.\d+)?$/.test(value.trim())) return Math.trunc(Number(value));
  return 0;
}

function nested(value: unknown, key: string): unknown {
  return value && typeof value === 'object' ? (value as Row)[key] : undefined;
}

/** `2021-01-12T00:00:00Z` or `2021-01-12` to `2021-01-12`; anything else is not a date. */
function dateOf(value: unknown): string | undefined {
  const s = text(value);
  return /^\d{4}-\d{2}-\d{2}/.test(s) ? s.slice(0, 10) : undefined;
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

/** A row of either API, or one of our own records, as a record. Throws on what is not a usage row. */
export function normaliseRow(raw: unknown, ctx: RecordContext): UsageRecord {
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new UserError(`A usage row must be a JSON object, got ${JSON.stringify(raw)?.slice(0, 80)}.`);
  }
  const row = raw as Row;
  const aggregates = isAggregatesRow(row);
  if (!aggregates && !('requests' in row) && !COUNT_FIELDS.some((f) => f in row)) {
    throw new UserError(
      `Not a usage row (no requests or status counts): ${JSON.stringify(row).slice(0, 120)}.`,
    );
  }
  return {
    date: dateOf(row.date) ?? ctx.defaultDate,
    clientId: text(aggregates ? (nested(row.oauthClient, 'id') ?? row.clientId) : row.clientId),
    clientName: text(aggregates ? (nested(row.oauthClient, 'name') ?? row.clientName) : row.clientName),
    organizationId: text(row.organizationId),
    userId: text(aggregates ? (nested(row.user, 'id') ?? row.userId) : row.userId),
    templateUri: text(row.templateUri),
    httpMethod: text(row.httpMethod),
    platform: text(row.platform),
    requests: count(aggregates ? (row.requestCount ?? row.requests) : row.requests),
    status200: count(row.status200),
    status300: count(row.status300),
    status400: count(row.status400),
    status429: count(row.status429),
    status500: count(row.status500),
    // A replayed record keeps the query it came from.
    interval: text(row.interval) || ctx.interval,
    api: text(row.api) || (ctx.detectApi ? (aggregates ? 'aggregates' : 'legacy') : ctx.api),
    queryId: text(row.queryId) || ctx.queryId,
    collectedAt: text(row.collectedAt) || ctx.collectedAt,
  };
}

/** One NDJSON line; keys in schema order because the literal above is built in that order. */
export function recordLine(record: UsageRecord): string {
  return JSON.stringify(record) + '\n';
}
