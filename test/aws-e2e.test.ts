/**
 * The bundled action (node dist/index.js) through the whole data lake: s3rver for S3, the Glue and
 * Athena fakes on loopback, reached through AWS_ENDPOINT_URL_* and the SDK's default credential chain.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import { type AthenaFake, startAthenaFake } from './support/aws/fake-athena.js';
import { type GlueFake, startGlueFake } from './support/aws/fake-glue.js';
import { CREDENTIALS, loopbackS3, REGION, startS3rver } from './support/aws/harness.js';
import { athenaOverBucket, listKeys } from './support/aws/lake-s3.js';
import { ROOT, runAction } from './support/run-action.js';

const BUCKET = 'usage-lake';
let s3server: { endpoint: string; close: () => Promise<void> };
let reader: S3Client;
let glue: GlueFake;
let athena: AthenaFake;

const INPUTS = {
  'results-file': path.join(ROOT, 'examples/results/legacy-daily-by-client.json'),
  interval: '2026-11-13/2026-11-19',
  granularity: 'Day',
  'group-by': 'OAuthClientId',
  's3-bucket': BUCKET,
  's3-force-path-style': 'true',
  'glue-crawler': 'usage-crawler',
  'athena-database': 'genesys',
  'athena-output-location': 's3://usage-results/athena/',
  top: '5',
};

function awsEnv(): Record<string, string> {
  return {
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_S3: s3server.endpoint,
    AWS_ENDPOINT_URL_GLUE: glue.endpoint,
    AWS_ENDPOINT_URL_ATHENA: athena.endpoint,
    // Never look for an instance role beyond loopback.
    AWS_EC2_METADATA_DISABLED: 'true',
  };
}

beforeAll(async () => {
  s3server = await startS3rver([BUCKET]);
  reader = loopbackS3(s3server.endpoint);
  // Crawls and queries end at the first poll: the bundled action sleeps for real.
  glue = await startGlueFake(
    {
      'usage-crawler': { runPolls: 0, stopping: false },
      'broken-crawler': {
        runPolls: 0,
        stopping: false,
        outcome: 'FAILED',
        errorMessage: 'Internal Service Exception',
      },
    },
    () => new Date(),
  );
  athena = await startAthenaFake({
    execute: athenaOverBucket(reader, BUCKET, { genesys_usage: 'genesys-usage' }),
  });
});

afterAll(async () => {
  reader.destroy();
  await Promise.all([s3server.close(), glue.close(), athena.close()]);
});

describe('dist/index.js with S3, Glue and Athena', () => {
  it('uploads, crawls and queries; a second identical run leaves the bucket as it was', async () => {
    const first = await runAction(INPUTS, awsEnv());
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    const out = first.outputs;
    const uris = JSON.parse(out['s3-uris'] ?? '[]') as string[];
    expect(uris).toHaveLength(7);
    for (const uri of uris) {
      expect(uri).toMatch(
        /^s3:\/\/usage-lake\/genesys-usage\/granularity=day\/dt=2026-11-1\d\/legacy\.by-oauthclientid\.[0-9a-f]{8}\.json\.gz$/,
      );
    }
    const keys = await listKeys(reader, BUCKET);
    expect(keys).toEqual(uris.map((u) => u.slice(`s3://${BUCKET}/`.length)).sort());
    expect(out['crawler-status']).toBe('SUCCEEDED');
    expect(out['athena-query-execution-id']).toMatch(/^qe-\d+-[0-9a-f]{8}$/);
    expect(out['athena-results-csv']).toBe(
      path.join(first.workDir, 'genesys-usage-report', 'athena-results.csv'),
    );

    // The query ran on what was uploaded; its numbers are the report's.
    const csv = readFileSync(out['athena-results-csv']!, 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe('client_id,client_name,template_uri,requests,status_429,rate_429_pct');
    const report = JSON.parse(readFileSync(out['report-json']!, 'utf8')) as {
      topBy429: { group: { clientId: string }; requests: number; status429: number }[];
    };
    expect(csv.slice(1).map((line) => line.split(',')[0])).toEqual(
      report.topBy429.map((g) => g.group.clientId),
    );
    expect(csv.slice(1).map((line) => Number(line.split(',')[4]))).toEqual(
      report.topBy429.map((g) => g.status429),
    );
    expect(csv.slice(1).reduce((sum, line) => sum + Number(line.split(',')[4]), 0)).toBe(
      Number(out['total-429']),
    );

    expect(first.summary).toContain('### S3 upload');
    expect(first.summary).toContain('### Glue');
    expect(first.summary).toContain('### Athena');
    expect(first.stdout).toContain('::group::Upload to S3');
    expect(first.stdout).toContain('::group::Glue crawler');
    expect(first.stdout).toContain('::group::Athena');

    const second = await runAction(INPUTS, awsEnv());
    expect(second.code).toBe(0);
    expect(second.outputs['s3-uris']).toBe(out['s3-uris']);
    expect(await listKeys(reader, BUCKET)).toEqual(keys);
    expect(second.outputs['athena-query-execution-id']).not.toBe(out['athena-query-execution-id']);
  });

  it('fails with the crawler’s message and keeps the local NDJSON and the uploaded objects', async () => {
    const run = await runAction(
      { ...INPUTS, 's3-prefix': 'broken', 'glue-crawler': 'broken-crawler' },
      awsEnv(),
    );
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(
      '::error::Glue crawler broken-crawler FAILED: Internal Service Exception (CloudWatch Logs: group /aws-glue/crawlers, stream broken-crawler). The uploaded objects are in place.',
    );
    expect(await listKeys(reader, BUCKET, 'broken/')).toHaveLength(7);
    expect(
      existsSync(
        path.join(run.workDir, 'genesys-usage-report', 'broken', 'granularity=day', 'dt=2026-11-13'),
      ),
    ).toBe(true);
    expect(run.outputs['total-429']).toBe('2251');
    // The outputs tell what was done before the failure.
    expect(run.outputs['crawler-status']).toBe('FAILED');
    expect(JSON.parse(run.outputs['s3-uris']!)).toHaveLength(7);
  });

  it('without credentials, says in one line how to configure them', async () => {
    const env = awsEnv();
    delete env.AWS_ACCESS_KEY_ID;
    delete env.AWS_SECRET_ACCESS_KEY;
    const run = await runAction({ ...INPUTS, 's3-prefix': 'no-credentials' }, env);
    expect(run.code).toBe(1);
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error::'));
    expect(errors).toEqual([
      '::error::No AWS credentials found. Configure them in an earlier step, e.g. aws-actions/configure-aws-credentials with role-to-assume (OIDC, needs permissions: id-token: write); this action takes no AWS keys as inputs.',
    ]);
    expect(await listKeys(reader, BUCKET, 'no-credentials/')).toEqual([]);
  });
});
