/**
 * (e) The whole pipeline against the loopback fakes — Genesys job Running twice, five pages; s3rver;
 * a crawler that runs for two polls; an Athena query queued once and running twice — with the
 * action's own waits tallied by the injected sleep (which still really sleeps). Overhead = wall time
 * minus those waits: what the action itself costs between the services' answers.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { run } from '../src/main.js';
import { readInputFromEnv } from '../src/config.js';
import { FakeGenesys, aggregatesRow } from '../test/support/fake-genesys.js';
import { CREDENTIALS, REGION, startS3rver } from '../test/support/aws/harness.js';
import { startGlueFake } from '../test/support/aws/fake-glue.js';
import { startAthenaFake } from '../test/support/aws/fake-athena.js';
import { captureIO } from '../test/support/capture-io.js';
import { type BenchResult, median, result } from './measure.js';
import { actionEnv, OUT } from './paths.js';

async function oneRun(index: number): Promise<{ wallMs: number; sleptMs: number }> {
  const genesys = await FakeGenesys.start();
  const pages = Array.from({ length: 5 }, (_, p) =>
    Array.from({ length: 1000 }, (_, k) => aggregatesRow(p * 1000 + k)),
  );
  genesys.addJob({ statuses: ['Running', 'Running', 'Succeeded'], pages });
  const s3 = await startS3rver(['bench-lake']);
  const glue = await startGlueFake({ crawler: { runPolls: 2, stopping: false } }, () => new Date());
  const athena = await startAthenaFake({ queuedPolls: 1, runningPolls: 2 });
  const aws = {
    AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    AWS_REGION: REGION,
    AWS_ENDPOINT_URL_S3: s3.endpoint,
    AWS_ENDPOINT_URL_GLUE: glue.endpoint,
    AWS_ENDPOINT_URL_ATHENA: athena.endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
  };
  // The AWS SDK reads its endpoints and credentials from process.env (the default chain).
  Object.assign(process.env, aws);
  const outputDir = path.join(OUT, `pipeline-${index}`);
  rmSync(outputDir, { recursive: true, force: true });
  const env = actionEnv(
    {
      'client-id': genesys.clientId,
      'client-secret': genesys.clientSecret,
      environment: genesys.url,
      interval: '2026-11-01/2026-11-08',
      granularity: 'Day',
      'group-by': 'OauthClientId,TemplateUri',
      'output-dir': outputDir,
      's3-bucket': 'bench-lake',
      's3-force-path-style': 'true',
      'glue-crawler': 'crawler',
      'athena-database': 'genesys',
      'athena-output-location': 's3://bench-lake/athena/',
    },
    aws,
  );
  const io = captureIO();
  let sleptMs = 0;
  const started = process.hrtime.bigint();
  try {
    await run({
      io,
      env,
      getInput: readInputFromEnv(env),
      sleep: async (ms) => {
        sleptMs += ms;
        await new Promise((resolve) => setTimeout(resolve, ms));
      },
    });
    if (io.failed) throw new Error(`pipeline failed: ${io.failed}`);
    return { wallMs: Number(process.hrtime.bigint() - started) / 1e6, sleptMs };
  } finally {
    await Promise.all([genesys.close(), s3.close(), glue.close(), athena.close()]);
  }
}

export async function pipelineBench(runs: number): Promise<BenchResult[]> {
  const overheads: number[] = [];
  const walls: number[] = [];
  for (let i = 0; i < runs; i++) {
    const { wallMs, sleptMs } = await oneRun(i);
    walls.push(wallMs);
    overheads.push(wallMs - sleptMs);
  }
  return [
    result(
      'whole pipeline (5,000 rows; S3, Glue, Athena): overhead beyond the waits',
      median(overheads) / 1000,
      's',
      null,
      { max: 1.5 },
    ),
    result('whole pipeline: wall time including the waits', median(walls) / 1000, 's', null),
  ];
}
