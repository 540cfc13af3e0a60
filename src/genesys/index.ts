/**
 * The live Genesys Cloud query: one SDK client per run, client-credentials login, then the aggregates
 * jobs (split into ≤90-day jobs) or the legacy query. Pages of raw API rows go to `onRows` as they arrive.
 */
import type { Config, Organization } from '../types.js';
import { UserError } from '../errors.js';
import { describeDays } from '../interval.js';
import type { StageContext, UsageQuery } from '../stages.js';
import type { RowsHandler } from '../replay.js';
import { jobInterval, runAggregatesJob, splitInterval } from './aggregates.js';
import { connect } from './client.js';
import { runLegacyQuery } from './legacy.js';
import { readOrganization } from './organization.js';
import type { RetryContext } from './retry.js';

// The near-limit query shares this module's chunk: one copy of the Genesys client in the bundle.
export { queryRateLimitEvents } from './rate-limits.js';

export interface GenesysQueryOptions {
  /** Jitter source for poll and retry delays; tests pin it. */
  random?: () => number;
}

/**
 * A 401 after a successful login: the token the login just issued was refused. Not a hint for the
 * login itself, whose 401 means wrong credentials.
 */
const TOKEN_REFUSED_HINT = 'The token was refused mid-run: revoked, or the OAuth client deleted or disabled.';

/** The permission a 403 most likely means, per mode. */
function permissionHint(config: Config): string {
  if (config.api === 'legacy')
    return 'The OAuth client needs the oauth:client:view or the usage:organization:view permission for api: legacy.';
  if (config.usageClientId)
    return 'The OAuth client needs the usage:client:view permission for the client-scoped endpoint (usage-client-id).';
  return 'The OAuth client needs the usage:organization:view permission for api: aggregates.';
}

export function createGenesysUsageQuery(options: GenesysQueryOptions = {}): UsageQuery {
  return async (
    config: Config,
    ctx: StageContext,
    onRows: RowsHandler,
    submitted = (_id: string) => {},
    onOrganization = (_organization: Organization) => {},
  ) => {
    const interval = config.interval;
    if (!interval) throw new UserError("Input 'interval' is required to query Genesys Cloud.");
    const { io } = ctx;
    const {
      usage,
      organizations,
      rc: loginRc,
    } = await connect(config, ctx, { random: options.random, hints: { 403: permissionHint(config) } });
    io.info('Logged in.');
    const rc: RetryContext = { ...loginRc, hints: { ...loginRc.hints, 401: TOKEN_REFUSED_HINT } };
    // Before any row: every record of the run carries it, and the object names depend on it.
    const organization = await readOrganization(organizations, { ...rc, hints: { 401: TOKEN_REFUSED_HINT } });
    io.info(`Organisation: ${organization.name || '(no name)'} (${organization.id})`);
    onOrganization(organization);

    const queryIds: string[] = [];
    const onSubmitted = (id: string) => {
      queryIds.push(id);
      submitted(id);
    };
    let rows = 0;
    if (config.api === 'legacy') {
      rows = await runLegacyQuery({ usage, config, interval, rc, onRows, onSubmitted });
    } else {
      const chunks = splitInterval(interval, config.granularity);
      if (chunks.length > 1) {
        io.info(
          `${describeDays(interval)} is longer than the aggregates API's 90 days: ${chunks.length} jobs, one after the other.`,
        );
      }
      for (const chunk of chunks) {
        rows += await runAggregatesJob({
          usage,
          config,
          interval: jobInterval(chunk),
          rc,
          onRows,
          onSubmitted,
        });
      }
    }
    io.info(`${rows} rows from ${queryIds.length === 1 ? 'query' : 'queries'} ${queryIds.join(', ')}.`);
    return { queryIds, organization };
  };
}

export const queryGenesysUsage: UsageQuery = createGenesysUsageQuery();
