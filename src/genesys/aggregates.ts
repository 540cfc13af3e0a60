/**
 * The aggregates API (`/api/v2/usage/aggregates/query/jobs`, or the client-scoped variant): submit a job,
 * poll it until it has finished, then read every page (pageSize 1000, following `nextUri`'s `after` cursor),
 * handing each page on as it arrives. Intervals over 90 days become several consecutive jobs.
 */
import type { Config, Granularity } from '../types.js';
import { formatDuration } from '../duration.js';
import { DAY_MS, genesysInterval, type Interval } from '../interval.js';
import type { RowsHandler } from '../replay.js';
import { describeJson, jsonBody, submitForId, type UsageEndpoints } from './client.js';
import { pollUntilFinal } from './poll.js';
import { genesysError, type RetryContext, serviceMessage, withRetry } from './retry.js';

import { endpointOf, FILTERS, MAX_JOB_DAYS, MAX_PAGE_SIZE as PAGE_SIZE } from './models.js';

/**
 * Consecutive whole-day intervals of at most 90 days (counted inclusively) covering `interval`, with no
 * gap and no overlap. Cuts fall on bucket boundaries, so no week or month is split across two jobs:
 * months at the 1st, weeks every 84 days from the start.
 */
export function splitInterval(interval: Interval, granularity?: Granularity): Interval[] {
  const chunks: Interval[] = [];
  let start = interval.start;
  while (start < interval.end) {
    const limit = new Date(start.getTime() + MAX_JOB_DAYS * DAY_MS);
    let cut = limit;
    if (granularity === 'Week') cut = new Date(start.getTime() + 84 * DAY_MS);
    if (granularity === 'Month') {
      const monthStart = new Date(Date.UTC(limit.getUTCFullYear(), limit.getUTCMonth(), 1));
      if (monthStart > start) cut = monthStart;
    }
    const end = cut < interval.end ? cut : interval.end;
    chunks.push({ start, end });
    start = end;
  }
  return chunks;
}

/**
 * The request's `interval`: Genesys documents both ends as inclusive, so every job ends on the last second
 * of its last day (`genesysInterval`), and the next job starts on the following day at 00:00Z.
 */
export function jobInterval(chunk: Interval): string {
  return genesysInterval(chunk);
}

function aggregatesBody(config: Config, interval: string): Record<string, unknown> {
  const body: Record<string, unknown> = { interval };
  if (config.granularity) body.granularity = config.granularity;
  if (config.groupBy.length) body.groupBy = config.groupBy.map((g) => g.apiName);
  if (config.metrics.length) body.metrics = [...config.metrics];
  // Only the filters this endpoint's request has (config.ts refuses the others before any call).
  const filters = config.filters as unknown as Record<string, string[] | undefined>;
  for (const field of Object.values(FILTERS[endpointOf(config.api, config.usageClientId)])) {
    const values = filters[field];
    if (values?.length) body[field] = [...values];
  }
  return body;
}

interface JobPage {
  queryStatus: string;
  errorBody?: unknown;
  nextUri?: string;
  entities: unknown[];
}

/** A JSON body (see `jsonBody`) as a job status or page; `what` names the call for the message. */
function jobPage(body: unknown, what: string): JobPage {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw genesysError(`${what} failed: the answer is not a job status (${describeJson(body)}).`);
  }
  const b = body as Record<string, unknown>;
  return {
    queryStatus: typeof b.queryStatus === 'string' ? b.queryStatus : 'Unknown',
    errorBody: b.errorBody,
    nextUri: typeof b.nextUri === 'string' && b.nextUri ? b.nextUri : undefined,
    entities: Array.isArray(b.entities) ? b.entities : [],
  };
}

/** The `after` cursor of a `nextUri` such as `/api/v2/usage/aggregates/query/jobs/ID?pageSize=1000&after=X`. */
export function cursorOf(nextUri: string): string | undefined {
  try {
    return new URL(nextUri, 'http://genesys.invalid').searchParams.get('after') || undefined;
  } catch {
    return undefined;
  }
}

export interface JobOptions {
  usage: UsageEndpoints;
  config: Config;
  interval: string;
  rc: RetryContext;
  onRows: RowsHandler;
  /** Called with the job id as soon as it is known, so a later failure can still name it. */
  onSubmitted: (jobId: string) => void;
}

/** Runs one job to the end; returns the number of rows handed on. */
export async function runAggregatesJob(options: JobOptions): Promise<number> {
  const { usage, config, rc, onRows } = options;
  const scoped = config.usageClientId;
  const body = aggregatesBody(config, options.interval);
  const jobId = await submitForId(
    'Submitting the usage job',
    'id',
    () =>
      scoped
        ? usage.postUsageClientClientIdAggregatesQueryJobs(scoped, body)
        : usage.postUsageAggregatesQueryJobs(body),
    rc,
  );
  options.onSubmitted(jobId);
  const since = rc.now().getTime();
  rc.io.info(`Job ${jobId}: submitted for ${options.interval}`);

  const jobPath = scoped
    ? `/api/v2/usage/client/${scoped}/aggregates/query/jobs/${jobId}`
    : `/api/v2/usage/aggregates/query/jobs/${jobId}`;
  // A body that is not JSON is retried like a 5xx (inside withRetry); one that is JSON but not an
  // object fails at once.
  const get = (what: string, after?: string) =>
    withRetry(
      what,
      async () =>
        jsonBody(
          await (scoped
            ? usage.getUsageClientClientIdAggregatesQueryJob(scoped, jobId, { pageSize: PAGE_SIZE, after })
            : usage.getUsageAggregatesQueryJob(jobId, { pageSize: PAGE_SIZE, after })),
        ),
      rc,
    ).then((body) => jobPage(body, what));

  let page = await pollUntilFinal(
    {
      label: `Job ${jobId}`,
      check: () => get(`Checking job ${jobId}`),
      statusOf: (p) => p.queryStatus,
      isFinal: (s) => ['succeeded', 'failed', 'cancelled'].includes(s.toLowerCase()),
      since,
      timeoutError: (last) =>
        genesysError(
          `Job ${jobId} did not finish within ${rc.deadlineName} (last status: ${last}). It may still finish: ` +
            `fetch its results later with GET ${jobPath}?pageSize=${PAGE_SIZE} using the same OAuth client, ` +
            `or run again with a longer query-timeout.`,
        ),
    },
    rc,
  );
  if (page.queryStatus.toLowerCase() !== 'succeeded') {
    const { message, code } = serviceMessage(page.errorBody);
    throw genesysError(
      `Job ${jobId} ${page.queryStatus.toLowerCase()} after ${formatDuration(rc.now().getTime() - since)}: ` +
        `${message ?? 'no reason given'}${code && code !== message ? ` (${code})` : ''}.`,
    );
  }

  let rows = 0;
  const cursors = new Set<string>();
  for (let n = 1; ; n++) {
    rows += page.entities.length;
    // Each page goes on before the next is read, so memory stays flat however many rows there are.
    if (page.entities.length) await onRows(page.entities, jobId);
    rc.io.info(
      `Job ${jobId}: page ${n}, ${page.entities.length} rows (${rows} so far)${page.nextUri ? '' : ', last page'}`,
    );
    if (!page.nextUri) return rows;
    const after = cursorOf(page.nextUri);
    if (!after) throw genesysError(`Job ${jobId}: nextUri '${page.nextUri}' holds no 'after' cursor.`);
    if (cursors.has(after)) throw genesysError(`Job ${jobId}: page ${n} points back to a page already read.`);
    cursors.add(after);
    page = await get(`Reading page ${n + 1} of job ${jobId}`, after);
  }
}
