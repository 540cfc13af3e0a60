import { readFileSync } from 'node:fs';
import { normaliseRow, RECORD_FIELDS, recordLine, type RecordContext } from '../src/records.js';
import { UserError } from '../src/errors.js';

const CTX: RecordContext = {
  api: 'aggregates',
  interval: '2026-11-18T00:00:00Z/2026-11-20T00:00:00Z',
  defaultDate: '2026-11-18',
  queryId: 'job-9',
  collectedAt: '2026-11-21T06:00:00.000Z',
};
const fixture = (name: string) =>
  JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8'));

describe('normaliseRow', () => {
  it('maps an aggregates row to the record schema, every field in order', () => {
    const record = normaliseRow(fixture('aggregates-page.json').entities[0], CTX);
    expect(Object.keys(record)).toEqual(RECORD_FIELDS);
    expect(record).toEqual({
      date: '2026-11-18',
      clientId: 'c1',
      clientName: 'Sync <svc> | "prod"',
      organizationId: '',
      userId: '',
      templateUri: 'api/v2/users/{userId}',
      httpMethod: 'GET',
      platform: 'PublicApi',
      requests: 120,
      status200: 100,
      status300: 0,
      status400: 20,
      status429: 15,
      status500: 0,
      interval: CTX.interval,
      api: 'aggregates',
      queryId: 'job-9',
      collectedAt: CTX.collectedAt,
    });
  });

  it('maps a legacy totals row: no date means the interval start', () => {
    const record = normaliseRow(fixture('legacy-totals.json').results[1], { ...CTX, api: 'legacy' });
    expect(record.date).toBe('2026-11-18');
    expect(record.requests).toBe(15);
    expect(record.status429).toBe(4);
    expect(record.status400).toBe(5);
    expect(record.api).toBe('legacy');
    expect(record.platform).toBe('');
  });

  it('cuts a legacy date-time to YYYY-MM-DD', () => {
    expect(normaliseRow({ requests: 1, date: '2021-01-12T00:00:00Z' }, CTX).date).toBe('2021-01-12');
  });

  it('fills absent counts with 0 and takes numeric strings', () => {
    const record = normaliseRow(
      { requestCount: '12', status429: null, oauthClient: { id: 'x' }, user: { id: 'u1' } },
      CTX,
    );
    expect(record).toMatchObject({
      requests: 12,
      status200: 0,
      status429: 0,
      clientId: 'x',
      clientName: '',
      userId: 'u1',
    });
  });

  it('keeps the query of a replayed record and detects the API of a replayed row', () => {
    const ctx = { ...CTX, queryId: '', detectApi: true };
    const ours = normaliseRow({ requests: 1, api: 'aggregates', queryId: 'old-job', interval: 'a/b' }, ctx);
    expect(ours).toMatchObject({ api: 'aggregates', queryId: 'old-job', interval: 'a/b' });
    expect(normaliseRow({ requests: 1 }, ctx).api).toBe('legacy');
    expect(normaliseRow({ requestCount: 1 }, ctx).api).toBe('aggregates');
  });

  it.each([[null], [[1, 2]], ['row'], [{ clientId: 'x' }]])('rejects %j', (row) => {
    expect(() => normaliseRow(row, CTX)).toThrow(UserError);
  });

  it('writes one JSON line with the fields in schema order', () => {
    const line = recordLine(normaliseRow({ status429: 1, requests: 2, clientId: 'c' }, CTX));
    expect(line.endsWith('\n')).toBe(true);
    expect(Object.keys(JSON.parse(line))).toEqual(RECORD_FIELDS);
  });
});

describe('API detection on a replay', () => {
  const ctx = { ...CTX, detectApi: true };
  it.each([
    [{ platform: 'PublicApi', status429: 1 }, 'aggregates'],
    [{ date: '2026-11-18', templateUri: 'api/v2/users', status429: 1 }, 'aggregates'],
    [{ date: '2026-11-18T00:00:00Z', templateUri: 'api/v2/users', status429: 1 }, 'legacy'],
    [{ organizationId: 'o', requests: 1 }, 'legacy'],
  ])('%j is %s', (row, api) => {
    expect(normaliseRow(row, ctx).api).toBe(api);
  });
});
