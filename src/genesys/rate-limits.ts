/**
 * The near-limit events query: `POST /api/v2/analytics/ratelimits/aggregates/query` through the SDK's
 * `AnalyticsApi.postAnalyticsRatelimitsAggregatesQuery`, one synchronous answer (no job to poll), with
 * the same client setup, login and retry/429 handling as the usage query. A 403 is handed back as
 * `forbidden`, so the run can go on with a warning when no threshold depends on the events.
 */
import platformClient from 'purecloud-platform-client-v2';
import { RATE_LIMIT_PERMISSION } from '../rate-limit-events.js';
import type { RateLimitEventsQuery } from '../stages.js';
import { connect, jsonBody } from './client.js';
import { GenesysRequestError, withRetry } from './retry.js';

/** The one call used; with extended responses it resolves `{status, headers, body}`. */
interface RateLimitEndpoint {
  postAnalyticsRatelimitsAggregatesQuery(body: object): Promise<unknown>;
}

export interface RateLimitQueryOptions {
  /** Jitter source for retry delays; tests pin it. */
  random?: () => number;
}

export function createRateLimitEventsQuery(options: RateLimitQueryOptions = {}): RateLimitEventsQuery {
  return async (config, ctx, body) => {
    const { io } = ctx;
    const { client, rc } = await connect(config, ctx, { random: options.random });
    const analytics = new platformClient.AnalyticsApi(client) as unknown as RateLimitEndpoint;
    io.info(`Querying the near-limit events for ${String(body.interval)}`);
    try {
      const answer = await withRetry(
        'Querying the near-limit events',
        async () => jsonBody(await analytics.postAnalyticsRatelimitsAggregatesQuery(body)),
        rc,
      );
      return { kind: 'answered', body: answer };
    } catch (error) {
      if (error instanceof GenesysRequestError && error.failure.status === 403) {
        return {
          kind: 'forbidden',
          message: `Genesys Cloud refused the near-limit events (HTTP 403): the OAuth client needs the ${RATE_LIMIT_PERMISSION} permission.`,
        };
      }
      throw error;
    }
  };
}

export const queryRateLimitEvents: RateLimitEventsQuery = createRateLimitEventsQuery();
