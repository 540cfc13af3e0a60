/**
 * The built-in Athena SQL, run unchanged in DuckDB over the NDJSON the action writes, gives the
 * report's numbers: the same top 429 offenders with the same requests, 429s and rate.
 */
import path from 'node:path';
import { partitionDates } from '../../src/aws/index.js';
import { builtInQuery, queryValues, renderQuery } from '../../src/aws/sql.js';
import type { Report } from '../../src/report.js';
import { duckAthena } from '../support/aws/duckdb-athena.js';
import type { QueryResult } from '../support/aws/fake-athena.js';
import { interval, LEGACY_EXAMPLE, writeRun } from '../support/aws/usage-data.js';
import { DAY_MS, formatDate, type Interval } from '../../src/interval.js';
import { tempDir } from '../support/isolation.js';

interface Offender {
  client: string;
  template: string;
  requests: number;
  status429: number;
  rate: number;
}

function fromReport(report: Report): Offender[] {
  return report.topBy429.map((g) => ({
    client: g.group.clientId || g.group.clientName || '',
    template: g.group.templateUri ?? '',
    requests: g.requests,
    status429: g.status429,
    rate: g.rate429,
  }));
}

function fromSql(result: QueryResult): Offender[] {
  expect(result.columns).toEqual([
    'client_id',
    'client_name',
    'template_uri',
    'requests',
    'status_429',
    'rate_429_pct',
  ]);
  return result.rows.map(([id, name, template, requests, s429, rate]) => ({
    client: id || name || '',
    template: template ?? '',
    requests: Number(requests),
    status429: Number(s429),
    rate: Number(rate),
  }));
}

const byKey = (rows: Offender[]) =>
  [...rows].sort((a, b) => `${a.client} ${a.template}`.localeCompare(`${b.client} ${b.template}`));

function expectSameOffenders(sql: Offender[], report: Offender[]): void {
  expect(sql.length).toBe(report.length);
  const a = byKey(sql);
  const b = byKey(report);
  for (const [i, row] of a.entries()) {
    const expected = b[i]!;
    expect({ ...row, rate: 0 }).toEqual({ ...expected, rate: 0 });
    expect(row.rate).toBeCloseTo(expected.rate, 4);
  }
  // And in the same order of 429s.
  expect(sql.map((r) => r.status429)).toEqual(report.map((r) => r.status429));
}

describe('the built-in query in DuckDB', () => {
  const db = 'genesys';
  const table = 'genesys_usage';

  it('matches the report on the legacy example (daily, by client), ignoring other runs in the same table', async () => {
    const root = tempDir('duck-legacy');
    const prefixDir = path.join(root, 'genesys-usage');
    const week = interval('2026-11-13', '2026-11-20');
    const run = await writeRun(prefixDir, LEGACY_EXAMPLE, {
      api: 'legacy',
      granularity: 'Day',
      interval: week,
      groupBy: [{ apiName: 'OAuthClientId', field: 'clientId' }],
    });
    expect(run.report.totals.status429).toBe(2251);
    // Decoys the filters must leave out: the same rows at week granularity, over another interval,
    // and from the other API.
    await writeRun(prefixDir, LEGACY_EXAMPLE, { api: 'legacy', granularity: 'Week', interval: week });
    await writeRun(prefixDir, LEGACY_EXAMPLE, {
      api: 'legacy',
      granularity: 'Day',
      interval: interval('2026-11-13', '2026-11-21'),
      compression: 'none',
    });
    await writeRun(
      prefixDir,
      [{ date: '2026-11-14', oauthClient: { id: 'decoy' }, requestCount: 9, status429: 9 }],
      { api: 'aggregates', granularity: 'Day', interval: week },
    );

    const duck = await duckAthena(prefixDir, db, table);
    try {
      const sql = renderQuery(
        builtInQuery({
          granularity: 'day',
          api: 'legacy',
          byInterval: true,
          dt: partitionDates(run.files, 'Day', week),
        }),
        queryValues(db, table, week, 10),
      );
      const result = await duck.query(sql);
      expectSameOffenders(fromSql(result), fromReport(run.report));
      expect(result.rows.length).toBeGreaterThan(1);
    } finally {
      duck.close();
    }
  });

  it('matches the report by client and template URI, with awkward names, on partial weeks', async () => {
    const root = tempDir('duck-agg');
    const span = interval('2026-11-04', '2026-11-20'); // starts and ends mid-week
    const clients = [
      { id: 'c-1', name: 'Billing, "sync"' },
      { id: 'c-2', name: "O'Brien | <desk>" },
      { id: 'c-3', name: 'Données ✓' },
    ];
    const templates = ['/api/v2/users/{userId}', '/api/v2/analytics/conversations/details/query', ''];
    const rows: unknown[] = [];
    let n = 1;
    for (const week of ['2026-11-02', '2026-11-09', '2026-11-16']) {
      for (const client of clients) {
        for (const templateUri of templates) {
          n = (n * 7919) % 1009;
          rows.push({
            date: week,
            oauthClient: { id: client.id, name: client.name },
            templateUri,
            requestCount: 1000 + n,
            status200: 900,
            status429: n % 5 === 0 ? 0 : n,
          });
        }
      }
    }
    const run = await writeRun(root, rows, {
      api: 'aggregates',
      granularity: 'Week',
      interval: span,
      groupBy: [
        { apiName: 'OauthClientId', field: 'clientId' },
        { apiName: 'TemplateUri', field: 'templateUri' },
      ],
      top: 5,
    });
    const duck = await duckAthena(root, db, table);
    try {
      const sql = renderQuery(
        builtInQuery({
          granularity: 'week',
          api: 'aggregates',
          byInterval: true,
          dt: partitionDates(run.files, 'Week', span),
        }),
        queryValues(db, table, span, 5),
      );
      const result = await duck.query(sql);
      expect(result.rows).toHaveLength(5);
      expectSameOffenders(fromSql(result), fromReport(run.report));
      // The names come back as written.
      expect(result.rows.map((r) => r[1])).toEqual(
        expect.arrayContaining([expect.stringMatching(/^(Billing, "sync"|O'Brien \| <desk>|Données ✓)$/)]),
      );
    } finally {
      duck.close();
    }
  });

  it('groups by client name when only names were grouped, and selects by date range on a replay without interval', async () => {
    const root = tempDir('duck-names');
    const span = interval('2026-11-13', '2026-11-15');
    const rows = [
      { date: '2026-11-13', oauthClient: { name: 'Alpha' }, requestCount: 100, status429: 10 },
      { date: '2026-11-14', oauthClient: { name: 'Alpha' }, requestCount: 100, status429: 5 },
      { date: '2026-11-13', oauthClient: { name: 'Beta' }, requestCount: 50, status429: 20 },
      { date: '2026-11-14', oauthClient: { name: 'Gamma' }, requestCount: 7, status429: 0 },
    ];
    const run = await writeRun(root, rows, {
      api: 'aggregates',
      granularity: 'Day',
      interval: span,
      groupBy: [{ apiName: 'OauthClientName', field: 'clientName' }],
    });
    const duck = await duckAthena(root, db, table);
    try {
      const sql = renderQuery(
        builtInQuery({
          granularity: 'day',
          api: 'aggregates',
          byInterval: false,
          dt: partitionDates(run.files, 'Day', span),
        }),
        queryValues(db, table, span, 10),
      );
      const offenders = fromSql(await duck.query(sql));
      expectSameOffenders(offenders, fromReport(run.report));
      expect(offenders.map((o) => [o.client, o.status429, o.rate])).toEqual([
        ['Beta', 20, 40],
        ['Alpha', 15, 7.5],
      ]);
    } finally {
      duck.close();
    }
  });

  it('reads only this run’s partitions: the files read stay the same however long the history', async () => {
    const daysBefore = (date: string, n: number) =>
      formatDate(new Date(new Date(`${date}T00:00:00Z`).getTime() - n * DAY_MS));
    const dailyRows = (date: string, n: number) => [
      { date, oauthClient: { id: 'c-1', name: 'One' }, requestCount: 100 + n, status429: 1 + (n % 7) },
      { date, oauthClient: { id: 'c-2', name: 'Two' }, requestCount: 50, status429: n % 3 },
    ];
    const shape = (span: Interval) => ({
      api: 'aggregates' as const,
      granularity: 'Day' as const,
      interval: span,
      groupBy: [{ apiName: 'OauthClientId', field: 'clientId' as const }],
    });
    const today = '2026-11-20';
    const measured: { history: number; filesRead: number; withoutDt: number }[] = [];
    for (const history of [5, 60]) {
      const root = tempDir(`duck-history-${history}`);
      // One daily run per day before, and a weekly run over the same days: the lake's history.
      for (let n = history; n >= 1; n--) {
        const date = daysBefore(today, n);
        await writeRun(root, dailyRows(date, n), shape(interval(date, daysBefore(today, n - 1))));
      }
      await writeRun(root, dailyRows(daysBefore(today, 7), 0), {
        ...shape(interval(daysBefore(today, 7), today)),
        granularity: 'Week',
      });
      const span = interval(today, '2026-11-21');
      const run = await writeRun(root, dailyRows(today, 99), shape(span));
      const duck = await duckAthena(root, db, table);
      try {
        const values = queryValues(db, table, span, 10);
        const sql = renderQuery(
          builtInQuery({
            granularity: 'day',
            api: 'aggregates',
            byInterval: true,
            dt: partitionDates(run.files, 'Day', span),
          }),
          values,
        );
        expectSameOffenders(fromSql(await duck.query(sql)), fromReport(run.report));
        // The same query without the partition filter, as the action sent it before: it reads every day.
        const withoutDt = sql.replace(/\n {2}AND "dt" = '[^']*'/, '');
        expect(withoutDt).not.toContain('"dt"');
        measured.push({
          history,
          filesRead: await duck.filesRead(sql),
          withoutDt: await duck.filesRead(withoutDt),
        });
      } finally {
        duck.close();
      }
    }
    expect(measured).toEqual([
      { history: 5, filesRead: 1, withoutDt: 6 },
      { history: 60, filesRead: 1, withoutDt: 61 },
    ]);
  });
});
