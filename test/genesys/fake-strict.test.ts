/**
 * The loopback Genesys fake refuses what the service refuses, with its own copy of the value lists:
 * every value the action's lists (src/genesys/models.ts) hold must pass it, and values the service
 * does not have must not. A drift between the two shows here.
 */
import {
  FILTERS,
  GRANULARITIES,
  GROUP_BY,
  HTTP_METHODS,
  METRICS,
  type Endpoint,
} from '../../src/genesys/models.js';
import { aggregatesRow, FakeGenesys, legacyRow } from '../support/fake-genesys.js';
import { loopbackOnly } from '../support/isolation.js';

process.env = loopbackOnly(process.env);

const NOW = new Date('2026-11-21T12:00:00Z');
const WEEK = '2026-11-01T00:00:00Z/2026-11-07T23:59:59Z';
let fake: FakeGenesys;
beforeEach(async () => {
  fake = await FakeGenesys.start({ now: () => NOW });
});
afterEach(async () => {
  await fake.close();
});

const PATHS: Record<Endpoint, string> = {
  organization: '/api/v2/usage/aggregates/query/jobs',
  client: '/api/v2/usage/client/c1/aggregates/query/jobs',
  legacy: '/api/v2/usage/query',
};

async function call(method: string, path: string, body?: unknown) {
  const response = await fetch(`${fake.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('the strict fake Genesys', () => {
  it.each(['organization', 'client', 'legacy'] as const)(
    'accepts every value the action may send to the %s endpoint',
    async (endpoint) => {
      const filters = Object.fromEntries(
        Object.values(FILTERS[endpoint]).map((field) => [
          field,
          field === 'httpMethods' ? [...HTTP_METHODS] : ['x'],
        ]),
      );
      for (const granularity of GRANULARITIES) {
        const body = {
          interval: WEEK,
          granularity,
          groupBy: Object.values(GROUP_BY[endpoint]),
          metrics: [...METRICS],
          ...filters,
        };
        expect(await call('POST', PATHS[endpoint], body)).toMatchObject({ status: 202 });
      }
    },
  );

  it.each([
    ['organization', { groupBy: ['Country'] }, /groupBy: 'Country'/],
    ['organization', { groupBy: ['OrganizationId'] }, /groupBy: 'OrganizationId'/],
    ['organization', { groupBy: ['OAuthClientId'] }, /groupBy: 'OAuthClientId'/],
    ['client', { groupBy: ['OauthClientId'] }, /groupBy: 'OauthClientId'/],
    ['client', { groupBy: ['UserId'] }, /groupBy: 'UserId'/],
    ['legacy', { groupBy: ['Platform'] }, /groupBy: 'Platform'/],
    ['organization', { metrics: ['Status404'] }, /metrics: 'Status404'/],
    ['organization', { httpMethods: ['OPTIONS'] }, /httpMethods: 'OPTIONS'/],
    ['client', { httpMethods: ['get'] }, /httpMethods: 'get'/],
    ['organization', { granularity: 'Hour' }, /granularity: 'Hour'/],
    ['client', { oauthClientIds: ['a'] }, /Unrecognized field "oauthClientIds"/],
    ['client', { userIds: ['a'] }, /Unrecognized field "userIds"/],
    ['organization', { organizationIds: ['a'] }, /Unrecognized field "organizationIds"/],
    ['legacy', { templateUris: ['a'] }, /Unrecognized field "templateUris"/],
    // 1 January to 1 April is 91 days counted inclusively: a midnight end pulls the 91st day in.
    ['organization', { interval: '2026-01-01T00:00:00Z/2026-04-01T00:00:00Z' }, /90 days/],
    ['client', { interval: '2026-01-01T00:00:00Z/2026-04-01T00:00:00Z' }, /90 days/],
    ['organization', { interval: '2025-11-20T00:00:00Z/2025-11-30T23:59:59Z' }, /more than a year ago/],
    ['organization', { interval: '2026-11-01/2026-11-07' }, /interval must be/],
    ['organization', { interval: '2026-11-07T00:00:00Z/2026-11-01T00:00:00Z' }, /before its start/],
  ] as const)('answers 400 on the %s endpoint for %j', async (endpoint, change, message) => {
    const reply = await call('POST', PATHS[endpoint], { interval: WEEK, ...change });
    expect(reply.status).toBe(400);
    expect(reply.body.message).toMatch(message);
  });

  it('accepts 90 days counted inclusively, and a start exactly a year ago', async () => {
    const ok = ['2026-01-01T00:00:00Z/2026-03-31T23:59:59Z', '2025-11-21T00:00:00Z/2025-11-21T23:59:59Z'];
    for (const interval of ok) {
      expect(await call('POST', PATHS.organization, { interval })).toMatchObject({ status: 202 });
    }
  });

  it('refuses a pageSize above 1000', async () => {
    await call('POST', PATHS.organization, { interval: WEEK });
    expect((await call('GET', `${PATHS.organization}/job-1?pageSize=1001`)).status).toBe(400);
    expect((await call('GET', `${PATHS.organization}/job-1?pageSize=1000`)).status).toBe(200);
  });

  it('serves only the rows dated inside the requested days', async () => {
    const dates = ['2026-10-31', '2026-11-01', '2026-11-07', '2026-11-08'];
    fake.addJob({ pages: [dates.map((date, i) => aggregatesRow(i, { date }))] });
    await call('POST', PATHS.organization, { interval: WEEK });
    const page = await call('GET', `${PATHS.organization}/job-1?pageSize=1000`);
    expect((page.body.entities as { date: string }[]).map((r) => r.date)).toEqual([
      '2026-11-01',
      '2026-11-07',
    ]);

    fake.addLegacyQuery({
      results: dates.map((date) => ({ ...legacyRow(1), date: `${date}T00:00:00Z` })),
    });
    const { body } = await call('POST', PATHS.legacy, {
      interval: '2026-11-01T00:00:00Z/2026-11-01T23:59:59Z',
    });
    const results = await call('GET', `/api/v2/usage/query/${body.executionId as string}/results`);
    expect((results.body.results as { date: string }[]).map((r) => r.date)).toEqual(['2026-11-01T00:00:00Z']);
  });

  it('answers the organisation without any permission', async () => {
    expect(await call('GET', '/api/v2/organizations/me')).toMatchObject({
      status: 200,
      body: { id: fake.organization.id, name: 'Fake Org' },
    });
  });
});

describe('organizationOf', () => {
  it('takes a plain id and a name without control characters', async () => {
    const { organizationOf } = await import('../../src/genesys/organization.js');
    expect(organizationOf({ id: 'abc-1', name: 'Acme\n::error::x' })).toEqual({
      id: 'abc-1',
      name: 'Acme ::error::x',
    });
    expect(organizationOf({ id: 'abc-1' })).toEqual({ id: 'abc-1', name: '' });
    expect(() => organizationOf({ id: '../x', name: 'n' })).toThrow(/no organisation id/);
    expect(() => organizationOf([])).toThrow(/not an organisation \(an array\)/);
  });
});
