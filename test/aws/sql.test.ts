import { UserError } from '../../src/errors.js';
import { builtInQuery, PLACEHOLDERS, queryValues, renderQuery } from '../../src/aws/sql.js';

const INTERVAL = { start: new Date('2026-11-13T00:00:00Z'), end: new Date('2026-11-20T00:00:00Z') };
const VALUES = queryValues('genesys', 'genesys_usage', INTERVAL, 10);

describe('queryValues', () => {
  it('gives ISO instants as the records carry them, dates, and the top count', () => {
    expect(VALUES).toEqual({
      database: 'genesys',
      table: 'genesys_usage',
      start: '2026-11-13T00:00:00Z',
      end: '2026-11-20T00:00:00Z',
      start_date: '2026-11-13',
      end_date: '2026-11-20',
      top: '10',
    });
    expect(Object.keys(VALUES).sort()).toEqual([...PLACEHOLDERS].sort());
  });

  it('keeps sub-day instants exact', () => {
    const v = queryValues(
      'db',
      't',
      { start: new Date('2026-11-13T06:30:00Z'), end: new Date('2026-11-14T06:30:00.250Z') },
      3,
    );
    expect([v.start, v.end, v.start_date, v.end_date]).toEqual([
      '2026-11-13T06:30:00Z',
      '2026-11-14T06:30:00.250Z',
      '2026-11-13',
      '2026-11-14',
    ]);
  });

  it.each([['db"; DROP TABLE x; --'], ["a'b"], ['a b'], ['']])('refuses the database name %j', (name) => {
    expect(() => queryValues(name, 't', INTERVAL, 1)).toThrow(UserError);
    expect(() => queryValues('db', name, INTERVAL, 1)).toThrow(/athena-table/);
  });
});

describe('renderQuery', () => {
  it('replaces every placeholder, with or without spaces inside the braces, as often as it occurs', () => {
    const sql = renderQuery(
      "SELECT * FROM \"{{database}}\".\"{{ table }}\" WHERE dt BETWEEN '{{start_date}}' AND '{{end_date}}' AND \"interval\" = '{{start}}/{{end}}' AND x = '{{start_date}}' LIMIT {{top}}",
      VALUES,
    );
    expect(sql).toBe(
      "SELECT * FROM \"genesys\".\"genesys_usage\" WHERE dt BETWEEN '2026-11-13' AND '2026-11-20' AND \"interval\" = '2026-11-13T00:00:00Z/2026-11-20T00:00:00Z' AND x = '2026-11-13' LIMIT 10",
    );
  });

  it('leaves SQL without placeholders alone', () => {
    expect(renderQuery('SELECT 1 AS "{x}"', VALUES)).toBe('SELECT 1 AS "{x}"');
  });

  it('names an unknown placeholder', () => {
    expect(() => renderQuery('SELECT {{granularity}}', VALUES)).toThrow(
      /athena-query.*\{\{granularity\}\}.*\{\{database\}\}/,
    );
  });
});

describe('builtInQuery', () => {
  const dt = { first: '2026-11-13', last: '2026-11-19' };
  const sql = builtInQuery({ granularity: 'day', api: 'legacy', byInterval: true, dt });

  it('is written for both Athena (Trino) and DuckDB', () => {
    expect(sql).not.toContain('`'); // backticks are DDL-only in Athena
    expect(sql).toMatch(
      /CAST\(sum\("status429"\) AS DOUBLE\) \* 100 \/ NULLIF\(CAST\(sum\("requests"\) AS DOUBLE\), 0\)/,
    );
    // Every column is quoted and lower-case, as the crawler names them.
    const identifiers = [...sql.matchAll(/"([A-Za-z0-9_]+)"/g)].map((m) => m[1]);
    expect(identifiers.length).toBeGreaterThan(5);
    for (const id of identifiers) expect(id).toBe(id?.toLowerCase());
    // Aliases in lower snake_case.
    const aliases = [...sql.matchAll(/ AS ([A-Za-z0-9_]+),?$/gm)].map((m) => m[1]);
    expect(aliases).toEqual([
      'client_id',
      'client_name',
      'template_uri',
      'requests',
      'status_429',
      'rate_429_pct',
    ]);
    expect(sql).not.toMatch(/;\s*$/);
  });

  it('selects exactly the run: its partitions (granularity and dt), its API, its interval', () => {
    const rendered = renderQuery(sql, VALUES);
    expect(rendered).toContain(
      `WHERE "granularity" = 'day'\n  AND "dt" BETWEEN '2026-11-13' AND '2026-11-19'\n`,
    );
    expect(
      builtInQuery({
        granularity: 'day',
        api: 'legacy',
        byInterval: true,
        dt: { first: '2026-11-13', last: '2026-11-13' },
      }),
    ).toContain(`AND "dt" = '2026-11-13'\n`);
    expect(rendered).toContain(`"api" = 'legacy'`);
    expect(rendered).toContain(`"interval" = '2026-11-13T00:00:00Z/2026-11-20T00:00:00Z'`);
    expect(rendered).toContain('FROM "genesys"."genesys_usage"');
    expect(rendered).toMatch(/LIMIT 10$/);
  });

  it('falls back to the partitions of the data when the run had no interval (a replay)', () => {
    const rendered = renderQuery(
      builtInQuery({ granularity: 'total', api: 'aggregates', byInterval: false, dt }),
      VALUES,
    );
    expect(rendered).toContain(`"dt" BETWEEN '2026-11-13' AND '2026-11-19'`);
    expect(rendered).not.toContain('"interval" =');
  });

  it('refuses partition dates that are not dates, or out of order', () => {
    for (const bad of [
      { first: "2026-11-13' OR '1'='1", last: '2026-11-19' },
      { first: '2026-11-20', last: '2026-11-19' },
      { first: '', last: '2026-11-19' },
    ]) {
      expect(() => builtInQuery({ granularity: 'day', api: 'legacy', byInterval: true, dt: bad })).toThrow(
        /bad partition dates/,
      );
    }
  });
});
