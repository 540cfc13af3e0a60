/**
 * The report as Markdown, for the job summary, `summary.md` and the pull-request comment. Pure.
 * Every value from the data is escaped (client names hold `<`, `|`, quotes, anything), and the
 * text is kept under a size limit by trimming detail with a visible note, never by failing.
 */
import { describeBreachShort } from './gate.js';
import { type Dimension, type GroupRow, type Report, type TrendRow, type TrendRows } from './report.js';
import type { CountField } from './records.js';
import { cellText, code, escapeMarkdown, MAX_SHOWN_CHARS } from './escape.js';
import { fitText, JOB_SUMMARY_LIMIT_BYTES, type SizeUnit, sizeOf } from './limits.js';

/** Comments are refused above 65,536 characters; the margin is for the comment's marker. */
export const PR_COMMENT_LIMIT_CHARS = 65_000;

/** `2026-11-13 → 2026-11-20` for whole days, full instants otherwise. */
export function readableInterval(interval: string): string {
  const [start = '', end = ''] = interval.split('/');
  const midnight = (s: string) => /T00:00:00(\.0+)?Z$/.test(s);
  return midnight(start) && midnight(end)
    ? `${start.slice(0, 10)} → ${end.slice(0, 10)}`
    : `${start} → ${end}`;
}

// One formatter for all: toLocaleString with options builds a new one per call (about 50 µs),
// which made a summary of 30,000 dates take 10 s. Same output.
const NUMBER_FORMAT = new Intl.NumberFormat('en-US', { maximumFractionDigits: 4 });

export function formatNumber(value: number): string {
  return NUMBER_FORMAT.format(value);
}

const COLUMN_NAMES: Record<Dimension, string> = {
  clientId: 'Client',
  clientName: 'Client',
  organizationId: 'Organization',
  userId: 'User',
  platform: 'Platform',
  httpMethod: 'Method',
  templateUri: 'Template URI',
};

const COUNT_COLUMNS: [CountField, string][] = [
  ['requests', 'Requests'],
  ['status200', '2xx'],
  ['status300', '3xx'],
  ['status400', '4xx'],
  ['status500', '5xx'],
  ['status429', '429'],
];

/** A Markdown table; cells must be escaped already. */
export function markdownTable(header: string[], align: ('l' | 'r')[], rows: string[][]): string {
  const line = (cells: string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(align.map((a) => (a === 'r' ? '---:' : ':---'))), ...rows.map(line)].join('\n');
}

function dimensionColumns(dimensions: Dimension[]): Dimension[] {
  // Client id and name share one column.
  return dimensions.filter((d) => !(d === 'clientName' && dimensions.includes('clientId')));
}

function dimensionCell(row: GroupRow, d: Dimension): string {
  if (d === 'clientId' && row.group.clientName) {
    return `${cellText(row.group.clientName)}<br><sub>${cellText(row.group.clientId ?? '')}</sub>`;
  }
  return cellText(row.group[d] ?? '') || '<i>none</i>';
}

function groupTable(rows: GroupRow[], dimensions: Dimension[]): string {
  const dims = dimensionColumns(dimensions);
  return markdownTable(
    ['#', ...dims.map((d) => COLUMN_NAMES[d]), 'Requests', '429', '429 rate'],
    ['r', ...dims.map(() => 'l' as const), 'r', 'r', 'r'],
    rows.map((row, i) => [
      String(i + 1),
      ...dims.map((d) => dimensionCell(row, d)),
      formatNumber(row.requests),
      formatNumber(row.status429),
      `${formatNumber(row.rate429)}%`,
    ]),
  );
}

export function trendTable(trend: TrendRow[]): string {
  return markdownTable(
    ['Bucket', ...COUNT_COLUMNS.map(([, name]) => name), '429 rate'],
    ['l', ...COUNT_COLUMNS.map(() => 'r' as const), 'r'],
    trend.map((row) => [
      escapeMarkdown(row.date),
      ...COUNT_COLUMNS.map(([field]) => formatNumber(row[field])),
      `${formatNumber(row.rate429)}%`,
    ]),
  );
}

/**
 * At most how small the trend table of the last `rows` buckets can be, in characters (so in bytes
 * too): each row's date, and at least 34 more for its shortest cells and separators.
 */
export function trendTableFloor(trend: TrendRows, rows: number): number {
  let floor = 0;
  for (let i = Math.max(0, trend.length - rows); i < trend.length; i++) {
    floor += (trend.dateAt(i) as string).length + 34;
  }
  return floor;
}

/** A Mermaid bar chart of 429s per bucket; the trend table stays the source of truth. */
function trendChart(trend: TrendRow[]): string {
  const labels = trend.map((row) => `"${row.date.replace(/[^0-9-]/g, '')}"`).join(', ');
  return [
    '```mermaid',
    // The default theme draws pale bars; a compact red chart reads at a glance.
    '%%{init: {"xyChart": {"height": 320}, "themeVariables": {"xyChart": {"plotColorPalette": "#cf222e"}}}}%%',
    'xychart-beta',
    '  title "HTTP 429 responses per bucket"',
    `  x-axis [${labels}]`,
    '  y-axis "429 responses"',
    `  bar [${trend.map((row) => row.status429).join(', ')}]`,
    '```',
  ].join('\n');
}

interface Detail {
  top: number;
  trendRows: number;
  chartBuckets: number;
  breaches: number;
}

export interface SummaryExtras {
  /** Sections from later stages (upload, crawler, Athena), already escaped by their builders. */
  sections?: string[];
  /** Files written, shown at the end. */
  files?: { label: string; path: string }[];
  /** Replaces the status line, e.g. when the run was skipped. */
  notice?: string;
  /** Lines under the totals (the comparison with the previous period), already escaped. */
  headerLines?: string[];
  /** Early warnings shown above the 429 tables ("Close to the limit"), already escaped. */
  warningSections?: string[];
  /** Shown after the group tables ("Biggest movers"), already escaped. */
  groupSections?: string[];
}

function render(report: Report, extras: SummaryExtras, detail: Detail, trimmedNote: string): string {
  const out: string[] = [];
  // The days as the user means them: first day, last day included, how many.
  const days = report.days;
  const interval = days
    ? escapeMarkdown(`${days.first} → ${days.last} (${days.count} day${days.count === 1 ? '' : 's'})`)
    : report.interval
      ? escapeMarkdown(readableInterval(report.interval))
      : 'saved result';
  out.push(`## Genesys Cloud API usage: ${interval}`);
  const breached = report.breaches.length;
  if (extras.notice) out.push(`> ${extras.notice}`);
  else if (breached) out.push(`> ❌ **${breached} threshold breach${breached === 1 ? '' : 'es'}**`);
  else out.push('> ✅ No 429 threshold breached');

  const org = report.organization;
  const meta = [
    ...(org ? [`organization ${org.name ? `${escapeMarkdown(org.name)} ` : ''}(${code(org.id)})`] : []),
    `api ${code(report.api)}`,
    `granularity ${code(report.granularity)}`,
    report.dimensions.length
      ? `grouped by ${dimensionColumns(report.dimensions)
          .map((d) => COLUMN_NAMES[d].toLowerCase())
          .join(', ')}`
      : 'not grouped',
    report.queryId ? `query ${code(report.queryId)}` : 'replayed result',
    `${formatNumber(report.records)} records`,
    `${formatNumber(report.groupCount)} groups`,
  ];
  out.push(meta.join(' · '));
  out.push(
    markdownTable(
      [...COUNT_COLUMNS.map(([, name]) => name), '429 rate'],
      [...COUNT_COLUMNS.map(() => 'r' as const), 'r'],
      [
        [
          ...COUNT_COLUMNS.map(([field]) => formatNumber(report.totals[field])),
          report.rate429Unknown ? 'unknown (no Requests count)' : `${formatNumber(report.totals.rate429)}%`,
        ],
      ],
    ),
  );
  out.push(...(extras.headerLines ?? []));
  if (trimmedNote) out.push(`> ✂️ ${trimmedNote}`);

  if (breached) {
    out.push('### Breaches');
    const shown = report.breaches.slice(0, detail.breaches);
    out.push(shown.map((b) => `- ${escapeMarkdown(describeBreachShort(b, MAX_SHOWN_CHARS))}`).join('\n'));
    if (breached > shown.length) out.push(`- … and ${breached - shown.length} more (see report.json)`);
  }

  out.push(...(extras.warningSections ?? []));

  if (report.dimensions.length && detail.top > 0) {
    const by429 = report.topBy429.slice(0, detail.top);
    out.push(`### Top ${by429.length} groups by 429s`);
    out.push(by429.length ? groupTable(by429, report.dimensions) : 'No group received a 429.');
    const byRequests = report.topByRequests.slice(0, detail.top);
    out.push(`### Top ${byRequests.length} groups by requests`);
    out.push(groupTable(byRequests, report.dimensions));
  }
  out.push(...(extras.groupSections ?? []));

  if (report.trend.length > 0 && detail.trendRows > 0) {
    const trend = report.trend.slice(-detail.trendRows);
    out.push(
      `### Trend per ${report.granularity === 'total' ? 'interval' : report.granularity.toLowerCase()}`,
    );
    out.push(trendTable(trend));
    const chartRows = report.trend.slice(-detail.chartBuckets);
    if (report.trend.length > 1 && chartRows.length > 1) out.push(trendChart(chartRows));
  }

  if (report.trend.length > 1) {
    out.push('### Per bucket');
    out.push(
      markdownTable(
        ['Metric', 'Total', 'Min', 'Max', 'Mean per bucket'],
        ['l', 'r', 'r', 'r', 'r'],
        COUNT_COLUMNS.map(([field, name]) => {
          const s = report.metrics[field];
          return [
            name,
            formatNumber(s.total),
            formatNumber(s.min),
            formatNumber(s.max),
            formatNumber(s.mean),
          ];
        }),
      ),
    );
  }

  for (const section of extras.sections ?? []) out.push(section);
  if (extras.files?.length) {
    out.push(
      '<details><summary>Files</summary>\n\n' +
        extras.files.map((f) => `- ${escapeMarkdown(f.label)}: ${code(f.path)}`).join('\n') +
        '\n\n</details>',
    );
  }
  return out.join('\n\n') + '\n';
}

/** The summary, trimmed until it fits `limit` (bytes of UTF-8, or characters). */
export function renderSummary(
  report: Report,
  extras: SummaryExtras = {},
  limit = JOB_SUMMARY_LIMIT_BYTES,
  unit: SizeUnit = 'bytes',
): string {
  const size = (text: string) => sizeOf(text, unit);
  const total = report.trend.length;
  const levels: Detail[] = [
    { top: Number.MAX_SAFE_INTEGER, trendRows: total, chartBuckets: 120, breaches: 200 },
    { top: 50, trendRows: 120, chartBuckets: 90, breaches: 50 },
    { top: 20, trendRows: 60, chartBuckets: 60, breaches: 20 },
    { top: 10, trendRows: 31, chartBuckets: 31, breaches: 10 },
    { top: 5, trendRows: 14, chartBuckets: 0, breaches: 5 },
    { top: 0, trendRows: 0, chartBuckets: 0, breaches: 3 },
  ];
  for (const [index, level] of levels.entries()) {
    // A level whose trend table alone cannot fit is not rendered: with thousands of buckets that was
    // megabytes of text made only to be measured and dropped.
    if (trendTableFloor(report.trend, level.trendRows) > limit) continue;
    const trimmed =
      index === 0
        ? ''
        : `Trimmed to fit: showing at most ${level.top} groups, ${Math.min(level.trendRows, total)} of ${total} buckets and ${level.breaches} breaches. The full figures are in report.json.`;
    const text = render(report, extras, level, trimmed);
    if (size(text) <= limit) return text;
  }
  const minimal = render(
    report,
    { notice: extras.notice },
    levels[levels.length - 1] as Detail,
    'Trimmed to fit: totals only. The full figures are in report.json.',
  );
  // Measured in the limit's own unit: a cut by characters against a byte limit would not fit.
  return fitText(minimal, limit, unit, '> ✂️ Truncated to fit. The full figures are in report.json.');
}
