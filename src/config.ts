/**
 * Reads and validates every input into one typed config before any network call.
 * A bad value throws a UserError whose message names the input, the value and what is accepted.
 */
import path from 'node:path';
import { checkIdentifiers, PLACEHOLDERS, unknownPlaceholders } from './aws/sql.js';
import { parseDurationMs } from './duration.js';
import { inputError, UserError } from './errors.js';
import { previousWindow } from './compare.js';
import {
  describeDays,
  formatDate,
  formatInterval,
  type Interval,
  INTERVAL_ACCEPTED,
  isInterval,
  oneYearBefore,
  parseInterval,
  startOfToday,
} from './interval.js';
import {
  type Endpoint,
  endpointName,
  endpointOf,
  FILTER_INPUTS,
  FILTERS,
  GRANULARITIES,
  GROUP_BY,
  HTTP_METHODS,
  METRICS,
} from './genesys/models.js';
import type {
  Api,
  Config,
  Env,
  Environment,
  Filters,
  GroupBy,
  GroupField,
  InputReader,
  Metric,
  Thresholds,
} from './types.js';

/** Regions the Genesys SDK knows (`setEnvironment`). */
const KNOWN_REGIONS = [
  'mypurecloud.com',
  'mypurecloud.ie',
  'mypurecloud.com.au',
  'mypurecloud.jp',
  'mypurecloud.de',
  'usw2.pure.cloud',
  'cac1.pure.cloud',
  'apne2.pure.cloud',
  'euw2.pure.cloud',
  'aps1.pure.cloud',
  'sae1.pure.cloud',
  'mec1.pure.cloud',
  'apne3.pure.cloud',
  'euc2.pure.cloud',
  'mxc1.pure.cloud',
  'apse1.pure.cloud',
  'use2.us-gov-pure.cloud',
  'edee1.eusc-pure.cloud',
];

/** Every spelling accepted, lower-cased, to the field it means. */
const GROUP_BY_SPELLINGS: Record<string, GroupField> = {
  oauthclientid: 'clientId',
  clientid: 'clientId',
  oauthclientname: 'clientName',
  clientname: 'clientName',
  organizationid: 'organizationId',
  userid: 'userId',
  templateuri: 'templateUri',
  httpmethod: 'httpMethod',
  platform: 'platform',
};

export const DEFAULTS = {
  environment: 'mypurecloud.com',
  api: 'aggregates',
  's3-prefix': 'genesys-usage',
  compression: 'gzip',
  's3-force-path-style': 'false',
  crawl: 'always',
  'athena-workgroup': 'primary',
  'athena-catalog': 'AwsDataCatalog',
  'fail-on-breach': 'true',
  top: '10',
  summary: 'true',
  'pr-comment': 'true',
  'query-timeout': '15m',
  'crawler-timeout': '15m',
  'athena-timeout': '10m',
  'rate-limit-events': 'false',
  'compare-previous': 'false',
} as const;

/** Reads `INPUT_<NAME>` as the runner sets it (what `core.getInput` does), trimmed. */
export function readInputFromEnv(env: Env): InputReader {
  return (name) => (env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '').trim();
}

/** Comma- or newline-separated, trimmed, empties dropped. */
export function splitList(value: string): string[] {
  return value
    .split(/[,\n]/)
    .map((item) => item.trim())
    .filter(Boolean);
}

function oneOf<T extends string>(input: string, value: string, allowed: readonly T[]): T {
  const match = allowed.find((candidate) => candidate.toLowerCase() === value.toLowerCase());
  if (!match) throw inputError(input, value, `expected one of ${allowed.join(', ')}`);
  return match;
}

function parseBoolean(input: string, value: string): boolean {
  const v = value.toLowerCase();
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw inputError(input, value, 'expected true or false');
}

function parseCount(input: string, value: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw inputError(
      input,
      value,
      `expected a whole number from ${min} to ${max === Number.MAX_SAFE_INTEGER ? 'any' : max}`,
    );
  }
  return Number(value);
}

function parsePercent(input: string, value: string): number {
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*%?$/.exec(value);
  const n = m ? Number(m[1]) : NaN;
  if (!m || n > 100)
    throw inputError(input, value, 'expected a percentage from 0 to 100, such as 0.5 or 0.5%');
  return n;
}

function parseTimeout(input: string, value: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined || ms < 1000 || ms > 6 * 3_600_000) {
    throw inputError(input, value, 'expected a duration from 1s to 6h, such as 90 (seconds), 90s, 15m or 1h');
  }
  return ms;
}

export function parseEnvironment(value: string): Environment {
  if (/^https?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw inputError(
        'environment',
        value,
        'expected a region host such as mypurecloud.ie or an http(s)://host[:port][/path] URL',
      );
    }
    if (url.username || url.password || url.search || url.hash) {
      throw inputError('environment', value, 'a gateway URL takes no credentials, query or fragment');
    }
    return { kind: 'gateway', url };
  }
  const host = value.toLowerCase().replace(/^(api|login)\./, '');
  if (!KNOWN_REGIONS.includes(host)) {
    throw inputError(
      'environment',
      value,
      `expected one of ${KNOWN_REGIONS.join(', ')}, or an http(s):// gateway URL`,
    );
  }
  return { kind: 'region', host };
}

function parseGroupBy(value: string, endpoint: Endpoint): GroupBy[] {
  const api: Api = endpoint === 'legacy' ? 'legacy' : 'aggregates';
  const names = GROUP_BY[endpoint];
  const accepted = `expected any of ${Object.values(names).join(', ')} for ${endpointName(endpoint)} (either API's spelling is accepted)`;
  const result: GroupBy[] = [];
  for (const item of splitList(value)) {
    const field = GROUP_BY_SPELLINGS[item.toLowerCase()];
    // The legacy API has no client-name dimension, but returns the name along with the client id.
    const mapped = api === 'legacy' && field === 'clientName' ? 'clientId' : field;
    const apiName = mapped ? names[mapped] : undefined;
    if (!mapped || !apiName) throw inputError('group-by', item, accepted);
    if (!result.some((g) => g.field === mapped)) result.push({ apiName, field: mapped });
  }
  return result;
}

function parseMetrics(value: string): Metric[] {
  const result: Metric[] = [];
  for (const item of splitList(value)) {
    const name = item.toLowerCase() === 'requestcount' ? 'Requests' : item;
    const metric = oneOf('metrics', name, METRICS);
    if (!result.includes(metric)) result.push(metric);
  }
  return result;
}

/** `athena-table` default: the prefix's last segment, lower-cased, non-alphanumerics as `_`. */
export function defaultTableName(prefix: string): string {
  const last = prefix.split('/').filter(Boolean).pop() ?? 'genesys_usage';
  return last.toLowerCase().replace(/[^a-z0-9]/g, '_');
}

const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;

export function parseConfig(getInput: InputReader, env: Env, now: Date): Config {
  const input = (name: keyof typeof DEFAULTS | string): string =>
    getInput(name) || (DEFAULTS as Record<string, string>)[name] || '';

  const resultsFile = input('results-file') || undefined;
  const clientId = input('client-id');
  const clientSecret = input('client-secret');
  if (!resultsFile) {
    if (!clientId) throw new UserError("Input 'client-id' is required unless 'results-file' is set.");
    if (!clientSecret) throw new UserError("Input 'client-secret' is required unless 'results-file' is set.");
  }

  const environment = parseEnvironment(input('environment'));
  const api = oneOf('api', input('api'), ['aggregates', 'legacy'] as const);

  const intervalText = input('interval');
  let interval: Interval | undefined;
  let intervalNotice: string | undefined;
  if (intervalText) {
    const parsed = parseInterval(intervalText, now);
    if (!isInterval(parsed)) throw inputError('interval', intervalText, parsed.error);
    interval = parsed;
  } else if (!resultsFile) {
    throw new UserError(`Input 'interval' is required unless 'results-file' is set: ${INTERVAL_ACCEPTED}.`);
  }
  if (interval && !resultsFile) {
    // Genesys has no data for today or later: a live query ends today at 00:00Z at the latest.
    const today = startOfToday(now);
    if (interval.start >= today) {
      throw inputError(
        'interval',
        intervalText,
        `it starts on ${formatDate(interval.start)}, but Genesys Cloud has usage up to yesterday (${formatDate(new Date(today.getTime() - 1))}) only`,
      );
    }
    if (interval.end > today) {
      const requested = describeDays(interval);
      interval = { start: interval.start, end: today };
      intervalNotice = `interval: ${requested} ends in the future; Genesys Cloud has usage up to yesterday only, so it is cut to ${describeDays(interval)}.`;
    }
  }
  if (interval && api === 'aggregates' && !resultsFile) {
    // "Start date cannot be more than a year ago": a date, so P1Y, P12M and P365D are all accepted.
    const earliest = oneYearBefore(now);
    if (interval.start < earliest) {
      throw inputError(
        'interval',
        intervalText,
        `the aggregates API serves at most one year back, so the first day must be ${formatDate(earliest)} or later (this is ${describeDays(interval)})`,
      );
    }
  }

  const granularityText = input('granularity');
  const granularity = granularityText ? oneOf('granularity', granularityText, GRANULARITIES) : undefined;

  const usageClientId = input('usage-client-id') || undefined;
  if (usageClientId && api !== 'aggregates') {
    throw inputError(
      'usage-client-id',
      usageClientId,
      "the client-scoped endpoint exists for 'api: aggregates' only",
    );
  }
  const endpoint = endpointOf(api, usageClientId);
  // Each endpoint takes its own filters: one it does not have fails here, not as a 400 from Genesys.
  for (const name of FILTER_INPUTS) {
    if (!input(name) || FILTERS[endpoint][name]) continue;
    const accepted = Object.keys(FILTERS[endpoint]);
    throw inputError(
      name,
      input(name),
      endpoint === 'legacy'
        ? "filters exist for 'api: aggregates' only; remove it or set api: aggregates"
        : name === 'oauth-client-ids'
          ? "the client-scoped endpoint ('usage-client-id') already covers one client and takes no client filter"
          : `${endpointName(endpoint)} takes only the filters ${accepted.join(', ')}`,
    );
  }
  const filters: Filters = {
    templateUris: splitList(input('template-uris')),
    httpMethods: splitList(input('http-methods')).map((m) => oneOf('http-methods', m, HTTP_METHODS)),
    oauthClientIds: splitList(input('oauth-client-ids')),
  };
  const platforms = splitList(input('platforms'));
  if (platforms.length) filters.platforms = platforms;
  const userIds = splitList(input('user-ids'));
  if (userIds.length) filters.userIds = userIds;
  const organizationIds = splitList(input('organization-ids'));
  if (organizationIds.length) filters.organizationIds = organizationIds;

  const runnerTemp = env.RUNNER_TEMP;
  const outputDir = path.resolve(
    input('output-dir') ||
      (runnerTemp ? path.join(runnerTemp, 'genesys-usage-report') : 'genesys-usage-report'),
  );
  const compression = oneOf('compression', input('compression'), ['gzip', 'none'] as const);

  const prefixText = input('s3-prefix');
  const prefix = prefixText.replace(/^\/+|\/+$/g, '');
  // The prefix is a key prefix and a folder under output-dir: '..' would leave both.
  const badSegment = prefix
    .split('/')
    .find((segment) => segment === '' || segment === '.' || segment === '..');
  if (badSegment !== undefined) {
    throw inputError(
      's3-prefix',
      prefixText,
      `expected key segments separated by single slashes, none of them empty, '.' or '..' (found ${badSegment === '' ? 'an empty segment' : `'${badSegment}'`})`,
    );
  }
  const bucket = input('s3-bucket');
  if (bucket && !S3_BUCKET.test(bucket)) {
    throw inputError(
      's3-bucket',
      bucket,
      'expected a bucket name (3-63 lower-case letters, digits, dots and hyphens), without s3://',
    );
  }
  const expectedBucketOwner = input('s3-expected-bucket-owner') || undefined;
  if (expectedBucketOwner && !/^\d{12}$/.test(expectedBucketOwner)) {
    throw inputError('s3-expected-bucket-owner', expectedBucketOwner, 'expected a 12-digit AWS account id');
  }
  const forcePathStyle = parseBoolean('s3-force-path-style', input('s3-force-path-style'));
  const awsRegion = input('aws-region') || env.AWS_REGION || env.AWS_DEFAULT_REGION || undefined;
  if (awsRegion && !/^[a-z]{2}(-[a-z]+)+-\d+$/.test(awsRegion)) {
    throw inputError('aws-region', awsRegion, 'expected an AWS region such as us-east-1 or eu-west-1');
  }

  const crawler = input('glue-crawler');
  const crawl = oneOf('crawl', input('crawl'), ['always', 'when-needed'] as const);
  const database = input('athena-database');
  const outputLocation = input('athena-output-location') || undefined;
  if (outputLocation && !/^s3:\/\/[^/]+/.test(outputLocation)) {
    throw inputError('athena-output-location', outputLocation, 'expected an s3://bucket/prefix/ URI');
  }
  const query = input('athena-query') || undefined;
  if (query) {
    const [unknown] = unknownPlaceholders(query);
    if (unknown !== undefined) {
      throw inputError(
        'athena-query',
        `{{${unknown}}}`,
        `placeholders are ${PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')}`,
      );
    }
  }
  const table = input('athena-table') || defaultTableName(prefix);
  if (database) checkIdentifiers(database, table);
  // On a replay, whether an upload needs 'interval' is decided once the rows are read (replay-shape.ts).
  if ((bucket || crawler || database) && !awsRegion) {
    throw new UserError(
      "Input 'aws-region' is needed for S3, Glue and Athena: set it, or export AWS_REGION (aws-actions/configure-aws-credentials does).",
    );
  }
  if (crawler && !bucket) {
    throw inputError('glue-crawler', crawler, "a crawler needs data to crawl: set 's3-bucket' as well");
  }

  const thresholds: Thresholds = {};
  if (input('max-429')) thresholds.max429 = parseCount('max-429', input('max-429'));
  if (input('max-429-rate')) thresholds.max429Rate = parsePercent('max-429-rate', input('max-429-rate'));
  if (input('max-429-per-group'))
    thresholds.max429PerGroup = parseCount('max-429-per-group', input('max-429-per-group'));
  const metrics = parseMetrics(input('metrics'));
  // A threshold on a metric the query leaves out would read 0 and never breach: refuse it.
  const needed: Metric[] = [];
  if (Object.keys(thresholds).length) needed.push('Status429');
  if (thresholds.max429Rate !== undefined) needed.push('Requests');
  const early = parseEarlyWarning(input, { resultsFile, interval, api, now, metrics });
  Object.assign(thresholds, early.thresholds);
  const missing = metrics.length ? needed.filter((m) => !metrics.includes(m)) : [];
  if (missing.length) {
    throw inputError(
      'metrics',
      input('metrics'),
      `the 429 thresholds need ${missing.join(' and ')}: add ${missing.length > 1 ? 'them' : 'it'}, or leave metrics empty for all`,
    );
  }

  return {
    clientId,
    clientSecret,
    environment,
    api,
    interval,
    intervalNotice,
    granularity,
    groupBy: parseGroupBy(input('group-by'), endpoint),
    metrics,
    filters,
    usageClientId,
    resultsFile,
    outputDir,
    compression,
    prefix,
    s3: bucket
      ? { bucket, prefix, kmsKeyId: input('s3-kms-key-id') || undefined, forcePathStyle, expectedBucketOwner }
      : undefined,
    awsRegion,
    glue: crawler ? { crawler, crawl } : undefined,
    athena: database
      ? {
          database,
          table,
          workgroup: input('athena-workgroup'),
          catalog: input('athena-catalog'),
          outputLocation,
          query,
        }
      : undefined,
    thresholds,
    rateLimitEvents: early.rateLimitEvents,
    comparePrevious: early.comparePrevious,
    previousResultsFile: early.previousResultsFile,
    failOnBreach: parseBoolean('fail-on-breach', input('fail-on-breach')),
    top: parseCount('top', input('top'), 1, 1000),
    summary: parseBoolean('summary', input('summary')),
    prComment: parseBoolean('pr-comment', input('pr-comment')),
    githubToken: input('github-token') || env.GITHUB_TOKEN || '',
    queryTimeoutMs: parseTimeout('query-timeout', input('query-timeout')),
    crawlerTimeoutMs: parseTimeout('crawler-timeout', input('crawler-timeout')),
    athenaTimeoutMs: parseTimeout('athena-timeout', input('athena-timeout')),
  };
}

interface EarlyWarning {
  rateLimitEvents: boolean;
  comparePrevious: boolean;
  previousResultsFile?: string;
  thresholds: Pick<Thresholds, 'maxRateLimitEvents' | 'maxRequestsGrowth'>;
}

/**
 * The early-warning inputs: near-limit events and the comparison with the previous window, with the
 * thresholds on them. Each threshold needs its feature, so it can never silently read 0.
 */
function parseEarlyWarning(
  input: (name: string) => string,
  run: { resultsFile?: string; interval?: Interval; api: Api; now: Date; metrics: Metric[] },
): EarlyWarning {
  const rateLimitEvents = parseBoolean('rate-limit-events', input('rate-limit-events'));
  const comparePrevious = parseBoolean('compare-previous', input('compare-previous'));
  const previousResultsFile = input('previous-results-file') || undefined;
  const thresholds: EarlyWarning['thresholds'] = {};
  const maxEvents = input('max-rate-limit-events');
  if (maxEvents) {
    thresholds.maxRateLimitEvents = parseCount('max-rate-limit-events', maxEvents);
    if (!rateLimitEvents)
      throw inputError('max-rate-limit-events', maxEvents, "it needs 'rate-limit-events: true' as well");
  }
  const maxGrowth = input('max-requests-growth');
  if (maxGrowth) {
    const m = /^(\d+(?:\.\d+)?|\.\d+)\s*%?$/.exec(maxGrowth);
    if (!m)
      throw inputError(
        'max-requests-growth',
        maxGrowth,
        'expected a percentage of 0 or more, such as 20 or 20%',
      );
    thresholds.maxRequestsGrowth = Number(m[1]);
    if (!comparePrevious)
      throw inputError('max-requests-growth', maxGrowth, "it needs 'compare-previous: true' as well");
    if (run.metrics.length && !run.metrics.includes('Requests'))
      throw inputError(
        'metrics',
        run.metrics.join(','),
        'max-requests-growth needs Requests: add it, or leave metrics empty for all',
      );
  }
  if (rateLimitEvents && run.resultsFile) {
    throw inputError(
      'rate-limit-events',
      'true',
      "the near-limit events are read from Genesys Cloud, not from a saved result: remove it, or 'results-file'",
    );
  }
  if (previousResultsFile && !run.resultsFile) {
    throw inputError(
      'previous-results-file',
      previousResultsFile,
      "it replays the previous period beside 'results-file': set that too, or remove it to query the previous window",
    );
  }
  if (previousResultsFile && !comparePrevious) {
    throw inputError(
      'previous-results-file',
      previousResultsFile,
      "it needs 'compare-previous: true' as well",
    );
  }
  if (comparePrevious && run.resultsFile && !previousResultsFile) {
    throw inputError(
      'compare-previous',
      'true',
      "on a replay ('results-file') set 'previous-results-file' to the previous period's saved result",
    );
  }
  if (comparePrevious && !run.resultsFile && run.interval && run.api === 'aggregates') {
    // The previous window must be within the aggregates API's year too.
    const previous = previousWindow(run.interval);
    // The same rule as the interval's own start: on or after the same calendar date a year ago.
    if (previous.start < oneYearBefore(run.now)) {
      throw inputError(
        'compare-previous',
        'true',
        `the previous window ${formatInterval(previous)} starts more than one year back, which the aggregates API does not serve: use a shorter interval`,
      );
    }
  }
  return { rateLimitEvents, comparePrevious, previousResultsFile, thresholds };
}
