/**
 * The early-warning parts of the summary, as Markdown: "Close to the limit" (near-limit events), the
 * comparison line under the totals, and "Biggest movers". Pure; every value from the data is escaped.
 */
import type { Change, Comparison, Mover } from './compare.js';
import { DAY_MS, intervalDays } from './interval.js';
import { groupLabel } from './report.js';
import {
  RATE_LIMIT_PERMISSION,
  type RateLimitEventRow,
  type RateLimitEventsReport,
} from './rate-limit-events.js';
import { cellText, code, escapeMarkdown } from './escape.js';
import { formatNumber, markdownTable, readableInterval } from './summary.js';

const BUCKET_COLUMN: Record<string, string | undefined> = { day: 'Days', week: 'Weeks', month: 'Months' };

function entityCell(row: RateLimitEventRow): string {
  if (!row.entityId) return '<i>none</i>';
  return row.entityName
    ? `${cellText(row.entityName)}<br><sub>${cellText(row.entityId)}</sub>`
    : cellText(row.entityId);
}

function limitCell(row: RateLimitEventRow): string {
  const name = cellText(row.limitName) || '<i>none</i>';
  return row.namespace ? `${name}<br><sub>${cellText(row.namespace)}</sub>` : name;
}

/** "Close to the limit": placed above the 429 tables, because it is the warning before the 429s. */
export function rateLimitEventsSection(report: RateLimitEventsReport, top: number): string {
  const out = ['### Close to the limit'];
  if (report.status === 'forbidden') {
    out.push(`Not available: the OAuth client lacks the ${code(RATE_LIMIT_PERMISSION)} permission.`);
    return out.join('\n\n');
  }
  if (report.status === 'failed') {
    out.push(`Not available: ${escapeMarkdown(report.message ?? 'the query failed')}`);
    return out.join('\n\n');
  }
  out.push(
    `${formatNumber(report.total)} near-limit event${report.total === 1 ? '' : 's'}: a rate limit reached 90% of its maximum ` +
      '(recorded by Genesys Cloud on a best-effort basis, for limits with operational events enabled).',
  );
  const rows = report.top.slice(0, top);
  if (!rows.length) return out.join('\n\n');
  const buckets = BUCKET_COLUMN[report.granularity];
  out.push(
    markdownTable(
      ['#', 'Limit', 'Entity', 'Events', ...(buckets ? [buckets] : [])],
      ['r', 'l', 'l', 'r', ...(buckets ? (['r'] as const) : [])],
      rows.map((row, i) => [
        String(i + 1),
        limitCell(row),
        entityCell(row),
        formatNumber(row.events),
        ...(buckets ? [formatNumber(row.buckets)] : []),
      ]),
    ),
  );
  if (report.groupCount > rows.length) {
    out.push(
      `… and ${formatNumber(report.groupCount - rows.length)} more limits and entities (see report.json).`,
    );
  }
  return out.join('\n\n');
}

/** `+12.50%`, `-3.00%`, `new` (nothing before), `–` (nothing either time). */
export function changeText(change: Change): string {
  if (change.change === null) return change.current > 0 ? 'new' : '–';
  return `${change.change > 0 ? '+' : ''}${change.change.toFixed(2)}%`;
}

/** Whole days as the header shows the run's own (last day included); any other window as it is. */
function previousDays(previousInterval: string): string {
  const [start, end] = previousInterval.split('/').map((t) => new Date(t));
  const midnight = (d: Date | undefined) => d !== undefined && d.getTime() % DAY_MS === 0;
  if (!(midnight(start) && midnight(end) && end! > start!)) return readableInterval(previousInterval);
  const days = intervalDays({ start: start!, end: end! });
  return `${days.first} → ${days.last} (${days.count} day${days.count === 1 ? '' : 's'})`;
}

/** The totals against the previous period, one line under the totals table. */
export function comparisonLine(comparison: Comparison): string {
  const { requests, status429 } = comparison.totals;
  const period = comparison.previousInterval
    ? escapeMarkdown(previousDays(comparison.previousInterval))
    : 'the saved result';
  return (
    `Against the previous period (${period}): requests ${formatNumber(requests.previous)} → ${formatNumber(requests.current)} ` +
    `(**${changeText(requests)}**) · 429s ${formatNumber(status429.previous)} → ${formatNumber(status429.current)} ` +
    `(**${changeText(status429)}**)`
  );
}

function moverTable(movers: Mover[]): string {
  return markdownTable(
    ['#', 'Group', 'Requests before', 'Requests now', 'Change', '429 before', '429 now', 'Change'],
    ['r', 'l', 'r', 'r', 'r', 'r', 'r', 'r'],
    movers.map((m, i) => [
      String(i + 1),
      cellText(groupLabel(m.group)),
      formatNumber(m.requests.previous),
      formatNumber(m.requests.current),
      changeText(m.requests),
      formatNumber(m.status429.previous),
      formatNumber(m.status429.current),
      changeText(m.status429),
    ]),
  );
}

/** "Biggest movers": the groups whose requests and 429s changed most against the previous period. */
export function moversSection(comparison: Comparison, top: number): string {
  const out = ['### Biggest movers'];
  const byRequests = comparison.moversByRequests.slice(0, top);
  const by429 = comparison.moversBy429.slice(0, top);
  if (!byRequests.length && !by429.length) {
    out.push('No group changed against the previous period.');
    return out.join('\n\n');
  }
  if (byRequests.length) out.push('By change in requests', moverTable(byRequests));
  if (by429.length) out.push('By change in 429s', moverTable(by429));
  return out.join('\n\n');
}
