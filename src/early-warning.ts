/**
 * The early warnings of one run, after the usage records are on disk: the near-limit events (queried,
 * written as NDJSON in their own table folder, summarised) and the comparison with the previous window
 * (queried or replayed, compared only, never written). I/O comes in through the stage functions.
 */
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { Config } from './types.js';
import { comparePeriods, type Comparison, evaluateGrowth, formatChange, previousWindow } from './compare.js';
import { describeError, UserError } from './errors.js';
import { comparisonLine, moversSection, rateLimitEventsSection } from './early-warning-sections.js';
import { describeDays, formatDate, formatInterval } from './interval.js';
import type { PartitionFile } from './partition-writer.js';
import {
  evaluateRateLimitEvents,
  unavailableRateLimitEvents,
  normaliseRateLimitResponse,
  RATE_LIMIT_PERMISSION,
  rateLimitEventsObjectName,
  rateLimitEventsPrefix,
  type RateLimitEventsReport,
  rateLimitQueryBody,
  summariseRateLimitEvents,
} from './rate-limit-events.js';
import { writeRateLimitEventFiles } from './rate-limit-events-files.js';
import { fillRunIdentity, normaliseRow, type RecordContext } from './records.js';
import { replayResultsFile, type RowsHandler } from './replay.js';
import { type Breach, type GroupRow, ReportBuilder } from './report.js';
import type { RateLimitEventsAnswer, RateLimitEventsQuery, StageContext, UsageQuery } from './stages.js';
import { partitionGranularity } from './layout.js';

export interface EarlyWarningDeps extends StageContext {
  queryUsage: UsageQuery;
  queryRateLimitEvents: RateLimitEventsQuery;
}

export interface CurrentPeriod {
  totals: { requests: number; status429: number };
  groups: GroupRow[];
  collectedAt: string;
  /** The live run's organisation: the previous rows are filled like the current ones, or no group matches. */
  organizationId?: string;
}

export interface EarlyWarning {
  rateLimitEvents?: RateLimitEventsReport;
  /** The events' NDJSON files, their local folder and their S3 prefix (a sibling of the usage prefix). */
  eventFiles: { files: PartitionFile[]; ndjsonDir: string; prefix: string };
  comparison?: Comparison;
  breaches: Breach[];
  /**
   * Why a threshold cannot be evaluated (the events were refused, the previous period could not be
   * read): the step fails with it at the gate, after the report and the outputs are written.
   */
  gateFailures: string[];
  /** Set only for the features asked for (empty when their figure is unknown); the rest stay unset. */
  outputs: Partial<Record<'rate-limit-events' | 'requests-change' | 'change-429', string>>;
  summary: { headerLines: string[]; warningSections: string[]; groupSections: string[] };
}

export async function runEarlyWarning(
  config: Config,
  deps: EarlyWarningDeps,
  current: CurrentPeriod,
): Promise<EarlyWarning> {
  const prefix = rateLimitEventsPrefix(config.prefix);
  const result: EarlyWarning = {
    eventFiles: { files: [], ndjsonDir: path.join(config.outputDir, ...prefix.split('/')), prefix },
    breaches: [],
    gateFailures: [],
    outputs: {
      ...(config.rateLimitEvents ? { 'rate-limit-events': '' } : {}),
      ...(config.comparePrevious ? { 'requests-change': '', 'change-429': '' } : {}),
    },
    summary: { headerLines: [], warningSections: [], groupSections: [] },
  };
  if (config.rateLimitEvents) {
    await deps.io.group('Near-limit events', () => rateLimitEvents(config, deps, current, result));
  }
  if (config.comparePrevious) {
    await deps.io.group('Previous period', () => previousPeriod(config, deps, current, result));
  }
  return result;
}

async function rateLimitEvents(
  config: Config,
  deps: EarlyWarningDeps,
  current: CurrentPeriod,
  result: EarlyWarning,
): Promise<void> {
  const { io } = deps;
  const interval = config.interval;
  if (!interval) throw new UserError("Input 'interval' is required to read the near-limit events.");
  const granularity = partitionGranularity(config.granularity);
  const body = rateLimitQueryBody(interval, config.granularity);
  const answer: RateLimitEventsAnswer | { kind: 'failed'; message: string } = await deps
    .queryRateLimitEvents(config, deps, body)
    .catch((error: unknown) => ({ kind: 'failed' as const, message: describeError(error) }));
  let report: RateLimitEventsReport;
  if (answer.kind !== 'answered') {
    report = unavailableRateLimitEvents(answer.kind, granularity, answer.message);
    if (config.thresholds.maxRateLimitEvents !== undefined) {
      io.error(answer.message);
      result.gateFailures.push(
        answer.kind === 'forbidden'
          ? `max-rate-limit-events cannot be evaluated: the OAuth client lacks the ${RATE_LIMIT_PERMISSION} permission.`
          : 'max-rate-limit-events cannot be evaluated: the near-limit events could not be read.',
      );
    } else {
      io.warning(answer.message, 'Near-limit events not available');
    }
  } else {
    // Entities are named with the OAuth client's name where the usage rows name that client.
    const clientNames = new Map<string, string>();
    for (const g of current.groups)
      if (g.group.clientId && g.group.clientName) clientNames.set(g.group.clientId, g.group.clientName);
    const { records, skipped } = normaliseRateLimitResponse(answer.body, {
      interval: formatInterval(interval),
      collectedAt: current.collectedAt,
      clientNames,
    });
    if (skipped)
      io.warning(
        `Left out ${skipped} near-limit event bucket(s) whose group, interval or count was not valid.`,
      );
    report = summariseRateLimitEvents(records, granularity, config.top, skipped);
    const name = rateLimitEventsObjectName(config.granularity, interval.end, current.organizationId);
    try {
      result.eventFiles.files = await writeRateLimitEventFiles(
        result.eventFiles.ndjsonDir,
        config.granularity,
        name,
        config.compression,
        records,
      );
    } catch (error) {
      // The usage report and outputs still get written; the step fails at the gate with this line.
      const message = `The near-limit events could not be written: ${describeError(error)}`;
      io.error(message);
      result.gateFailures.push(message);
    }
    io.info(
      `${report.total} near-limit events for ${report.groupCount} limit(s) and entit(ies); ${records.length} records in ${result.eventFiles.files.length} file(s) under ${result.eventFiles.ndjsonDir}.`,
    );
    result.outputs['rate-limit-events'] = String(report.total);
    result.breaches.push(...evaluateRateLimitEvents(report, config.thresholds.maxRateLimitEvents));
  }
  result.rateLimitEvents = report;
  result.summary.warningSections.push(rateLimitEventsSection(report, config.top));
}

async function previousPeriod(
  config: Config,
  deps: EarlyWarningDeps,
  current: CurrentPeriod,
  result: EarlyWarning,
): Promise<void> {
  const { io } = deps;
  const previous = config.interval ? previousWindow(config.interval) : undefined;
  const builder = new ReportBuilder();
  const context: RecordContext = {
    api: config.api,
    interval: previous ? formatInterval(previous) : '',
    detectApi: Boolean(config.resultsFile),
    defaultDate: formatDate(previous?.start ?? deps.now()),
    queryId: '',
    collectedAt: current.collectedAt,
  };
  // Compared only: the previous rows go into their own counters, never into the NDJSON.
  let previousRecords = 0;
  const firstDay = previous ? formatDate(previous.start) : '';
  const afterLastDay = previous ? formatDate(previous.end) : '';
  const onRows: RowsHandler = async (rows, _queryId, places) => {
    for (let i = 0; i < rows.length; i++) {
      const record = normaliseRow(rows[i], context, places?.[i]);
      // A saved previous period must be the window it is compared as, or the change is made up.
      if (config.previousResultsFile && previous && (record.date < firstDay || record.date >= afterLastDay)) {
        throw new UserError(
          `Input 'previous-results-file' holds ${places?.[i] ?? `row ${previousRecords + i + 1}`} dated ${record.date}, outside the previous window ${describeDays(previous)}.`,
        );
      }
      fillRunIdentity(record, {
        live: !config.resultsFile,
        usageClientId: config.usageClientId,
        organizationId: current.organizationId,
      });
      builder.add(record);
    }
    previousRecords += rows.length;
  };
  let source: string;
  try {
    if (config.previousResultsFile) {
      const file = config.previousResultsFile;
      const isFile = await stat(file).then(
        (s) => s.isFile(),
        () => false,
      );
      if (!isFile)
        throw new UserError(`Input 'previous-results-file' names '${file}', which is not a readable file.`);
      const replayed = await replayResultsFile(file, onRows);
      io.info(`Read ${replayed.rows} rows of the previous period from ${file}.`);
      source = file;
    } else {
      if (!previous) throw new UserError("Input 'interval' is required to query the previous period.");
      io.info(`Previous window: ${formatInterval(previous)} (the same length, just before the interval).`);
      const ids: string[] = [];
      const answer = await deps.queryUsage({ ...config, interval: previous }, deps, onRows, (id) =>
        ids.push(id),
      );
      source = (ids.length ? ids : answer.queryIds).join(',');
    }
  } catch (error) {
    const message = `The previous period could not be read: ${describeError(error)}`;
    if (config.thresholds.maxRequestsGrowth !== undefined) {
      io.error(message);
      result.gateFailures.push(
        'max-requests-growth cannot be evaluated: the previous period could not be read.',
      );
    } else {
      io.warning(message, 'No comparison with the previous period');
    }
    return;
  }
  const rows = builder.groupRows();
  const totals = rows.reduce(
    (sum, g) => ({ requests: sum.requests + g.requests, status429: sum.status429 + g.status429 }),
    { requests: 0, status429: 0 },
  );
  const comparison = comparePeriods({
    previousInterval: previous ? formatInterval(previous) : '',
    source,
    previousRecords,
    current: { totals: current.totals, groups: current.groups },
    previous: { totals, groups: rows },
    top: config.top,
  });
  result.comparison = comparison;
  result.outputs['requests-change'] = formatChange(comparison.totals.requests.change);
  result.outputs['change-429'] = formatChange(comparison.totals.status429.change);
  result.breaches.push(...evaluateGrowth(comparison, config.thresholds.maxRequestsGrowth));
  result.summary.headerLines.push(comparisonLine(comparison));
  result.summary.groupSections.push(moversSection(comparison, config.top));
  io.info(
    `Against the previous period: requests ${comparison.totals.requests.previous} → ${comparison.totals.requests.current} (${result.outputs['requests-change'] || 'no previous requests'}), 429s ${comparison.totals.status429.previous} → ${comparison.totals.status429.current} (${result.outputs['change-429'] || 'no previous 429s'}).`,
  );
}
