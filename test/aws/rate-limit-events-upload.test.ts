/**
 * The near-limit events go up like the usage records, under their own sibling prefix: the real data lake
 * stage against s3rver, with the files the events writer made on disk.
 */
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { parseConfig } from '../../src/config.js';
import { createDataLake } from '../../src/aws/index.js';
import {
  rateLimitEventsObjectName,
  rateLimitEventsPrefix,
  type RateLimitEventRecord,
} from '../../src/rate-limit-events.js';
import { writeRateLimitEventFiles } from '../../src/rate-limit-events-files.js';
import { destroyClients, loopbackClients, loopbackS3, REGION, startS3rver } from '../support/aws/harness.js';
import { listKeys } from '../support/aws/lake-s3.js';
import { LEGACY_EXAMPLE, writeRun } from '../support/aws/usage-data.js';
import { stageContext } from '../support/capture-io.js';
import { tempDir } from '../support/isolation.js';
import { readText } from '../support/fault-run.js';

const BUCKET = 'usage-lake';
let s3server: { endpoint: string; close: () => Promise<void> };
let reader: S3Client;

beforeAll(async () => {
  s3server = await startS3rver([BUCKET]);
  reader = loopbackS3(s3server.endpoint);
});
afterAll(async () => {
  reader.destroy();
  await s3server.close();
});

const event = (date: string, events: number): RateLimitEventRecord => ({
  date,
  limitName: 'client.credentials.token.rate.per.minute',
  namespace: 'oauth',
  entityId: 'client-1',
  entityName: 'Billing <sync>',
  events,
  interval: '2026-11-13T00:00:00Z/2026-11-20T00:00:00Z',
  collectedAt: '2026-11-21T06:00:00.000Z',
});

it('uploads the event files beside the usage records, never inside their folder', async () => {
  const inputs: Record<string, string> = {
    'results-file': LEGACY_EXAMPLE,
    interval: '2026-11-13/2026-11-20',
    granularity: 'Day',
    'group-by': 'OAuthClientId',
    'output-dir': tempDir('events-lake'),
    's3-bucket': BUCKET,
    's3-force-path-style': 'true',
    'aws-region': REGION,
  };
  const cfg = parseConfig((name) => inputs[name] ?? '', {}, new Date('2026-11-21T06:00:00Z'));
  const ndjsonDir = path.join(cfg.outputDir, 'genesys-usage');
  const usage = await writeRun(ndjsonDir, LEGACY_EXAMPLE, {
    api: 'legacy',
    granularity: cfg.granularity,
    interval: cfg.interval!,
    groupBy: cfg.groupBy,
    top: cfg.top,
  });
  const prefix = rateLimitEventsPrefix(cfg.prefix);
  const eventFiles = await writeRateLimitEventFiles(
    path.join(cfg.outputDir, prefix),
    cfg.granularity,
    rateLimitEventsObjectName(cfg.granularity, cfg.interval!.end),
    cfg.compression,
    [event('2026-11-14', 3), event('2026-11-15', 2)],
  );
  expect(readText(eventFiles[0]!.path)).toBe(JSON.stringify(event('2026-11-14', 3)) + '\n');

  const clients = loopbackClients({ s3: s3server.endpoint });
  const { ctx, io } = stageContext();
  try {
    const lake = await createDataLake(() => clients)(cfg, ctx, {
      files: usage.files,
      ndjsonDir,
      report: usage.report,
      extraUploads: [{ label: 'Near-limit events', prefix, files: eventFiles }],
    });
    const eventKeys = [
      'genesys-usage-rate-limit-events/granularity=day/dt=2026-11-14/ratelimits.by-entityid-limitname-namespace.json.gz',
      'genesys-usage-rate-limit-events/granularity=day/dt=2026-11-15/ratelimits.by-entityid-limitname-namespace.json.gz',
    ];
    expect(await listKeys(reader, BUCKET, 'genesys-usage-rate-limit-events/')).toEqual(eventKeys);
    expect((await listKeys(reader, BUCKET, 'genesys-usage/')).every((k) => !k.includes('ratelimits'))).toBe(
      true,
    );
    expect(lake.s3Uris.slice(-2)).toEqual(eventKeys.map((k) => `s3://${BUCKET}/${k}`));
    expect(lake.s3Uris).toHaveLength(usage.files.length + 2);
    expect(io.groups).toEqual(['Upload to S3', 'Upload to S3: Near-limit events']);
    expect(lake.sections[1]).toContain(
      'Uploaded 2 of 2 objects to <code>s3://usage-lake/genesys-usage-rate-limit-events/</code>.',
    );
  } finally {
    destroyClients(clients);
  }
});
