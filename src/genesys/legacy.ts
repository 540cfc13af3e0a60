/**
 * The legacy usage API (`POST /api/v2/usage/query`, announced for deprecation): submit, then poll the
 * results until `Complete` (all rows in one answer, no paging) or `Failed`.
 */
import type { Config } from '../config.js';
import { UserError } from '../errors.js';
import { formatInterval, type Interval } from '../interval.js';
import type { RowsHandler } from '../replay.js';
import { bodyOf, type UsageEndpoints } from './client.js';
import { pollUntilFinal } from './poll.js';
import { type RetryContext, serviceMessage, withRetry } from './retry.js';

export function legacyBody(config: Config, interval: Interval): Record<string, unknown> {
  const body: Record<string, unknown> = { interval: formatInterval(interval) };
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

function legacyResult(response: unknown, executionId: string): LegacyResult {
  const body = bodyOf(response);
  if (typeof body !== 'object' || body === null) {
    throw new UserError(
      `Usage query ${executionId}: Genesys Cloud answered with something that is not a result.`,
    );
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
  const submitted = bodyOf(
    await withRetry('Submitting the usage query', () => usage.postUsageQuery(body), rc),
  );
  const executionId = (submitted as { executionId?: unknown } | undefined)?.executionId;
  if (typeof executionId !== 'string' || !executionId) {
    throw new UserError('Submitting the usage query: Genesys Cloud answered without an execution id.');
  }
  options.onSubmitted(executionId);
  const since = rc.now().getTime();
  rc.io.info(`Query ${executionId}: submitted for ${body.interval as string}`);

  const result = await pollUntilFinal(
    {
      label: `Query ${executionId}`,
      check: () =>
        withRetry(
          `Checking query ${executionId}`,
          () => usage.getUsageQueryExecutionIdResults(executionId),
          rc,
        ).then((response) => legacyResult(response, executionId)),
      statusOf: (r) => r.queryStatus,
      isFinal: (s) => ['complete', 'failed'].includes(s.toLowerCase()),
      since,
      timeoutError: (last) =>
        new UserError(
          `Usage query ${executionId} did not finish within ${rc.deadlineName} (last status: ${last}). Fetch its ` +
            `results later with GET /api/v2/usage/query/${executionId}/results using the same OAuth client, or run ` +
            `again with a longer query-timeout.`,
        ),
    },
    rc,
  );
  if (result.queryStatus.toLowerCase() !== 'complete') {
    const { message } = serviceMessage(result.raw.errorBody ?? result.raw);
    throw new UserError(
      `Usage query ${executionId} failed: ${message && message !== result.queryStatus ? message : 'Genesys Cloud gave no reason'}.`,
    );
  }
  if (result.results.length) await options.onRows(result.results, executionId);
  rc.io.info(`Query ${executionId}: ${result.results.length} rows`);
  return result.results.length;
}
