import {
  addDuration,
  describeDays,
  formatInterval,
  genesysInterval,
  intervalDays,
  isInterval,
  oneYearBefore,
  parseInterval,
  parseIsoDuration,
} from '../src/interval.js';

const NOW = new Date('2026-11-21T15:42:10Z'); // a Saturday

function interval(text: string, now = NOW): string {
  const parsed = parseInterval(text, now);
  if (!isInterval(parsed)) throw new Error(parsed.error);
  return formatInterval(parsed);
}

describe('parseInterval', () => {
  it.each([
    // A date-only end is the last day included; a date-time end is exclusive.
    ['2026-11-01/2026-11-08', '2026-11-01T00:00:00Z/2026-11-09T00:00:00Z'],
    ['2026-11-01/2026-11-01', '2026-11-01T00:00:00Z/2026-11-02T00:00:00Z'],
    ['2026-09-01/2026-09-30', '2026-09-01T00:00:00Z/2026-10-01T00:00:00Z'],
    ['2026-09-01T00:00:00Z/2026-10-01T00:00:00Z', '2026-09-01T00:00:00Z/2026-10-01T00:00:00Z'],
    ['2026-09-01T00:00/2026-10-01T00:00:00.000Z', '2026-09-01T00:00:00Z/2026-10-01T00:00:00Z'],
    ['2026-11-01T02:00:00+02:00/2026-11-02T00:00', '2026-11-01T00:00:00Z/2026-11-02T00:00:00Z'],
    ['2026-11-01/2026-11-02T00:00:00Z', '2026-11-01T00:00:00Z/2026-11-02T00:00:00Z'],
    // A year-month end is the last month included.
    ['2021-01/2021-02', '2021-01-01T00:00:00Z/2021-03-01T00:00:00Z'],
    ['2021-01/2021-01', '2021-01-01T00:00:00Z/2021-02-01T00:00:00Z'],
    ['2026-11-01/P7D', '2026-11-01T00:00:00Z/2026-11-08T00:00:00Z'],
    ['2026-11-01T00:00:00Z/PT24H', '2026-11-01T00:00:00Z/2026-11-02T00:00:00Z'],
    // P1W ending with 7 November included.
    ['P1W/2026-11-07', '2026-11-01T00:00:00Z/2026-11-08T00:00:00Z'],
    ['P1W/2026-11-08T00:00:00Z', '2026-11-01T00:00:00Z/2026-11-08T00:00:00Z'],
    ['P1D', '2026-11-20T00:00:00Z/2026-11-21T00:00:00Z'],
    ['P7D', '2026-11-14T00:00:00Z/2026-11-21T00:00:00Z'],
    ['p7d', '2026-11-14T00:00:00Z/2026-11-21T00:00:00Z'],
    ['P1M', '2026-10-21T00:00:00Z/2026-11-21T00:00:00Z'],
    ['yesterday', '2026-11-20T00:00:00Z/2026-11-21T00:00:00Z'],
    ['last-week', '2026-11-09T00:00:00Z/2026-11-16T00:00:00Z'],
    ['previous-month', '2026-10-01T00:00:00Z/2026-11-01T00:00:00Z'],
    ['Last-Month', '2026-10-01T00:00:00Z/2026-11-01T00:00:00Z'],
    ['month-to-date', '2026-11-01T00:00:00Z/2026-11-21T00:00:00Z'],
    ['week-to-date', '2026-11-16T00:00:00Z/2026-11-21T00:00:00Z'],
  ])('%s', (text, expected) => {
    expect(interval(text)).toBe(expected);
  });

  it('month-to-date on the 1st is the previous month, and week-to-date on Monday the previous week', () => {
    expect(interval('month-to-date', new Date('2026-12-01T08:00:00Z'))).toBe(
      '2026-11-01T00:00:00Z/2026-12-01T00:00:00Z',
    );
    expect(interval('week-to-date', new Date('2026-11-16T08:00:00Z'))).toBe(
      '2026-11-09T00:00:00Z/2026-11-16T00:00:00Z',
    );
  });

  it('last-month in January is December of the year before', () => {
    expect(interval('last-month', new Date('2027-01-15T00:00:00Z'))).toBe(
      '2026-12-01T00:00:00Z/2027-01-01T00:00:00Z',
    );
  });

  it.each([
    '',
    'P',
    'PT',
    'P0D',
    '2026-13-01/2026-12-01',
    '2026-02-30/2026-03-01',
    'next-week',
    '2026-11-08/2026-11-01',
    '2026-11-01T00:00:00Z/2026-11-01T00:00:00Z',
    'a/b/c',
    '2026-11-01',
  ])('rejects %p', (text) => {
    expect(isInterval(parseInterval(text, NOW))).toBe(false);
  });
});

describe('durations', () => {
  it('clamps month ends', () => {
    const d = parseIsoDuration('P1M');
    expect(d).toBeDefined();
    expect(addDuration(new Date('2026-01-31T00:00:00Z'), d!, 1).toISOString()).toBe(
      '2026-02-28T00:00:00.000Z',
    );
    expect(addDuration(new Date('2026-03-31T00:00:00Z'), d!, -1).toISOString()).toBe(
      '2026-02-28T00:00:00.000Z',
    );
  });
});

describe('interval edge cases: one line, never Invalid time value', () => {
  it.each([
    ['P99999999999999999999Y', /between the years 1000 and 9999/],
    ['P999999999999D', /between the years 1000 and 9999/],
    ['0999-01-01/2026-01-01', /between the years 1000 and 9999/],
    ['0050-01-01/0050-02-01', /between the years 1000 and 9999/],
    ['2026-11-01/P9999999Y', /between the years 1000 and 9999/],
    ['2026-11-01T06:00:00Z/2026-11-02T06:00:00Z', /per UTC day.*00:00 UTC/],
    ['2026-11-01T00:00:00Z/PT12H', /per UTC day/],
    ['PT12H', /per UTC day/],
  ])('%s', (text, message) => {
    const parsed = parseInterval(text, NOW);
    expect(isInterval(parsed)).toBe(false);
    expect((parsed as { error: string }).error).toMatch(message);
    expect((parsed as { error: string }).error).not.toMatch(/Invalid time value/);
  });
});

describe('the days an interval covers', () => {
  const resolve = (text: string) => {
    const parsed = parseInterval(text, NOW);
    if (!isInterval(parsed)) throw new Error(parsed.error);
    return parsed;
  };

  it('are the same for a calendar month written either way', () => {
    for (const text of [
      '2026-09-01/2026-09-30',
      '2026-09-01T00:00:00Z/2026-10-01T00:00:00Z',
      '2026-09/2026-09',
    ]) {
      const iv = resolve(text);
      expect(intervalDays(iv)).toEqual({ first: '2026-09-01', last: '2026-09-30', count: 30 });
      expect(describeDays(iv)).toBe('2026-09-01 to 2026-09-30 (30 days)');
      // Sent with an inclusive end that stays inside the last day.
      expect(genesysInterval(iv)).toBe('2026-09-01T00:00:00Z/2026-09-30T23:59:59Z');
    }
  });

  it('of a bare duration end yesterday', () => {
    expect(intervalDays(resolve('P7D'))).toEqual({ first: '2026-11-14', last: '2026-11-20', count: 7 });
    expect(describeDays(resolve('P1D'))).toBe('2026-11-20 to 2026-11-20 (1 day)');
  });
});

describe('oneYearBefore', () => {
  it('is the same calendar date a year before today', () => {
    expect(oneYearBefore(NOW).toISOString()).toBe('2025-11-21T00:00:00.000Z');
    expect(oneYearBefore(new Date('2028-02-29T23:00:00Z')).toISOString()).toBe('2027-02-28T00:00:00.000Z');
  });

  it('admits P1Y, P12M and P365D', () => {
    for (const text of ['P1Y', 'P12M', 'P365D']) {
      const parsed = parseInterval(text, NOW);
      if (!isInterval(parsed)) throw new Error(parsed.error);
      expect(parsed.start.getTime()).toBeGreaterThanOrEqual(oneYearBefore(NOW).getTime());
    }
  });
});
