/**
 * The bundled action (`node dist/index.js`, run `npm run bundle` first) against the strict fake Genesys
 * Cloud, for what issue 10 fixed: the days a query covers (a calendar month written both ways, 120 days
 * in two jobs, P1Y), the client-scoped endpoint, and two organisations sharing one bucket and prefix.
 * Real time: dates are computed from today, as the action computes them.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { aggregatesRow, clientRow, FakeGenesys } from './support/fake-genesys.js';
import { filesUnder, readText } from './support/fault-run.js';
import { CREDENTIALS, loopbackS3, REGION, startS3rver } from './support/aws/harness.js';
import { listKeys } from './support/aws/lake-s3.js';
import { loopbackOnly } from './support/isolation.js';
import { ROOT, runAction } from './support/run-action.js';

process.env = loopbackOnly(process.env);

const DAY = 86_400_000;
const TODAY = Math.floor(Date.now() / DAY) * DAY;
const iso = (ms: number) => new Date(ms).toISOString().slice(0, 10);
/** Every date from `first` to `last` (epoch ms at 00:00Z), both included. */
const datesFrom = (first: number, last: number) =>
  Array.from({ length: Math.round((last - first) / DAY) + 1 }, (_, i) => iso(first + i * DAY));

let fake: FakeGenesys;
beforeEach(async () => {
  fake = await FakeGenesys.start();
});
afterEach(async () => {
  await fake.close();
});

function live(extra: Record<string, string>): Record<string, string> {
  return {
    'client-id': fake.clientId,
    'client-secret': fake.clientSecret,
    environment: fake.url,
    'output-dir': 'out',
    'pr-comment': 'false',
    ...extra,
  };
}

/** Every record the run wrote under output-dir. */
function recordsOf(workDir: string): Record<string, unknown>[] {
  return filesUnder(path.join(workDir, 'out'))
    .filter((f) => /\.json(\.gz)?$/.test(f) && !f.endsWith('report.json'))
    .flatMap((f) => readText(f).split('\n').filter(Boolean))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

const sentIntervals = (f: FakeGenesys) =>
  f.requestsTo('POST', /aggregates\/query\/jobs$/).map((r) => (r.body as { interval: string }).interval);

const describeIfBundled = existsSync(path.join(ROOT, 'dist', 'index.js')) ? describe : describe.skip;

describeIfBundled('dist/index.js: the days sent to Genesys', () => {
  // The previous calendar month, and one row on every day from the day before it to the day after it.
  const monthStart = Date.UTC(new Date(TODAY).getUTCFullYear(), new Date(TODAY).getUTCMonth() - 1, 1);
  const nextMonth = Date.UTC(new Date(TODAY).getUTCFullYear(), new Date(TODAY).getUTCMonth(), 1);
  const monthDays = datesFrom(monthStart, nextMonth - DAY);

  it.each([
    ['date-only', `${iso(monthStart)}/${iso(nextMonth - DAY)}`],
    ['date-time', `${iso(monthStart)}T00:00:00Z/${iso(nextMonth)}T00:00:00Z`],
  ])('covers exactly the calendar month written %s', async (_how, interval) => {
    const around = datesFrom(monthStart - DAY, nextMonth).map((date, n) => aggregatesRow(n, { date }));
    fake.addJob({ pages: [around] });
    const run = await runAction(live({ interval, granularity: 'Day' }));
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });

    expect(sentIntervals(fake)).toEqual([`${iso(monthStart)}T00:00:00Z/${iso(nextMonth - DAY)}T23:59:59Z`]);
    const records = recordsOf(run.workDir);
    expect(records.map((r) => r.date).sort()).toEqual(monthDays);
    expect(run.stdout).toContain(
      `interval: ${monthDays[0]} to ${monthDays.at(-1)} (${monthDays.length} days)`,
    );
    expect(run.summary).toContain(`${monthDays[0]} → ${monthDays.at(-1)} (${monthDays.length} days)`);
    const report = JSON.parse(readFileSync(run.outputs['report-json']!, 'utf8')) as { days: unknown };
    expect(report.days).toEqual({ first: monthDays[0], last: monthDays.at(-1), count: monthDays.length });
    // No partial bucket at either end.
    expect(run.stdout).not.toContain('partial bucket');
  });

  it('splits 120 days into consecutive jobs of at most 90 days, no day lost or counted twice', async () => {
    const first = TODAY - 120 * DAY;
    const rows = datesFrom(first - DAY, TODAY).map((date, n) => aggregatesRow(n, { date }));
    fake.addJob({ pages: [rows] });
    fake.addJob({ pages: [rows] });
    const run = await runAction(live({ interval: 'P120D', granularity: 'Day' }));
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });

    const cut = first + 90 * DAY;
    expect(sentIntervals(fake)).toEqual([
      `${iso(first)}T00:00:00Z/${iso(cut - DAY)}T23:59:59Z`,
      `${iso(cut)}T00:00:00Z/${iso(TODAY - DAY)}T23:59:59Z`,
    ]);
    const dates = recordsOf(run.workDir).map((r) => r.date as string);
    expect(dates.sort()).toEqual(datesFrom(first, TODAY - DAY));
    expect(run.outputs['query-id']).toBe('job-1,job-2');
  });

  it('accepts P1Y: from the same date a year ago, in five jobs', async () => {
    const run = await runAction(live({ interval: 'P1Y', granularity: 'Day' }));
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const yearAgo = new Date(TODAY);
    yearAgo.setUTCFullYear(yearAgo.getUTCFullYear() - 1);
    const sent = sentIntervals(fake);
    expect(sent[0]).toMatch(new RegExp(`^${iso(yearAgo.getTime())}T00:00:00Z/`));
    expect(sent.at(-1)).toMatch(new RegExp(`/${iso(TODAY - DAY)}T23:59:59Z$`));
    expect(sent.length).toBeGreaterThanOrEqual(5);
  });
});

describeIfBundled('dist/index.js: organisations', () => {
  it('runs the client-scoped endpoint: group-by per endpoint, organizationIds, clientId filled', async () => {
    const date = iso(TODAY - DAY);
    fake.addJob({
      pages: [
        [clientRow(1, { date, organizationId: 'org-a' }), clientRow(2, { date, organizationId: 'org-b' })],
      ],
    });
    const run = await runAction(
      live({
        interval: 'P1D',
        'usage-client-id': 'partner-client',
        'group-by': 'OrganizationId',
        'organization-ids': 'org-a,org-b',
      }),
    );
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
    const [submit] = fake.requestsTo('POST', /jobs$/);
    expect(submit?.path).toBe('/api/v2/usage/client/partner-client/aggregates/query/jobs');
    expect(submit?.body).toMatchObject({ groupBy: ['OrganizationId'], organizationIds: ['org-a', 'org-b'] });
    const records = recordsOf(run.workDir);
    expect(records.map((r) => [r.clientId, r.organizationId]).sort()).toEqual([
      ['partner-client', 'org-a'],
      ['partner-client', 'org-b'],
    ]);

    // A group-by the endpoint lacks fails before any call, in one line.
    const refused = await runAction(
      live({
        interval: 'P1D',
        'usage-client-id': 'partner-client',
        'group-by': 'OauthClientId',
        summary: 'false',
      }),
    );
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(
      /^::error::Input 'group-by' has an invalid value 'OauthClientId': expected any of OrganizationId, HttpMethod, TemplateUri, Platform/m,
    );
  });

  it('keeps two organisations apart in one bucket and prefix, and names each in its summary', async () => {
    const s3 = await startS3rver(['usage-lake']);
    const reader: S3Client = loopbackS3(s3.endpoint);
    const other = await FakeGenesys.start({
      organization: { id: '0a1b2c3d-0000-4000-8000-00000000beef', name: 'Test <org> | B' },
    });
    try {
      const date = iso(TODAY - DAY);
      const env = {
        AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
        AWS_REGION: REGION,
        AWS_ENDPOINT_URL_S3: s3.endpoint,
        AWS_EC2_METADATA_DISABLED: 'true',
      };
      const shared = {
        interval: 'P1D',
        granularity: 'Day',
        'group-by': 'OauthClientId',
        's3-bucket': 'usage-lake',
        's3-force-path-style': 'true',
      };
      fake.addJob({ pages: [[aggregatesRow(1, { date })]] });
      other.addJob({ pages: [[aggregatesRow(2, { date }), aggregatesRow(3, { date })]] });
      const runs = [];
      for (const f of [fake, other]) {
        const run = await runAction(
          {
            ...shared,
            'client-id': f.clientId,
            'client-secret': f.clientSecret,
            environment: f.url,
            'output-dir': 'out',
            'pr-comment': 'false',
          },
          env,
        );
        expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
        runs.push(run);
      }
      expect(runs[0]?.summary).toContain(`Fake Org (<code>${fake.organization.id}</code>)`);
      expect(runs[1]?.summary).toContain(`Test &lt;org&gt; &#124; B (<code>${other.organization.id}</code>)`);

      const keys = await listKeys(reader, 'usage-lake', 'genesys-usage/');
      expect(keys).toHaveLength(2);
      expect(keys.some((k) => k.includes(`org-${fake.organization.id}.`))).toBe(true);
      expect(keys.some((k) => k.includes(`org-${other.organization.id}.`))).toBe(true);
      const rows: Record<string, unknown>[] = [];
      for (const key of keys) {
        const object = await reader.send(new GetObjectCommand({ Bucket: 'usage-lake', Key: key }));
        const text = gunzipSync(Buffer.from(await object.Body!.transformToByteArray())).toString('utf8');
        rows.push(
          ...text
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as Record<string, unknown>),
        );
      }
      expect(rows.map((r) => `${r.organizationId as string} ${r.templateUri as string}`).sort()).toEqual(
        [
          `${fake.organization.id} api/v2/things/1`,
          `${other.organization.id} api/v2/things/2`,
          `${other.organization.id} api/v2/things/3`,
        ].sort(),
      );
    } finally {
      reader.destroy();
      await Promise.all([s3.close(), other.close()]);
    }
  });
});
