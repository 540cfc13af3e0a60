/**
 * The early warnings' pure parts: the previous window, percent changes and movers, the near-limit
 * events answer normalised and summarised, the Markdown sections escaped, and the inputs validated.
 */
import { parseConfig } from '../src/config.js';
import {
  comparePeriods,
  evaluateGrowth,
  formatChange,
  percentChange,
  previousWindow,
} from '../src/compare.js';
import { comparisonLine, moversSection, rateLimitEventsSection } from '../src/early-warning-sections.js';
import { parseInterval, type Interval } from '../src/interval.js';
import {
  evaluateRateLimitEvents,
  normaliseRateLimitResponse,
  rateLimitEventsObjectName,
  rateLimitEventsPrefix,
  rateLimitQueryBody,
  summariseRateLimitEvents,
  unavailableRateLimitEvents,
} from '../src/rate-limit-events.js';
import type { GroupRow } from '../src/report.js';

const NOW = new Date('2026-11-21T15:42:10Z');
const interval = (text: string) => parseInterval(text, NOW) as Interval;
const iso = (i: Interval) => `${i.start.toISOString()}/${i.end.toISOString()}`;

describe('previousWindow', () => {
  it('is the window of equal length that ends where the interval starts', () => {
    expect(iso(previousWindow(interval('P7D')))).toBe('2026-11-07T00:00:00.000Z/2026-11-14T00:00:00.000Z');
    // A month of 31 days: the 31 days before it, to the millisecond, not the calendar month.
    expect(iso(previousWindow(interval('2026-10-01/2026-11-01T00:00:00Z')))).toBe(
      '2026-08-31T00:00:00.000Z/2026-10-01T00:00:00.000Z',
    );
    // One day, its last day included: the day before.
    expect(iso(previousWindow(interval('2026-11-20/2026-11-20')))).toBe(
      '2026-11-19T00:00:00.000Z/2026-11-20T00:00:00.000Z',
    );
  });
});

describe('percent change', () => {
  it('has two decimals, and none when the previous value is 0', () => {
    expect(percentChange(203, 306)).toBe(50.74);
    expect(percentChange(300, 200)).toBe(-33.33);
    expect(percentChange(100000, 100001)).toBe(0);
    expect(percentChange(0, 5)).toBeNull();
    expect(formatChange(50.74)).toBe('50.74');
    expect(formatChange(100)).toBe('100.00');
    expect(formatChange(-0.5)).toBe('-0.50');
    expect(formatChange(null)).toBe('');
  });
});

const row = (group: GroupRow['group'], requests: number, status429: number): GroupRow => ({
  group,
  requests,
  status200: requests - status429,
  status300: 0,
  status400: status429,
  status429,
  status500: 0,
  rate429: 0,
});

describe('comparePeriods', () => {
  const current = [
    row({ clientId: 'a', clientName: 'A' }, 1000, 50),
    row({ clientId: 'b', clientName: 'B' }, 500, 0),
    row({ clientId: 'c', clientName: 'C' }, 10, 0),
  ];
  // The previous period knew client a without its name: still the same group (the id identifies it).
  const previous = [
    row({ clientId: 'a' }, 400, 0),
    row({ clientId: 'b', clientName: 'B' }, 500, 0),
    row({ clientId: 'd' }, 80, 10),
  ];
  const comparison = comparePeriods({
    previousInterval: 'p',
    source: 'job-2',
    previousRecords: 3,
    current: { totals: { requests: 1510, status429: 50 }, groups: current },
    previous: { totals: { requests: 980, status429: 10 }, groups: previous },
    top: 2,
  });

  it('compares the totals and ranks the groups by their absolute change', () => {
    expect(comparison.totals.requests).toEqual({ previous: 980, current: 1510, change: 54.08 });
    expect(comparison.totals.status429).toEqual({ previous: 10, current: 50, change: 400 });
    // a +600, d -80, c +10; b did not change; top 2.
    expect(
      comparison.moversByRequests.map((m) => [m.group.clientId, m.requests.previous, m.requests.current]),
    ).toEqual([
      ['a', 400, 1000],
      ['d', 80, 0],
    ]);
    expect(comparison.moversBy429.map((m) => [m.group.clientId, m.status429.change])).toEqual([
      ['a', null],
      ['d', -100],
    ]);
  });

  it('gates growth on the unrounded percentage, never without previous requests', () => {
    expect(evaluateGrowth(comparison, 54)).toEqual([
      { threshold: 'max-requests-growth', limit: 54, value: 54.08 },
    ]);
    expect(evaluateGrowth(comparison, 54.0816)).toEqual([
      { threshold: 'max-requests-growth', limit: 54.0816, value: 54.08163265 },
    ]);
    expect(evaluateGrowth(comparison, 54.1)).toEqual([]);
    expect(evaluateGrowth(comparison, undefined)).toEqual([]);
    const none = {
      ...comparison,
      totals: { ...comparison.totals, requests: { previous: 0, current: 9, change: null } },
    };
    expect(evaluateGrowth(none, 0)).toEqual([]);
  });

  it('renders the header line and the movers escaped', () => {
    expect(
      comparisonLine({ ...comparison, previousInterval: '2026-11-07T00:00:00Z/2026-11-14T00:00:00Z' }),
    ).toBe(
      'Against the previous period (2026-11-07 → 2026-11-13 (7 days)): requests 980 → 1,510 (**+54.08%**) · 429s 10 → 50 (**+400.00%**)',
    );
    const hostile = comparePeriods({
      previousInterval: '',
      source: 'f',
      previousRecords: 0,
      current: {
        totals: { requests: 5, status429: 0 },
        groups: [row({ clientName: '<img src=x>|*' }, 5, 0)],
      },
      previous: { totals: { requests: 0, status429: 0 }, groups: [] },
      top: 5,
    });
    const md = moversSection(hostile, 5);
    expect(md).toContain('&lt;img src=x&gt;&#124;&#42;');
    expect(md).not.toContain('<img');
    expect(comparisonLine(hostile)).toContain('(the saved result)');
  });
});

describe('near-limit events', () => {
  const ctx = { interval: 'I', collectedAt: 'C', clientNames: new Map([['client-1', 'Billing sync']]) };
  const bucket = (start: string, end: string, count: unknown) => ({
    interval: `${start}/${end}`,
    metrics: [{ metric: 'oRateLimitRecorded', stats: { count } }],
  });

  it('asks for the run interval and granularity, grouped by limit and entity', () => {
    expect(rateLimitQueryBody(interval('P7D'), 'Week')).toEqual({
      interval: '2026-11-14T00:00:00Z/2026-11-21T00:00:00Z',
      granularity: 'P7D',
      groupBy: ['limitName', 'entityId', 'namespace'],
      metrics: ['oRateLimitRecorded'],
    });
    expect(rateLimitQueryBody(interval('P7D'))).not.toHaveProperty('granularity');
  });

  it('normalises the answer into records, naming clients and skipping what is not valid', () => {
    const body = {
      results: [
        {
          group: { limitName: 'token.rate', entityId: 'client-1', namespace: 'oauth' },
          data: [
            bucket('2026-11-15T00:00:00.000Z', '2026-11-16T00:00:00.000Z', 4),
            bucket('2026-11-16T00:00:00.000Z', '2026-11-17T00:00:00.000Z', 0),
            bucket('2026-02-30T00:00:00.000Z', '2026-03-01T00:00:00.000Z', 1),
            bucket('2026-11-17T00:00:00.000Z', '2026-11-18T00:00:00.000Z', -1),
            bucket('2026-11-17T00:00:00.000Z', '2026-11-18T00:00:00.000Z', 1.5),
            bucket('2026-11-17T00:00:00.000Z', '2026-11-18T00:00:00.000Z', '3'),
          ],
        },
        {
          group: { limitName: 'x\u0000y', entityId: 'org-9' },
          data: [bucket('2026-11-18T00:00:00Z', '2026-11-19T00:00:00Z', 2)],
        },
        { group: { limitName: 42 }, data: [] },
        'nonsense',
      ],
    };
    const { records, skipped } = normaliseRateLimitResponse(body, ctx);
    expect(records).toEqual([
      {
        date: '2026-11-15',
        limitName: 'token.rate',
        namespace: 'oauth',
        entityId: 'client-1',
        entityName: 'Billing sync',
        events: 4,
        interval: 'I',
        collectedAt: 'C',
      },
      {
        date: '2026-11-18',
        limitName: 'x y',
        namespace: '',
        entityId: 'org-9',
        entityName: '',
        events: 2,
        interval: 'I',
        collectedAt: 'C',
      },
    ]);
    expect(skipped).toBe(6);
    expect(normaliseRateLimitResponse({}, ctx)).toEqual({ records: [], skipped: 0 });
    expect(() => normaliseRateLimitResponse([], ctx)).toThrow('not a JSON object');
    expect(() => normaliseRateLimitResponse({ results: {} }, ctx)).toThrow("'results' is not a list");
  });

  it('sums per limit and entity, counts the days, gates above the limit only', () => {
    const rec = (date: string, entityId: string, events: number) => ({
      date,
      limitName: 'l',
      namespace: 'n',
      entityId,
      entityName: '',
      events,
      interval: '',
      collectedAt: '',
    });
    const report = summariseRateLimitEvents(
      [rec('2026-11-15', 'a', 2), rec('2026-11-16', 'a', 3), rec('2026-11-15', 'b', 9)],
      'day',
      1,
    );
    expect(report).toMatchObject({ status: 'ok', total: 14, groupCount: 2 });
    expect(report.top).toEqual([
      {
        limitName: 'l',
        namespace: 'n',
        entityId: 'b',
        entityName: '',
        events: 9,
        buckets: 1,
        firstDate: '2026-11-15',
        lastDate: '2026-11-15',
      },
    ]);
    expect(evaluateRateLimitEvents(report, 14)).toEqual([]);
    expect(evaluateRateLimitEvents(report, 13)).toEqual([
      { threshold: 'max-rate-limit-events', limit: 13, value: 14 },
    ]);
    expect(evaluateRateLimitEvents(unavailableRateLimitEvents('forbidden', 'day', 'm'), 0)).toEqual([]);
    const md = rateLimitEventsSection(report, 10);
    expect(md).toContain('| # | Limit | Entity | Events | Days |');
    expect(md).toContain('… and 1 more');
    expect(rateLimitEventsSection({ ...report, granularity: 'total' }, 10)).not.toContain('Days');
  });

  it('lives in a sibling folder of the usage table, named by the query shape', () => {
    expect(rateLimitEventsPrefix('genesys-usage')).toBe('genesys-usage-rate-limit-events');
    expect(rateLimitEventsPrefix('lake/genesys-usage/')).toBe('lake/genesys-usage-rate-limit-events');
    expect(rateLimitEventsObjectName('Day', new Date('2026-11-21T00:00:00Z'))).toBe(
      'ratelimits.by-entityid-limitname-namespace',
    );
    expect(rateLimitEventsObjectName(undefined, new Date('2026-11-21T00:00:00Z'))).toBe(
      'ratelimits.by-entityid-limitname-namespace.until-2026-11-21',
    );
    // Two organisations sharing a bucket and prefix never write the same object.
    expect(rateLimitEventsObjectName('Day', undefined, 'org-a')).toBe(
      'ratelimits.org-org-a.by-entityid-limitname-namespace',
    );
  });
});

describe('early-warning inputs', () => {
  const LIVE = { 'client-id': 'id', 'client-secret': 'secret', interval: 'P7D' };
  const config = (inputs: Record<string, string>) => parseConfig((name) => inputs[name] ?? '', {}, NOW);

  it('reads the features and their thresholds', () => {
    const c = config({
      ...LIVE,
      'rate-limit-events': 'TRUE',
      'max-rate-limit-events': '0',
      'compare-previous': 'true',
      'max-requests-growth': '250%',
    });
    expect([c.rateLimitEvents, c.comparePrevious]).toEqual([true, true]);
    expect(c.thresholds).toEqual({ maxRateLimitEvents: 0, maxRequestsGrowth: 250 });
    expect(config(LIVE)).toMatchObject({ rateLimitEvents: false, comparePrevious: false });
  });

  it.each([
    [
      { 'rate-limit-events': 'yes' },
      "Input 'rate-limit-events' has an invalid value 'yes': expected true or false.",
    ],
    [
      { 'max-rate-limit-events': '3' },
      "Input 'max-rate-limit-events' has an invalid value '3': it needs 'rate-limit-events: true' as well.",
    ],
    [
      { 'rate-limit-events': 'true', 'max-rate-limit-events': '-1' },
      "Input 'max-rate-limit-events' has an invalid value '-1'",
    ],
    [
      { 'max-requests-growth': '20' },
      "Input 'max-requests-growth' has an invalid value '20': it needs 'compare-previous: true' as well.",
    ],
    [
      { 'compare-previous': 'true', 'max-requests-growth': 'ten' },
      "Input 'max-requests-growth' has an invalid value 'ten'",
    ],
    [
      { 'compare-previous': 'true', 'max-requests-growth': '20', metrics: 'Status429' },
      "Input 'metrics' has an invalid value 'Status429': max-requests-growth needs Requests",
    ],
    [
      { 'previous-results-file': 'p.json', 'compare-previous': 'true' },
      "Input 'previous-results-file' has an invalid value 'p.json': it replays the previous period beside 'results-file'",
    ],
    [
      { interval: '2025-12-01/2026-06-01', 'compare-previous': 'true' },
      "Input 'compare-previous' has an invalid value 'true': the previous window 2025-06-01T00:00:00Z/2025-12-01T00:00:00Z starts more than one year back",
    ],
  ])('refuses %j', (extra, message) => {
    expect(() => config({ ...LIVE, ...extra })).toThrow(message);
  });

  it.each([
    [
      { 'rate-limit-events': 'true' },
      "Input 'rate-limit-events' has an invalid value 'true': the near-limit events are read from Genesys Cloud",
    ],
    [
      { 'compare-previous': 'true' },
      "Input 'compare-previous' has an invalid value 'true': on a replay ('results-file') set 'previous-results-file'",
    ],
    [
      { 'previous-results-file': 'p.json' },
      "Input 'previous-results-file' has an invalid value 'p.json': it needs 'compare-previous: true' as well.",
    ],
  ])('refuses on a replay %j', (extra, message) => {
    expect(() => config({ 'results-file': 'r.json', ...extra })).toThrow(message);
  });
});
