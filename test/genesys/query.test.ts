/**
 * The live query end to end through the real SDK, against the loopback fake Genesys Cloud,
 * with a fake clock: no real waiting, no network beyond 127.0.0.1.
 */
import { parseConfig } from '../../src/config.js';
import type { Config } from '../../src/types.js';
import { UserError } from '../../src/errors.js';
import { httpTimeout } from '../../src/genesys/client.js';
import { createGenesysUsageQuery } from '../../src/genesys/index.js';
import type { StageContext } from '../../src/stages.js';
import { type CapturedIO, captureIO, stageContext } from '../support/capture-io.js';
import { aggregatesRow, clientRow, FakeGenesys, legacyRow } from '../support/fake-genesys.js';
import { loopbackOnly, virtualClock } from '../support/isolation.js';

process.env = loopbackOnly(process.env);

const NOW = new Date('2026-11-21T12:00:00Z');
// Pinned jitter: poll delays 1000, 1750, 3063, ... and retry delays 750, 1500, ...
const query = createGenesysUsageQuery({ random: () => 0.5 });

let fake: FakeGenesys;
beforeEach(async () => {
  fake = await FakeGenesys.start({ now: () => NOW });
});
afterEach(async () => {
  await fake.close();
});

function config(inputs: Record<string, string> = {}): Config {
  const all: Record<string, string> = {
    'client-id': fake.clientId,
    'client-secret': fake.clientSecret,
    environment: fake.url,
    interval: '2026-11-01/2026-11-07',
    ...inputs,
  };
  return parseConfig((name) => all[name] ?? '', {}, NOW);
}

function context() {
  return stageContext({ clock: virtualClock(NOW) });
}

interface Batch {
  rows: unknown[];
  queryId: string;
}

async function run(cfg: Config, c = context()) {
  const batches: Batch[] = [];
  const result = await query(cfg, c.ctx, async (rows, queryId) => {
    batches.push({ rows, queryId });
  });
  return { ...c, batches, result };
}

async function runFailing(cfg: Config, c = context()) {
  const error = await query(cfg, c.ctx, async () => undefined).then(
    () => {
      throw new Error('expected the query to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(UserError);
  return { ...c, error: error as UserError };
}

/** Neither the secret, the Basic value nor the token may show in any log line or message. */
function expectNoCredentials(io: CapturedIO, ...messages: string[]) {
  const text = [io.text(), ...messages].join('\n');
  for (const secret of [fake.clientSecret, fake.basicCredentials, fake.token, 'Basic ', 'Bearer ']) {
    expect(text).not.toContain(secret);
  }
}

describe('aggregates', () => {
  it('polls until Succeeded and hands every page on as it arrives, unmodified', async () => {
    const pages = [
      [aggregatesRow(1), aggregatesRow(2)],
      [aggregatesRow(3), aggregatesRow(4)],
      [aggregatesRow(5)],
    ];
    fake.addJob({ statuses: ['Queued', 'Running', 'Running', 'Succeeded'], pages });
    const { io, clock, batches, result } = await run(config());

    expect(result.queryIds).toEqual(['job-1']);
    expect(batches).toEqual(pages.map((rows) => ({ rows, queryId: 'job-1' })));
    // The token is masked as soon as it exists, and the Basic value too.
    expect(io.secrets).toEqual([fake.basicCredentials, fake.token]);
    // First check after 1 s, then growing.
    expect(clock.sleeps).toEqual([1000, 1750, 3063, 5360]);

    const checks = fake.requestsTo('GET', /^\/api\/v2\/usage\/aggregates\/query\/jobs\/job-1$/);
    expect(checks.map((r) => r.query)).toEqual([
      { pageSize: '1000' },
      { pageSize: '1000' },
      { pageSize: '1000' },
      { pageSize: '1000' },
      { pageSize: '1000', after: 'p1' },
      { pageSize: '1000', after: 'p2' },
    ]);
    expect(io.lines).toEqual(
      expect.arrayContaining([
        'Job job-1: submitted for 2026-11-01T00:00:00Z/2026-11-07T23:59:59Z',
        'Job job-1: Queued (1s)',
        'Job job-1: Running (3s)',
        'Job job-1: Succeeded (11s)',
        'Job job-1: page 1, 2 rows (2 so far)',
        'Job job-1: page 2, 2 rows (4 so far)',
        'Job job-1: page 3, 1 rows (5 so far), last page',
      ]),
    );
    // One line per state change, not per check.
    expect(io.lines.filter((m) => m.startsWith('Job job-1: Running'))).toHaveLength(1);
    expectNoCredentials(io);
  });

  it('sends interval, granularity, group-by, metrics and the filters in the job body', async () => {
    await run(
      config({
        granularity: 'day',
        'group-by': 'OauthClientId, TemplateUri',
        metrics: 'Requests,Status429',
        'template-uris': 'api/v2/users/{userId}\napi/v2/analytics/conversations/details/query',
        'http-methods': 'get, post',
        'oauth-client-ids': 'c1,c2',
      }),
    );
    const [submit] = fake.requestsTo('POST', /aggregates\/query\/jobs$/);
    expect(submit?.path).toBe('/api/v2/usage/aggregates/query/jobs');
    expect(submit?.body).toEqual({
      interval: '2026-11-01T00:00:00Z/2026-11-07T23:59:59Z',
      granularity: 'Day',
      groupBy: ['OauthClientId', 'TemplateUri'],
      metrics: ['Requests', 'Status429'],
      templateUris: ['api/v2/users/{userId}', 'api/v2/analytics/conversations/details/query'],
      httpMethods: ['GET', 'POST'],
      oauthClientIds: ['c1', 'c2'],
    });
  });

  it('leaves out what is not set', async () => {
    await run(config());
    const [submit] = fake.requestsTo('POST', /aggregates\/query\/jobs$/);
    expect(submit?.body).toEqual({ interval: '2026-11-01T00:00:00Z/2026-11-07T23:59:59Z' });
  });

  it('uses the client-scoped endpoints with usage-client-id', async () => {
    fake.addJob({ statuses: ['Running', 'Succeeded'], pages: [[aggregatesRow(1)], [aggregatesRow(2)]] });
    const { batches } = await run(config({ 'usage-client-id': 'scoped-client' }));
    expect(
      fake.requests.filter((r) => r.path.startsWith('/api/')).map((r) => `${r.method} ${r.path}`),
    ).toEqual([
      'GET /api/v2/organizations/me',
      'POST /api/v2/usage/client/scoped-client/aggregates/query/jobs',
      'GET /api/v2/usage/client/scoped-client/aggregates/query/jobs/job-1',
      'GET /api/v2/usage/client/scoped-client/aggregates/query/jobs/job-1',
      'GET /api/v2/usage/client/scoped-client/aggregates/query/jobs/job-1',
    ]);
    expect(batches).toHaveLength(2);
    // config.ts rejects oauth-client-ids with usage-client-id: that endpoint has no client filter.
    expect(fake.requestsTo('POST', /jobs$/)[0]?.body).toEqual({
      interval: '2026-11-01T00:00:00Z/2026-11-07T23:59:59Z',
    });
  });

  it('sends the client-scoped group-by and organizationIds filter', async () => {
    fake.addJob({
      pages: [
        [
          { ...clientRow(1), organizationId: 'org-a' },
          { ...clientRow(2), organizationId: 'org-b' },
        ],
      ],
    });
    const { batches } = await run(
      config({
        'usage-client-id': 'scoped-client',
        'group-by': 'OrganizationId,TemplateUri',
        'organization-ids': 'org-a,org-b',
        platforms: 'PublicApi',
        'http-methods': 'GET,HEAD',
      }),
    );
    expect(fake.requestsTo('POST', /jobs$/)[0]?.body).toEqual({
      interval: '2026-11-01T00:00:00Z/2026-11-07T23:59:59Z',
      groupBy: ['OrganizationId', 'TemplateUri'],
      httpMethods: ['GET', 'HEAD'],
      platforms: ['PublicApi'],
      organizationIds: ['org-a', 'org-b'],
    });
    expect(batches[0]?.rows).toHaveLength(2);
  });

  it('sends the organisation endpoint its platforms and userIds filters', async () => {
    await run(config({ platforms: 'PublicApi, WebApp', 'user-ids': 'u1', 'group-by': 'UserId,Platform' }));
    expect(fake.requestsTo('POST', /jobs$/)[0]?.body).toEqual({
      interval: '2026-11-01T00:00:00Z/2026-11-07T23:59:59Z',
      groupBy: ['UserId', 'Platform'],
      platforms: ['PublicApi', 'WebApp'],
      userIds: ['u1'],
    });
  });

  it('reads the organisation once, after the login and before any job, and says which', async () => {
    const seen: string[] = [];
    const c = context();
    const result = await query(
      config(),
      c.ctx,
      async () => undefined,
      () => seen.push('submitted'),
      (org) => seen.push(`org ${org.id} ${org.name}`),
    );
    expect(seen).toEqual([`org ${fake.organization.id} Fake Org`, 'submitted']);
    expect(result.organization).toEqual(fake.organization);
    expect(fake.requestsTo('GET', /organizations\/me$/)).toHaveLength(1);
    expect(c.io.lines).toContain(`Organisation: Fake Org (${fake.organization.id})`);
  });

  it('splits an interval over 90 days into consecutive jobs, all rows handed on', async () => {
    // Each job's pages hold rows of every day on a cut: the fake serves those inside its own days only.
    const onCuts = (n: number) =>
      ['2026-03-31', '2026-04-01', '2026-06-29', '2026-06-30'].map((date) => aggregatesRow(n, { date }));
    fake.addJob({ pages: [onCuts(1)] });
    fake.addJob({ statuses: ['Running', 'Succeeded'], pages: [onCuts(2), onCuts(3)] });
    fake.addJob({ pages: [onCuts(4)] });
    const { batches, result, io } = await run(
      config({ interval: '2026-01-01/2026-06-30', granularity: 'Day' }),
    );

    expect(result.queryIds).toEqual(['job-1', 'job-2', 'job-3']);
    expect(
      fake
        .requestsTo('POST', /aggregates\/query\/jobs$/)
        .map((r) => (r.body as { interval: string }).interval),
    ).toEqual([
      '2026-01-01T00:00:00Z/2026-03-31T23:59:59Z',
      '2026-04-01T00:00:00Z/2026-06-29T23:59:59Z',
      '2026-06-30T00:00:00Z/2026-06-30T23:59:59Z',
    ]);
    expect(batches.map((b) => [b.queryId, (b.rows[0] as { templateUri: string }).templateUri])).toEqual([
      ['job-1', 'api/v2/things/1'],
      ['job-2', 'api/v2/things/2'],
      ['job-2', 'api/v2/things/3'],
      ['job-3', 'api/v2/things/4'],
    ]);
    // No day twice, none lost: each day on a cut comes from exactly one job.
    const dated = batches.flatMap((b) => b.rows.map((r) => `${b.queryId} ${(r as { date: string }).date}`));
    expect(dated.filter((d) => d.startsWith('job-1'))).toEqual(['job-1 2026-03-31']);
    expect(dated.filter((d) => d.startsWith('job-3'))).toEqual(['job-3 2026-06-30']);
    expect(dated.filter((d) => d.startsWith('job-2'))).toEqual([
      'job-2 2026-04-01',
      'job-2 2026-06-29',
      'job-2 2026-04-01',
      'job-2 2026-06-29',
    ]);
    expect(io.text()).toContain('3 jobs, one after the other');
  });

  it('gets through a 429 mid-poll by waiting what Retry-After says', async () => {
    fake.addJob({ statuses: ['Running', 'Running', 'Succeeded'], pages: [[aggregatesRow(1)]] });
    fake.fault(
      { method: 'GET', path: /jobs\/job-1$/, nth: 2 },
      {
        status: 429,
        headers: { 'retry-after': '17' },
        body: {
          message: 'Rate limit exceeded the maximum',
          code: 'too.many.requests.retry.after',
          status: 429,
        },
      },
    );
    const { clock, batches, io } = await run(config());
    expect(batches).toHaveLength(1);
    expect(clock.sleeps).toContain(17_000);
    expect(clock.sleeps.filter((ms) => ms === 17_000)).toHaveLength(1);
    expect(io.text()).toContain(
      'Checking job job-1: HTTP 429 (too.many.requests.retry.after): Rate limit exceeded the maximum; waiting 17s (as Retry-After asks).',
    );
    expectNoCredentials(io);
  });

  it('gets through 429s on the login, the submit and a page too', async () => {
    const throttled = (s: string) => ({
      status: 429,
      headers: { 'retry-after': s },
      body: { message: 'slow down', code: 'too.many.requests.retry.after' },
    });
    fake.addJob({ pages: [[aggregatesRow(1)], [aggregatesRow(2)]] });
    fake.fault({ method: 'POST', path: /^\/oauth\/token$/ }, throttled('3'));
    fake.fault({ method: 'POST', path: /jobs$/ }, throttled('4'));
    fake.fault({ method: 'GET', path: /jobs\/job-1$/, nth: 2 }, throttled('5'));
    const { clock, batches } = await run(config());
    expect(batches).toHaveLength(2);
    expect(clock.sleeps).toEqual([3000, 4000, 1000, 5000]);
  });

  it('retries 5xx and connection resets, then succeeds', async () => {
    fake.addJob({ statuses: ['Running', 'Succeeded'], pages: [[aggregatesRow(1)], [aggregatesRow(2)]] });
    fake.fault(
      { method: 'POST', path: /jobs$/ },
      { status: 503, body: { message: 'Service Unavailable', code: 'service.unavailable' } },
      { status: 502 },
    );
    fake.fault({ method: 'GET', path: /jobs\/job-1$/ }, 'reset');
    fake.fault({ method: 'GET', path: /jobs\/job-1$/, nth: 3 }, { status: 500, body: { message: 'oops' } });
    const { clock, batches, io, result } = await run(config());
    expect(result.queryIds).toEqual(['job-1']);
    expect(batches.map((b) => b.rows)).toEqual([[aggregatesRow(1)], [aggregatesRow(2)]]);
    // Two submits failed (750, 1500 ms), then the poll at 1 s hit a reset (750), ...
    expect(clock.sleeps).toEqual([750, 1500, 1000, 750, 1750, 750]);
    expect(io.text()).toContain(
      'Submitting the usage job: HTTP 503 (service.unavailable): Service Unavailable; waiting 750ms (retry 1 of 4).',
    );
    expect(io.text()).toMatch(/Checking job job-1: ECONNRESET.*; waiting 750ms \(retry 1 of 4\)\./);
    expect(fake.requestsTo('POST', /jobs$/)).toHaveLength(3);
  });

  it('gives up after a bounded number of 5xx retries', async () => {
    fake.fault(
      { method: 'POST', path: /jobs$/ },
      ...Array.from({ length: 10 }, () => ({ status: 503, body: { message: 'down' } })),
    );
    const { error, clock } = await runFailing(config());
    expect(error.message).toBe(
      'Genesys Cloud: Submitting the usage job failed after 5 attempts: HTTP 503: down',
    );
    expect(clock.sleeps).toHaveLength(4);
  });

  it('fails at once on a 403, naming the permission', async () => {
    fake.fault(
      { method: 'POST', path: /jobs$/ },
      {
        status: 403,
        body: {
          message: 'You are missing the following permission(s): usage:organization:view',
          code: 'missing.permissions',
        },
      },
    );
    const { error, clock, io } = await runFailing(config());
    expect(error.message).toBe(
      'Genesys Cloud: Submitting the usage job failed: HTTP 403 (missing.permissions): You are missing the following permission(s): usage:organization:view. The OAuth client needs the usage:organization:view permission for api: aggregates.',
    );
    expect(clock.sleeps).toEqual([]);
    expect(fake.requestsTo('POST', /jobs$/)).toHaveLength(1);
    expectNoCredentials(io, error.message);
  });

  it('fails naming the job and the error body when the job fails', async () => {
    fake.addJob({
      statuses: ['Queued', 'Running', 'Failed'],
      errorBody: { message: 'Query failed: too many groups', code: 'usage.query.failed', status: 500 },
    });
    const { error, io } = await runFailing(config());
    expect(error.message).toBe(
      'Genesys Cloud: Job job-1 failed after 6s: Query failed: too many groups (usage.query.failed).',
    );
    expect(io.text()).toContain('Job job-1: Failed (6s)');
    expectNoCredentials(io, error.message);
  });

  it('fails on a cancelled job', async () => {
    fake.addJob({ statuses: ['Cancelled'] });
    const { error } = await runFailing(config());
    expect(error.message).toBe('Genesys Cloud: Job job-1 cancelled after 1s: no reason given.');
  });

  it('stops at query-timeout, naming the job and how to fetch it later', async () => {
    fake.addJob({ statuses: ['Running'] });
    const { error, clock, io } = await runFailing(config({ 'query-timeout': '2m' }));
    expect(error.message).toBe(
      'Genesys Cloud: Job job-1 did not finish within query-timeout (2m) (last status: Running). It may still finish: ' +
        'fetch its results later with GET /api/v2/usage/aggregates/query/jobs/job-1?pageSize=1000 using the same OAuth client, ' +
        'or run again with a longer query-timeout.',
    );
    // Never waits past the timeout: the last wait is cut short to end exactly on it.
    expect(clock.elapsed()).toBe(120_000);
    expect(Math.max(...clock.sleeps)).toBeLessThanOrEqual(30_000);
    expectNoCredentials(io, error.message);
  });

  it('reaches the API through a gateway path prefix', async () => {
    await fake.close();
    fake = await FakeGenesys.start({ prefix: '/genesys' });
    fake.addJob({ pages: [[aggregatesRow(1)]] });
    const { batches } = await run(config());
    expect(batches).toHaveLength(1);
    expect(fake.requests.map((r) => r.path)).toEqual([
      '/oauth/token',
      '/api/v2/organizations/me',
      '/api/v2/usage/aggregates/query/jobs',
      '/api/v2/usage/aggregates/query/jobs/job-1',
    ]);
  });
});

describe('query-timeout bounds every request', () => {
  const saved = { ...httpTimeout };
  afterEach(() => {
    Object.assign(httpTimeout, saved);
  });

  /** A clock that jumps `jumpMs` further on its first sleep: the first status check finds little time left. */
  function jumpingContext(jumpMs: number) {
    const io = captureIO();
    let t = NOW.getTime();
    let jump = jumpMs;
    const ctx: StageContext = {
      io,
      env: {},
      now: () => new Date(t),
      sleep: async (ms) => {
        t += ms + jump;
        jump = 0;
      },
    };
    return { io, ctx };
  }

  it('cuts a hanging request’s HTTP timeout to the time left before query-timeout (never below the floor)', async () => {
    // The SDK's 16 s stays; the floor is lowered from 1 s so the test's hanging answers cost 10 ms each.
    httpTimeout.minMs = 10;
    fake.addJob({ statuses: ['Succeeded'], pages: [[aggregatesRow(1)]] });
    const hang = { status: 200, body: {}, delayMs: Infinity };
    fake.fault({ method: 'GET', path: /jobs\/job-1$/ }, hang, hang);
    // query-timeout 5s; the first status check, after 1 s, finds 40 ms left.
    const c = jumpingContext(3960);
    const error = await query(config({ 'query-timeout': '5s' }), c.ctx, async () => undefined).then(
      () => undefined,
      (e: unknown) => e as Error,
    );

    expect(c.io.text()).toContain(
      'info: Checking job job-1: ECONNABORTED (timeout of 40ms exceeded); waiting 40ms (retry 1 of 4).',
    );
    // The retry starts on the deadline: it gets the floor, then no time is left for another.
    expect(error?.message).toBe(
      'Genesys Cloud: Checking job job-1 failed after 2 attempts: ECONNABORTED (timeout of 10ms exceeded) ' +
        '(waiting 2s more would pass query-timeout (5s))',
    );
  });

  it('leaves the SDK’s own timeout when more time is left than that', async () => {
    httpTimeout.ms = 50;
    fake.addJob({ statuses: ['Succeeded'], pages: [[aggregatesRow(1)]] });
    fake.fault({ method: 'GET', path: /jobs\/job-1$/ }, { status: 200, body: {}, delayMs: Infinity });
    const { batches, io } = await run(config());
    expect(batches).toHaveLength(1);
    expect(io.text()).toContain('Checking job job-1: ECONNABORTED (timeout of 50ms exceeded)');
  });
});

describe('login', () => {
  it('fails with one line: client id, status, the service description; no credentials', async () => {
    const cfg = config({ 'client-secret': 'wrong-secret-3c9a1f' });
    const { error, io } = await runFailing(cfg);
    expect(error.message).toBe(
      `Login to Genesys Cloud (${fake.url}) failed for client ${fake.clientId}: HTTP 401 (invalid_client): authentication failed. ` +
        'Check client-id, client-secret and environment (the client must be a client-credentials grant in this region).',
    );
    expect(error.message).not.toContain('\n');
    expect(error.message).not.toContain('wrong-secret-3c9a1f');
    expect(error.message).not.toContain(
      Buffer.from(`${fake.clientId}:wrong-secret-3c9a1f`).toString('base64'),
    );
    expect(JSON.stringify(Object.entries(error))).not.toContain('Basic');
    expectNoCredentials(io, error.message);
    expect(fake.requests.map((r) => r.path)).toEqual(['/oauth/token']);
  });

  it('sends the client credentials as Basic auth with the client-credentials grant', async () => {
    await run(config());
    const [login] = fake.requests;
    expect(login).toMatchObject({
      method: 'POST',
      path: '/oauth/token',
      body: 'grant_type=client_credentials',
      authorization: `Basic ${fake.basicCredentials}`,
    });
    expect(fake.requests.slice(1).every((r) => r.authorization === `Bearer ${fake.token}`)).toBe(true);
  });

  it('names the host when nothing answers', async () => {
    const url = fake.url;
    await fake.close();
    const { error, clock } = await runFailing({
      ...config(),
      environment: { kind: 'gateway', url: new URL(url) },
    });
    expect(error.message).toMatch(
      new RegExp(
        `^Login to Genesys Cloud \\(${url.replace(/\./g, '\\.')}\\) failed for client fake-client-id after 5 attempts: .*ECONNREFUSED`,
      ),
    );
    expect(clock.sleeps).toHaveLength(4);
    fake = await FakeGenesys.start(); // for afterEach
  });
});

describe('legacy', () => {
  it('polls Running until Complete and hands the results on', async () => {
    const results = [legacyRow(1), legacyRow(2)];
    fake.addLegacyQuery({ statuses: ['Running', 'Running', 'Complete'], results });
    const { batches, result, io, clock } = await run(
      config({ api: 'legacy', granularity: 'Day', 'group-by': 'OAuthClientId', metrics: 'Requests' }),
    );
    expect(result.queryIds).toEqual(['exec-1']);
    expect(batches).toEqual([{ rows: results, queryId: 'exec-1' }]);
    const [submit] = fake.requestsTo('POST', /^\/api\/v2\/usage\/query$/);
    expect(submit?.body).toEqual({
      interval: '2026-11-01T00:00:00Z/2026-11-07T23:59:59Z',
      granularity: 'Day',
      groupBy: ['OAuthClientId'],
      metrics: ['Requests'],
    });
    expect(fake.requestsTo('GET', /^\/api\/v2\/usage\/query\/exec-1\/results$/)).toHaveLength(3);
    expect(clock.sleeps).toEqual([1000, 1750, 3063]);
    expect(io.text()).toContain('Query exec-1: Running (1s)');
    expect(io.text()).toContain('Query exec-1: Complete (6s)');
    expect(io.text()).toContain('Query exec-1: 2 rows');
    expectNoCredentials(io);
  });

  it('fails when the query fails', async () => {
    fake.addLegacyQuery({ statuses: ['Running', 'Failed'], failure: { message: 'interval too long' } });
    const { error } = await runFailing(config({ api: 'legacy' }));
    expect(error.message).toBe('Genesys Cloud: Usage query exec-1 failed: interval too long.');
  });

  it('retries a cut-off result like a 5xx, and fails naming the check when it stays cut off', async () => {
    fake.addLegacyQuery({ statuses: ['Complete'], results: [legacyRow(1)] });
    const cutOff = { status: 200, raw: '{"queryStatus": "Complete", "results": [{"clientId"' };
    const results = /^\/api\/v2\/usage\/query\/exec-1\/results$/;
    fake.fault({ method: 'GET', path: results }, cutOff);
    const { batches, io } = await run(config({ api: 'legacy' }));
    expect(batches).toHaveLength(1);
    expect(io.text()).toMatch(
      /Checking query exec-1: the answer was not JSON: .*; waiting 750ms \(retry 1 of 4\)\./,
    );

    fake.addLegacyQuery({ statuses: ['Complete'], results: [legacyRow(1)] });
    fake.fault(
      { method: 'GET', path: /^\/api\/v2\/usage\/query\/exec-2\/results$/ },
      ...Array(5).fill(cutOff),
    );
    const { error } = await runFailing(config({ api: 'legacy' }));
    expect(error.message).toBe(
      `Genesys Cloud: Checking query exec-2 failed after 5 attempts: the answer was not JSON: '${cutOff.raw}'`,
    );
  });

  it('names the permission on a 403', async () => {
    fake.fault(
      { method: 'POST', path: /^\/api\/v2\/usage\/query$/ },
      { status: 403, body: { message: 'missing permission' } },
    );
    const { error } = await runFailing(config({ api: 'legacy' }));
    expect(error.message).toContain('oauth:client:view');
  });
});
