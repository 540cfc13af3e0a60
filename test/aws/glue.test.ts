/** The crawler stage against a loopback Glue fake, through the real GlueClient (AWS JSON 1.1). */
import { GlueClient } from '@aws-sdk/client-glue';
import { UserError } from '../../src/errors.js';
import type { PartitionFile } from '../../src/partition-writer.js';
import { RECORD_FIELDS } from '../../src/records.js';
import {
  CrawlerFailedError,
  crawlStartedSince,
  ELAPSED_SLACK_MS,
  getTable,
  isOurCrawl,
  isProjected,
  partitionInputs,
  projectionFits,
  registerPartitions,
  runCrawler,
  tableFits,
  tableLocation,
} from '../../src/aws/glue.js';
import { type CrawlerScript, type GlueFake, startGlueFake } from '../support/aws/fake-glue.js';
import { CREDENTIALS, REGION } from '../support/aws/harness.js';
import { crawlerTable } from '../support/aws/fake-glue.js';
import { AwsFakeError } from '../support/aws/json-fake.js';
import { captureIO } from '../support/capture-io.js';
import { type VirtualClock, virtualClock } from '../support/isolation.js';

const LOCATION = 's3://usage-lake/genesys-usage/';

const file = (dt: string, granularity: PartitionFile['granularity'] = 'day'): PartitionFile => ({
  granularity,
  dt,
  relativePath: `granularity=${granularity}/dt=${dt}/x.json.gz`,
  path: `/tmp/${dt}`,
  records: 1,
});

async function withGlue(
  crawlers: Record<string, CrawlerScript>,
  fn: (glue: GlueClient, fake: GlueFake, clock: VirtualClock) => Promise<void>,
  // 1: no SDK retries, whose backoff runs on real timers (throttling and 5xx errors).
  maxAttempts?: number,
) {
  const clock = virtualClock();
  const fake = await startGlueFake(crawlers, clock.now);
  const glue = new GlueClient({
    region: REGION,
    endpoint: fake.endpoint,
    credentials: CREDENTIALS,
    ...(maxAttempts ? { maxAttempts } : {}),
  });
  try {
    await fn(glue, fake, clock);
  } finally {
    glue.destroy();
    await fake.close();
  }
}

describe('runCrawler', () => {
  it('starts the crawler, waits until READY with our crawl, and reads the metrics', async () => {
    await withGlue({ c: { runPolls: 3 } }, async (glue, fake, clock) => {
      const io = captureIO();
      const result = await runCrawler(glue, 'c', { clock, io, timeoutMs: 900_000 });
      expect(result).toMatchObject({
        status: 'SUCCEEDED',
        metrics: { tablesCreated: 1, tablesUpdated: 2, tablesDeleted: 0 },
      });
      expect(result.durationMs).toBe(clock.sleeps.reduce((a, b) => a + b, 0));
      expect(fake.crawlsStarted('c')).toBe(1);
      expect(fake.operations()).toEqual([
        'GetCrawler',
        'StartCrawler',
        'GetCrawler', // RUNNING: three polls
        'GetCrawler',
        'GetCrawler',
        'GetCrawler', // STOPPING
        'GetCrawler', // READY, LastCrawl ours
        'ListCrawls', // its DPU-hours, for the cost line
        'GetCrawlerMetrics',
      ]);
      // Backoff from 2 s.
      expect(clock.sleeps).toEqual([2000, 3000, 4500, 6750]);
      expect(io.lines).toContain('Crawler c: RUNNING');
    });
  });

  it('waits for a crawl that is already running before starting its own', async () => {
    await withGlue({ busy: { busyPolls: 2, runPolls: 1 } }, async (glue, fake, clock) => {
      const io = captureIO();
      await runCrawler(glue, 'busy', { clock, io, timeoutMs: 900_000 });
      const ops = fake.operations();
      expect(ops.indexOf('StartCrawler')).toBeGreaterThan(2);
      expect(ops.filter((o) => o === 'StartCrawler')).toHaveLength(1);
      expect(io.lines[0]).toBe('Crawler busy is RUNNING: waiting for that crawl to end.');
    });
  });

  it('on CrawlerRunningException waits for that crawl and starts again', async () => {
    await withGlue({ raced: { startConflicts: 2, runPolls: 1 } }, async (glue, fake, clock) => {
      const io = captureIO();
      const result = await runCrawler(glue, 'raced', { clock, io, timeoutMs: 900_000 });
      expect(result.status).toBe('SUCCEEDED');
      expect(fake.operations().filter((o) => o === 'StartCrawler')).toHaveLength(3);
      expect(fake.crawlsStarted('raced')).toBe(1);
      expect(io.lines.filter((l) => l.includes('was started elsewhere'))).toHaveLength(2);
    });
  });

  it('does not take the previous crawl for ours when Glue still shows READY just after StartCrawler', async () => {
    await withGlue({ stale: { staleReadyPolls: 2, runPolls: 1 } }, async (glue, fake, clock) => {
      await runCrawler(glue, 'stale', { clock, io: captureIO(), timeoutMs: 900_000 });
      // Two stale READY answers, then RUNNING, STOPPING, READY with our crawl.
      expect(fake.operations().filter((o) => o === 'GetCrawler').length).toBeGreaterThanOrEqual(6);
    });
  });

  it.each([
    ['FAILED', 'Service Principal: glue.amazonaws.com is not authorized to perform: s3:GetObject'],
    ['CANCELLED', 'Crawler was stopped'],
  ] as const)(
    'fails with the crawler’s own message and its logs when it ends %s',
    async (outcome, message) => {
      await withGlue({ bad: { outcome, errorMessage: message } }, async (glue, _fake, clock) => {
        const run = runCrawler(glue, 'bad', { clock, io: captureIO(), timeoutMs: 900_000 });
        await expect(run).rejects.toBeInstanceOf(CrawlerFailedError);
        await expect(run).rejects.toMatchObject({ status: outcome });
        await expect(run).rejects.toThrow(
          `Glue crawler bad ${outcome}: ${message} (CloudWatch Logs: group /aws-glue/crawlers, stream bad). The uploaded objects are in place.`,
        );
      });
    },
  );

  it('gives up after crawler-timeout on a slow crawl, without sleeping past it', async () => {
    await withGlue({ slow: { runPolls: Infinity } }, async (glue, _fake, clock) => {
      const start = clock.now().getTime();
      await expect(runCrawler(glue, 'slow', { clock, io: captureIO(), timeoutMs: 60_000 })).rejects.toThrow(
        'Glue crawler slow did not finish within crawler-timeout (1m; state RUNNING). It goes on running in AWS; the uploaded objects are in place.',
      );
      expect(clock.now().getTime() - start).toBe(60_000);
    });
  });

  it('fails with Glue’s message for a crawler that does not exist', async () => {
    await withGlue({}, async (glue, _fake, clock) => {
      const run = runCrawler(glue, 'nope', { clock, io: captureIO(), timeoutMs: 60_000 });
      await expect(run).rejects.toBeInstanceOf(UserError);
      await expect(run).rejects.toThrow(
        'Glue GetCrawler nope failed: EntityNotFoundException: Crawler with name nope not found',
      );
    });
  });
});

describe('runCrawler: transient Glue errors', () => {
  const timedOut = () => new AwsFakeError('OperationTimeoutException', 'Timed out waiting for crawler state');
  const transient = {
    OperationTimeoutException: timedOut,
    ThrottlingException: () => new AwsFakeError('ThrottlingException', 'Rate exceeded'),
    InternalServiceException: () => new AwsFakeError('InternalServiceException', 'Internal error', 500),
  };

  it.each(Object.keys(transient) as (keyof typeof transient)[])(
    'counts a GetCrawler %s as a missed poll, logs it, and polls on',
    async (type) => {
      await withGlue(
        { c: { runPolls: 2 } },
        async (glue, fake, clock) => {
          const io = captureIO();
          // The first GetCrawler (is it free?) passes; two polls of the running crawl fail.
          fake.failNext('GetCrawler', transient[type](), { after: 1, times: 2 });
          const result = await runCrawler(glue, 'c', { clock, io, timeoutMs: 900_000 });
          expect(result.status).toBe('SUCCEEDED');
          expect(fake.crawlsStarted('c')).toBe(1);
          const missed = io.lines.filter((l) => l.includes('a missed poll'));
          expect(missed).toHaveLength(2);
          expect(missed[0]).toMatch(
            new RegExp(
              `^Glue GetCrawler c failed: ${type}: .*: a missed poll; polling on until crawler-timeout \\(15m\\)\\.$`,
            ),
          );
        },
        1,
      );
    },
  );

  it('misses the first poll too (is the crawler free?) without failing', async () => {
    await withGlue({ c: {} }, async (glue, fake, clock) => {
      fake.failNext('GetCrawler', timedOut());
      const result = await runCrawler(glue, 'c', { clock, io: captureIO(), timeoutMs: 900_000 });
      expect(result.status).toBe('SUCCEEDED');
      expect(fake.operations().slice(0, 3)).toEqual(['GetCrawler', 'GetCrawler', 'StartCrawler']);
    });
  });

  it('fails at crawler-timeout when every poll is missed, saying so', async () => {
    await withGlue({ c: {} }, async (glue, fake, clock) => {
      fake.failNext('GetCrawler', timedOut(), { after: 1, times: Infinity });
      const run = runCrawler(glue, 'c', { clock, io: captureIO(), timeoutMs: 60_000 });
      await expect(run).rejects.toThrow(
        'Glue crawler c did not finish within crawler-timeout (1m; state unknown), and the last poll failed: ' +
          'OperationTimeoutException: Timed out waiting for crawler state. It goes on running in AWS; the uploaded objects are in place.',
      );
      expect(fake.crawlsStarted('c')).toBe(1);
    });
  });

  it('does not count other GetCrawler errors as missed polls', async () => {
    await withGlue({ c: {} }, async (glue, fake, clock) => {
      fake.failNext('GetCrawler', new AwsFakeError('AccessDeniedException', 'not allowed'), { after: 1 });
      await expect(runCrawler(glue, 'c', { clock, io: captureIO(), timeoutMs: 60_000 })).rejects.toThrow(
        /^Glue GetCrawler c failed: AccessDeniedException: not allowed$/,
      );
    });
  });

  it('on a StartCrawler timeout whose crawl did start (RUNNING, CrawlElapsedTime since our call): polls it, no second start', async () => {
    await withGlue({ c: { timeoutsAfterStarting: 1, runPolls: 2 } }, async (glue, fake, clock) => {
      const io = captureIO();
      const result = await runCrawler(glue, 'c', { clock, io, timeoutMs: 900_000 });
      expect(result.status).toBe('SUCCEEDED');
      expect(fake.crawlsStarted('c')).toBe(1);
      expect(fake.operations().filter((o) => o === 'StartCrawler')).toHaveLength(1);
      expect(io.lines).toEqual(
        expect.arrayContaining([
          'Glue StartCrawler c failed: OperationTimeoutException: Timed out waiting for crawler state: checking with GetCrawler whether the crawl started.',
          'Crawler c is RUNNING with a crawl begun since our StartCrawler: going on with it.',
        ]),
      );
    });
  });

  it('on a StartCrawler timeout that started nothing: starts again, with backoff', async () => {
    await withGlue({ c: { runPolls: 1 } }, async (glue, fake, clock) => {
      const io = captureIO();
      fake.failNext('StartCrawler', timedOut(), { times: 2 });
      const result = await runCrawler(glue, 'c', { clock, io, timeoutMs: 900_000 });
      expect(result.status).toBe('SUCCEEDED');
      expect(fake.operations().slice(0, 6)).toEqual([
        'GetCrawler',
        'StartCrawler', // timed out, started nothing
        'GetCrawler', // READY, the old crawl
        'StartCrawler', // again
        'GetCrawler',
        'StartCrawler', // started
      ]);
      expect(fake.crawlsStarted('c')).toBe(1);
      expect(io.lines.filter((l) => l.startsWith('No crawl started: starting crawler c again'))).toEqual([
        'No crawl started: starting crawler c again (retry 1 of 3).',
        'No crawl started: starting crawler c again (retry 2 of 3).',
      ]);
      // The waits before each check grow.
      expect(clock.sleeps.slice(0, 2)).toEqual([2000, 3000]);
    });
  });

  it('takes a lost-answer crawl for ours when Glue still showed READY and the next StartCrawler says it runs', async () => {
    await withGlue(
      { c: { timeoutsAfterStarting: 1, staleReadyPolls: 1, runPolls: 1 } },
      async (glue, fake, clock) => {
        const result = await runCrawler(glue, 'c', { clock, io: captureIO(), timeoutMs: 900_000 });
        expect(result.status).toBe('SUCCEEDED');
        // The stale READY looked like no start; the second StartCrawler met our own crawl running.
        expect(fake.operations().filter((o) => o === 'StartCrawler')).toHaveLength(2);
        expect(fake.crawlsStarted('c')).toBe(1);
      },
    );
  });

  it('fails with AWS’s message after 3 retries of StartCrawler that started nothing', async () => {
    await withGlue({ c: {} }, async (glue, fake, clock) => {
      fake.failNext('StartCrawler', timedOut(), { times: Infinity });
      const run = runCrawler(glue, 'c', { clock, io: captureIO(), timeoutMs: 900_000 });
      await expect(run).rejects.toBeInstanceOf(UserError);
      await expect(run).rejects.toThrow(
        /^Glue StartCrawler c failed: OperationTimeoutException: Timed out waiting for crawler state \(4 attempts; GetCrawler showed no crawl started\)$/,
      );
      expect(fake.operations().filter((o) => o === 'StartCrawler')).toHaveLength(4);
      expect(fake.crawlsStarted('c')).toBe(0);
    });
  });

  it('fails at once on a StartCrawler error that is not transient', async () => {
    await withGlue({ c: {} }, async (glue, fake, clock) => {
      fake.failNext('StartCrawler', new AwsFakeError('AccessDeniedException', 'not allowed'));
      await expect(runCrawler(glue, 'c', { clock, io: captureIO(), timeoutMs: 900_000 })).rejects.toThrow(
        /^Glue StartCrawler c failed: AccessDeniedException: not allowed$/,
      );
      expect(fake.operations()).toEqual(['GetCrawler', 'StartCrawler']);
    });
  });
});

describe('crawlStartedSince', () => {
  const since = new Date('2026-11-21T06:00:00Z');
  const at = (s: number) => new Date(since.getTime() + s * 1000);
  const previous = new Date('2026-11-20T06:00:00Z');

  it('takes a running crawl whose elapsed time reaches back no further than our call', () => {
    expect(crawlStartedSince({ State: 'RUNNING', CrawlElapsedTime: 3000 }, since, previous, at(5))).toBe(
      true,
    );
    expect(crawlStartedSince({ State: 'STOPPING', CrawlElapsedTime: 5000 }, since, previous, at(5))).toBe(
      true,
    );
    // Begun 30 s before our call: someone else's.
    expect(crawlStartedSince({ State: 'RUNNING', CrawlElapsedTime: 35_000 }, since, previous, at(5))).toBe(
      false,
    );
    // Within the slack.
    expect(
      crawlStartedSince(
        { State: 'RUNNING', CrawlElapsedTime: 5000 + ELAPSED_SLACK_MS },
        since,
        previous,
        at(5),
      ),
    ).toBe(true);
    expect(crawlStartedSince({ State: 'RUNNING' }, since, previous, at(5))).toBe(false);
  });

  it('takes a finished crawl only when it is newer than the previous one', () => {
    expect(
      crawlStartedSince({ State: 'READY', LastCrawl: { StartTime: at(1) } }, since, previous, at(60)),
    ).toBe(true);
    expect(
      crawlStartedSince({ State: 'READY', LastCrawl: { StartTime: previous } }, since, previous, at(5)),
    ).toBe(false);
  });
});

describe('isOurCrawl', () => {
  const t = (s: string) => new Date(`2026-11-21T${s}Z`);
  it('needs a crawl newer than the previous one, not before our start (within a minute of skew)', () => {
    expect(isOurCrawl(undefined, t('06:00:00'), undefined)).toBe(false);
    expect(isOurCrawl(t('06:00:05'), t('06:00:00'), t('05:00:00'))).toBe(true);
    expect(isOurCrawl(t('05:00:00'), t('06:00:00'), t('05:00:00'))).toBe(false);
    expect(isOurCrawl(t('05:59:30'), t('06:00:00'), undefined)).toBe(true);
    expect(isOurCrawl(t('05:58:00'), t('06:00:00'), undefined)).toBe(false);
  });
});

describe('crawl: when-needed', () => {
  it('registers new partitions from the table’s storage descriptor, tolerating existing ones', async () => {
    await withGlue({}, async (glue, fake) => {
      fake.tables.set('genesys.genesys_usage', crawlerTable());
      const table = await getTable(glue, 'genesys', 'genesys_usage');
      expect(tableFits(table, tableLocation('usage-lake', 'genesys-usage'))).toEqual({ fits: true });
      const files = [file('2026-11-13'), file('2026-11-14')];
      const inputs = partitionInputs(table!.StorageDescriptor!, LOCATION, files);
      expect(await registerPartitions(glue, 'genesys', 'genesys_usage', inputs)).toEqual({
        created: 2,
        existed: 0,
      });
      const again = partitionInputs(table!.StorageDescriptor!, LOCATION, [...files, file('2026-11-15')]);
      expect(await registerPartitions(glue, 'genesys', 'genesys_usage', again)).toEqual({
        created: 1,
        existed: 2,
      });

      const stored = fake.partitions.get('genesys.genesys_usage')!.get('day/2026-11-15') as {
        StorageDescriptor: Record<string, unknown>;
      };
      expect(stored.StorageDescriptor).toMatchObject({
        Location: 's3://usage-lake/genesys-usage/granularity=day/dt=2026-11-15/',
        InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
        SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
        Parameters: { classification: 'json', compressionType: 'gzip', typeOfData: 'file' },
      });
      expect(stored.StorageDescriptor.Parameters).not.toHaveProperty('recordCount');
      expect((stored.StorageDescriptor.Columns as unknown[]).length).toBe(RECORD_FIELDS.length);
    });
  });

  it('registers in batches of 100 and fails on any error but AlreadyExists', async () => {
    await withGlue({}, async (glue, fake) => {
      fake.tables.set('genesys.genesys_usage', crawlerTable());
      const sd = crawlerTable().StorageDescriptor;
      const many = Array.from({ length: 230 }, (_, i) =>
        file(new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10)),
      );
      expect(
        await registerPartitions(glue, 'genesys', 'genesys_usage', partitionInputs(sd, LOCATION, many)),
      ).toEqual({ created: 230, existed: 0 });
      expect(fake.operations().filter((o) => o === 'BatchCreatePartition')).toHaveLength(3);
      await expect(
        registerPartitions(glue, 'genesys', 'missing', partitionInputs(sd, LOCATION, many.slice(0, 1))),
      ).rejects.toThrow(
        'Glue BatchCreatePartition on genesys.missing failed: EntityNotFoundException: Table genesys.missing not found.',
      );
    });
  });

  it('says why the crawler must run instead', () => {
    expect(tableFits(undefined, LOCATION)).toEqual({ fits: false, reason: 'the table does not exist yet' });
    const lacking = crawlerTable(
      RECORD_FIELDS.filter((f) => f !== 'platform' && f !== 'collectedAt').map((f) => f.toLowerCase()),
    );
    expect(tableFits(lacking as never, LOCATION)).toEqual({
      fits: false,
      reason: 'the table lacks the columns platform, collectedat',
    });
    const elsewhere = crawlerTable(undefined, 's3://usage-lake/other/');
    expect(tableFits(elsewhere as never, LOCATION)).toEqual({
      fits: false,
      reason: "the table's location s3://usage-lake/other/ is not s3://usage-lake/genesys-usage/",
    });
    const unpartitioned = { ...crawlerTable(), PartitionKeys: [{ Name: 'partition_0' }] };
    expect(tableFits(unpartitioned as never, LOCATION)).toEqual({
      fits: false,
      reason: "the table's partition keys are (partition_0), not (granularity, dt)",
    });
    expect(tableFits(crawlerTable(undefined, 's3://usage-lake/genesys-usage') as never, LOCATION)).toEqual({
      fits: true,
    });
  });

  it('reads a missing table as undefined', async () => {
    await withGlue({}, async (glue) => {
      expect(await getTable(glue, 'genesys', 'nothing')).toBeUndefined();
    });
  });
});

describe('isProjected and projectionFits', () => {
  const projected = (parameters: Record<string, string> = {}) => ({
    Name: 'genesys_usage',
    PartitionKeys: [
      { Name: 'granularity', Type: 'string' },
      { Name: 'dt', Type: 'string' },
    ],
    StorageDescriptor: { Location: LOCATION },
    Parameters: {
      'projection.enabled': 'true',
      'projection.granularity.type': 'enum',
      'projection.granularity.values': 'day,week',
      'projection.dt.type': 'date',
      'projection.dt.range': '2026-01-01,NOW',
      'storage.location.template': `${LOCATION}granularity=\${granularity}/dt=\${dt}`,
      ...parameters,
    },
  });

  it('reads projection.enabled as Athena does (a table property, true in any case)', () => {
    expect(isProjected(projected())).toBe(true);
    expect(isProjected(projected({ 'projection.enabled': 'TRUE' }))).toBe(true);
    expect(isProjected(projected({ 'projection.enabled': 'false' }))).toBe(false);
    expect(isProjected({ Name: 't', Parameters: {} })).toBe(false);
    expect(isProjected(undefined)).toBe(false);
  });

  it('accepts a projection that shows the run’s partitions, and says why one does not', () => {
    expect(projectionFits(projected(), LOCATION, [file('2026-11-16')])).toEqual({ fits: true });
    // No location template: the table's location, in the Hive layout.
    const noTemplate: Record<string, string> = { ...projected().Parameters };
    delete noTemplate['storage.location.template'];
    expect(
      projectionFits({ ...projected(), Parameters: noTemplate }, LOCATION, [file('2026-11-16')]),
    ).toEqual({
      fits: true,
    });
    expect(projectionFits(projected(), LOCATION, [file('2026-11-01', 'month')])).toEqual({
      fits: false,
      reason: 'its projected granularity values (day,week) lack month',
    });
    // Athena keeps white space in enum values.
    expect(
      projectionFits(projected({ 'projection.granularity.values': 'day, week' }), LOCATION, [
        file('2026-11-16', 'week'),
      ]),
    ).toEqual({ fits: false, reason: 'its projected granularity values (day, week) lack week' });
    expect(projectionFits(projected(), LOCATION, [file('2025-12-31')])).toEqual({
      fits: false,
      reason: 'its projected dt range (2026-01-01,NOW) does not hold 2025-12-31',
    });
    expect(
      projectionFits(projected({ 'projection.dt.range': '2026-01-01,2026-06-30' }), LOCATION, [
        file('2026-11-16'),
      ]),
    ).toEqual({
      fits: false,
      reason: 'its projected dt range (2026-01-01,2026-06-30) does not hold 2026-11-16',
    });
    expect(
      projectionFits({ ...projected(), PartitionKeys: [{ Name: 'dt' }] }, LOCATION, [file('2026-11-16')]),
    ).toEqual({
      fits: false,
      reason: 'its partition keys are (dt), not (granularity, dt)',
    });
    expect(projectionFits(projected(), 's3://usage-lake/other/', [file('2026-11-16')])).toMatchObject({
      fits: false,
      reason: expect.stringContaining('not at s3://usage-lake/other/granularity=${granularity}/dt=${dt}/'),
    });
  });
});
