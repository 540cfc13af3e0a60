/**
 * One run of the action: inputs, usage rows (replay or live query), NDJSON on disk, data lake,
 * report, gate. Every I/O adapter comes in through `Deps`, so tests swap them without module mocks.
 */
import path from 'node:path';
import { parseConfig, readInputFromEnv } from './config.js';
import type { Api, Config, Env, InputReader, Organization } from './types.js';
import { describeError, UserError } from './errors.js';
import {
  type DataLake,
  DataLakeError,
  type DataLakeResult,
  type PublishComment,
  type RateLimitEventsQuery,
  type StageContext,
  type UsageQuery,
} from './stages.js';
import { skipRestrictedPullRequest } from './github/restricted.js';
import { evaluateGate, gateMessages } from './gate.js';
import { type EarlyWarning, runEarlyWarning } from './early-warning.js';
import { describeDays, formatDate, formatInterval, intervalDays } from './interval.js';
import { type ActionIO, coreIO } from './io.js';
import { bucketCoverage, objectName, partitionGranularity, type PartitionGranularity } from './layout.js';
import { PartitionWriter, removeStaleFiles, type PartitionFile } from './partition-writer.js';
import { fillRunIdentity, normaliseRow, type RecordContext } from './records.js';
import { type FileIdentity, resultsFileIdentity, type RowsHandler } from './replay.js';
import { resolveShape, type ShapeScan } from './replay-shape.js';
import { replayPass, sameLines } from './replay-pass.js';
import { checkOutputDir, sameFile } from './output-dir.js';
import { watchSignals } from './cancel.js';
import { ReportBuilder, type Report } from './report.js';
import { PR_COMMENT_LIMIT_CHARS, renderSummary, type SummaryExtras } from './summary.js';
import { safeJsonChunks, StreamedList } from './escape.js';
import { removeUnfinishedFilesSync, writeFileAtomic } from './atomic-file.js';
import { fitJsonArray, fitText, MAX_BREACH_ANNOTATIONS, OUTPUT_LIMIT_BYTES } from './limits.js';

export interface Deps extends StageContext {
  getInput: InputReader;
  queryUsage: UsageQuery;
  queryRateLimitEvents: RateLimitEventsQuery;
  dataLake: DataLake;
  publishComment: PublishComment;
}

export function defaultDeps(env: Env = process.env): Deps {
  return {
    io: coreIO(env),
    env,
    getInput: readInputFromEnv(env),
    now: () => new Date(),
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    // Loaded on first use: a replay needs neither the Genesys nor the AWS SDK (about 8 MB of code).
    queryUsage: async (...args) => (await import('./genesys/index.js')).queryGenesysUsage(...args),
    queryRateLimitEvents: async (...args) =>
      (await import('./genesys/index.js')).queryRateLimitEvents(...args),
    dataLake: async (...args) => (await import('./aws/index.js')).runDataLake(...args),
    publishComment: async (...args) => (await import('./github/comment.js')).publishComment(...args),
  };
}

export async function run(overrides: Partial<Deps> = {}): Promise<void> {
  const deps = { ...defaultDeps(overrides.env), ...overrides };
  const { io } = deps;
  try {
    await runStages(deps);
  } catch (error) {
    if (error instanceof UserError) {
      io.setFailed(error.message);
    } else {
      // Only the message: an SDK error object may carry request headers with credentials.
      io.setFailed(`Unexpected error: ${describeError(error)}`);
      if (error instanceof Error && error.stack) io.debug(error.stack);
    }
  }
}

async function runStages(deps: Deps): Promise<void> {
  const { io } = deps;
  // Mask first, before anything can print it.
  const secret = deps.getInput('client-secret');
  if (secret) io.setSecret(secret);
  // Fork and Dependabot pull requests get no secrets: warn and succeed rather than fail each one.
  if (await skipRestrictedPullRequest(deps)) return;

  const config = await io.group('Inputs', async () => {
    const parsed = parseConfig(deps.getInput, deps.env, deps.now());
    logConfig(io, parsed);
    return parsed;
  });

  // output-dir problems are found here, before any query is made.
  await checkOutputDir(config.outputDir, ndjsonDirOf(config));
  const collected = await collectRecords(config, deps);
  // From here on, a cancelled run removes the file it was writing (report, results CSV, event files):
  // the NDJSON partitions of this run are complete by now.
  const unwatch = watchSignals((signal) => {
    const removed = removeUnfinishedFilesSync();
    io.error(
      `Stopped by ${signal}: ${removed.length ? `removed ${removed.length} unfinished file(s) (${removed.map((f) => path.basename(f)).join(', ')})` : 'no file was being written'}; this run's ${collected.files.length} NDJSON partition file(s) in ${collected.ndjsonDir} are complete.`,
    );
  });
  try {
    await reportAndGate(deps, collected);
  } finally {
    unwatch();
  }
}

/** The report, the early warning, the data lake, the outputs and the gate, from the collected records. */
async function reportAndGate(deps: Deps, collected: Collected): Promise<void> {
  const { io } = deps;
  // On a replay the rows decided the shape (granularity, interval, api, group-by): use theirs from here on.
  const config = collected.config;
  // Every group, once: the report ranks them and the per-group threshold checks them all.
  const groups = collected.builder.groupRows();
  const report = collected.builder.build(
    {
      api: collected.api,
      interval: config.interval ? formatInterval(config.interval) : '',
      granularity: config.granularity ?? 'total',
      queryId: collected.queryIds.join(','),
      generatedAt: collected.collectedAt,
      ...(config.interval ? { days: intervalDays(config.interval) } : {}),
      ...(collected.organization ? { organization: collected.organization } : {}),
    },
    config.top,
    groups,
  );
  if (!collected.requestsKnown) report.rate429Unknown = true;
  report.breaches = evaluateGate(report, groups, config.thresholds);
  // Near-limit events and the previous period: queried after the usage, reported and gated with it.
  const early = await runEarlyWarning(config, deps, {
    totals: report.totals,
    groups,
    collectedAt: collected.collectedAt,
    organizationId: collected.organization?.id,
  });
  report.breaches.push(...early.breaches);

  // The data lake: a failure here still leaves the NDJSON, the report and the outputs in place.
  let lake = NO_LAKE;
  let lakeError: unknown;
  if (config.s3 || config.athena) {
    try {
      lake = await deps.dataLake(config, deps, {
        files: collected.files,
        ndjsonDir: collected.ndjsonDir,
        report,
        extraUploads: early.eventFiles.files.length
          ? [{ label: 'Near-limit events', prefix: early.eventFiles.prefix, files: early.eventFiles.files }]
          : [],
      });
    } catch (error) {
      lakeError = error;
      // What was done before the failure (uploads, the crawler's status) still goes into the outputs.
      if (error instanceof DataLakeError) lake = error.partial;
    }
  }

  const paths = await publishReport(config, deps, report, collected, lake, early);
  setOutputs(io, {
    'query-id': collected.queryIds.join(','),
    records: String(report.records),
    'total-requests': String(report.totals.requests),
    'total-429': String(report.totals.status429),
    // Without a requests count on every row the rate is unknown, not 0.
    'rate-429': report.rate429Unknown ? '' : report.totals.rate429.toFixed(4),
    breached: String(report.breaches.length > 0),
    // The worst first (the gate's order), as many as 1 MB holds; report.json has every one.
    breaches: fitJsonArray(report.breaches, OUTPUT_LIMIT_BYTES, (shown, total) => ({
      truncated: true,
      shown,
      total,
      note: 'the breaches output holds the worst breaches GitHub allows (1 MB); report.json holds every one',
    })),
    'ndjson-path': collected.ndjsonDir,
    's3-uris': fitJsonArray(lake.s3Uris, OUTPUT_LIMIT_BYTES, (shown, total) => ({
      truncated: true,
      shown,
      total,
    })),
    'crawler-status': lake.crawlerStatus,
    'athena-query-execution-id': lake.athenaQueryExecutionId,
    'athena-results-csv': lake.athenaResultsCsv,
    'summary-path': paths.summary,
    'report-json': paths.report,
    ...early.outputs,
  });
  await io.group('Gate', async () => applyGate(config, report, io, lakeError, early.gateFailures));
}

const NO_LAKE: DataLakeResult = {
  s3Uris: [],
  crawlerStatus: 'SKIPPED',
  athenaQueryExecutionId: '',
  athenaResultsCsv: '',
  sections: [],
};

interface Collected {
  /** The run's configuration, with the shape the replayed rows decided. */
  config: Config;
  /** False when some row carried no requests count: the 429 rate is then unknown. */
  requestsKnown: boolean;
  files: PartitionFile[];
  ndjsonDir: string;
  builder: ReportBuilder;
  queryIds: string[];
  /** The API the rows came from (on a replay, told by their shape). */
  api: Api;
  collectedAt: string;
  /** The credentials' organisation, on a live run. */
  organization?: Organization;
}

function ndjsonDirOf(config: Config): string {
  return path.join(config.outputDir, ...config.prefix.split('/').filter(Boolean));
}

/**
 * The replay's shape from what a pass over its rows learnt: the rows decide what the inputs leave out,
 * and inputs that contradict them are refused.
 */
function decideReplayShape(
  config: Config,
  deps: Deps,
  scan: ShapeScan,
): { config: Config; requestsKnown: boolean; organizationId?: string } {
  const { io } = deps;
  if (!scan.rows) return { config, requestsKnown: true };
  const given = (name: string) => deps.getInput(name) !== '';
  const shape = resolveShape(scan, {
    api: given('api') ? config.api : undefined,
    granularity: config.granularity,
    interval: config.interval,
    intervalText: deps.getInput('interval'),
    groupBy: given('group-by') ? config.groupBy : undefined,
    groupByText: deps.getInput('group-by'),
  });
  for (const line of shape.inferred) io.info(line);
  if (!shape.requestsKnown) {
    io.info(`${scan.firstWithoutRequests} has no requests count: the 429 rate is unknown.`);
  }
  if (config.s3 && !shape.intervalKnown && shape.granularity !== 'Day') {
    throw new UserError(
      `Input 'interval' is needed to upload a replayed result ${shape.granularity ? `with granularity ${shape.granularity}` : 'of totals'}: it tells complete buckets from partial ones, so a partial one never replaces a complete one in S3${shape.granularity ? '' : ', and it names the totals objects'}.`,
    );
  }
  return {
    config: {
      ...config,
      api: shape.api,
      granularity: shape.granularity,
      interval: shape.interval,
      groupBy: shape.groupBy,
    },
    requestsKnown: shape.requestsKnown,
    // Names the replay's objects; a client-scoped result's organisations are a dimension, not its owner.
    organizationId: config.usageClientId ? undefined : scan.soleOrganization,
  };
}

/** Partition files listed one per line in the log. */
const LOGGED_FILES = 100;

/** Replays or queries, normalising every row into the NDJSON partitions and the report as it arrives. */
async function collectRecords(given: Config, deps: Deps): Promise<Collected> {
  const { io } = deps;
  let config = given;
  let requestsKnown = true;
  let identity: FileIdentity | undefined;
  let replayOrganizationId: string | undefined;
  if (config.resultsFile) identity = await resultsFileIdentity(config.resultsFile);
  // A live query without the Requests metric has no requests count to divide by.
  if (!config.resultsFile && config.metrics.length && !config.metrics.includes('Requests')) {
    requestsKnown = false;
  }
  const ndjsonDir = ndjsonDirOf(config);
  let builder = new ReportBuilder();
  const collectedAt = deps.now().toISOString();
  const contextOf = (c: Config): RecordContext => ({
    api: c.api,
    interval: c.interval ? formatInterval(c.interval) : '',
    detectApi: Boolean(c.resultsFile),
    defaultDate: formatDate(c.interval?.start ?? deps.now()),
    queryId: '',
    collectedAt,
  });
  let context = contextOf(config);
  // Totals are dated by the interval's start (CONTRACT), whatever date the rows of split jobs carry.
  const totalsDate = !config.granularity && config.interval ? context.defaultDate : undefined;
  // Live runs: read before the first row (see UsageQuery); replays keep the ids the rows carry.
  let organization: Organization | undefined;
  // A live run's object name carries the organisation, known only at the first record; a replay's
  // shape and organisation (its own records carry it) are known only once its rows are read, so
  // its files are named at the end (PartitionWriter.nameFiles).
  const fileNames = (): [PartitionGranularity, string] => [
    partitionGranularity(config.granularity),
    objectName({ ...config, organizationId: organization?.id ?? replayOrganizationId }, config.interval?.end),
  ];
  let writer: PartitionWriter | undefined;
  const openWriter = (): PartitionWriter =>
    (writer ??= new PartitionWriter(ndjsonDir, ...fileNames(), config.compression));
  const onRows: RowsHandler = async (rows, queryId, places) => {
    const ctx = queryId === context.queryId ? context : { ...context, queryId };
    for (let i = 0; i < rows.length; i++) {
      const record = normaliseRow(rows[i], ctx, places?.[i]);
      fillRunIdentity(record, {
        live: true,
        usageClientId: config.usageClientId,
        organizationId: organization?.id,
      });
      if (totalsDate) record.date = totalsDate;
      const output = openWriter();
      builder.add(record);
      await output.write(record);
    }
  };

  // SIGTERM/SIGINT (a cancelled job): remove the unfinished files, say what was kept, and stop.
  const unwatch = watchSignals((signal) => {
    const { kept, removed } = writer?.abortSync() ?? { kept: [], removed: [] };
    io.error(
      `Stopped by ${signal}: removed ${removed.length} unfinished partition file(s); kept ${kept.length} complete file(s) of this run in ${ndjsonDir}${kept.length ? '' : ' (none was complete yet)'}. Files of earlier runs were left as they were.`,
    );
  });
  const queryIds: string[] = [];
  let failure: unknown;
  try {
    if (config.resultsFile) {
      const file = config.resultsFile;
      await io.group(`Replay ${file}`, async () => {
        const output = { builder, openWriter, dropWriter: () => (writer = undefined) };
        // One pass when the lines cannot depend on what the rows decide (the interval is given):
        // written under temporary names while the rows are checked, named once the shape is known.
        // Otherwise a first pass only reads the shape, and a second one writes.
        const writeFirst = config.interval !== undefined;
        const first = await replayPass(file, context, writeFirst ? output : undefined);
        ({
          config,
          requestsKnown,
          organizationId: replayOrganizationId,
        } = decideReplayShape(config, deps, first.scan));
        const final = contextOf(config);
        let rows = first.rows;
        if (!writeFirst || !sameLines(first.scan, context, final)) {
          await writer?.abort();
          writer = undefined;
          builder = output.builder = new ReportBuilder();
          context = final;
          // The first pass's scan (one entry per date) is let go before the second makes its own.
          ({ rows } = await replayPass(file, context, output));
        }
        writer?.nameFiles(...fileNames());
        io.info(`Read ${rows} rows from ${file}.`);
      });
    } else {
      const result = await io.group('Query Genesys Cloud', () =>
        // Ids are collected as jobs are submitted, so a failure later still names them.
        deps.queryUsage(
          config,
          deps,
          onRows,
          (id) => queryIds.push(id),
          (org) => (organization = org),
        ),
      );
      organization ??= result.organization;
      if (!queryIds.length) queryIds.push(...result.queryIds);
    }
  } catch (error) {
    failure = error;
  }
  // Whatever arrived is kept on disk, even when the query failed half-way.
  let files: PartitionFile[] = [];
  let stale: string[] = [];
  // A replay that failed is not kept in part: the file is still there to replay once it is fixed.
  if (failure && config.resultsFile) {
    await writer?.abort();
    writer = undefined;
  }
  try {
    if (identity && !failure) {
      // Read in full by now; the new file replaces it only once complete (written aside, then renamed).
      const replaced = await sameFile(writer?.finalPaths() ?? [], identity);
      if (replaced)
        io.info(`The replayed file ${replaced} is replaced by this run's complete file of the same name.`);
    }
    files = (await writer?.close()) ?? [];
    // The folder holds this run's files only; never the replayed file, and nothing outside the layout.
    // Only after a complete run: a failed one must not take the last good run's files with it.
    if (!failure) {
      // Found by date, then compared whole: no set of every path, made and dropped.
      const byDt = new Map(files.map((f) => [f.dt, f]));
      stale = await removeStaleFiles(
        ndjsonDir,
        (relative, dt) => byDt.get(dt)?.relativePath === relative,
        identity,
      );
    }
  } catch (error) {
    failure ??= error;
    files = writer?.completedFiles() ?? [];
  } finally {
    unwatch();
  }
  const records = files.reduce((sum, f) => sum + f.records, 0);
  if (stale.length) {
    io.info(
      `Removed ${stale.length} file(s) an earlier run left in ${ndjsonDir}: ${stale.slice(0, 5).join(', ')}${stale.length > 5 ? ', ...' : ''}`,
    );
  }
  if (failure) {
    if (queryIds.length) io.setOutput('query-id', queryIds.join(','));
    if (records) {
      io.info(`The ${records} records received before the failure are kept in ${ndjsonDir}.`);
      io.setOutput('ndjson-path', ndjsonDir);
      io.setOutput('records', String(records));
    }
    throw failure;
  }
  await io.group('Write NDJSON', async () => {
    io.info(`${records} records in ${files.length} partition file(s) under ${ndjsonDir}:`);
    // Years of days would be thousands of lines: the first ones, and where the rest are listed.
    for (const f of files.slice(0, LOGGED_FILES)) {
      const coverage = bucketCoverage(f.dt, config.granularity, config.interval);
      io.info(`  ${f.relativePath} (${f.records} records${coverage.complete ? '' : ', partial bucket'})`);
    }
    if (files.length > LOGGED_FILES) {
      io.info(`  ... and ${files.length - LOGGED_FILES} more (every file is listed in report.json).`);
    }
  });
  return {
    config,
    requestsKnown,
    files,
    ndjsonDir,
    builder,
    queryIds,
    api: config.api,
    collectedAt,
    organization,
  };
}

/** summary.md, report.json, the job summary and the pull-request comment. */
async function publishReport(
  config: Config,
  deps: Deps,
  report: Report,
  collected: Collected,
  lake: DataLakeResult,
  early: EarlyWarning,
): Promise<{ summary: string; report: string }> {
  const { io } = deps;
  const summaryPath = path.join(config.outputDir, 'summary.md');
  const reportPath = path.join(config.outputDir, 'report.json');
  await io.group('Report', async () => {
    const extras: SummaryExtras = {
      sections: lake.sections,
      ...early.summary,
      files: [
        { label: 'NDJSON partitions', path: collected.ndjsonDir },
        ...(early.eventFiles.files.length
          ? [{ label: 'Near-limit events (NDJSON)', path: early.eventFiles.ndjsonDir }]
          : []),
        { label: 'Report (JSON)', path: reportPath },
        ...(lake.athenaResultsCsv ? [{ label: 'Athena results (CSV)', path: lake.athenaResultsCsv }] : []),
      ],
    };
    const markdown = renderSummary(report, extras);
    await writeFileAtomic(summaryPath, markdown);
    // The trend's rows and the files' entries made one at a time as they are written.
    const reportJson = {
      ...report,
      trend: new StreamedList(report.trend),
      ...(early.rateLimitEvents ? { rateLimitEvents: early.rateLimitEvents } : {}),
      ...(early.comparison ? { comparison: early.comparison } : {}),
      files: new StreamedList(collected.files),
      ...(early.eventFiles.files.length ? { rateLimitEventFiles: early.eventFiles.files } : {}),
      s3Uris: lake.s3Uris,
    };
    // Every value whole; invisible characters as \u escapes, so it shows nothing misleading. Written
    // as it is made: with years of days, the text would be tens of megabytes held twice.
    await writeFileAtomic(
      reportPath,
      (function* () {
        yield* safeJsonChunks(reportJson, 2);
        yield '\n';
      })(),
    );
    io.info(`Summary: ${summaryPath}`);
    io.info(`Report: ${reportPath}`);
    if (config.summary) {
      const written = await io.writeJobSummary(markdown).catch((error: unknown) => {
        io.warning(`Could not write the job summary: ${describeError(error)}`);
        return false;
      });
      if (!written) io.info('No GITHUB_STEP_SUMMARY (not on a runner): the summary is only in summary.md.');
    }
    if (config.prComment) {
      const comment = renderSummary(report, extras, PR_COMMENT_LIMIT_CHARS, 'chars');
      await deps.publishComment(config, deps, comment).catch((error: unknown) => {
        io.warning(`Could not write the pull-request comment: ${describeError(error)}`);
      });
    }
    io.info(
      `Totals: ${report.totals.requests} requests, ${report.totals.status429} 429s (${report.rate429Unknown ? 'rate unknown' : `${report.totals.rate429}%`}), ${report.records} records.`,
    );
  });
  return { summary: summaryPath, report: reportPath };
}

/** Each output under GitHub's 1 MB, whatever produced it. */
function setOutputs(io: ActionIO, outputs: Record<string, string>): void {
  for (const [key, value] of Object.entries(outputs)) {
    io.setOutput(key, fitText(value, OUTPUT_LIMIT_BYTES, 'bytes', '(truncated to 1 MB: see report.json)'));
  }
}

/**
 * One line per breach: the step fails, or only warns with fail-on-breach false. A data lake failure
 * fails the step in any case; the breaches are then reported as errors beside it.
 */
function applyGate(
  config: Config,
  report: Report,
  io: ActionIO,
  lakeError: unknown,
  unevaluated: string[] = [],
): void {
  const t = config.thresholds;
  const cannotEvaluate = [...unevaluated];
  if (t.max429Rate !== undefined && report.rate429Unknown) {
    cannotEvaluate.push(
      `max-429-rate cannot be evaluated: the rows carry no Requests count, so the 429 rate is unknown (limit ${t.max429Rate}%)`,
    );
  }
  // A handful of annotations and a failure of a few KB, however many groups breach.
  const { annotations: lines, failure } = gateMessages(report.breaches, MAX_BREACH_ANNOTATIONS);
  // A threshold that cannot be evaluated fails the step whatever fail-on-breach says: it guards nothing.
  if (cannotEvaluate.length && !lakeError)
    throw new UserError([...cannotEvaluate, failure].filter(Boolean).join('\n'));
  if (lakeError) {
    for (const line of cannotEvaluate) io.error(line);
    for (const line of lines) {
      if (config.failOnBreach) io.error(line);
      else io.warning(line, 'Threshold breached');
    }
    throw lakeError;
  }
  if (
    t.max429 === undefined &&
    t.max429Rate === undefined &&
    t.max429PerGroup === undefined &&
    t.maxRateLimitEvents === undefined &&
    t.maxRequestsGrowth === undefined
  ) {
    io.info('No 429 thresholds set (max-429, max-429-rate, max-429-per-group): nothing to gate.');
  } else if (!lines.length) {
    io.info('No 429 threshold breached.');
  } else if (config.failOnBreach) {
    throw new UserError(failure);
  } else {
    for (const line of lines) io.warning(line, 'Threshold breached');
  }
}

function logConfig(io: ActionIO, config: Config): void {
  const where =
    config.environment.kind === 'region' ? config.environment.host : config.environment.url.origin;
  io.info(
    config.resultsFile
      ? `Replaying ${config.resultsFile}`
      : `Querying ${where} with client ${config.clientId}`,
  );
  io.info(
    `api: ${config.resultsFile ? '(from the saved rows)' : config.api}; interval: ${config.interval ? describeDays(config.interval) : '(from the saved result)'}`,
  );
  if (config.intervalNotice) io.info(config.intervalNotice);
  io.info(
    `granularity: ${config.granularity ?? (config.resultsFile ? '(from the saved rows)' : 'none (totals)')}; group-by: ${config.groupBy.map((g) => g.apiName).join(', ') || (config.resultsFile ? '(from the saved rows)' : 'none')}; metrics: ${config.metrics.join(', ') || 'all'}`,
  );
  io.info(`output-dir: ${config.outputDir}`);
}
