/**
 * One run of the action: inputs, usage rows (replay or live query), NDJSON on disk, data lake,
 * report, gate. Every I/O adapter comes in through `Deps`, so tests swap them without module mocks.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig, readInputFromEnv } from './config.js';
import type { Api, Config, Env, InputReader } from './types.js';
import { describeError, UserError } from './errors.js';
import {
  type DataLake,
  DataLakeError,
  type DataLakeResult,
  type PublishComment,
  type StageContext,
  type UsageQuery,
} from './stages.js';
import { skipRestrictedPullRequest } from './github/restricted.js';
import { describeBreach, evaluateGate } from './gate.js';
import { formatDate, formatInterval } from './interval.js';
import { type ActionIO, coreIO } from './io.js';
import { bucketCoverage, objectName, partitionGranularity } from './layout.js';
import { PartitionWriter, type PartitionFile } from './partition-writer.js';
import { normaliseRow, type RecordContext } from './records.js';
import { replayFast } from './fast-replay.js';
import { replayResultsFile, type RowsHandler } from './replay.js';
import { ReportBuilder, type Report } from './report.js';
import { PR_COMMENT_LIMIT_CHARS, renderSummary, type SummaryExtras } from './summary.js';

export interface Deps extends StageContext {
  getInput: InputReader;
  queryUsage: UsageQuery;
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

  const collected = await collectRecords(config, deps);
  // Every group, once: the report ranks them and the per-group threshold checks them all.
  const groups = collected.builder.groupRows();
  const report = collected.builder.build(
    {
      api: collected.api,
      interval: config.interval ? formatInterval(config.interval) : '',
      granularity: config.granularity ?? 'total',
      queryId: collected.queryIds.join(','),
      generatedAt: collected.collectedAt,
    },
    config.top,
    groups,
  );
  report.breaches = evaluateGate(report, groups, config.thresholds);

  // The data lake: a failure here still leaves the NDJSON, the report and the outputs in place.
  let lake = NO_LAKE;
  let lakeError: unknown;
  if (config.s3 || config.athena) {
    try {
      lake = await deps.dataLake(config, deps, {
        files: collected.files,
        ndjsonDir: collected.ndjsonDir,
        report,
      });
    } catch (error) {
      lakeError = error;
      // What was done before the failure (uploads, the crawler's status) still goes into the outputs.
      if (error instanceof DataLakeError) lake = error.partial;
    }
  }

  const paths = await publishReport(config, deps, report, collected, lake);
  setOutputs(io, {
    'query-id': collected.queryIds.join(','),
    records: String(report.records),
    'total-requests': String(report.totals.requests),
    'total-429': String(report.totals.status429),
    'rate-429': report.totals.rate429.toFixed(4),
    breached: String(report.breaches.length > 0),
    breaches: JSON.stringify(report.breaches),
    'ndjson-path': collected.ndjsonDir,
    's3-uris': JSON.stringify(lake.s3Uris),
    'crawler-status': lake.crawlerStatus,
    'athena-query-execution-id': lake.athenaQueryExecutionId,
    'athena-results-csv': lake.athenaResultsCsv,
    'summary-path': paths.summary,
    'report-json': paths.report,
  });
  await io.group('Gate', async () => applyGate(config, report, io, lakeError));
}

const NO_LAKE: DataLakeResult = {
  s3Uris: [],
  crawlerStatus: 'SKIPPED',
  athenaQueryExecutionId: '',
  athenaResultsCsv: '',
  sections: [],
};

interface Collected {
  files: PartitionFile[];
  ndjsonDir: string;
  builder: ReportBuilder;
  queryIds: string[];
  /** The API the rows came from (on a replay, told by their shape). */
  api: Api;
  collectedAt: string;
}

/** Replays or queries, normalising every row into the NDJSON partitions and the report as it arrives. */
async function collectRecords(config: Config, deps: Deps): Promise<Collected> {
  const { io } = deps;
  const ndjsonDir = path.join(config.outputDir, ...config.prefix.split('/').filter(Boolean));
  // Made even when no row comes, so the ndjson-path output always names a folder.
  await mkdir(ndjsonDir, { recursive: true });
  // On a replay the object name follows the API the rows came from, known at the first row.
  let writer: PartitionWriter | undefined;
  let api: Api = config.api;
  const builder = new ReportBuilder();
  const collectedAt = deps.now().toISOString();
  const context: RecordContext = {
    api: config.api,
    interval: config.interval ? formatInterval(config.interval) : '',
    detectApi: Boolean(config.resultsFile),
    defaultDate: formatDate(config.interval?.start ?? deps.now()),
    queryId: '',
    collectedAt,
  };
  // Totals are dated by the interval's start (CONTRACT), whatever date the rows of split jobs carry.
  const totalsDate = !config.granularity && config.interval ? context.defaultDate : undefined;
  let firstDate: string | undefined;
  const openWriter = (rowsApi: Api): PartitionWriter => {
    api = rowsApi;
    const name = objectName({ ...config, api }, config.interval?.end);
    writer = new PartitionWriter(
      ndjsonDir,
      partitionGranularity(config.granularity),
      name,
      config.compression,
    );
    return writer;
  };
  const onRows: RowsHandler = async (rows, queryId) => {
    const ctx = queryId === context.queryId ? context : { ...context, queryId };
    for (const row of rows) {
      const record = normaliseRow(row, ctx);
      if (!config.granularity && config.resultsFile) {
        // Saved daily rows replayed as totals would be filed as totals: ask for the granularity.
        firstDate ??= record.date;
        if (record.date !== firstDate) {
          throw new UserError(
            `The saved rows span several dates (${firstDate}, ${record.date}) but 'granularity' is not set: set it to the granularity the result was queried with (Day, Week or Month).`,
          );
        }
      }
      if (totalsDate) record.date = totalsDate;
      writer ??= openWriter(record.api === 'legacy' ? 'legacy' : 'aggregates');
      builder.add(record);
      await writer.write(record);
    }
  };

  const queryIds: string[] = [];
  let failure: unknown;
  try {
    if (config.resultsFile) {
      const file = config.resultsFile;
      await io.group(`Replay ${file}`, async () => {
        // Flat rows take the fast path; a file it cannot prove it reads exactly goes to the general one.
        const fast = config.granularity
          ? await replayFast(file, { ctx: context, builder, openWriter })
          : undefined;
        if (!fast) writer = undefined;
        const result = fast ?? (await replayResultsFile(file, onRows));
        io.info(`Read ${result.rows} rows from ${file}.`);
      });
    } else {
      const result = await io.group('Query Genesys Cloud', () =>
        // Ids are collected as jobs are submitted, so a failure later still names them.
        deps.queryUsage(config, deps, onRows, (id) => queryIds.push(id)),
      );
      if (!queryIds.length) queryIds.push(...result.queryIds);
    }
  } catch (error) {
    failure = error;
  }
  // Whatever arrived is kept on disk, even when the query failed half-way.
  let files: PartitionFile[] = [];
  try {
    files = writer ? await writer.close() : [];
  } catch (error) {
    failure ??= error;
  }
  const records = files.reduce((sum, f) => sum + f.records, 0);
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
    for (const f of files) {
      const coverage = bucketCoverage(f.dt, config.granularity, config.interval);
      io.info(`  ${f.relativePath} (${f.records} records${coverage.complete ? '' : ', partial bucket'})`);
    }
  });
  return { files, ndjsonDir, builder, queryIds, api, collectedAt };
}

/** summary.md, report.json, the job summary and the pull-request comment. */
async function publishReport(
  config: Config,
  deps: Deps,
  report: Report,
  collected: Collected,
  lake: DataLakeResult,
): Promise<{ summary: string; report: string }> {
  const { io } = deps;
  const summaryPath = path.join(config.outputDir, 'summary.md');
  const reportPath = path.join(config.outputDir, 'report.json');
  await io.group('Report', async () => {
    const extras: SummaryExtras = {
      sections: lake.sections,
      files: [
        { label: 'NDJSON partitions', path: collected.ndjsonDir },
        { label: 'Report (JSON)', path: reportPath },
        ...(lake.athenaResultsCsv ? [{ label: 'Athena results (CSV)', path: lake.athenaResultsCsv }] : []),
      ],
    };
    const markdown = renderSummary(report, extras);
    await writeFile(summaryPath, markdown);
    await writeFile(
      reportPath,
      JSON.stringify({ ...report, files: collected.files, s3Uris: lake.s3Uris }, null, 2) + '\n',
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
      `Totals: ${report.totals.requests} requests, ${report.totals.status429} 429s (${report.totals.rate429}%), ${report.records} records.`,
    );
  });
  return { summary: summaryPath, report: reportPath };
}

function setOutputs(io: ActionIO, outputs: Record<string, string>): void {
  for (const [key, value] of Object.entries(outputs)) io.setOutput(key, value);
}

/**
 * One line per breach: the step fails, or only warns with fail-on-breach false. A data lake failure
 * fails the step in any case; the breaches are then reported as errors beside it.
 */
function applyGate(config: Config, report: Report, io: ActionIO, lakeError: unknown): void {
  const t = config.thresholds;
  const lines = report.breaches.map(describeBreach);
  if (lakeError) {
    for (const line of lines) {
      if (config.failOnBreach) io.error(line);
      else io.warning(line, '429 threshold breached');
    }
    throw lakeError;
  }
  if (t.max429 === undefined && t.max429Rate === undefined && t.max429PerGroup === undefined) {
    io.info('No 429 thresholds set (max-429, max-429-rate, max-429-per-group): nothing to gate.');
  } else if (!lines.length) {
    io.info('No 429 threshold breached.');
  } else if (config.failOnBreach) {
    throw new UserError(lines.join('\n'));
  } else {
    for (const line of lines) io.warning(line, '429 threshold breached');
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
    `api: ${config.resultsFile ? '(from the saved rows)' : config.api}; interval: ${config.interval ? formatInterval(config.interval) : '(from the saved result)'}`,
  );
  io.info(
    `granularity: ${config.granularity ?? 'none (totals)'}; group-by: ${config.groupBy.map((g) => g.apiName).join(', ') || 'none'}; metrics: ${config.metrics.join(', ') || 'all'}`,
  );
  io.info(`output-dir: ${config.outputDir}`);
}
