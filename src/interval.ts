/**
 * The `interval` input: ISO-8601 `start/end`, `start/duration`, `duration/end`, a bare duration
 * (the last complete UTC days ending today at 00:00Z) or a calendar shortcut. Pure: `now` is passed in.
 *
 * Genesys keeps usage per UTC day and counts both ends of a query's interval as included. The rule here:
 * a date-only end (`2026-09-01/2026-09-30`) is the last day included, a year-month end (`2021-01/2021-02`)
 * the last month included, a date-time end an exclusive instant. Whatever is written resolves to whole
 * UTC days, held as a half-open interval; `genesysInterval` turns it into what the API is sent.
 */

export interface Interval {
  /** Inclusive, 00:00Z. */
  start: Date;
  /** Exclusive, 00:00Z: the day after the last day included. */
  end: Date;
}

export interface IsoDuration {
  years: number;
  months: number;
  weeks: number;
  days: number;
  hours: number;
  minutes: number;
  seconds: number;
}

const INTERVAL_SHORTCUTS = ['yesterday', 'last-week', 'last-month', 'week-to-date', 'month-to-date'] as const;

const SHORTCUT_ALIASES: Record<string, (typeof INTERVAL_SHORTCUTS)[number]> = {
  yesterday: 'yesterday',
  'previous-day': 'yesterday',
  'last-day': 'yesterday',
  'last-week': 'last-week',
  'previous-week': 'last-week',
  'last-month': 'last-month',
  'previous-month': 'last-month',
  'week-to-date': 'week-to-date',
  'this-week': 'week-to-date',
  'month-to-date': 'month-to-date',
  'this-month': 'month-to-date',
};

export const DAY_MS = 86_400_000;
/** Dates outside these years are refused: nobody means them, and enormous durations land there. */
const MIN_YEAR = 1000;
const MAX_YEAR = 9999;

export function parseIsoDuration(text: string): IsoDuration | undefined {
  const m =
    /^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i.exec(
      text.trim(),
    );
  if (!m || /^P$/i.test(text.trim()) || /T$/i.test(text.trim())) return undefined;
  const n = (i: number) => Number(m[i] ?? 0);
  const duration = {
    years: n(1),
    months: n(2),
    weeks: n(3),
    days: n(4),
    hours: n(5),
    minutes: n(6),
    seconds: n(7),
  };
  return Object.values(duration).some((v) => v > 0) ? duration : undefined;
}

/** Calendar arithmetic in UTC; month ends clamp (31 Jan + P1M = 28/29 Feb). */
export function addDuration(date: Date, d: IsoDuration, sign: 1 | -1): Date {
  const result = new Date(date.getTime());
  const totalMonths = d.years * 12 + d.months;
  if (totalMonths) {
    const day = result.getUTCDate();
    result.setUTCDate(1);
    result.setUTCMonth(result.getUTCMonth() + sign * totalMonths);
    const lastDay = new Date(Date.UTC(result.getUTCFullYear(), result.getUTCMonth() + 1, 0)).getUTCDate();
    result.setUTCDate(Math.min(day, lastDay));
  }
  const ms = ((d.weeks * 7 + d.days) * 24 * 3600 + d.hours * 3600 + d.minutes * 60 + d.seconds) * 1000;
  return new Date(result.getTime() + sign * ms);
}

/** A written end or start: the instant, and how precise it was written. */
interface Instant {
  date: Date;
  /** `month`: `YYYY-MM`; `day`: `YYYY-MM-DD`; `time`: a date-time. */
  precision: 'month' | 'day' | 'time';
}

/** A date or date-time; no zone means UTC. `YYYY-MM` is the first of that month. */
function parseInstant(text: string): Instant | undefined {
  const value = text.trim();
  let m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(value);
  if (m) {
    const date = utcDate(Number(m[1]), Number(m[2]), Number(m[3] ?? 1), 0, 0, 0, 0);
    return date && { date, precision: m[3] ? 'day' : 'month' };
  }
  m = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?$/i.exec(
    value,
  );
  if (!m) return undefined;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  const local = utcDate(
    Number(m[1]),
    Number(m[2]),
    Number(m[3]),
    Number(m[4]),
    Number(m[5]),
    Number(m[6] ?? 0),
    ms,
  );
  if (!local) return undefined;
  const zone = m[8];
  if (!zone || zone.toUpperCase() === 'Z') return { date: local, precision: 'time' };
  const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!z) return undefined;
  const offsetMs = (Number(z[2]) * 60 + Number(z[3])) * 60_000 * (z[1] === '+' ? 1 : -1);
  return { date: new Date(local.getTime() - offsetMs), precision: 'time' };
}

/** The exclusive end an end written as `instant` stands for: the day (or month) after a date-only end. */
function exclusiveEnd(instant: Instant): Date {
  const d = instant.date;
  if (instant.precision === 'day') return new Date(d.getTime() + DAY_MS);
  if (instant.precision === 'month') return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1));
  return d;
}

function utcDate(
  y: number,
  mo: number,
  d: number,
  h: number,
  mi: number,
  s: number,
  ms: number,
): Date | undefined {
  if (mo < 1 || mo > 12 || d < 1 || h > 23 || mi > 59 || s > 59) return undefined;
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms));
  // Date.UTC reads years 0-99 as 1900-1999: set the year as written (inRange then refuses it).
  date.setUTCFullYear(y);
  return date.getUTCDate() === d && date.getUTCMonth() === mo - 1 ? date : undefined;
}

/** One bucket of a granularity, as a duration (months clamp at month ends, as in addDuration). */
export function bucketLength(granularity: 'Day' | 'Week' | 'Month'): IsoDuration {
  const none = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };
  if (granularity === 'Day') return { ...none, days: 1 };
  if (granularity === 'Week') return { ...none, weeks: 1 };
  return { ...none, months: 1 };
}

function startOfUtcDay(date: Date): Date {
  return new Date(Math.floor(date.getTime() / DAY_MS) * DAY_MS);
}

function startOfIsoWeek(date: Date): Date {
  const day = startOfUtcDay(date);
  const weekday = (day.getUTCDay() + 6) % 7; // Monday = 0
  return new Date(day.getTime() - weekday * DAY_MS);
}

function startOfMonth(date: Date): Date {
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1));
}

function shortcut(name: (typeof INTERVAL_SHORTCUTS)[number], now: Date): Interval {
  const today = startOfUtcDay(now);
  switch (name) {
    case 'yesterday':
      return { start: new Date(today.getTime() - DAY_MS), end: today };
    case 'last-week': {
      const end = startOfIsoWeek(now);
      return { start: new Date(end.getTime() - 7 * DAY_MS), end };
    }
    case 'last-month': {
      const end = startOfMonth(now);
      return { start: new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - 1, 1)), end };
    }
    case 'week-to-date': {
      // On Monday the current week has no complete day yet: report the previous week instead.
      const start = startOfIsoWeek(now);
      return start.getTime() === today.getTime() ? shortcut('last-week', now) : { start, end: today };
    }
    case 'month-to-date': {
      const start = startOfMonth(now);
      return start.getTime() === today.getTime() ? shortcut('last-month', now) : { start, end: today };
    }
  }
}

export const INTERVAL_ACCEPTED =
  'an ISO-8601 interval such as 2026-11-01/2026-11-30 (both days included), 2026-11-01T00:00:00Z/2026-12-01T00:00:00Z ' +
  '(end excluded), 2026-11-01/P7D or P7D/2026-11-07, a bare duration such as P1D, P7D or P1M (complete UTC days ' +
  `ending today at 00:00Z), or one of ${INTERVAL_SHORTCUTS.join(', ')}`;

function inRange(date: Date): boolean {
  const t = date.getTime();
  if (Number.isNaN(t)) return false;
  const year = date.getUTCFullYear();
  return year >= MIN_YEAR && year <= MAX_YEAR;
}

/** The interval, or a reason it is not one. */
export function parseInterval(text: string, now: Date): Interval | { error: string } {
  const value = text.trim();
  const alias = SHORTCUT_ALIASES[value.toLowerCase()];
  if (alias) return shortcut(alias, now);

  const parts = value.split('/');
  let interval: Interval | undefined;
  if (parts.length === 1) {
    const duration = parseIsoDuration(value);
    if (!duration) return { error: INTERVAL_ACCEPTED };
    const end = startOfUtcDay(now);
    interval = { start: addDuration(end, duration, -1), end };
  } else if (parts.length === 2) {
    const [left = '', right = ''] = parts;
    const start = parseInstant(left);
    const end = parseInstant(right);
    const leftDuration = start ? undefined : parseIsoDuration(left);
    const rightDuration = end ? undefined : parseIsoDuration(right);
    if (start && end) interval = { start: start.date, end: exclusiveEnd(end) };
    else if (start && rightDuration)
      interval = { start: start.date, end: addDuration(start.date, rightDuration, 1) };
    else if (leftDuration && end) {
      const exclusive = exclusiveEnd(end);
      interval = { start: addDuration(exclusive, leftDuration, -1), end: exclusive };
    } else return { error: INTERVAL_ACCEPTED };
  } else {
    return { error: INTERVAL_ACCEPTED };
  }
  if (!inRange(interval.start) || !inRange(interval.end)) {
    return { error: `dates must lie between the years ${MIN_YEAR} and ${MAX_YEAR}` };
  }
  if (interval.start.getTime() >= interval.end.getTime())
    return { error: 'the start must be before the end' };
  if (interval.start.getTime() % DAY_MS !== 0 || interval.end.getTime() % DAY_MS !== 0) {
    return {
      error:
        `Genesys Cloud keeps usage per UTC day, so both ends must fall on 00:00 UTC (this resolves to ` +
        `${formatInstant(interval.start)}/${formatInstant(interval.end)}); write dates, or date-times at 00:00:00Z`,
    };
  }
  return interval;
}

/** `2026-11-01T00:00:00Z`: the form Genesys accepts and the records carry. */
export function formatInstant(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/** `start/end` as half-open instants: the form the records' `interval` field carries. */
export function formatInterval(interval: Interval): string {
  return `${formatInstant(interval.start)}/${formatInstant(interval.end)}`;
}

export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function isInterval(value: Interval | { error: string }): value is Interval {
  return 'start' in value;
}

/** The whole UTC days an interval covers: first, last included, how many. */
export interface IntervalDays {
  first: string;
  last: string;
  count: number;
}

export function intervalDays(interval: Interval): IntervalDays {
  return {
    first: formatDate(interval.start),
    last: formatDate(new Date(interval.end.getTime() - DAY_MS)),
    count: Math.round((interval.end.getTime() - interval.start.getTime()) / DAY_MS),
  };
}

/** `2026-09-01 to 2026-09-30 (30 days)`: for log lines. */
export function describeDays(interval: Interval): string {
  const d = intervalDays(interval);
  return `${d.first} to ${d.last} (${d.count} day${d.count === 1 ? '' : 's'})`;
}

/**
 * What a request's `interval` is sent as. Genesys counts both ends as included, so the end is the last
 * included day's last second: that day is in under any reading of "inclusive" (date or instant), and the
 * next one is not. `2026-09-01T00:00:00Z/2026-09-30T23:59:59Z` for September.
 */
export function genesysInterval(interval: Interval): string {
  return `${formatInstant(interval.start)}/${formatInstant(new Date(interval.end.getTime() - 1000))}`;
}

/** The same calendar date a year before today (29 February: the 28th): the earliest start Genesys serves. */
export function oneYearBefore(now: Date): Date {
  const none = { years: 0, months: 0, weeks: 0, days: 0, hours: 0, minutes: 0, seconds: 0 };
  return addDuration(startOfUtcDay(now), { ...none, years: 1 }, -1);
}

/** Today 00:00Z: the exclusive end of the last complete day Genesys has data for. */
export function startOfToday(now: Date): Date {
  return startOfUtcDay(now);
}
