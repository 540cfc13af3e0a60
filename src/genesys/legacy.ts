/**
 * The legacy usage API (`POST /api/v2/usage/query`, announced for deprecation): submit, then poll the
 * results until `Complete` (all rows in one answer, no paging) or `Failed`.
 */
import type { Config } from '../types.js';
import { genesysInterval, type Interval } from '../interval.js';
import type { RowsHandler } from '../replay.js';
import { describeJson, jsonBody, submitForId, type UsageEndpoints } from './client.js';
import { pollUntilFinal } from './poll.js';
import { genesysError, type RetryContext, serviceMessage, withRetry } from './retry.js';

function legacyBody(config: Config, interval: Interval): Record<string, unknown> {
  const body: Record<string, unknown> = { interval: genesysInterval(interval) };
  if (config.granularity) body.granularity = config.granularity;
  if (config.groupBy.length) body.groupBy = config.groupBy.map((g) => g.apiName);
  if (config.metrics.length) body.metrics = [...config.metrics];
  return body;
}

interface LegacyResult {
  queryStatus: string;
  results: unknown[];
  raw: Record<string, unknown>;
}

/** A JSON body (see `jsonBody`) as a query result; `what` names the call for the message. */
function legacyResult(body: unknown, what: string): LegacyResult {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw genesysError(`${what} failed: the answer is not a query result (${describeJson(body)}).`);
  }
  const b = body as Record<string, unknown>;
  return {
    queryStatus: typeof b.queryStatus === 'string' ? b.queryStatus : 'Unknown',
    results: Array.isArray(b.results) ? b.results : [],
    raw: b,
  };
}

export interface LegacyOptions {
  usage: UsageEndpoints;
  config: Config;
  interval: Interval;
  rc: RetryContext;
  onRows: RowsHandler;
  onSubmitted: (executionId: string) => void;
}

export async function runLegacyQuery(options: LegacyOptions): Promise<number> {
  const { usage, rc } = options;
  const body = legacyBody(options.config, options.interval);
  const executionId = await submitForId(
    'Submitting the usage query',
    'executionId',
    () => usage.postUsageQuery(body),
    rc,
  );
  options.onSubmitted(executionId);
  const since = rc.now().getTime();
  rc.io.info(`Query ${executionId}: submitted for ${body.interval as string}`);

  const what = `Checking query ${executionId}`;
  const result = await pollUntilFinal(
    {
      label: `Query ${executionId}`,
      // A body that is not JSON (cut off) is retried like a 5xx, inside withRetry.
      check: () =>
        withRetry(
          what,
          async () => jsonBody(await usage.getUsageQueryExecutionIdResults(executionId)),
          rc,
        ).then((body) => legacyResult(body, what)),
      statusOf: (r) => r.queryStatus,
      isFinal: (s) => ['complete', 'failed'].includes(s.toLowerCase()),
      since,
      timeoutError: (last) =>
        genesysError(
          `Usage query ${executionId} did not finish within ${rc.deadlineName} (last status: ${last}). Fetch its ` +
            `results later with GET /api/v2/usage/query/${executionId}/results using the same OAuth client, or run ` +
            `again with a longer query-timeout.`,
        ),
    },
    rc,
  );
  if (result.queryStatus.toLowerCase() !== 'complete') {
    const { message } = serviceMessage(result.raw.errorBody ?? result.raw);
    throw genesysError(
      `Usage query ${executionId} failed: ${message && message !== result.queryStatus ? message : 'no reason given'}.`,
    );
  }
  if (result.results.length) await options.onRows(result.results, executionId);
  rc.io.info(`Query ${executionId}: ${result.results.length} rows`);
  return result.results.length;
}
