/** The crawler stage against a loopback Glue fake, through the real GlueClient (AWS JSON 1.1). */
import { GlueClient } from '@aws-sdk/client-glue';
import { UserError } from '../../src/errors.js';
import type { PartitionFile } from '../../src/partition-writer.js';
import { RECORD_FIELDS } from '../../src/records.js';
import {
  CrawlerFailedError,
  getTable,
  isOurCrawl,
  partitionInputs,
  registerPartitions,
  runCrawler,
  tableFits,
  tableLocation,
} from '../../src/aws/glue.js';
import { type CrawlerScript, type GlueFake, startGlueFake } from '../support/aws/fake-glue.js';
import { CREDENTIALS, recordingIO, REGION, virtualClock } from '../support/aws/harness.js';
import { crawlerTable } from '../support/aws/fake-glue.js';

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
  fn: (glue: GlueClient, fake: GlueFake, clock: ReturnType<typeof virtualClock>) => Promise<void>,
) {
  const clock = virtualClock();
  const fake = await startGlueFake(crawlers, clock.now);
  const glue = new GlueClient({ region: REGION, endpoint: fake.endpoint, credentials: CREDENTIALS });
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
      const io = recordingIO();
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
        'GetCrawlerMetrics',
      ]);
      // Backoff from 2 s.
      expect(clock.sleeps).toEqual([2000, 3000, 4500, 6750]);
      expect(io.lines).toContain('Crawler c: RUNNING');
    });
  });

  it('waits for a crawl that is already running before starting its own', async () => {
    await withGlue({ busy: { busyPolls: 2, runPolls: 1 } }, async (glue, fake, clock) => {
      const io = recordingIO();
      await runCrawler(glue, 'busy', { clock, io, timeoutMs: 900_000 });
      const ops = fake.operations();
      expect(ops.indexOf('StartCrawler')).toBeGreaterThan(2);
      expect(ops.filter((o) => o === 'StartCrawler')).toHaveLength(1);
      expect(io.lines[0]).toBe('Crawler busy is RUNNING: waiting for that crawl to end.');
    });
  });

  it('on CrawlerRunningException waits for that crawl and starts again', async () => {
    await withGlue({ raced: { startConflicts: 2, runPolls: 1 } }, async (glue, fake, clock) => {
      const io = recordingIO();
      const result = await runCrawler(glue, 'raced', { clock, io, timeoutMs: 900_000 });
      expect(result.status).toBe('SUCCEEDED');
      expect(fake.operations().filter((o) => o === 'StartCrawler')).toHaveLength(3);
      expect(fake.crawlsStarted('raced')).toBe(1);
      expect(io.lines.filter((l) => l.includes('was started elsewhere'))).toHaveLength(2);
    });
  });

  it('does not take the previous crawl for ours when Glue still shows READY just after StartCrawler', async () => {
    await withGlue({ stale: { staleReadyPolls: 2, runPolls: 1 } }, async (glue, fake, clock) => {
      await runCrawler(glue, 'stale', { clock, io: recordingIO(), timeoutMs: 900_000 });
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
        const run = runCrawler(glue, 'bad', { clock, io: recordingIO(), timeoutMs: 900_000 });
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
      await expect(runCrawler(glue, 'slow', { clock, io: recordingIO(), timeoutMs: 60_000 })).rejects.toThrow(
        'Glue crawler slow did not finish within crawler-timeout (1m; state RUNNING). It goes on running in AWS; the uploaded objects are in place.',
      );
      expect(clock.now().getTime() - start).toBe(60_000);
    });
  });

  it('fails with Glue’s message for a crawler that does not exist', async () => {
    await withGlue({}, async (glue, _fake, clock) => {
      const run = runCrawler(glue, 'nope', { clock, io: recordingIO(), timeoutMs: 60_000 });
      await expect(run).rejects.toBeInstanceOf(UserError);
      await expect(run).rejects.toThrow(
        'Glue GetCrawler nope failed: EntityNotFoundException: Crawler with name nope not found',
      );
    });
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
