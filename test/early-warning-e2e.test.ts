/**
 * The early warnings, end to end: the bundled action (`npm run bundle` first) against the loopback fake
 * Genesys Cloud. Near-limit events queried, counted, reported, written and gated; the 403 both ways;
 * compare-previous querying exactly the previous window of equal length; and a replay of both periods.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { aggregatesRow, FakeGenesys } from './support/fake-genesys.js';
import { filesUnder, readPartitions } from './support/fault-run.js';
import { loopbackOnly, tempDir } from './support/isolation.js';
import { ROOT, runAction, type ActionRun } from './support/run-action.js';

process.env = loopbackOnly(process.env);

const DAY = 86_400_000;
const today = Math.floor(Date.now() / DAY) * DAY;
/** `YYYY-MM-DD` of n days before today (UTC). */
const day = (n: number) => new Date(today - n * DAY).toISOString().slice(0, 10);
const midnight = (n: number) => `${day(n)}T00:00:00Z`;

const TOKEN_LIMIT = 'client.credentials.token.rate.per.minute';
const HOSTILE_ENTITY = 'org-<b>|x';

let fake: FakeGenesys;
beforeEach(async () => {
  fake = await FakeGenesys.start();
});
afterEach(async () => {
  await fake.close();
});

const describeIfBundled = existsSync(path.join(ROOT, 'dist', 'index.js')) ? describe : describe.skip;

function inputs(extra: Record<string, string>): Record<string, string> {
  return {
    'client-id': fake.clientId,
    'client-secret': fake.clientSecret,
    environment: fake.url,
    interval: 'P7D',
    granularity: 'Day',
    'group-by': 'OauthClientId',
    'output-dir': 'out',
    'pr-comment': 'false',
    ...extra,
  };
}

const annotations = (run: ActionRun, kind: 'warning' | 'error') =>
  run.stdout.split('\n').filter((l) => l.startsWith(`::${kind}`));

/** The current week's usage: clients 1, 2 and 0 (aggregatesRow n % 3), 306 requests, 6 429s. */
const currentRows = () => [1, 2, 3].map((n) => aggregatesRow(n, { date: day(2) }));

describeIfBundled('near-limit events', () => {
  beforeEach(() => {
    fake.rateLimitEvents.push(
      { date: day(2), limitName: TOKEN_LIMIT, entityId: 'client-1', namespace: 'oauth', count: 3 },
      { date: day(3), limitName: TOKEN_LIMIT, entityId: 'client-1', namespace: 'oauth', count: 2 },
      {
        date: day(1),
        limitName: 'org.api.rate',
        entityId: HOSTILE_ENTITY,
        namespace: 'platform.api',
        count: 1,
      },
      // Before the interval: must not be counted.
      { date: day(10), limitName: TOKEN_LIMIT, entityId: 'client-1', namespace: 'oauth', count: 50 },
    );
    fake.addJob({ pages: [currentRows()] });
  });

  it('queries, counts, reports, writes and gates them', async () => {
    const run = await runAction(inputs({ 'rate-limit-events': 'true', 'max-rate-limit-events': '5' }));

    // Queried: the run's interval and granularity, grouped by limit and entity.
    const queries = fake.requestsTo('POST', /^\/api\/v2\/analytics\/ratelimits\/aggregates\/query$/);
    expect(queries.map((q) => q.body)).toEqual([
      {
        interval: `${midnight(7)}/${midnight(0)}`,
        granularity: 'P1D',
        groupBy: ['limitName', 'entityId', 'namespace'],
        metrics: ['oRateLimitRecorded'],
      },
    ]);

    // Counted and gated: 3 + 2 + 1 inside the interval, above the limit of 5.
    expect(run.outputs['rate-limit-events']).toBe('6');
    expect(run.outputs.breached).toBe('true');
    expect(JSON.parse(run.outputs.breaches!)).toEqual([
      { threshold: 'max-rate-limit-events', limit: 5, value: 6 },
    ]);
    expect(run.code).toBe(1);
    expect(annotations(run, 'error')).toEqual([
      expect.stringContaining('max-rate-limit-events breached: near-limit events 6 > limit 5'),
    ]);

    // Reported above the 429 tables, the client named, the hostile entity escaped.
    const summary = run.summary;
    expect(summary.indexOf('### Close to the limit')).toBeGreaterThan(0);
    expect(summary.indexOf('### Close to the limit')).toBeLessThan(summary.indexOf('groups by 429s'));
    expect(summary).toContain(`Client 1<br><sub>client-1</sub> | 5 | 2 |`);
    expect(summary).toContain('org-&lt;b&gt;&#124;x');
    expect(summary).not.toContain(HOSTILE_ENTITY);

    // Written in their own table folder, a sibling of the usage records, never inside it.
    const outDir = path.join(run.workDir, 'out');
    const eventsDir = path.join(outDir, 'genesys-usage-rate-limit-events');
    const events = readPartitions(eventsDir);
    expect(events.files.sort()).toEqual(
      [3, 2, 1].map((n) =>
        // Named after the organisation, like the usage objects.
        `granularity=day/dt=${day(n)}/ratelimits.org-${fake.organization.id}.by-entityid-limitname-namespace.json.gz`
          .split('/')
          .join(path.sep),
      ),
    );
    expect(events.records.map((r) => Object.keys(r))[0]).toEqual([
      'date',
      'limitName',
      'namespace',
      'entityId',
      'entityName',
      'events',
      'interval',
      'collectedAt',
    ]);
    expect(events.records.map((r) => [r.date, r.entityId, r.entityName, r.events]).sort()).toEqual(
      [
        [day(1), HOSTILE_ENTITY, '', 1],
        [day(2), 'client-1', 'Client 1', 3],
        [day(3), 'client-1', 'Client 1', 2],
      ].sort(),
    );
    const usage = readPartitions(path.join(outDir, 'genesys-usage'));
    expect(usage.records).toHaveLength(3);
    expect(usage.records.every((r) => !('limitName' in r))).toBe(true);

    // In report.json.
    const report = JSON.parse(readFileSync(path.join(outDir, 'report.json'), 'utf8')) as {
      rateLimitEvents: { status: string; total: number; top: { entityName: string; events: number }[] };
    };
    expect(report.rateLimitEvents.status).toBe('ok');
    expect(report.rateLimitEvents.total).toBe(6);
    expect(report.rateLimitEvents.top[0]).toMatchObject({ entityName: 'Client 1', events: 5 });
  });

  it('goes on with one warning naming the permission when the events are refused (403)', async () => {
    fake.rateLimitForbidden = true;
    const run = await runAction(inputs({ 'rate-limit-events': 'true', 'max-429': '100' }));
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(annotations(run, 'warning')).toEqual([
      expect.stringContaining('the OAuth client needs the analytics:rateLimitAggregate:view permission'),
    ]);
    expect(annotations(run, 'error')).toEqual([]);
    expect(run.outputs['rate-limit-events']).toBe('');
    expect(run.outputs.records).toBe('3');
    expect(run.summary).toContain(
      'Not available: the OAuth client lacks the <code>analytics:rateLimitAggregate:view</code> permission.',
    );
    expect(filesUnder(path.join(run.workDir, 'out', 'genesys-usage-rate-limit-events'))).toEqual([]);
  });

  it('fails the step when max-rate-limit-events is set and the events are refused (403)', async () => {
    fake.rateLimitForbidden = true;
    const run = await runAction(inputs({ 'rate-limit-events': 'true', 'max-rate-limit-events': '0' }));
    expect(run.code).toBe(1);
    const errors = annotations(run, 'error');
    expect(errors.join('\n')).toContain('analytics:rateLimitAggregate:view');
    expect(errors.join('\n')).toContain('max-rate-limit-events cannot be evaluated');
    // The report and the outputs are still written.
    expect(run.outputs.records).toBe('3');
    expect(run.outputs['rate-limit-events']).toBe('');
    expect(existsSync(path.join(run.workDir, 'out', 'report.json'))).toBe(true);
  });
});

describeIfBundled('compare-previous', () => {
  it('queries exactly the previous window of equal length and reports the change', async () => {
    fake.addJob({ pages: [currentRows()] });
    // The previous week: clients 1 and 2 only, 203 requests, 3 429s.
    fake.addJob({ pages: [[1, 2].map((n) => aggregatesRow(n, { date: day(10) }))] });
    const run = await runAction(inputs({ 'compare-previous': 'true', 'max-requests-growth': '50%' }));

    const jobs = fake.requestsTo('POST', /^\/api\/v2\/usage\/aggregates\/query\/jobs$/);
    expect(jobs.map((j) => j.body)).toEqual([
      // Genesys reads both ends as included: each window ends on its last day's 23:59:59Z.
      { interval: `${midnight(7)}/${day(1)}T23:59:59Z`, granularity: 'Day', groupBy: ['OauthClientId'] },
      { interval: `${midnight(14)}/${day(8)}T23:59:59Z`, granularity: 'Day', groupBy: ['OauthClientId'] },
    ]);
    expect(run.outputs['query-id']).toBe('job-1');

    // (306 - 203) / 203 = 50.7389...%; (6 - 3) / 3 = 100%.
    expect(run.outputs['requests-change']).toBe('50.74');
    expect(run.outputs['change-429']).toBe('100.00');
    expect(JSON.parse(run.outputs.breaches!)).toEqual([
      { threshold: 'max-requests-growth', limit: 50, value: 50.74 },
    ]);
    expect(run.code).toBe(1);

    // The previous rows are compared only: the NDJSON holds this week's three records.
    expect(run.outputs.records).toBe('3');
    const usage = readPartitions(path.join(run.workDir, 'out', 'genesys-usage'));
    expect(usage.records.map((r) => r.date)).toEqual([day(2), day(2), day(2)]);

    expect(run.summary).toContain('Against the previous period');
    expect(run.summary).toContain('requests 203 → 306 (**+50.74%**)');
    expect(run.summary).toContain('### Biggest movers');
    // Client 0 is new (row 3), so it moved most: 103 requests, none before. Both periods carry the organisation.
    expect(run.summary).toMatch(
      /\| 1 \| Client 0 \(client-0\) 6f0c5e1a-0d3b-4c8e-9a71-2b5d8e4f7a10 PublicApi GET api\/v2\/things\/3 \| 0 \| 103 \| new \|/,
    );

    const report = JSON.parse(readFileSync(path.join(run.workDir, 'out', 'report.json'), 'utf8')) as {
      comparison: { previousInterval: string; totals: { requests: { change: number } } };
    };
    expect(report.comparison.previousInterval).toBe(`${midnight(14)}/${midnight(7)}`);
    expect(report.comparison.totals.requests.change).toBe(50.74);
  });

  it('replays the previous period from previous-results-file, with an empty change when it had none', async () => {
    const dir = tempDir('saved-periods');
    const current = path.join(dir, 'current.ndjson');
    const previous = path.join(dir, 'previous.json');
    writeFileSync(
      current,
      currentRows()
        .map((r) => JSON.stringify(r))
        .join('\n') + '\n',
    );
    writeFileSync(
      previous,
      // The current rows are all of one day (day 2, inferred): the previous window is the day before.
      JSON.stringify({ entities: [aggregatesRow(4, { date: day(3), status429: 0, requestCount: 100 })] }),
    );
    const run = await runAction({
      'results-file': current,
      'previous-results-file': previous,
      'compare-previous': 'true',
      granularity: 'Day',
      'output-dir': 'out',
      'pr-comment': 'false',
    });
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    expect(fake.requests).toEqual([]);
    expect(run.outputs['requests-change']).toBe('206.00');
    expect(run.outputs['change-429']).toBe('');
    expect(run.outputs.records).toBe('3');
    expect(run.summary).toContain('requests 100 → 306 (**+206.00%**) · 429s 0 → 6 (**new**)');
  });
});
