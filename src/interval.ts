/**
 * The `interval` input: ISO-8601 `start/end`, `start/duration`, `duration/end`, a bare duration
 * (the last complete UTC days ending today at 00:00Z) or a calendar shortcut. Pure: `now` is passed in.
 */

export interface Interval {
  /** Inclusive. */
  start: Date;
  /** Exclusive. */
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

/** A date or date-time; no zone means UTC. `YYYY-MM` is the first of that month. */
function parseInstant(text: string): Date | undefined {
  const value = text.trim();
  let m = /^(\d{4})-(\d{2})(?:-(\d{2}))?$/.exec(value);
  if (m) return utcDate(Number(m[1]), Number(m[2]), Number(m[3] ?? 1), 0, 0, 0, 0);
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
  if (!zone || zone.toUpperCase() === 'Z') return local;
  const z = /^([+-])(\d{2}):?(\d{2})$/.exec(zone);
  if (!z) return undefined;
  const offsetMs = (Number(z[2]) * 60 + Number(z[3])) * 60_000 * (z[1] === '+' ? 1 : -1);
  return new Date(local.getTime() - offsetMs);
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
  'an ISO-8601 interval such as 2026-11-01/2026-11-08, 2026-11-01T00:00:00Z/P7D or P7D/2026-11-08, a bare ' +
  `duration such as P1D, P7D or P1M (complete UTC days ending today at 00:00Z), or one of ${INTERVAL_SHORTCUTS.join(', ')}`;

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
    if (start && end) interval = { start, end };
    else if (start && rightDuration) interval = { start, end: addDuration(start, rightDuration, 1) };
    else if (leftDuration && end) interval = { start: addDuration(end, leftDuration, -1), end };
    else return { error: INTERVAL_ACCEPTED };
  } else {
    return { error: INTERVAL_ACCEPTED };
  }
  if (interval.start.getTime() >= interval.end.getTime())
    return { error: 'the start must be before the end' };
  return interval;
}

/** `2026-11-01T00:00:00Z`: the form Genesys accepts and the records carry. */
export function formatInstant(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

export function formatInterval(interval: Interval): string {
  return `${formatInstant(interval.start)}/${formatInstant(interval.end)}`;
}

export function formatDate(date: Date): string {
  return date.toISOString().slice(0, 10);
}

export function isInterval(value: Interval | { error: string }): value is Interval {
  return 'start' in value;
}
