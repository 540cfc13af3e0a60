import { BucketCounts, ReportBuilder, rate429, groupLabel, type ReportMeta } from '../src/report.js';
import { evaluateGate, describeBreach } from '../src/gate.js';
import { normaliseRow, type RecordContext } from '../src/records.js';

const CTX: RecordContext = {
  api: 'legacy',
  interval: 'i',
  defaultDate: '2026-11-01',
  queryId: 'q',
  collectedAt: 'now',
};
const META: ReportMeta = {
  api: 'legacy',
  interval: 'i',
  granularity: 'Day',
  queryId: 'q',
  generatedAt: 'now',
};

function build(rows: Record<string, unknown>[], top = 10) {
  const builder = new ReportBuilder();
  for (const row of rows) builder.add(normaliseRow(row, CTX));
  return { builder, report: builder.build(META, top) };
}

const ROWS = [
  {
    date: '2026-11-01',
    clientId: 'a',
    clientName: 'Alpha',
    requests: 100,
    status200: 90,
    status400: 10,
    status429: 8,
  },
  { date: '2026-11-01', clientId: 'b', clientName: 'Beta', requests: 300, status200: 300 },
  {
    date: '2026-11-02',
    clientId: 'a',
    clientName: 'Alpha',
    requests: 50,
    status200: 48,
    status400: 2,
    status429: 2,
  },
  {
    date: '2026-11-02',
    clientId: 'b',
    clientName: 'Beta',
    requests: 10,
    status200: 5,
    status400: 5,
    status429: 5,
    status500: 0,
  },
  { date: '2026-11-03', clientId: 'c', clientName: '', requests: 0 },
];

describe('ReportBuilder', () => {
  it('sums totals and the 429 rate, never adding 429s to 4xx', () => {
    const { report } = build(ROWS);
    expect(report.records).toBe(5);
    expect(report.totals).toEqual({
      requests: 460,
      status200: 443,
      status300: 0,
      status400: 17,
      status429: 15,
      status500: 0,
      rate429: 3.2609,
    });
  });

  it('computes per-metric statistics over buckets', () => {
    const { report } = build(ROWS);
    expect([...report.trend].map((t) => [t.date, t.requests, t.status429])).toEqual([
      ['2026-11-01', 400, 8],
      ['2026-11-02', 60, 7],
      ['2026-11-03', 0, 0],
    ]);
    expect(report.metrics.requests).toEqual({ total: 460, min: 0, max: 400, mean: 153.33 });
    expect(report.metrics.status429).toEqual({ total: 15, min: 0, max: 8, mean: 5 });
  });

  it('adds to counts it adopted, an empty table included', () => {
    const one = { requests: 5, status200: 4, status300: 0, status400: 1, status429: 1, status500: 0 };
    const empty = new BucketCounts([], new Float64Array(0));
    empty.add('2026-01-02', one);
    empty.add('2026-01-02', one);
    expect(empty.row(0)).toEqual({
      date: '2026-01-02',
      ...one,
      requests: 10,
      status200: 8,
      status400: 2,
      status429: 2,
      rate429: 20,
    });
    const adopted = new BucketCounts(['2026-01-01'], Float64Array.of(1, 1, 0, 0, 0, 0));
    adopted.add('2026-01-01', one);
    adopted.add('2026-01-03', one);
    expect([adopted.size, adopted.count(0, 0), adopted.count(1, 4)]).toEqual([2, 6, 1]);
  });

  it('makes trend rows when asked (at, slice, iteration), and gives JSON the array of every row', () => {
    const { report } = build(ROWS);
    const rows = [...report.trend];
    expect(rows).toHaveLength(3);
    expect(rows[1]).toEqual({
      date: '2026-11-02',
      requests: 60,
      status200: 53,
      status300: 0,
      status400: 7,
      status429: 7,
      status500: 0,
      rate429: 11.6667,
    });
    expect(report.trend.at(-1)).toEqual(rows[2]);
    expect(report.trend.at(3)).toBeUndefined();
    expect(report.trend.at(-4)).toBeUndefined();
    // Indexes read as Array.prototype.at reads them.
    for (const i of [1.5, -0.5, Number.NaN, -1.2, 2.9]) expect(report.trend.at(i)).toEqual(rows.at(i));
    expect([0, 1, 2, -1, 3].map((i) => report.trend.dateAt(i))).toEqual([
      '2026-11-01',
      '2026-11-02',
      '2026-11-03',
      '2026-11-03',
      undefined,
    ]);
    expect(report.trend.slice(-2)).toEqual(rows.slice(-2));
    expect(report.trend.slice(1, 2)).toEqual(rows.slice(1, 2));
    expect(report.trend.slice(-99)).toEqual(rows);
    expect(JSON.parse(JSON.stringify(report))).toEqual(
      JSON.parse(JSON.stringify({ ...report, trend: rows })),
    );
    // Each row is a fresh object: changing one changes nothing the report holds.
    (rows[0] as { requests: number }).requests = -1;
    expect(report.trend.at(0)?.requests).toBe(400);
  });

  it('sorts and measures hundreds of thousands of days (no argument list of every bucket)', () => {
    // 250,000 days (Math.min(...values) overflowed the stack past about 120,000), added newest first.
    const builder = new ReportBuilder();
    const days = 250_000;
    const first = Date.UTC(1400, 0, 1);
    for (let i = days - 1; i >= 0; i--) {
      const date = new Date(first + i * 86_400_000).toISOString().slice(0, 10);
      builder.add(normaliseRow({ date, requestCount: i % 1000, status429: i % 7 }, CTX));
    }
    const report = builder.build(META, 10);
    expect(report.trend).toHaveLength(days);
    expect(report.trend.at(0)?.date).toBe('1400-01-01');
    expect(report.trend.at(-1)?.date).toBe(
      new Date(first + (days - 1) * 86_400_000).toISOString().slice(0, 10),
    );
    expect(
      [...report.trend].every((t, i, all) => i === 0 || (all[i - 1] as { date: string }).date < t.date),
    ).toBe(true);
    expect(report.metrics.requests).toMatchObject({ min: 0, max: 999 });
    expect(report.metrics.status429).toMatchObject({ min: 0, max: 6 });
  });

  it('ranks groups by 429s and by requests, leaving out groups without 429s from the first', () => {
    const { report } = build(ROWS);
    expect(report.dimensions).toEqual(['clientId', 'clientName']);
    expect(report.groupCount).toBe(3);
    expect(report.topBy429.map((g) => [g.group.clientId, g.status429, g.rate429])).toEqual([
      ['a', 10, 6.6667],
      ['b', 5, 1.6129],
    ]);
    expect(report.topByRequests.map((g) => g.group.clientId)).toEqual(['b', 'a', 'c']);
    expect(build(ROWS, 1).report.topByRequests).toHaveLength(1);
  });

  it('has one group when nothing is grouped', () => {
    const { report, builder } = build([{ requests: 5, status429: 1 }, { requests: 5 }]);
    expect(report.dimensions).toEqual([]);
    expect(builder.groupRows()).toHaveLength(1);
    expect(groupLabel({})).toBe('(all)');
  });

  it('rate429 is 0 without requests and rounds to 4 decimals', () => {
    expect(
      rate429({ requests: 0, status200: 0, status300: 0, status400: 0, status429: 0, status500: 0 }),
    ).toBe(0);
    expect(
      rate429({ requests: 3, status200: 0, status300: 0, status400: 1, status429: 1, status500: 0 }),
    ).toBe(33.3333);
  });
});

describe('evaluateGate', () => {
  const { report, builder } = build(ROWS);
  const groups = builder.groupRows();

  it('a value at the limit is not a breach', () => {
    expect(evaluateGate(report, groups, { max429: 15, max429Rate: 3.2609, max429PerGroup: 10 })).toEqual([]);
  });

  it('reports each breach with its threshold, limit, value and group', () => {
    const breaches = evaluateGate(report, groups, { max429: 14, max429Rate: 3, max429PerGroup: 4 });
    expect(breaches).toEqual([
      { threshold: 'max-429', limit: 14, value: 15 },
      { threshold: 'max-429-rate', limit: 3, value: 3.2609 },
      { threshold: 'max-429-per-group', limit: 4, value: 10, group: { clientId: 'a', clientName: 'Alpha' } },
      { threshold: 'max-429-per-group', limit: 4, value: 5, group: { clientId: 'b', clientName: 'Beta' } },
    ]);
    expect(breaches.map(describeBreach)).toEqual([
      'max-429 breached: total 429s 15 > limit 14',
      'max-429-rate breached: 429 rate 3.2609% > limit 3%',
      'max-429-per-group breached for Alpha (a): 429s 10 > limit 4',
      'max-429-per-group breached for Beta (b): 429s 5 > limit 4',
    ]);
  });

  it('compares the unrounded 429 rate', () => {
    const { report: r, builder: b } = build([
      { requests: 100_000_000, status429: 500_040, status400: 500_040 },
    ]);
    expect(r.totals.rate429).toBe(0.5);
    expect(evaluateGate(r, b.groupRows(), { max429Rate: 0.5 })).toEqual([
      { threshold: 'max-429-rate', limit: 0.5, value: 0.50004 },
    ]);
    expect(evaluateGate(r, b.groupRows(), { max429Rate: 0.50004 })).toEqual([]);
  });

  it('does nothing without thresholds', () => {
    expect(evaluateGate(report, groups, {})).toEqual([]);
  });
});
