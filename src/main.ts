/**
 * One run of the action: inputs, usage rows (replay or live query), NDJSON on disk, data lake,
 * report, gate. Every I/O adapter comes in through `Deps`, so tests swap them without module mocks.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  type Api,
  type Config,
  type Env,
  type InputReader,
  parseConfig,
  readInputFromEnv,
} from './config.js';
import { DataLakeError, describeError, UserError } from './errors.js';
import { skipRestrictedPullRequest } from './github/restricted.js';
import { describeBreach, evaluateGate } from './gate.js';
import { formatDate, formatInterval } from './interval.js';
import { type ActionIO, coreIO } from './io.js';
import { bucketCoverage, objectName, partitionGranularity } from './layout.js';
import { PartitionWriter, type PartitionFile } from './partition-writer.js';
import { normaliseRow, type RecordContext } from './records.js';
import { replayResultsFile, type RowsHandler } from './replay.js';
import { ReportBuilder, type Report } from './report.js';
import { PR_COMMENT_LIMIT_CHARS, renderSummary, type SummaryExtras } from './summary.js';

export interface StageContext {
  io: ActionIO;
  env: Env;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** Queries Genesys Cloud and hands every page of rows on; returns the job or execution ids. */
export type UsageQuery = (
  config: Config,
  ctx: StageContext,
  onRows: RowsHandler,
) => Promise<{ queryIds: string[] }>;

export interface DataLakeInput {
  files: PartitionFile[];
  ndjsonDir: string;
  report: Report;
}

export interface DataLakeResult {
  s3Uris: string[];
  crawlerStatus: string;
  athenaQueryExecutionId: string;
  athenaResultsCsv: string;
  /** Markdown sections for the summary, escaped by their builders. */
  sections: string[];
}

export type DataLake = (config: Config, ctx: StageContext, input: DataLakeInput) => Promise<DataLakeResult>;

/** Creates or updates the sticky pull-request comment; does nothing off pull requests. */
export type PublishComment = (config: Config, ctx: StageContext, markdown: string) => Promise<void>;

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

  const ndjsonDir = path.join(
    config.outputDir,
    ...(config.s3?.prefix.split('/').filter(Boolean) ?? ['genesys-usage']),
  );
  await mkdir(config.outputDir, { recursive: true });
  const granularity = partitionGranularity(config.granularity);
  // On a replay the object name follows the API the rows came from, known at the first row.
  let writer: PartitionWriter | undefined;
  const writerFor = (api: Api) =>
    (writer ??= new PartitionWriter(
      ndjsonDir,
      granularity,
      objectName({ ...config, api }, config.interval?.end),
      config.compression,
    ));
  let dataApi: Api = config.api;
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
  const onRows: RowsHandler = async (rows, queryId) => {
    const ctx = queryId === context.queryId ? context : { ...context, queryId };
    for (const row of rows) {
      const record = normaliseRow(row, ctx);
      if (!writer) dataApi = record.api === 'legacy' ? 'legacy' : 'aggregates';
      builder.add(record);
      await writerFor(dataApi).write(record);
    }
  };

  let queryIds: string[] = [];
  let files: PartitionFile[];
  try {
    if (config.resultsFile) {
      const file = config.resultsFile;
      await io.group(`Replay ${file}`, async () => {
        const result = await replayResultsFile(file, onRows);
        io.info(`Read ${result.rows} rows from ${file}.`);
      });
    } else {
      queryIds = await io.group(
        'Query Genesys Cloud',
        async () => (await deps.queryUsage(config, deps, onRows)).queryIds,
      );
    }
  } finally {
    // Whatever arrived is kept on disk, even when the query failed half-way.
    files = writer ? await writer.close() : [];
  }

  await io.group('Write NDJSON', async () => {
    const records = files.reduce((sum, f) => sum + f.records, 0);
    io.info(`${records} records in ${files.length} partition file(s) under ${ndjsonDir}:`);
    for (const f of files) {
      const coverage = bucketCoverage(f.dt, config.granularity, config.interval);
      io.info(`  ${f.relativePath} (${f.records} records${coverage.complete ? '' : ', partial bucket'})`);
    }
  });

  const report = builder.build(
    {
      api: dataApi,
      interval: context.interval,
      granularity: config.granularity ?? 'total',
      queryId: queryIds.join(','),
      generatedAt: collectedAt,
    },
    config.top,
  );
  report.breaches = evaluateGate(report, builder.groupRows(), config.thresholds);

  // The data lake: a failure here still leaves the NDJSON, the report and the outputs in place.
  let lake: DataLakeResult = {
    s3Uris: [],
    crawlerStatus: 'SKIPPED',
    athenaQueryExecutionId: '',
    athenaResultsCsv: '',
    sections: [],
  };
  let lakeError: unknown;
  if (config.s3 || config.athena) {
    try {
      lake = await deps.dataLake(config, deps, { files, ndjsonDir, report });
    } catch (error) {
      lakeError = error;
      // What was done before the failure (uploads, the crawler's status) still goes into the outputs.
      if (error instanceof DataLakeError) lake = error.partial;
    }
  }

  const summaryPath = path.join(config.outputDir, 'summary.md');
  const reportPath = path.join(config.outputDir, 'report.json');
  await io.group('Report', async () => {
    const extras: SummaryExtras = {
      sections: lake.sections,
      files: [
        { label: 'NDJSON partitions', path: ndjsonDir },
        { label: 'Report (JSON)', path: reportPath },
        ...(lake.athenaResultsCsv ? [{ label: 'Athena results (CSV)', path: lake.athenaResultsCsv }] : []),
      ],
    };
    const markdown = renderSummary(report, extras);
    await writeFile(summaryPath, markdown);
    await writeFile(
      reportPath,
      JSON.stringify({ ...report, files: files.map((f) => ({ ...f })), s3Uris: lake.s3Uris }, null, 2) + '\n',
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

  const outputs: Record<string, string> = {
    'query-id': queryIds.join(','),
    records: String(report.records),
    'total-requests': String(report.totals.requests),
    'total-429': String(report.totals.status429),
    'rate-429': report.totals.rate429.toFixed(4),
    breached: String(report.breaches.length > 0),
    breaches: JSON.stringify(report.breaches),
    'ndjson-path': ndjsonDir,
    's3-uris': JSON.stringify(lake.s3Uris),
    'crawler-status': lake.crawlerStatus,
    'athena-query-execution-id': lake.athenaQueryExecutionId,
    'athena-results-csv': lake.athenaResultsCsv,
    'summary-path': summaryPath,
    'report-json': reportPath,
  };
  for (const [key, value] of Object.entries(outputs)) io.setOutput(key, value);

  if (lakeError) throw lakeError;

  await io.group('Gate', async () => {
    const t = config.thresholds;
    if (t.max429 === undefined && t.max429Rate === undefined && t.max429PerGroup === undefined) {
      io.info('No 429 thresholds set (max-429, max-429-rate, max-429-per-group): nothing to gate.');
      return;
    }
    if (!report.breaches.length) {
      io.info('No 429 threshold breached.');
      return;
    }
    const lines = report.breaches.map(describeBreach);
    if (config.failOnBreach) throw new UserError(lines.join('\n'));
    for (const line of lines) io.warning(line, '429 threshold breached');
  });
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
