import { parseConfig, splitList, defaultTableName } from '../src/config.js';
import type { Env } from '../src/types.js';
import { UserError } from '../src/errors.js';

const NOW = new Date('2026-11-21T15:42:10Z');

function config(inputs: Record<string, string>, env: Env = {}) {
  return parseConfig((name) => (inputs[name] ?? '').trim(), env, NOW);
}

const LIVE = { 'client-id': 'id', 'client-secret': 'secret', interval: 'P7D' };

describe('parseConfig defaults', () => {
  it('applies the contract defaults', () => {
    const c = config(LIVE, { RUNNER_TEMP: '/tmp/runner' });
    expect(c.environment).toEqual({ kind: 'region', host: 'mypurecloud.com' });
    expect(c.api).toBe('aggregates');
    expect(c.interval?.start.toISOString()).toBe('2026-11-14T00:00:00.000Z');
    expect(c.granularity).toBeUndefined();
    expect(c.groupBy).toEqual([]);
    expect(c.metrics).toEqual([]);
    expect(c.outputDir).toBe('/tmp/runner/genesys-usage-report');
    expect(c.compression).toBe('gzip');
    expect(c.s3).toBeUndefined();
    expect(c.glue).toBeUndefined();
    expect(c.athena).toBeUndefined();
    expect(c.thresholds).toEqual({});
    expect(c.failOnBreach).toBe(true);
    expect(c.top).toBe(10);
    expect(c.summary).toBe(true);
    expect(c.prComment).toBe(true);
    expect(c.queryTimeoutMs).toBe(15 * 60_000);
    expect(c.crawlerTimeoutMs).toBe(15 * 60_000);
    expect(c.athenaTimeoutMs).toBe(10 * 60_000);
  });

  it('defaults output-dir to ./genesys-usage-report off a runner', () => {
    expect(config(LIVE).outputDir).toBe(`${process.cwd()}/genesys-usage-report`);
  });

  it('needs no credentials or interval to replay', () => {
    const c = config({ 'results-file': 'x.json' });
    expect(c.resultsFile).toBe('x.json');
    expect(c.interval).toBeUndefined();
  });

  it('fills S3, Glue and Athena settings with their defaults', () => {
    const c = config(
      {
        ...LIVE,
        's3-bucket': 'my-lake',
        's3-prefix': '/usage/Genesys-Usage/',
        'glue-crawler': 'c',
        'athena-database': 'db',
      },
      { AWS_REGION: 'eu-west-1' },
    );
    expect(c.s3).toEqual({
      bucket: 'my-lake',
      prefix: 'usage/Genesys-Usage',
      forcePathStyle: false,
      kmsKeyId: undefined,
      expectedBucketOwner: undefined,
    });
    expect(c.awsRegion).toBe('eu-west-1');
    expect(c.glue).toEqual({ crawler: 'c', crawl: 'always' });
    expect(c.athena).toEqual({
      database: 'db',
      table: 'genesys_usage',
      workgroup: 'primary',
      catalog: 'AwsDataCatalog',
      outputLocation: undefined,
      query: undefined,
    });
  });
});

describe('parseConfig values', () => {
  it('maps either API spelling of group-by to the chosen API', () => {
    expect(config({ ...LIVE, 'group-by': 'OAuthClientId, templateuri\nHttpMethod' }).groupBy).toEqual([
      { apiName: 'OauthClientId', field: 'clientId' },
      { apiName: 'TemplateUri', field: 'templateUri' },
      { apiName: 'HttpMethod', field: 'httpMethod' },
    ]);
    expect(
      config({ ...LIVE, api: 'LEGACY', 'group-by': 'OauthClientId,OauthClientName,OrganizationId' }).groupBy,
    ).toEqual([
      { apiName: 'OAuthClientId', field: 'clientId' },
      { apiName: 'OrganizationId', field: 'organizationId' },
    ]);
  });

  it('reads enums case-insensitively and lists on commas and newlines', () => {
    const c = config({
      ...LIVE,
      granularity: 'day',
      metrics: 'requests,\nSTATUS429, Status429',
      compression: 'NONE',
      crawl: 'When-Needed',
      'glue-crawler': 'c',
      's3-bucket': 'b-b',
      'aws-region': 'us-east-1',
    });
    expect(c.granularity).toBe('Day');
    expect(c.metrics).toEqual(['Requests', 'Status429']);
    expect(c.compression).toBe('none');
    expect(c.glue?.crawl).toBe('when-needed');
    expect(splitList(' a, ,b\n\nc ')).toEqual(['a', 'b', 'c']);
  });

  it('reads thresholds, percentages and durations', () => {
    const c = config({
      ...LIVE,
      'max-429': '0',
      'max-429-rate': '0.5%',
      'max-429-per-group': '25',
      'query-timeout': '90',
      'crawler-timeout': '1h30m',
      'athena-timeout': 'PT2M',
    });
    expect(c.thresholds).toEqual({ max429: 0, max429Rate: 0.5, max429PerGroup: 25 });
    expect(c.queryTimeoutMs).toBe(90_000);
    expect(c.crawlerTimeoutMs).toBe(5_400_000);
    expect(c.athenaTimeoutMs).toBe(120_000);
  });

  it('takes a gateway URL as environment', () => {
    const c = config({ ...LIVE, environment: 'http://127.0.0.1:8080/genesys' });
    expect(c.environment.kind).toBe('gateway');
  });

  it('derives the table name from the prefix', () => {
    expect(defaultTableName('data/Genesys-Usage.v2')).toBe('genesys_usage_v2');
  });
});

describe('the interval of a live query', () => {
  it('accepts any start on or after the same date a year ago: P1Y, P12M, P365D', () => {
    for (const interval of ['P1Y', 'P12M', 'P365D', '2025-11-21/2025-11-30']) {
      expect(config({ ...LIVE, interval }).interval?.start.toISOString()).toMatch(/^2025-11-2/);
    }
  });

  it('cuts an end in the future to today, and says so', () => {
    const c = config({ ...LIVE, interval: '2026-11-01/2026-11-30' });
    expect(c.interval?.end.toISOString()).toBe('2026-11-21T00:00:00.000Z');
    expect(c.intervalNotice).toBe(
      'interval: 2026-11-01 to 2026-11-30 (30 days) ends in the future; Genesys Cloud has usage up to yesterday only, so it is cut to 2026-11-01 to 2026-11-20 (20 days).',
    );
    expect(config(LIVE).intervalNotice).toBeUndefined();
  });

  it('leaves a replay interval as written', () => {
    const c = config({ interval: '2026-11-01/2026-11-30', 'results-file': 'saved.json' });
    expect(c.interval?.end.toISOString()).toBe('2026-12-01T00:00:00.000Z');
  });

  it('takes each endpoint its own filters and group-by', () => {
    const org = config({
      ...LIVE,
      platforms: 'PublicApi',
      'user-ids': 'u1,u2',
      'group-by': 'Platform,UserId',
    });
    expect(org.filters).toEqual({
      templateUris: [],
      httpMethods: [],
      oauthClientIds: [],
      platforms: ['PublicApi'],
      userIds: ['u1', 'u2'],
    });
    const client = config({
      ...LIVE,
      'usage-client-id': 'c',
      'organization-ids': 'o1',
      'http-methods': 'head',
      'group-by': 'OrganizationId, TemplateUri',
    });
    expect(client.filters.organizationIds).toEqual(['o1']);
    expect(client.filters.httpMethods).toEqual(['HEAD']);
    expect(client.groupBy).toEqual([
      { apiName: 'OrganizationId', field: 'organizationId' },
      { apiName: 'TemplateUri', field: 'templateUri' },
    ]);
  });
});

describe('parseConfig rejects bad values with one line naming the input', () => {
  it.each([
    [{ interval: 'P7D', 'client-secret': 's' }, /Input 'client-id' is required/],
    [{ interval: 'P7D', 'client-id': 'i' }, /Input 'client-secret' is required/],
    [{ 'client-id': 'i', 'client-secret': 's' }, /Input 'interval' is required/],
    [{ ...LIVE, interval: 'last-fortnight' }, /'interval' has an invalid value 'last-fortnight'/],
    [{ ...LIVE, interval: '2026-11-08/2026-11-01' }, /start must be before the end/],
    [{ ...LIVE, interval: '2025-01-01/2025-02-01' }, /at most one year back.*2025-11-21 or later/],
    [{ ...LIVE, interval: 'P1Y1D' }, /'interval'.*at most one year back/],
    [{ ...LIVE, interval: '2026-11-21/2026-11-30' }, /'interval'.*usage up to yesterday \(2026-11-20\) only/],
    [{ ...LIVE, interval: 'P9999999999Y' }, /'interval'.*between the years 1000 and 9999/],
    [
      { ...LIVE, 'usage-client-id': 'c', 'group-by': 'OauthClientId' },
      /^Input 'group-by' has an invalid value 'OauthClientId': expected any of OrganizationId, HttpMethod, TemplateUri, Platform for the client-scoped endpoint/,
    ],
    [{ ...LIVE, 'group-by': 'OrganizationId' }, /'group-by'.*OauthClientId.*for api 'aggregates'/],
    [
      { ...LIVE, 'http-methods': 'GET,OPTIONS' },
      /'http-methods' has an invalid value 'OPTIONS'.*GET, POST, PUT, PATCH, DELETE, HEAD\.$/,
    ],
    [
      { ...LIVE, 'organization-ids': 'o1' },
      /'organization-ids'.*api 'aggregates' takes only the filters template-uris, http-methods, platforms, user-ids, oauth-client-ids/,
    ],
    [
      { ...LIVE, 'usage-client-id': 'c', 'user-ids': 'u1' },
      /'user-ids'.*client-scoped endpoint.*organization-ids/,
    ],
    [{ ...LIVE, api: 'legacy', platforms: 'PublicApi' }, /'platforms'.*api: aggregates/],
    [{ ...LIVE, environment: 'mypurecloud.fr' }, /'environment'.*mypurecloud\.ie/],
    [{ ...LIVE, environment: 'ftp://x' }, /'environment'/],
    [{ ...LIVE, api: 'v3' }, /'api' has an invalid value 'v3': expected one of aggregates, legacy/],
    [{ ...LIVE, granularity: 'Hour' }, /'granularity'.*Day, Week, Month/],
    [{ ...LIVE, 'group-by': 'Platform', api: 'legacy' }, /'group-by' has an invalid value 'Platform'/],
    [{ ...LIVE, 'group-by': 'OrganizationId' }, /'group-by'.*OauthClientId/],
    [{ ...LIVE, metrics: 'Status404' }, /'metrics' has an invalid value 'Status404'/],
    [{ ...LIVE, compression: 'zip' }, /'compression'/],
    [{ ...LIVE, 'max-429': '-1' }, /'max-429' has an invalid value '-1'/],
    [{ ...LIVE, 'max-429': '1.5' }, /'max-429'/],
    [{ ...LIVE, 'max-429-rate': '101' }, /'max-429-rate'/],
    [{ ...LIVE, 'max-429-rate': 'half' }, /'max-429-rate'/],
    [{ ...LIVE, 'max-429-per-group': 'ten' }, /'max-429-per-group'/],
    [
      { ...LIVE, 'fail-on-breach': 'yes' },
      /'fail-on-breach' has an invalid value 'yes': expected true or false/,
    ],
    [{ ...LIVE, summary: 'no' }, /'summary'/],
    [{ ...LIVE, 'pr-comment': '1' }, /'pr-comment'/],
    [{ ...LIVE, top: '0' }, /'top'/],
    [{ ...LIVE, 'query-timeout': 'soon' }, /'query-timeout'/],
    [{ ...LIVE, 'crawler-timeout': '0s' }, /'crawler-timeout'/],
    [{ ...LIVE, 'athena-timeout': '7h' }, /'athena-timeout'/],
    [{ ...LIVE, 's3-bucket': 's3://my-bucket', 'aws-region': 'us-east-1' }, /'s3-bucket'/],
    [{ ...LIVE, 's3-bucket': 'b-b' }, /'aws-region' is needed/],
    [{ ...LIVE, 'aws-region': 'Europe' }, /'aws-region'/],
    [{ ...LIVE, 's3-force-path-style': 'maybe' }, /'s3-force-path-style'/],
    [{ ...LIVE, crawl: 'sometimes' }, /'crawl'/],
    [{ ...LIVE, 'glue-crawler': 'c', 'aws-region': 'us-east-1' }, /'glue-crawler'.*s3-bucket/],
    [
      { ...LIVE, 'athena-database': 'db', 'aws-region': 'us-east-1', 'athena-output-location': 'bucket/x' },
      /'athena-output-location'/,
    ],
    [
      { ...LIVE, 'athena-database': 'db', 'aws-region': 'us-east-1', 'athena-query': 'select {{tabel}}' },
      /'athena-query'.*\{\{tabel\}\}/,
    ],
    [{ ...LIVE, api: 'legacy', 'template-uris': 'api/v2/users' }, /'template-uris'/],
    [{ ...LIVE, 'http-methods': 'FETCH' }, /'http-methods'/],
    [{ ...LIVE, api: 'legacy', 'usage-client-id': 'abc' }, /'usage-client-id'/],
    [
      { ...LIVE, 's3-expected-bucket-owner': '12345', 's3-bucket': 'b-b', 'aws-region': 'us-east-1' },
      /'s3-expected-bucket-owner'/,
    ],
  ])('%j', (inputs, message) => {
    let error: unknown;
    try {
      config(inputs);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toMatch(message);
    expect((error as Error).message).not.toContain('\n');
  });
});
