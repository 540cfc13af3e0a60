import { parseInterval, formatInterval, isInterval, parseIsoDuration, addDuration } from '../src/interval.js';

const NOW = new Date('2026-11-21T15:42:10Z'); // a Saturday

function interval(text: string, now = NOW): string {
  const parsed = parseInterval(text, now);
  if (!isInterval(parsed)) throw new Error(parsed.error);
  return formatInterval(parsed);
}

describe('parseInterval', () => {
  it.each([
    ['2026-11-01/2026-11-08', '2026-11-01T00:00:00Z/2026-11-08T00:00:00Z'],
    ['2026-11-01T06:00:00Z/2026-11-02T06:00:00Z', '2026-11-01T06:00:00Z/2026-11-02T06:00:00Z'],
    ['2026-11-01T06:00:00+02:00/2026-11-02T00:00', '2026-11-01T04:00:00Z/2026-11-02T00:00:00Z'],
    ['2026-11-01T00:00:00.123Z/2026-11-02', '2026-11-01T00:00:00.123Z/2026-11-02T00:00:00Z'],
    ['2021-01/2021-02', '2021-01-01T00:00:00Z/2021-02-01T00:00:00Z'],
    ['2026-11-01/P7D', '2026-11-01T00:00:00Z/2026-11-08T00:00:00Z'],
    ['2026-11-01T00:00:00Z/PT12H', '2026-11-01T00:00:00Z/2026-11-01T12:00:00Z'],
    ['P1W/2026-11-08', '2026-11-01T00:00:00Z/2026-11-08T00:00:00Z'],
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
    '2026-11-01/2026-11-01',
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
