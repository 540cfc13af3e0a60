import { ReportBuilder, type ReportMeta, type TrendRow, type TrendRows } from '../src/report.js';
import { normaliseRow, type RecordContext } from '../src/records.js';
import { escapeMarkdown } from '../src/escape.js';
import {
  renderSummary,
  readableInterval,
  PR_COMMENT_LIMIT_CHARS,
  trendTable,
  trendTableFloor,
} from '../src/summary.js';
import { evaluateGate } from '../src/gate.js';

const CTX: RecordContext = {
  api: 'aggregates',
  interval: 'i',
  defaultDate: '2026-11-01',
  queryId: 'job-1',
  collectedAt: 'now',
};
const META: ReportMeta = {
  api: 'aggregates',
  interval: '2026-11-01T00:00:00Z/2026-11-03T00:00:00Z',
  granularity: 'Day',
  queryId: 'job-1',
  generatedAt: 'now',
};

function reportOf(rows: Record<string, unknown>[], top = 10) {
  const builder = new ReportBuilder();
  for (const row of rows) builder.add(normaliseRow(row, CTX));
  const report = builder.build(META, top);
  report.breaches = evaluateGate(report, builder.groupRows(), { max429PerGroup: 0 });
  return report;
}

const HOSTILE = '<img src=x onerror=alert(1)> | `code` **bold** [link](http://x) "q" \'s\' Ünïcødé\nnext';

describe('escapeMarkdown', () => {
  it('leaves no character that HTML or a Markdown table would interpret', () => {
    const escaped = escapeMarkdown(HOSTILE);
    // The only markup left is the empty comment that keeps `http://` from becoming a link.
    expect(escaped.replaceAll('<!-- -->', '')).not.toMatch(/[<>|`*[\]"'\n]/);
    expect(escaped).toContain('(http:<!-- -->//x)');
    expect(escaped).toContain('Ünïcødé');
    expect(escaped).toContain('&lt;img src=x onerror=alert(1)&gt; &#124; &#96;code&#96;');
  });
});

describe('renderSummary: days and organisation', () => {
  it('shows the days covered and the organisation, escaped', () => {
    const builder = new ReportBuilder();
    builder.add(normaliseRow({ date: '2026-09-01', requestCount: 1 }, CTX));
    const report = builder.build(
      {
        ...META,
        interval: '2026-09-01T00:00:00Z/2026-10-01T00:00:00Z',
        days: { first: '2026-09-01', last: '2026-09-30', count: 30 },
        organization: { id: 'org-1', name: 'Acme <prod> | EU' },
      },
      10,
    );
    const text = renderSummary(report);
    expect(text).toContain('## Genesys Cloud API usage: 2026-09-01 → 2026-09-30 (30 days)');
    expect(text).toContain('organization Acme &lt;prod&gt; &#124; EU (<code>org-1</code>)');
  });
});

describe('renderSummary', () => {
  const rows = [
    {
      date: '2026-11-01',
      oauthClient: { id: 'c1', name: HOSTILE },
      templateUri: 'api/v2/users/{id}',
      requestCount: 100,
      status429: 7,
      status400: 7,
    },
    {
      date: '2026-11-02',
      oauthClient: { id: 'c1', name: HOSTILE },
      templateUri: 'api/v2/users/{id}',
      requestCount: 50,
      status429: 1,
      status400: 1,
    },
    {
      date: '2026-11-02',
      oauthClient: { id: 'c2', name: 'Quiet' },
      templateUri: 'api/v2/groups',
      requestCount: 500,
    },
  ];

  it('shows totals, breaches, rankings, the trend table and a chart, with data escaped', () => {
    const md = renderSummary(reportOf(rows));
    expect(md).toContain('## Genesys Cloud API usage: 2026-11-01 → 2026-11-03');
    expect(md).toContain('❌ **1 threshold breach**');
    expect(md).toContain('| 650 |');
    expect(md).toContain('### Top 1 groups by 429s');
    expect(md).toContain('### Top 2 groups by requests');
    expect(md).toContain('### Trend per day');
    expect(md).toMatch(/```mermaid\n%%\{init: .*\}%%\nxychart-beta\n/);
    expect(md).toContain('bar [7, 1]');
    expect(md).toContain('### Per bucket');
    expect(md).not.toContain('<img');
    // Every table row keeps its column count: no cell text splits a row.
    for (const line of md.split('\n').filter((l) => l.startsWith('| 1 |'))) {
      expect(line.split(' | ')).toHaveLength(6);
    }
  });

  it('has no chart for a single bucket and no rankings when nothing is grouped', () => {
    const md = renderSummary(reportOf([{ requests: 10, status429: 0 }]));
    expect(md).not.toContain('mermaid');
    expect(md).not.toContain('Top');
    expect(md).toContain('not grouped');
  });

  it('trims detail with a visible note to stay under the limit', () => {
    const many = Array.from({ length: 4000 }, (_, i) => ({
      date: `2026-${String((i % 12) + 1).padStart(2, '0')}-01`,
      clientId: `client-${i}`,
      clientName: `Client number ${i} ${'x'.repeat(40)}`,
      requests: 1000 + i,
      status429: i % 7,
    }));
    const report = reportOf(many, 1000);
    const full = renderSummary(report, {}, 10_000_000);
    expect(full).not.toContain('Trimmed');
    const comment = renderSummary(report, {}, PR_COMMENT_LIMIT_CHARS, 'chars');
    expect(comment.length).toBeLessThanOrEqual(PR_COMMENT_LIMIT_CHARS);
    expect(comment).toContain('✂️ Trimmed to fit');
    expect(comment).toContain('| 11,998,000 |'); // the totals stay
    const tiny = renderSummary(report, {}, 2000, 'bytes');
    expect(Buffer.byteLength(tiny)).toBeLessThanOrEqual(2000);
  });

  it('says when there is no interval and shows readable intervals', () => {
    expect(readableInterval('2026-11-01T00:00:00Z/2026-11-02T00:00:00Z')).toBe('2026-11-01 → 2026-11-02');
    expect(readableInterval('2026-11-01T06:00:00Z/2026-11-02T00:00:00Z')).toBe(
      '2026-11-01T06:00:00Z → 2026-11-02T00:00:00Z',
    );
  });
});

/** Rows already made, as the report's TrendRows. */
function trendOf(rows: readonly TrendRow[]): TrendRows {
  return {
    length: rows.length,
    at: (index) => rows.at(index),
    dateAt: (index) => rows.at(index)?.date,
    slice: (start, end) => rows.slice(start, end),
    [Symbol.iterator]: () => rows[Symbol.iterator](),
  };
}

describe('the trend table floor (levels that cannot fit are skipped, not rendered)', () => {
  it('is never more than the table it stands for, zero counts (the shortest rows) included', () => {
    const row = (date: string, n: number): TrendRow => ({
      date,
      requests: n,
      status200: n,
      status300: 0,
      status400: n % 7,
      status500: 0,
      status429: n % 3,
      rate429: n ? ((n % 3) / n) * 100 : 0,
    });
    const trend = Array.from({ length: 500 }, (_, i) =>
      row(`2026-${String((i % 12) + 1).padStart(2, '0')}-01`, i % 4 ? i * 1000 : 0),
    );
    for (const rows of [1, 31, 500]) {
      expect(trendTableFloor(trendOf(trend), rows)).toBeLessThanOrEqual(
        trendTable(trend.slice(-rows)).length,
      );
    }
    // All zeros: the floor is tight to the character, short of the header lines.
    const zeros = trend.slice(0, 3).map((r) => row(r.date, 0));
    const table = trendTable(zeros);
    const header = table.split('\n').slice(0, 2).join('\n').length + 1;
    expect(table.length - header + 1).toBe(trendTableFloor(trendOf(zeros), 3));
  });

  it('a summary of 30,000 daily buckets still fits the job summary and the comment', () => {
    const builder = new ReportBuilder();
    for (let d = 0; d < 30_000; d++) {
      const date = new Date(Date.UTC(1950, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
      builder.add(normaliseRow({ date, requestCount: d, status429: d % 5 }, CTX));
    }
    const report = builder.build({ ...META, granularity: 'Day' }, 10);
    const summary = renderSummary(report);
    expect(Buffer.byteLength(summary)).toBeLessThanOrEqual(1024 * 1024);
    expect(summary).toContain('of 30000 buckets');
    const comment = renderSummary(report, {}, PR_COMMENT_LIMIT_CHARS, 'chars');
    expect(comment.length).toBeLessThanOrEqual(PR_COMMENT_LIMIT_CHARS);
  });
});
