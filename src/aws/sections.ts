/** The data lake's Markdown sections for the summary, pure. Every value from data or AWS is escaped. */
import { formatDuration } from '../duration.js';
import { code, escapeMarkdown } from '../escape.js';
import { formatNumber, markdownTable as table } from '../summary.js';
import { type AthenaOutcome, athenaCostUsd } from './athena.js';
import type { UploadResult } from './s3-upload.js';

const MAX_LISTED_OBJECTS = 100;
const MAX_CELL_CHARS = 200;

function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}

function formatUsd(usd: number): string {
  return `$${usd >= 0.01 ? usd.toFixed(2) : usd.toFixed(6)}`;
}

function coverageText(result: UploadResult): string {
  if (result.coverage.complete) return 'complete';
  const iso = (d: Date) =>
    d
      .toISOString()
      .replace(/T00:00:00\.000Z$/, '')
      .replace('.000Z', 'Z');
  return `partial: ${escapeMarkdown(`${iso(result.coverage.start)} to ${iso(result.coverage.end)}`)}`;
}

export function s3Section(bucket: string, prefix: string, results: UploadResult[]): string {
  const uploaded = results.filter((r) => r.uploaded).length;
  const kept = results.length - uploaded;
  const out = [
    '### S3 upload',
    `Uploaded ${formatNumber(uploaded)} of ${formatNumber(results.length)} objects to ${code(`s3://${bucket}/${prefix ? `${prefix}/` : ''}`)}.`,
  ];
  const removed = results.filter((r) => r.removed).length;
  if (removed) {
    out.push(
      `Removed ${formatNumber(removed)} object${removed === 1 ? '' : 's'} of the other compression from the same partition${removed === 1 ? '' : 's'}, so Athena does not count those rows twice.`,
    );
  }
  if (kept) {
    out.push(
      `> Kept ${formatNumber(kept)} existing object${kept === 1 ? '' : 's'}: a partly covered bucket never replaces an object that covers more of it. Its rows are in the local NDJSON.`,
    );
  }
  if (results.length) {
    const listed = results.slice(0, MAX_LISTED_OBJECTS);
    const rows = listed.map((r) => [
      code(r.file.relativePath),
      formatNumber(r.file.records),
      coverageText(r),
      r.uploaded ? 'uploaded' : `kept: ${escapeMarkdown(r.reason)}`,
    ]);
    const more =
      results.length > listed.length ? `\n\n… and ${results.length - listed.length} more (see the log).` : '';
    out.push(
      `<details><summary>Objects</summary>\n\n${table(['Object', 'Records', 'Bucket coverage', 'Result'], ['l', 'r', 'l', 'l'], rows)}${more}\n\n</details>`,
    );
  }
  return out.join('\n\n');
}

export type GlueSummary =
  | {
      kind: 'crawled';
      crawler: string;
      durationMs: number;
      metrics?: {
        tablesCreated: number;
        tablesUpdated: number;
        tablesDeleted: number;
        runtimeSeconds?: number;
      };
      /** DPU-hours Glue recorded for the crawl, when it told. */
      dpuHours?: number;
      why?: string;
    }
  | { kind: 'registered'; database: string; table: string; created: number; existed: number }
  | { kind: 'projected'; database: string; table: string };

/** Glue's crawler price: $0.44 per DPU-hour, billed per second, at least 10 minutes per crawl. */
export const CRAWLER_USD_PER_DPU_HOUR = 0.44;
export const CRAWLER_MINIMUM_MINUTES = 10;

/** The crawler's cost line: Glue's own DPU-hours when it told them, else the billing rule. */
export function crawlerCost(durationMs: number, runtimeSeconds?: number, dpuHours?: number): string {
  const ranMs = runtimeSeconds !== undefined ? runtimeSeconds * 1000 : durationMs;
  const ran = `ran ${formatDuration(ranMs)}`;
  const rule = `${formatUsd(CRAWLER_USD_PER_DPU_HOUR)} per DPU-hour, at least ${CRAWLER_MINIMUM_MINUTES} minutes per crawl`;
  if (dpuHours !== undefined) {
    return `${formatUsd(dpuHours * CRAWLER_USD_PER_DPU_HOUR)} (Glue recorded ${dpuHours} DPU-hours; ${ran}; ${rule})`;
  }
  const billedMs = Math.max(ranMs, CRAWLER_MINIMUM_MINUTES * 60_000);
  return `${formatUsd((billedMs / 3_600_000) * CRAWLER_USD_PER_DPU_HOUR)} per DPU the crawl used (${ran}, billed as ${formatDuration(billedMs)}: ${rule}; Glue did not report the DPU-hours)`;
}

export function glueSection(glue: GlueSummary): string {
  const out = ['### Glue'];
  if (glue.kind === 'projected') {
    out.push(
      `Table ${code(`${glue.database}.${glue.table}`)} uses partition projection: Athena finds this run's partitions itself, so nothing was registered and no crawler ran (no Glue cost). Status ${code('PROJECTED')}.`,
    );
    return out.join('\n\n');
  }
  if (glue.kind === 'registered') {
    out.push(
      `Table ${code(`${glue.database}.${glue.table}`)} already has every column: registered ${formatNumber(glue.created)} new partition${glue.created === 1 ? '' : 's'} (${formatNumber(glue.existed)} existed already) without running the crawler. Status ${code('PARTITIONS_REGISTERED')}.`,
    );
    return out.join('\n\n');
  }
  const metrics = glue.metrics
    ? ` · tables created ${formatNumber(glue.metrics.tablesCreated)}, updated ${formatNumber(glue.metrics.tablesUpdated)}, deleted ${formatNumber(glue.metrics.tablesDeleted)}`
    : '';
  out.push(
    `Crawler ${code(glue.crawler)}: ${code('SUCCEEDED')} in ${escapeMarkdown(formatDuration(glue.durationMs))}${metrics}.`,
  );
  out.push(
    `Cost: ${escapeMarkdown(crawlerCost(glue.durationMs, glue.metrics?.runtimeSeconds, glue.dpuHours))}.`,
  );
  if (glue.why) out.push(`Crawled because ${escapeMarkdown(glue.why)}.`);
  return out.join('\n\n');
}

function cell(value: string | undefined): string {
  if (value === undefined) return '<i>null</i>';
  return escapeMarkdown(value, MAX_CELL_CHARS) || '<i>empty</i>';
}

const isNumber = (value: string | undefined) =>
  value === undefined || /^-?\d+(\.\d+)?(E-?\d+)?$/i.test(value);

export function athenaSection(outcome: AthenaOutcome, sql: string): string {
  const facts = [
    `Query ${code(outcome.queryExecutionId)} in workgroup ${code(outcome.workgroup)}: ${code('SUCCEEDED')}`,
    `${formatBytes(outcome.dataScannedBytes ?? 0)} scanned`,
    `engine ${escapeMarkdown(formatDuration(outcome.engineMs ?? 0))}`,
    `est. cost ${escapeMarkdown(formatUsd(athenaCostUsd(outcome.dataScannedBytes ?? 0)))}`,
    `${formatNumber(outcome.rowCount)} row${outcome.rowCount === 1 ? '' : 's'}`,
  ];
  const out = ['### Athena', facts.join(' · ')];
  if (outcome.columns.length && outcome.preview.length) {
    out.push(
      table(
        outcome.columns.map((c) => escapeMarkdown(c)),
        outcome.columns.map((_, i) => (outcome.preview.every((row) => isNumber(row[i])) ? 'r' : 'l')),
        outcome.preview.map((row) => row.map(cell)),
      ),
    );
  } else if (!outcome.rowCount) {
    out.push('The query returned no rows.');
  }
  if (outcome.rowCount > outcome.preview.length) {
    out.push(`First ${formatNumber(outcome.preview.length)} rows shown; all of them are in the CSV.`);
  }
  out.push(`All rows: ${code(outcome.csvPath)}`);
  // <pre> is a raw HTML block: blank lines inside are fine, and the escaped entities are decoded.
  // Tabs as spaces: escapeMarkdown would show them as \t.
  const lines = sql.split(/\r?\n/).map((line) => escapeMarkdown(line.replace(/\t/g, '    ')));
  out.push(`<details><summary>SQL</summary>\n\n<pre>${lines.join('\n')}</pre>\n\n</details>`);
  return out.join('\n\n');
}
