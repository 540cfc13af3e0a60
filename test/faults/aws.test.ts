/**
 * Faults in the data lake, through `run()` with the real Genesys and AWS SDK clients: the Genesys
 * fake serves the rows, s3rver behind a fault-injecting proxy takes the uploads, the Glue and Athena
 * fakes answer with the errors AWS sends. Each run either recovers or fails with one line naming the
 * stage and the cause; the local NDJSON holds every row either way; no credential shows anywhere.
 *
 * The AWS SDK waits between its own retries with real timers (50 ms base, 1 s for throttling, times
 * Math.random): Math.random is pinned to 0 during these runs, so its retries happen at once.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { type AthenaFake, startAthenaFake } from '../support/aws/fake-athena.js';
import { type GlueFake, startGlueFake } from '../support/aws/fake-glue.js';
import { CREDENTIALS, loopbackS3, REGION, startS3rver } from '../support/aws/harness.js';
import { AwsFakeError } from '../support/aws/json-fake.js';
import { athenaOverBucket, listKeys } from '../support/aws/lake-s3.js';
import {
  ACCESS_DENIED,
  INTERNAL_ERROR,
  type S3Fault,
  type S3FaultProxy,
  SLOW_DOWN,
  startS3FaultProxy,
} from '../support/aws/s3-fault-proxy.js';
import { FakeGenesys } from '../support/fake-genesys.js';
import {
  credentialsOf,
  expectNoCredentials,
  expectOneLineFailure,
  expectPartitionsHold,
  expectRecovered,
  genesysInputs,
  type InProcessRun,
  NOW,
  pagesOf,
  readPartitions,
  runInProcess,
  withProcessEnv,
  withRandom,
} from '../support/fault-run.js';
import { loopbackOnly, tempDir, type VirtualClock, virtualClock } from '../support/isolation.js';

process.env = loopbackOnly(process.env);

const BUCKET = 'usage-lake';
const CRAWLER = 'usage-crawler';
const TABLE = 'genesys_usage';

let s3server: { endpoint: string; close: () => Promise<void> };
let proxy: S3FaultProxy;
let reader: S3Client;
let fake: FakeGenesys;
let glue: GlueFake;
let athena: AthenaFake;
let clock: VirtualClock;
let prefix: string;
let testNo = 0;

beforeAll(async () => {
  s3server = await startS3rver([BUCKET]);
  proxy = await startS3FaultProxy(s3server.endpoint);
  reader = loopbackS3(s3server.endpoint);
});
afterAll(async () => {
  reader.destroy();
  await proxy.close();
  await s3server.close();
});

beforeEach(async () => {
  clock = virtualClock(NOW);
  // A prefix per test: each test's objects apart from the others'.
  prefix = `faults-${++testNo}`;
  fake = await FakeGenesys.start();
  glue = await startGlueFake({ [CRAWLER]: { runPolls: 1 } }, clock.now);
  athena = await startAthenaFake({
    queuedPolls: 1,
    runningPolls: 1,
    // Athena's stand-in: DuckDB over what the bucket holds under this test's prefix.
    execute: athenaOverBucket(reader, BUCKET, { [TABLE]: prefix }),
  });
});
afterEach(async () => {
  proxy.clearFaults();
  await Promise.all([fake.close(), glue.close(), athena.close()]);
});

/** The job's rows: one page per day, so a page is one partition file. */
function scriptJob(sizes: number[]) {
  const pages = pagesOf(sizes);
  fake.addJob({ statuses: ['Succeeded'], pages });
  return pages.flat();
}

/** `run()` with S3, the crawler and Athena; AWS endpoints and credentials through process.env. */
function runLake(extra: Record<string, string> = {}): Promise<InProcessRun> {
  const inputs = genesysInputs(fake, {
    's3-bucket': BUCKET,
    's3-prefix': prefix,
    's3-force-path-style': 'true',
    'aws-region': REGION,
    'glue-crawler': CRAWLER,
    'athena-database': 'genesys',
    'athena-table': TABLE,
    'athena-output-location': 's3://usage-results/athena/',
    ...extra,
  });
  const none = path.join(tempDir('no-aws-config'), 'absent');
  return withProcessEnv(
    {
      // The SDK reads these from process.env only (src/aws/clients.ts passes region and path style).
      AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
      AWS_SESSION_TOKEN: undefined,
      AWS_PROFILE: undefined,
      AWS_ENDPOINT_URL: undefined,
      AWS_ENDPOINT_URL_S3: proxy.endpoint,
      AWS_ENDPOINT_URL_GLUE: glue.endpoint,
      AWS_ENDPOINT_URL_ATHENA: athena.endpoint,
      // The SDK's defaults: 3 attempts, standard mode; nothing from this machine's ~/.aws.
      AWS_MAX_ATTEMPTS: undefined,
      AWS_RETRY_MODE: undefined,
      AWS_CONFIG_FILE: none,
      AWS_SHARED_CREDENTIALS_FILE: none,
      AWS_EC2_METADATA_DISABLED: 'true',
    },
    () => withRandom(0, () => runInProcess(inputs, { clock })),
  );
}

const uriOf = (relativePath: string) => `s3://${BUCKET}/${prefix}/${relativePath.split(path.sep).join('/')}`;
const puts = () => proxy.requests.filter((r) => r.method === 'PUT' && r.url.includes(`/${prefix}/`));

/** Every local partition went up, and only those: the outputs and the bucket agree with the disk. */
async function expectAllUploaded(r: InProcessRun) {
  const local = readPartitions(r.ndjsonDir).files.map(uriOf).sort();
  expect((JSON.parse(r.io.outputs['s3-uris'] ?? '[]') as string[]).sort()).toEqual(local);
  expect((await listKeys(reader, BUCKET, `${prefix}/`)).map((k) => `s3://${BUCKET}/${k}`)).toEqual(local);
}

/** A complete run: uploads, crawl, query; the Athena CSV's 429s add up to the report's. */
async function expectFullLake(r: InProcessRun, rows: Record<string, unknown>[]) {
  expectRecovered(r);
  expectPartitionsHold(r.ndjsonDir, rows);
  await expectAllUploaded(r);
  expect(r.io.outputs).toMatchObject({
    records: String(rows.length),
    'total-429': String(rows.reduce((sum, row) => sum + Number(row.status429), 0)),
    'crawler-status': 'SUCCEEDED',
    'athena-query-execution-id': expect.stringMatching(/^qe-1-[0-9a-f]{8}$/),
    'athena-results-csv': path.join(r.outputDir, 'athena-results.csv'),
  });
  const csv = readFileSync(r.io.outputs['athena-results-csv']!, 'utf8').trimEnd().split('\n');
  expect(csv[0]).toBe('client_id,client_name,template_uri,requests,status_429,rate_429_pct');
  expect(csv.slice(1).reduce((sum, line) => sum + Number(line.split(',')[4]), 0)).toBe(
    Number(r.io.outputs['total-429']),
  );
  for (const section of ['### S3 upload', '### Glue', '### Athena'])
    expect(r.io.jobSummaries.join('')).toContain(section);
  expectNoCredentials(r, credentialsOf(fake));
}

/** A failed data lake stage: the local NDJSON, the report and the outputs are all still there. */
function expectLakeFailure(r: InProcessRun, rows: Record<string, unknown>[], stage: RegExp, cause: RegExp) {
  const line = expectOneLineFailure(r, stage, cause);
  expectPartitionsHold(r.ndjsonDir, rows);
  expect(r.io.outputs).toMatchObject({ records: String(rows.length), 'ndjson-path': r.ndjsonDir });
  expect(existsSync(r.io.outputs['report-json']!)).toBe(true);
  expectNoCredentials(r, credentialsOf(fake));
  return line;
}

describe('S3: 500 InternalError and 503 SlowDown on PutObject', () => {
  const cases: [string, S3Fault, RegExp][] = [
    [
      '500 InternalError',
      INTERNAL_ERROR,
      /InternalError: We encountered an internal error\. Please try again\.$/,
    ],
    ['503 SlowDown', SLOW_DOWN, /SlowDown: Please reduce your request rate\.$/],
  ];

  it.each(cases)(
    'recovers from two %s answers in a row: the SDK retries within its 3 attempts',
    async (_, fault) => {
      const rows = scriptJob([4]);
      proxy.failNext('PUT', fault, 2);

      const r = await runLake();

      await expectFullLake(r, rows);
      expect(puts().map((p) => p.fault ?? 'stored')).toEqual([fault.code, fault.code, 'stored']);
    },
  );

  it.each(cases)('recovers from %s on several files uploading at once', async (_, fault) => {
    const rows = scriptJob([3, 2, 1]);
    proxy.failNext('PUT', fault, 3);

    const r = await runLake();

    await expectFullLake(r, rows);
    expect(puts()).toHaveLength(3 + 3);
  });

  it.each(cases)(
    'fails in one line naming the object when %s outlasts the retries',
    async (_, fault, cause) => {
      const rows = scriptJob([3, 2, 1]);
      proxy.failNext('PUT', fault, Infinity);

      const r = await runLake();

      expectLakeFailure(
        r,
        rows,
        new RegExp(
          `^S3 upload of s3://${BUCKET}/${prefix}/granularity=day/dt=2026-11-0\\d/\\S+\\.json\\.gz failed: `,
        ),
        cause,
      );
      // Three attempts at each file that started; then nothing new starts, and Glue and Athena never run.
      expect(puts().length % 3).toBe(0);
      expect(puts().every((p) => p.fault === fault.code)).toBe(true);
      expect(glue.operations()).toEqual([]);
      expect(athena.operations()).toEqual([]);
      expect(r.io.outputs).toMatchObject({ 's3-uris': '[]', 'crawler-status': 'SKIPPED' });
    },
  );
});

describe('S3: one object refused (403 AccessDenied)', () => {
  // Was a GAP (src/aws/poll.ts, mapLimit kept no results once one item failed): s3-uris was [] although
  // the other objects were written. Each upload is now recorded as it completes.
  it('fails in one line naming that object, and s3-uris lists exactly the 5 objects written', async () => {
    const rows = scriptJob([1, 1, 1, 1, 1, 1]);
    // The last of the 6 partitions: it starts after the 5 others, so they all finish.
    proxy.failNext('PUT', ACCESS_DENIED, Infinity, '2026-11-07');

    const r = await runLake();

    expectLakeFailure(
      r,
      rows,
      new RegExp(
        `^S3 upload of s3://${BUCKET}/${prefix}/granularity=day/dt=2026-11-07/\\S+\\.json\\.gz failed: `,
      ),
      /AccessDenied: Access Denied$/,
    );
    const stored = (await listKeys(reader, BUCKET, `${prefix}/`)).map((k) => `s3://${BUCKET}/${k}`);
    const local = readPartitions(r.ndjsonDir).files.map(uriOf).sort();
    expect(stored).toEqual(local.filter((uri) => !uri.includes('dt=2026-11-07/')));
    expect(stored).toHaveLength(5);
    expect((JSON.parse(r.io.outputs['s3-uris'] ?? '[]') as string[]).sort()).toEqual(stored);
    expect(r.io.outputs['crawler-status']).toBe('SKIPPED');
    expect(glue.operations()).toEqual([]);
  });
});

describe('Glue: OperationTimeoutException', () => {
  const timedOut = () => new AwsFakeError('OperationTimeoutException', 'Timed out waiting for crawler state');

  // The SDK does not retry OperationTimeoutException (a 400 that is neither throttling nor transient);
  // src/aws/glue.ts does: a GetCrawler that gets one is a missed poll, a StartCrawler that gets one is
  // checked with GetCrawler and tried again only when no crawl of ours started.
  it('on StartCrawler, with no crawl started: starts again and the run completes', async () => {
    const rows = scriptJob([3, 2]);
    glue.failNext('StartCrawler', timedOut());

    const r = await runLake();

    await expectFullLake(r, rows);
    expect(glue.operations().slice(0, 4)).toEqual([
      'GetCrawler',
      'StartCrawler',
      'GetCrawler',
      'StartCrawler',
    ]);
    expect(glue.crawlsStarted(CRAWLER)).toBe(1);
  });

  it('on StartCrawler, with the crawl started all the same: polls that crawl, never starts a second', async () => {
    await glue.close();
    glue = await startGlueFake({ [CRAWLER]: { runPolls: 1, timeoutsAfterStarting: 1 } }, clock.now);
    const rows = scriptJob([3, 2]);

    const r = await runLake();

    await expectFullLake(r, rows);
    expect(glue.operations().filter((o) => o === 'StartCrawler')).toHaveLength(1);
    expect(glue.crawlsStarted(CRAWLER)).toBe(1);
    expect(r.io.lines).toContain(
      `Crawler ${CRAWLER} is RUNNING with a crawl begun since our StartCrawler: going on with it.`,
    );
  });

  it('on every StartCrawler: fails in one line with AWS’s message after 3 retries, crawler-status FAILED', async () => {
    const rows = scriptJob([3, 2]);
    glue.failNext('StartCrawler', timedOut(), { times: Infinity });

    const r = await runLake();

    expectLakeFailure(
      r,
      rows,
      new RegExp(`^Glue StartCrawler ${CRAWLER} failed: `),
      /OperationTimeoutException: Timed out waiting for crawler state \(4 attempts; GetCrawler showed no crawl started\)$/,
    );
    await expectAllUploaded(r);
    expect(glue.operations().filter((o) => o === 'StartCrawler')).toHaveLength(4);
    expect(glue.crawlsStarted(CRAWLER)).toBe(0);
    expect(athena.operations()).toEqual([]);
    expect(r.io.outputs['crawler-status']).toBe('FAILED');
  });

  it('on GetCrawler while the crawl runs: a missed poll, logged in one line; the run completes', async () => {
    const rows = scriptJob([3, 2]);
    // The first GetCrawler (is it free?) passes; the first two polls after StartCrawler time out.
    glue.failNext('GetCrawler', timedOut(), { after: 1, times: 2 });

    const r = await runLake();

    await expectFullLake(r, rows);
    expect(glue.crawlsStarted(CRAWLER)).toBe(1);
    expect(r.io.lines.filter((l) => l.includes('a missed poll'))).toEqual([
      `Glue GetCrawler ${CRAWLER} failed: OperationTimeoutException: Timed out waiting for crawler state: a missed poll; polling on until crawler-timeout (15m).`,
      `Glue GetCrawler ${CRAWLER} failed: OperationTimeoutException: Timed out waiting for crawler state: a missed poll; polling on until crawler-timeout (15m).`,
    ]);
  });

  // Was a GAP (src/aws/index.ts, stages(): result.crawlerStatus was set only for a CrawlerFailedError):
  // any failure of the crawler stage now reports FAILED, never SKIPPED.
  it('reports crawler-status FAILED, not SKIPPED, when GetCrawler fails until crawler-timeout', async () => {
    scriptJob([1]);
    glue.failNext('GetCrawler', timedOut(), { after: 1, times: Infinity });
    const r = await runLake({ 'crawler-timeout': '1m' });
    expect(r.io.failed).toBe(
      `Glue crawler ${CRAWLER} did not finish within crawler-timeout (1m; state unknown), and the last poll failed: ` +
        'OperationTimeoutException: Timed out waiting for crawler state. It goes on running in AWS; the uploaded objects are in place.',
    );
    expect(r.io.outputs['crawler-status']).toBe('FAILED');
  });

  it('reports crawler-status FAILED when StartCrawler is refused', async () => {
    scriptJob([1]);
    glue.failNext('StartCrawler', new AwsFakeError('AccessDeniedException', 'User is not authorized'));
    const r = await runLake();
    expect(r.io.failed).toBe(
      `Glue StartCrawler ${CRAWLER} failed: AccessDeniedException: User is not authorized`,
    );
    expect(r.io.outputs['crawler-status']).toBe('FAILED');
  });
});

describe('Athena: TooManyRequestsException', () => {
  const throttled = () => new AwsFakeError('TooManyRequestsException', 'Rate exceeded');

  it('on StartQueryExecution: the SDK retries (same ClientRequestToken) and the run recovers', async () => {
    const rows = scriptJob([3, 2, 1]);
    athena.failNext('StartQueryExecution', throttled(), { times: 2 });

    const r = await runLake();

    await expectFullLake(r, rows);
    const starts = athena.calls.filter((c) => c.operation === 'StartQueryExecution');
    expect(starts).toHaveLength(3);
    expect(new Set(starts.map((c) => c.body.ClientRequestToken)).size).toBe(1);
    expect(athena.executions).toHaveLength(1);
  });

  it('on GetQueryExecution: the SDK retries and the run recovers', async () => {
    const rows = scriptJob([3, 2, 1]);
    athena.failNext('GetQueryExecution', throttled(), { times: 2, after: 1 });

    const r = await runLake();

    await expectFullLake(r, rows);
  });

  it('on every StartQueryExecution: fails in one line naming Athena and the throttling', async () => {
    const rows = scriptJob([3, 2]);
    athena.failNext('StartQueryExecution', throttled(), { times: Infinity });

    const r = await runLake();

    expectLakeFailure(
      r,
      rows,
      /^Athena StartQueryExecution failed: /,
      /TooManyRequestsException: Rate exceeded$/,
    );
    expect(athena.operations()).toEqual([
      'StartQueryExecution',
      'StartQueryExecution',
      'StartQueryExecution',
    ]);
    // What was done before the failure is in the outputs.
    await expectAllUploaded(r);
    expect(r.io.outputs).toMatchObject({ 'crawler-status': 'SUCCEEDED', 'athena-query-execution-id': '' });
  });

  it('on every GetQueryExecution: fails in one line naming Athena and the throttling', async () => {
    const rows = scriptJob([3, 2]);
    athena.failNext('GetQueryExecution', throttled(), { times: Infinity });

    const r = await runLake();

    expectLakeFailure(
      r,
      rows,
      /^Athena GetQueryExecution qe-1-[0-9a-f]{8} failed: /,
      /TooManyRequestsException: Rate exceeded \(the query was stopped\)$/,
    );
    expect(r.io.outputs['crawler-status']).toBe('SUCCEEDED');
  });

  // Was a GAP (src/aws/athena.ts, readResults): a GetQueryResults that failed for good did not name
  // the query, and athena-query-execution-id was empty.
  it('names the query in the line and the output when reading its results fails for good', async () => {
    const rows = scriptJob([3, 2]);
    athena.failNext('GetQueryResults', throttled(), { times: Infinity });

    const r = await runLake();

    const id = athena.executions[0]?.id ?? 'no execution';
    expectLakeFailure(
      r,
      rows,
      new RegExp(`^Athena GetQueryResults ${id} failed: `),
      /TooManyRequestsException: Rate exceeded$/,
    );
    await expectAllUploaded(r);
    expect(r.io.outputs).toMatchObject({
      'crawler-status': 'SUCCEEDED',
      'athena-query-execution-id': id,
      'athena-results-csv': '',
    });
  });

  // Was a GAP (src/aws/athena.ts, waitForQuery): a GetQueryExecution that failed for good (here
  // throttled past the SDK's 3 attempts) escaped as a plain UserError, the started query neither
  // stopped nor named. Now it is stopped, and the line and the output name it.
  it('names and stops the started query when polling it fails for good', async () => {
    scriptJob([1]);
    athena.failNext('GetQueryExecution', throttled(), { times: Infinity });
    const r = await runLake();
    const id = athena.executions[0]?.id ?? 'no execution';
    expect(r.io.outputs['athena-query-execution-id']).toBe(id);
    expect(r.io.failed).toBe(
      `Athena GetQueryExecution ${id} failed: TooManyRequestsException: Rate exceeded (the query was stopped)`,
    );
    expect(athena.operations().at(-1)).toBe('StopQueryExecution');
    expect(athena.executions[0]?.stopped).toBe(true);
  });
});

describe('Athena: the results CSV cannot be written', () => {
  // Was a GAP (src/aws/athena.ts, readResults): the CSV write stream had no 'error' listener, so a
  // directory at its path crashed the process with an unhandled 'error' event instead of one line.
  it('fails in one line naming the query and the path, with the query id in the outputs', async () => {
    const rows = scriptJob([3, 2]);
    const outputDir = tempDir('csv-blocked');
    const csvPath = path.join(outputDir, 'athena-results.csv');
    mkdirSync(csvPath);

    const r = await runLake({ 'output-dir': outputDir });

    const id = athena.executions[0]?.id ?? 'no execution';
    const line = expectLakeFailure(r, rows, new RegExp(`^Athena query ${id} SUCCEEDED, but `), /EISDIR/);
    expect(line).toBe(
      `Athena query ${id} SUCCEEDED, but its results could not be written to ${csvPath}: EISDIR: illegal operation on a directory`,
    );
    await expectAllUploaded(r);
    expect(r.io.outputs).toMatchObject({
      'crawler-status': 'SUCCEEDED',
      'athena-query-execution-id': id,
      'athena-results-csv': '',
    });
  });
});
