/**
 * The Glue stage: run the crawler and wait for it (Glue has no waiters), or, with `crawl: when-needed`
 * and a table that already fits the records, register the new partitions directly.
 */
import {
  BatchCreatePartitionCommand,
  GetCrawlerCommand,
  GetCrawlerMetricsCommand,
  GetTableCommand,
  ListCrawlsCommand,
  type Crawler,
  type GlueClient,
  type LastCrawlInfo,
  type PartitionInput,
  StartCrawlerCommand,
  type StorageDescriptor,
  type Table,
} from '@aws-sdk/client-glue';
import { formatDuration } from '../duration.js';
import { describeError, UserError } from '../errors.js';
import type { ActionIO } from '../io.js';
import type { PartitionFile } from '../partition-writer.js';
import { RECORD_FIELDS } from '../records.js';
import { awsCall, awsErrorName, awsFailure } from './errors.js';
import { type Clock, Poller } from './poll.js';

const PARTITION_KEYS = ['granularity', 'dt'] as const;
/** Our clock and AWS's may disagree a little; a crawl never starts less than a minute after the last one. */
const CLOCK_SKEW_MS = 60_000;
const FIRST_POLL_MS = 2000;
const MAX_POLL_MS = 15_000;
/** BatchCreatePartition takes at most 100 partitions per call. */
const PARTITION_BATCH = 100;
/** Table statistics the crawler keeps; they do not describe one partition. */
const TABLE_STATS = ['recordCount', 'averageRecordSize', 'sizeKey', 'objectCount'];

/** The crawl ended FAILED or CANCELLED: the message is the crawler's own, `status` is for the output. */
export class CrawlerFailedError extends UserError {
  constructor(
    message: string,
    readonly status: string,
  ) {
    super(message);
    this.name = 'CrawlerFailedError';
  }
}

export interface CrawlerMetrics {
  tablesCreated: number;
  tablesUpdated: number;
  tablesDeleted: number;
  /** How long the last crawl ran, as Glue measured it. */
  runtimeSeconds?: number;
}

export interface CrawlResult {
  status: 'SUCCEEDED';
  durationMs: number;
  metrics?: CrawlerMetrics;
  /** The DPU-hours Glue recorded for this crawl (ListCrawls), when it tells. */
  dpuHours?: number;
}

export interface GlueOptions {
  clock: Clock;
  io: ActionIO;
  timeoutMs: number;
}

/**
 * Whether the crawl that `GetCrawler` reports as the last one is ours: it started after the crawl
 * that was last before we started, and not before our start (within the clock skew).
 */
export function isOurCrawl(
  lastStart: Date | undefined,
  ourStart: Date,
  previousStart: Date | undefined,
): boolean {
  if (!lastStart) return false;
  if (previousStart && lastStart.getTime() <= previousStart.getTime()) return false;
  return lastStart.getTime() >= ourStart.getTime() - CLOCK_SKEW_MS;
}

/**
 * Glue errors that say nothing about the crawler itself (its state is unknown, not bad): a poll that
 * gets one, past the SDK's own retries, counts as a missed poll; a StartCrawler that gets one may or
 * may not have started the crawl.
 */
const TRANSIENT_GLUE_ERRORS: readonly string[] = [
  'OperationTimeoutException',
  'ThrottlingException',
  'InternalServiceException',
];
/** StartCrawler is tried again at most this often after transient errors that started no crawl. */
const START_RETRIES = 3;
/**
 * `CrawlElapsedTime` is a duration Glue measures, so no clock skew applies; this only absorbs rounding
 * and latency when judging whether a running crawl began at or after our StartCrawler.
 */
export const ELAPSED_SLACK_MS = 5000;

function isTransientGlueError(error: unknown): boolean {
  const name = awsErrorName(error);
  return name !== undefined && TRANSIENT_GLUE_ERRORS.includes(name);
}

/**
 * Whether `GetCrawler` (answered at `now`) shows a crawl that began at or after `since`, our first
 * StartCrawler attempt whose outcome we do not know: a running crawl whose `CrawlElapsedTime` reaches
 * back no further than `since`, or a finished one that `isOurCrawl`.
 */
export function crawlStartedSince(
  crawler: Pick<Crawler, 'State' | 'CrawlElapsedTime' | 'LastCrawl'>,
  since: Date,
  previousStart: Date | undefined,
  now: Date,
): boolean {
  if (crawler.State === 'RUNNING' || crawler.State === 'STOPPING') {
    const elapsed = crawler.CrawlElapsedTime;
    if (elapsed === undefined || !Number.isFinite(elapsed)) return false;
    return now.getTime() - elapsed >= since.getTime() - ELAPSED_SLACK_MS;
  }
  return crawler.State === 'READY' && isOurCrawl(crawler.LastCrawl?.StartTime, since, previousStart);
}

export async function runCrawler(glue: GlueClient, name: string, options: GlueOptions): Promise<CrawlResult> {
  const { io, clock } = options;
  const begin = clock.now().getTime();
  const poller = new Poller(clock, options.timeoutMs, FIRST_POLL_MS, MAX_POLL_MS);
  const limit = `crawler-timeout (${formatDuration(options.timeoutMs)})`;
  /** The last state GetCrawler showed, and why the last poll failed if it did. */
  let knownState: string | undefined;
  let missedPoll: string | undefined;
  const timeout = () =>
    new UserError(
      `Glue crawler ${name} did not finish within crawler-timeout (${formatDuration(options.timeoutMs)}; state ${knownState ?? 'unknown'})${missedPoll ? `, and the last poll failed: ${missedPoll}` : ''}. It goes on running in AWS; the uploaded objects are in place.`,
    );
  /** One GetCrawler; undefined when it failed transiently (a missed poll, logged). */
  const poll = async (): Promise<Crawler | undefined> => {
    try {
      const { Crawler: crawler } = await glue.send(new GetCrawlerCommand({ Name: name }));
      if (!crawler) throw new UserError(`Glue GetCrawler ${name} returned no crawler.`);
      missedPoll = undefined;
      knownState = crawler.State;
      return crawler;
    } catch (error) {
      const failure = awsFailure(`Glue GetCrawler ${name}`, error);
      if (!isTransientGlueError(error)) throw failure;
      missedPoll = failure.message.replace(/^.*? failed: /, '');
      io.info(`${failure.message}: a missed poll; polling on until ${limit}.`);
      return undefined;
    }
  };
  const waitUntilReady = async (): Promise<Crawler> => {
    let crawler = await poll();
    let told = false;
    while (crawler?.State !== 'READY') {
      if (crawler && !told) {
        io.info(`Crawler ${name} is ${crawler.State}: waiting for that crawl to end.`);
        told = true;
      }
      if (!(await poller.wait())) throw timeout();
      crawler = await poll();
    }
    return crawler;
  };

  let previousStart = (await waitUntilReady()).LastCrawl?.StartTime;
  /** When our crawl started at the earliest: the StartCrawler call that started it. */
  let ourStart: Date;
  /** The first StartCrawler attempt that failed transiently, since when a crawl may be ours. */
  let uncertainSince: Date | undefined;
  let transientFailures = 0;
  /** After a transient StartCrawler failure: whether GetCrawler shows a crawl of ours (then go on with it). */
  const startedAfterAll = async (since: Date): Promise<boolean> => {
    const crawler = await poll();
    if (!crawler || !crawlStartedSince(crawler, since, previousStart, clock.now())) return false;
    io.info(
      `Crawler ${name} is ${crawler.State} with a crawl begun since our StartCrawler: going on with it.`,
    );
    return true;
  };
  for (;;) {
    const attempt = clock.now();
    ourStart = uncertainSince ?? attempt;
    try {
      await glue.send(new StartCrawlerCommand({ Name: name }));
      io.info(`Started crawler ${name}.`);
      knownState = undefined;
      break;
    } catch (error) {
      if (awsErrorName(error) === 'CrawlerRunningException') {
        // Possibly our own crawl, from an attempt whose answer was lost.
        if (uncertainSince && (await startedAfterAll(uncertainSince))) break;
        io.info(
          `Crawler ${name} was started elsewhere just now: waiting for that crawl, then starting again.`,
        );
        knownState = 'RUNNING';
        if (!(await poller.wait())) throw timeout();
        previousStart = (await waitUntilReady()).LastCrawl?.StartTime;
        uncertainSince = undefined;
        continue;
      }
      const failure = awsFailure(`Glue StartCrawler ${name}`, error);
      if (!isTransientGlueError(error)) throw failure;
      uncertainSince ??= attempt;
      transientFailures++;
      io.info(`${failure.message}: checking with GetCrawler whether the crawl started.`);
      if (!(await poller.wait())) {
        throw awsFailure(
          `Glue StartCrawler ${name}`,
          error,
          `(${limit} passed before the crawl was seen to start)`,
        );
      }
      if (await startedAfterAll(uncertainSince)) break;
      if (transientFailures > START_RETRIES) {
        throw awsFailure(
          `Glue StartCrawler ${name}`,
          error,
          `(${transientFailures} attempts; GetCrawler showed no crawl started)`,
        );
      }
      io.info(
        `No crawl started: starting crawler ${name} again (retry ${transientFailures} of ${START_RETRIES}).`,
      );
    }
  }

  poller.reset();
  let last: LastCrawlInfo | undefined;
  let lastState: string | undefined;
  for (;;) {
    const crawler = await poll();
    if (crawler && crawler.State !== lastState) io.info(`Crawler ${name}: ${(lastState = crawler.State)}`);
    if (crawler?.State === 'READY' && isOurCrawl(crawler.LastCrawl?.StartTime, ourStart, previousStart)) {
      last = crawler.LastCrawl;
      break;
    }
    if (!(await poller.wait())) throw timeout();
  }
  if (last?.Status !== 'SUCCEEDED') {
    const logs =
      last?.LogGroup || last?.LogStream
        ? ` (CloudWatch Logs: group ${last.LogGroup ?? '?'}, stream ${last.LogStream ?? '?'})`
        : '';
    throw new CrawlerFailedError(
      `Glue crawler ${name} ${last?.Status ?? 'ended without a status'}: ${last?.ErrorMessage ?? 'no error message'}${logs}. The uploaded objects are in place.`,
      last?.Status ?? 'FAILED',
    );
  }
  const durationMs = clock.now().getTime() - begin;
  io.info(`Crawler ${name} SUCCEEDED after ${formatDuration(durationMs)}.`);
  const dpuHours = last.StartTime ? await crawlDpuHours(glue, name, last.StartTime, io) : undefined;
  return {
    status: 'SUCCEEDED',
    durationMs,
    metrics: await crawlerMetrics(glue, name, io),
    ...(dpuHours !== undefined ? { dpuHours } : {}),
  };
}

/**
 * The DPU-hours Glue recorded for the crawl that started at `start` (ListCrawls), for the cost line.
 * Glue may fill them in only later; a failure or no figure only costs that detail.
 */
async function crawlDpuHours(
  glue: GlueClient,
  name: string,
  start: Date,
  io: ActionIO,
): Promise<number | undefined> {
  try {
    const { Crawls: crawls = [] } = await glue.send(
      new ListCrawlsCommand({ CrawlerName: name, MaxResults: 10 }),
    );
    const ours = crawls.find(
      (c) => c.StartTime && Math.abs(c.StartTime.getTime() - start.getTime()) <= ELAPSED_SLACK_MS,
    );
    const hours = ours?.DPUHour;
    return typeof hours === 'number' && Number.isFinite(hours) && hours >= 0 ? hours : undefined;
  } catch (error) {
    io.info(`Could not read the crawl's DPU-hours (ListCrawls): ${describeError(error)}`);
    return undefined;
  }
}

/** Tables created/updated for the summary; a failure here only costs that line. */
async function crawlerMetrics(
  glue: GlueClient,
  name: string,
  io: ActionIO,
): Promise<CrawlerMetrics | undefined> {
  try {
    const { CrawlerMetricsList: list } = await glue.send(
      new GetCrawlerMetricsCommand({ CrawlerNameList: [name] }),
    );
    const m = list?.find((x) => x.CrawlerName === name) ?? list?.[0];
    if (!m) return undefined;
    return {
      tablesCreated: m.TablesCreated ?? 0,
      tablesUpdated: m.TablesUpdated ?? 0,
      tablesDeleted: m.TablesDeleted ?? 0,
      ...(typeof m.LastRuntimeSeconds === 'number' ? { runtimeSeconds: m.LastRuntimeSeconds } : {}),
    };
  } catch (error) {
    io.warning(`Could not read the crawler's metrics (GetCrawlerMetrics): ${describeError(error)}`);
    return undefined;
  }
}

/** `s3://bucket/prefix/`: the table's location, with a trailing slash. */
export function tableLocation(bucket: string, prefix: string): string {
  return `s3://${bucket}/${prefix ? `${prefix}/` : ''}`;
}

const trimSlash = (s: string) => s.replace(/\/+$/, '');

/** Whether the table can take our partitions as they are; if not, why the crawler must run. */
export function tableFits(
  table: Table | undefined,
  location: string,
): { fits: true } | { fits: false; reason: string } {
  if (!table) return { fits: false, reason: 'the table does not exist yet' };
  const keys = (table.PartitionKeys ?? []).map((k) => (k.Name ?? '').toLowerCase());
  if (keys.join(',') !== PARTITION_KEYS.join(',')) {
    return {
      fits: false,
      reason: `the table's partition keys are (${keys.join(', ')}), not (${PARTITION_KEYS.join(', ')})`,
    };
  }
  const sd = table.StorageDescriptor;
  if (!sd) return { fits: false, reason: 'the table has no storage descriptor' };
  const have = new Set((sd.Columns ?? []).map((c) => (c.Name ?? '').toLowerCase()));
  const missing = RECORD_FIELDS.map((f) => f.toLowerCase()).filter((f) => !have.has(f));
  if (missing.length) return { fits: false, reason: `the table lacks the columns ${missing.join(', ')}` };
  if (trimSlash(sd.Location ?? '') !== trimSlash(location)) {
    return { fits: false, reason: `the table's location ${sd.Location ?? '(none)'} is not ${location}` };
  }
  return { fits: true };
}

/** Whether Athena projects the table's partitions (`projection.enabled`): then nothing needs registering. */
export function isProjected(table: Table | undefined): boolean {
  return Object.entries(table?.Parameters ?? {}).some(
    ([key, value]) => key.toLowerCase() === 'projection.enabled' && value.trim().toLowerCase() === 'true',
  );
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * Whether a projected table shows Athena this run's partitions: partitioned by (granularity, dt), its
 * location template (or, without one, its location) where the run wrote, each granularity among the
 * projected values and each date in a fixed date range. A `NOW`-relative range end is taken as covering.
 */
export function projectionFits(
  table: Table,
  location: string,
  files: PartitionFile[],
): { fits: true } | { fits: false; reason: string } {
  const keys = (table.PartitionKeys ?? []).map((k) => (k.Name ?? '').toLowerCase());
  if (keys.join(',') !== PARTITION_KEYS.join(',')) {
    return {
      fits: false,
      reason: `its partition keys are (${keys.join(', ')}), not (${PARTITION_KEYS.join(', ')})`,
    };
  }
  const p = Object.fromEntries(Object.entries(table.Parameters ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const template = p['storage.location.template'];
  const expected = `${trimSlash(location)}/granularity=\${granularity}/dt=\${dt}`;
  if (
    template !== undefined
      ? trimSlash(template) !== expected
      : trimSlash(table.StorageDescriptor?.Location ?? '') !== trimSlash(location)
  ) {
    return {
      fits: false,
      reason: `it projects partitions at ${template ?? table.StorageDescriptor?.Location ?? '(no location)'}, not at ${expected}/`,
    };
  }
  if (p['projection.granularity.type']?.trim().toLowerCase() === 'enum') {
    // Athena takes any white space as part of an enum value: ' week' is not 'week'.
    const values = (p['projection.granularity.values'] ?? '').split(',');
    const missing = [...new Set(files.map((f) => f.granularity))].filter((g) => !values.includes(g));
    if (missing.length) {
      return {
        fits: false,
        reason: `its projected granularity values (${values.join(',')}) lack ${missing.join(', ')}`,
      };
    }
  }
  if (p['projection.dt.type']?.trim().toLowerCase() === 'date') {
    const [from = '', to = ''] = (p['projection.dt.range'] ?? '').split(',').map((v) => v.trim());
    const outside = files
      .map((f) => f.dt)
      .filter((dt) => (DATE_ONLY.test(from) && dt < from) || (DATE_ONLY.test(to) && dt > to));
    if (outside.length) {
      return {
        fits: false,
        reason: `its projected dt range (${from},${to}) does not hold ${outside.sort()[0]}`,
      };
    }
  }
  return { fits: true };
}

/** One partition per (granularity, dt), described like the table (its format, SerDe, columns). */
export function partitionInputs(
  sd: StorageDescriptor,
  location: string,
  files: PartitionFile[],
): PartitionInput[] {
  const base = trimSlash(location);
  const parameters = Object.fromEntries(
    Object.entries(sd.Parameters ?? {}).filter(([key]) => !TABLE_STATS.includes(key)),
  );
  const seen = new Set<string>();
  const inputs: PartitionInput[] = [];
  for (const file of files) {
    const id = `${file.granularity}/${file.dt}`;
    if (seen.has(id)) continue;
    seen.add(id);
    inputs.push({
      Values: [file.granularity, file.dt],
      StorageDescriptor: {
        ...sd,
        Parameters: parameters,
        Location: `${base}/granularity=${file.granularity}/dt=${file.dt}/`,
      },
    });
  }
  return inputs;
}

/** The table, or undefined when it (or its database) does not exist. */
export async function getTable(
  glue: GlueClient,
  database: string,
  table: string,
  /** Appended to a failure: what it means for the run. */
  hint?: string,
): Promise<Table | undefined> {
  try {
    return (await glue.send(new GetTableCommand({ DatabaseName: database, Name: table }))).Table;
  } catch (error) {
    if (awsErrorName(error) === 'EntityNotFoundException') return undefined;
    throw awsFailure(`Glue GetTable ${database}.${table}`, error, hint);
  }
}

export interface RegisterResult {
  created: number;
  existed: number;
}

/** BatchCreatePartition in batches; partitions that exist already are fine, any other error is not. */
export async function registerPartitions(
  glue: GlueClient,
  database: string,
  table: string,
  inputs: PartitionInput[],
  /** Appended to a failure: what it means for the run. */
  hint?: string,
): Promise<RegisterResult> {
  const result: RegisterResult = { created: 0, existed: 0 };
  for (let i = 0; i < inputs.length; i += PARTITION_BATCH) {
    const batch = inputs.slice(i, i + PARTITION_BATCH);
    const { Errors: errors = [] } = await awsCall(
      `Glue BatchCreatePartition on ${database}.${table}`,
      () =>
        glue.send(
          new BatchCreatePartitionCommand({
            DatabaseName: database,
            TableName: table,
            PartitionInputList: batch,
          }),
        ),
      hint,
    );
    const existed = errors.filter((e) => e.ErrorDetail?.ErrorCode === 'AlreadyExistsException').length;
    const failed = errors.find((e) => e.ErrorDetail?.ErrorCode !== 'AlreadyExistsException');
    if (failed) {
      const values = (failed.PartitionValues ?? []).map((v, k) => `${PARTITION_KEYS[k] ?? k}=${v}`).join('/');
      throw new UserError(
        `Glue BatchCreatePartition on ${database}.${table} failed for ${values}: ${failed.ErrorDetail?.ErrorCode ?? 'error'}: ${failed.ErrorDetail?.ErrorMessage ?? 'no message'}${hint ? ` ${hint}` : ''}`,
      );
    }
    result.existed += existed;
    result.created += batch.length - existed;
  }
  return result;
}
