/**
 * The data lake stages, after the NDJSON is on disk: upload to S3, Glue (crawl or register
 * partitions), Athena. Each stage is logged in its own group; a failure throws a DataLakeError with
 * AWS's own message (or, for a bug, the stage it happened in) and what was done before it, and leaves
 * the local files and the uploaded objects in place.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import type { Api, Config } from '../types.js';
import { describeError, UserError } from '../errors.js';
import { addDuration, bucketLength, DAY_MS, formatDate, type Interval } from '../interval.js';
import { bucketBounds, partitionGranularity } from '../layout.js';
import {
  type DataLake,
  type DataLakeInput,
  DataLakeError,
  type DataLakeResult,
  type StageContext,
} from '../stages.js';
import type { PartitionFile } from '../partition-writer.js';
import { clientRequestToken, runAthenaQuery } from './athena.js';
import { type AwsClients, createAwsClients, destroyAwsClients } from './clients.js';
import {
  CrawlerFailedError,
  getTable,
  isProjected,
  partitionInputs,
  projectionFits,
  registerPartitions,
  runCrawler,
  tableFits,
  tableLocation,
} from './glue.js';
import { uploadPartitions } from './s3-upload.js';
import { athenaSection, type GlueSummary, glueSection, s3Section } from './sections.js';
import { builtInQuery, queryValues, renderQuery } from './sql.js';

export {
  AWS_ACTIONS_USED,
  ATHENA_QUERY_PERMISSIONS,
  KMS_PERMISSIONS,
  LAKE_FORMATION_PERMISSIONS,
} from './permissions.js';

export { DataLakeError };

const ATHENA_RESULTS_FILE = 'athena-results.csv';
/** Why the step fails rather than query a table that cannot show this run's partitions. */
const STALE_ADVICE =
  "without a crawler, this run's partitions must be registered before the query, or it would answer from stale data: deploy the table of infra/template.yaml (partition projection), let the role register partitions (glue:GetTable, glue:BatchCreatePartition), or set glue-crawler";
/** Rows of the Athena result shown in the summary (all of them go to the CSV). */
const MAX_PREVIEW_ROWS = 50;

/** The interval the data covers, when the run had none (a replay): from the first to the last bucket. */
export function dataInterval(
  files: PartitionFile[],
  granularity: Config['granularity'],
): Interval | undefined {
  const dates = files.map((f) => f.dt).sort();
  const first = dates[0];
  const last = dates[dates.length - 1];
  if (!first || !last) return undefined;
  return { start: new Date(`${first}T00:00:00Z`), end: bucketBounds(last, granularity).end };
}

/**
 * The first and last bucket date (`dt`) of the run: from the partitions written, or, when the run
 * wrote none, every bucket date that can hold part of the interval (a bucket starts at most one
 * bucket length before the interval does).
 */
export function partitionDates(
  files: PartitionFile[],
  granularity: Config['granularity'],
  interval: Interval,
): { first: string; last: string } {
  const dates = files.map((f) => f.dt).sort();
  const first = dates[0];
  const last = dates[dates.length - 1];
  if (first && last) return { first, last };
  if (!granularity) return { first: formatDate(interval.start), last: formatDate(interval.start) };
  const earliest = new Date(addDuration(interval.start, bucketLength(granularity), -1).getTime() + DAY_MS);
  const lastDay = new Date(Math.max(interval.start.getTime(), interval.end.getTime() - 1));
  return { first: formatDate(earliest), last: formatDate(lastDay) };
}

/** Where the data lake was when something failed: for the failure line of an unexpected error. */
type Stage = 'AWS client setup' | 'S3 upload' | 'Glue' | 'Athena';

/**
 * The data lake over the given clients; `runDataLake` makes them from the config and the environment.
 * Every failure is a DataLakeError carrying what was done before it (the objects written, the
 * crawler's status, the Athena execution id), so the outputs still report it.
 */
export function createDataLake(makeClients?: (config: Config) => AwsClients): DataLake {
  return async (config, ctx, input) => {
    const result: DataLakeResult = {
      s3Uris: [],
      crawlerStatus: 'SKIPPED',
      athenaQueryExecutionId: '',
      athenaResultsCsv: '',
      sections: [],
    };
    const progress: { stage: Stage } = { stage: 'AWS client setup' };
    let clients: AwsClients | undefined;
    try {
      clients = (makeClients ?? createAwsClients)(config);
      await stages(clients, config, ctx, input, result, progress);
      return result;
    } catch (error) {
      if (error instanceof UserError) throw new DataLakeError(error.message, result);
      // A bug, not the user's to fix: the stack goes to the debug log, the outputs still get `result`.
      const stack = (error as { stack?: unknown } | undefined)?.stack;
      if (typeof stack === 'string') ctx.io.debug(stack);
      throw new DataLakeError(
        `Unexpected error in the ${progress.stage} stage: ${describeError(error)}`,
        result,
      );
    } finally {
      if (clients && !makeClients) destroyAwsClients(clients);
    }
  };
}

export const runDataLake: DataLake = createDataLake();

async function stages(
  clients: AwsClients,
  config: Config,
  ctx: StageContext,
  input: DataLakeInput,
  result: DataLakeResult,
  progress: { stage: Stage },
): Promise<void> {
  const { io } = ctx;
  const clock = { now: ctx.now, sleep: ctx.sleep };

  if (config.s3) {
    progress.stage = 'S3 upload';
    const s3 = config.s3;
    // One table's partitions under its prefix, with the partial-bucket rule; s3-uris lists each object as
    // it is written (so a failure later still names them), then all of them in partition order.
    const uploadTable = async (group: string, prefix: string, files: PartitionFile[]) => {
      const before = [...result.s3Uris];
      const done = await io.group(group, () =>
        uploadPartitions(clients.s3, { ...s3, prefix }, files, {
          granularity: config.granularity,
          interval: config.interval,
          io,
          onResult: (upload) => {
            if (upload.uploaded) result.s3Uris.push(upload.uri);
          },
        }),
      );
      result.s3Uris = [...before, ...done.filter((u) => u.uploaded).map((u) => u.uri)];
      result.sections.push(s3Section(s3.bucket, prefix, done));
    };
    await uploadTable('Upload to S3', s3.prefix, input.files);
    // Other tables (the near-limit events): the same upload and partial-bucket rule, their own prefix.
    for (const extra of input.extraUploads ?? []) {
      await uploadTable(`Upload to S3: ${extra.label}`, extra.prefix, extra.files);
    }
  }

  // The catalog must show Athena this run's partitions before the query, or it answers from stale data:
  // a crawler, a table with partition projection, or partitions registered here.
  if (config.s3 && (config.glue || config.athena)) {
    progress.stage = 'Glue';
    const s3 = config.s3;
    const crawler = config.glue?.crawler;
    const glueStage = async (): Promise<GlueSummary> => {
      let why: string | undefined;
      const athena = config.athena;
      if (config.glue?.crawl !== 'always' && athena) {
        const location = tableLocation(s3.bucket, s3.prefix);
        const { database, table: name } = athena;
        const staleHint = crawler ? undefined : `(${STALE_ADVICE})`;
        const table = await getTable(clients.glue, database, name, staleHint);
        if (table && isProjected(table)) {
          const verdict = projectionFits(table, location, input.files);
          if (!verdict.fits) {
            throw new UserError(
              `Glue table ${database}.${name} uses partition projection, but ${verdict.reason}: Athena would not see this run's data. Fix the table's projection properties (see infra/template.yaml).`,
            );
          }
          io.info(
            `Table ${database}.${name} uses partition projection: Athena finds this run's partitions itself; nothing to register${crawler ? ', and the crawler does not need to run' : ''}.`,
          );
          return { kind: 'projected', database, table: name };
        }
        const verdict = tableFits(table, location);
        if (verdict.fits && table?.StorageDescriptor) {
          const inputs = partitionInputs(table.StorageDescriptor, location, input.files);
          const registered = await registerPartitions(clients.glue, database, name, inputs, staleHint);
          io.info(
            `Table ${database}.${name} has every column: registered ${registered.created} partition(s), ${registered.existed} existed already${crawler ? '; the crawler does not need to run' : ''}.`,
          );
          return { kind: 'registered', database, table: name, ...registered };
        }
        why = verdict.fits ? 'the table has no storage descriptor' : verdict.reason;
        if (!crawler) {
          throw new UserError(`Glue table ${database}.${name}: ${why}; ${STALE_ADVICE}.`);
        }
        io.info(`Running the crawler: ${why}.`);
      } else if (!crawler) {
        // Unreachable: without a crawler, athena is set; kept for the type checker.
        throw new Error('no crawler and no table to look at');
      } else if (config.glue?.crawl === 'when-needed') {
        why = 'athena-database is not set, so the table cannot be looked up (crawl: when-needed)';
        io.info(`Running the crawler: ${why}.`);
      }
      const crawled = await runCrawler(clients.glue, crawler, {
        clock,
        io,
        timeoutMs: config.crawlerTimeoutMs,
      });
      return {
        kind: 'crawled',
        crawler,
        durationMs: crawled.durationMs,
        metrics: crawled.metrics,
        dpuHours: crawled.dpuHours,
        why,
      };
    };
    const summary = await io
      .group(crawler ? 'Glue crawler' : 'Glue Data Catalog', glueStage)
      .catch((error: unknown) => {
        // Any failure of the stage (an AWS error, crawler-timeout, the crawl's own, partitions that could
        // not be registered): never SKIPPED. A crawl that ended CANCELLED says so; all else is FAILED.
        result.crawlerStatus =
          error instanceof CrawlerFailedError && error.status === 'CANCELLED' ? 'CANCELLED' : 'FAILED';
        throw error;
      });
    result.crawlerStatus =
      summary.kind === 'registered'
        ? 'PARTITIONS_REGISTERED'
        : summary.kind === 'projected'
          ? 'PROJECTED'
          : 'SUCCEEDED';
    result.sections.push(glueSection(summary));
  }

  if (config.athena) {
    progress.stage = 'Athena';
    const athena = config.athena;
    const interval =
      config.interval ??
      dataInterval(input.files, config.granularity) ??
      ({ start: ctx.now(), end: ctx.now() } satisfies Interval);
    const template =
      athena.query ??
      builtInQuery({
        granularity: partitionGranularity(config.granularity),
        api: (input.report.api === 'legacy' ? 'legacy' : 'aggregates') satisfies Api,
        byInterval: Boolean(config.interval),
        dt: partitionDates(input.files, config.granularity, interval),
      });
    const sql = renderQuery(template, queryValues(athena.database, athena.table, interval, config.top));
    const csvPath = path.join(config.outputDir, ATHENA_RESULTS_FILE);
    const outcome = await io.group('Athena', () =>
      runAthenaQuery(clients.athena, athena, sql, {
        clock,
        io,
        timeoutMs: config.athenaTimeoutMs,
        clientRequestToken: clientRequestToken(ctx.env, sql, randomUUID()),
        csvPath,
        previewRows: Math.min(config.top, MAX_PREVIEW_ROWS),
        // Known from here on, so any failure after the start (even a bug) still names the query.
        onStarted: (id) => (result.athenaQueryExecutionId = id),
      }),
    );
    result.athenaQueryExecutionId = outcome.queryExecutionId;
    result.athenaResultsCsv = outcome.csvPath;
    result.sections.push(athenaSection(outcome, sql));
  }
}
