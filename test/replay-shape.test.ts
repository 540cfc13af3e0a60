/** The rows decide the shape of a replay; inputs that contradict them fail naming the first row. */
import { checkUsageRow, type CheckedRow } from '../src/records.js';
import { resolveShape, ShapeScan, type ShapeInputs } from '../src/replay-shape.js';
import { parseInterval, isInterval, formatInterval } from '../src/interval.js';

function scanOf(rows: object[]): ShapeScan {
  const scan = new ShapeScan();
  rows.forEach((row, i) => scan.add(checkUsageRow(row) as CheckedRow, `row ${i + 1} (line ${i + 1})`));
  return scan;
}
const interval = (text: string) => {
  const parsed = parseInterval(text, new Date('2026-12-01T00:00:00Z'));
  if (!isInterval(parsed)) throw new Error(parsed.error);
  return parsed;
};
const daily = (from: number, days: number, extra: object = {}) =>
  Array.from({ length: days }, (_, i) => ({
    date: `2026-11-${String(from + i).padStart(2, '0')}T00:00:00Z`,
    requests: 10,
    status429: 1,
    clientId: 'c1',
    ...extra,
  }));

function shape(rows: object[], inputs: ShapeInputs = {}) {
  return resolveShape(scanOf(rows), inputs);
}

describe('resolveShape: inference', () => {
  it('daily rows without inputs: Day, the dates as interval, the API and group-by of the rows', () => {
    const s = shape(daily(13, 7));
    expect(s.api).toBe('legacy');
    expect(s.granularity).toBe('Day');
    expect(formatInterval(s.interval!)).toBe('2026-11-13T00:00:00Z/2026-11-20T00:00:00Z');
    expect(s.intervalKnown).toBe(false);
    expect(s.groupBy).toEqual([{ apiName: 'OAuthClientId', field: 'clientId' }]);
    expect(s.inferred).toHaveLength(4);
  });

  it('weekly and monthly spacing', () => {
    const weeks = ['2026-11-02', '2026-11-09', '2026-11-23'].map((date) => ({ date, requestCount: 1 }));
    expect(shape(weeks).granularity).toBe('Week');
    const months = ['2026-09-01', '2026-10-01', '2026-11-01'].map((date) => ({ date, requestCount: 1 }));
    expect(shape(months).granularity).toBe('Month');
  });

  it('undated rows are totals; our own totals records (dated at their interval start) too', () => {
    expect(shape([{ requests: 1 }, { requests: 2 }]).granularity).toBeUndefined();
    const records = [
      { date: '2026-11-13', requests: 5, interval: '2026-11-13T00:00:00Z/2026-11-20T00:00:00Z' },
    ];
    const s = shape(records);
    expect(s.granularity).toBeUndefined();
    expect(s.intervalKnown).toBe(true);
    expect(formatInterval(s.interval!)).toBe('2026-11-13T00:00:00Z/2026-11-20T00:00:00Z');
  });

  it('a single organisation id on every row is not a grouping; several are', () => {
    const rows = daily(13, 2, { organizationId: 'org-1' });
    expect(shape(rows).groupBy.map((g) => g.field)).toEqual(['clientId']);
    (rows[1] as Record<string, unknown>).organizationId = 'org-2';
    expect(shape(rows).groupBy.map((g) => g.field)).toEqual(['clientId', 'organizationId']);
  });

  it('a row without a requests count makes the rate unknown', () => {
    expect(shape([{ status429: 1 }]).requestsKnown).toBe(false);
    expect(shape([{ requests: 1 }]).requestsKnown).toBe(true);
  });
});

describe('resolveShape: contradictions name the input, the value and the first row', () => {
  it.each([
    [
      'Week on daily rows',
      { granularity: 'Week' as const },
      "Input 'granularity' has the value 'Week', which the rows contradict: row 2 (line 2) is dated 2026-11-14, which does not start a week bucket.",
    ],
    [
      'Month on daily rows',
      { granularity: 'Month' as const },
      "Input 'granularity' has the value 'Month', which the rows contradict: row 1 (line 1) is dated 2026-11-13, which does not start a month bucket.",
    ],
    [
      'an interval the rows fall outside',
      { interval: interval('2026-11-13/2026-11-15'), intervalText: '2026-11-13/2026-11-15' },
      "Input 'interval' has the value '2026-11-13/2026-11-15', which the rows contradict: row 4 (line 4) is dated 2026-11-16, outside it.",
    ],
    [
      'the other API',
      { api: 'aggregates' as const },
      "Input 'api' has the value 'aggregates', which the rows contradict: row 1 (line 1) is a legacy row.",
    ],
    [
      'a group-by field no row has',
      { groupBy: [{ apiName: 'UserId', field: 'userId' as const }], groupByText: 'UserId' },
      "Input 'group-by' has the value 'UserId', which the rows contradict: no row has a userId (row 1 (line 1) has none).",
    ],
  ])('%s', (_name, inputs, message) => {
    expect(() => shape(daily(13, 7), inputs)).toThrow(message);
  });

  it('a group-by that leaves out a field the rows are grouped by', () => {
    const rows = daily(13, 2);
    rows[1] = { ...rows[1]!, templateUri: '/api/v2/users' } as (typeof rows)[number];
    expect(() =>
      shape(rows, {
        groupBy: [{ apiName: 'OAuthClientId', field: 'clientId' }],
        groupByText: 'OAuthClientId',
      }),
    ).toThrow('row 2 (line 2) has a templateUri, so the rows are grouped by it too');
  });

  it('undated rows under a granularity', () => {
    expect(() => shape([{ requests: 1 }], { granularity: 'Day' })).toThrow(
      "Input 'granularity' has the value 'Day', which the rows contradict: row 1 (line 1) has no date",
    );
  });

  it('7-day totals replayed as Day would overwrite a real day: refused', () => {
    const records = [
      {
        date: '2026-11-13',
        requests: 5,
        interval: '2026-11-13T00:00:00Z/2026-11-20T00:00:00Z',
        clientId: 'a',
      },
      {
        date: '2026-11-13',
        requests: 6,
        interval: '2026-11-13T00:00:00Z/2026-11-20T00:00:00Z',
        clientId: 'b',
      },
    ];
    expect(() => shape(records, { granularity: 'Day' })).toThrow(
      /the rows are totals \(leave granularity out\)/,
    );
  });

  it('rows of both APIs, or dated and undated rows, in one file', () => {
    expect(() => shape([{ requests: 1 }, { requestCount: 1 }])).toThrow(/mixes both APIs' rows: row 1/);
    expect(() => shape([{ requests: 1, date: '2026-11-13T00:00:00Z' }, { requests: 1 }])).toThrow(
      /mixes dated and undated rows \(row 1 \(line 1\) has a date, row 2 \(line 2\) none\)/,
    );
  });

  it('inputs that agree pass', () => {
    const s = shape(daily(13, 7), {
      granularity: 'Day',
      api: 'legacy',
      interval: interval('2026-11-13T00:00:00Z/2026-11-20T00:00:00Z'),
      groupBy: [{ apiName: 'OauthClientId', field: 'clientId' }],
    });
    expect(s.inferred).toEqual([]);
    expect(s.groupBy).toEqual([{ apiName: 'OAuthClientId', field: 'clientId' }]);
  });
});

describe('the organisation that names a replay', () => {
  it('is the one every row carries, and none when rows differ or some carry none', () => {
    const rows = (...orgs: string[]) =>
      orgs.map((organizationId) => ({ date: '2026-11-13T00:00:00Z', requests: 1, organizationId }));
    expect(scanOf(rows('org-1', 'org-1')).soleOrganization).toBe('org-1');
    expect(scanOf(rows('', 'org-1')).soleOrganization).toBeUndefined();
    expect(scanOf(rows('org-1', 'org-2')).soleOrganization).toBeUndefined();
    expect(scanOf(rows('', '')).soleOrganization).toBeUndefined();
  });
});
