/**
 * runDataLake end to end in-process: s3rver for S3, the Glue and Athena fakes, real SDK clients,
 * the config from real inputs, and the Athena fake answering with DuckDB over the uploaded objects.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { InitializeMiddleware } from '@smithy/types';
import { parseConfig } from '../../src/config.js';
import type { Config } from '../../src/types.js';
import { UserError } from '../../src/errors.js';
import type { AwsClients } from '../../src/aws/clients.js';
import { AWS_ACTIONS_USED, createDataLake, DataLakeError } from '../../src/aws/index.js';
import type { DataLakeResult } from '../../src/stages.js';
import { type AthenaFake, startAthenaFake } from '../support/aws/fake-athena.js';
import { crawlerTable, type GlueFake, startGlueFake } from '../support/aws/fake-glue.js';
import {
  destroyClients,
  loopbackClients,
  loopbackS3,
  recordCommands,
  REGION,
  startS3rver,
} from '../support/aws/harness.js';
import { athenaOverBucket, listKeys } from '../support/aws/lake-s3.js';
import { LEGACY_EXAMPLE, writeRun } from '../support/aws/usage-data.js';
import { loadTemplate, resolver } from '../support/aws/cfn.js';
import { AwsFakeError } from '../support/aws/json-fake.js';
import { ROOT } from '../support/run-action.js';
import { stageContext } from '../support/capture-io.js';
import { tempDir, virtualClock } from '../support/isolation.js';

const BUCKET = 'usage-lake';
let s3server: { endpoint: string; close: () => Promise<void> };
let reader: S3Client;
let glue: GlueFake;
let athena: AthenaFake;
const clock = virtualClock();

beforeAll(async () => {
  s3server = await startS3rver([BUCKET]);
  reader = loopbackS3(s3server.endpoint);
  glue = await startGlueFake(
    {
      ok: { runPolls: 2 },
      broken: { outcome: 'FAILED', errorMessage: 'Insufficient Lake Formation permission(s) on genesys' },
      creator: {
        runPolls: 1,
        dpuHours: 0.25,
        createsTable: {
          database: 'genesys',
          name: 'when_needed',
          table: { ...crawlerTable(undefined, `s3://${BUCKET}/when-needed/`), Name: 'when_needed' },
        },
      },
    },
    clock.now,
  );
  athena = await startAthenaFake({
    queuedPolls: 1,
    runningPolls: 1,
    // Athena's stand-in: DuckDB over what is in the bucket at query time.
    execute: athenaOverBucket(reader, BUCKET, { genesys_usage: 'genesys-usage', when_needed: 'when-needed' }),
  });
});

afterAll(async () => {
  reader.destroy();
  await Promise.all([s3server.close(), glue.close(), athena.close()]);
});

function config(inputs: Record<string, string>): Config {
  const all: Record<string, string> = {
    'results-file': LEGACY_EXAMPLE,
    interval: '2026-11-13/2026-11-19',
    granularity: 'Day',
    'group-by': 'OAuthClientId',
    'output-dir': tempDir('lake-out'),
    's3-bucket': BUCKET,
    's3-force-path-style': 'true',
    'aws-region': REGION,
    'glue-crawler': 'ok',
    'athena-database': 'genesys',
    'athena-output-location': 's3://usage-results/athena/',
    top: '3',
    ...inputs,
  };
  return parseConfig((name) => all[name] ?? '', {}, new Date('2026-11-21T06:00:00Z'));
}

/**
 * Makes `client` throw `error` for `command` instead of sending it, when `when` holds for its input
 * (before the SDK's retries: thrown once, as is).
 */
function throwOn(
  client: AwsClients[keyof AwsClients],
  command: string,
  error: unknown,
  when: (input: Record<string, unknown>) => boolean = () => true,
): void {
  const middleware: InitializeMiddleware<object, object> = (next, context) => async (args) => {
    if (context.commandName === command && when(args.input as Record<string, unknown>)) throw error;
    return next(args);
  };
  (client.middlewareStack as { add(m: unknown, o: unknown): void }).add(middleware, {
    step: 'initialize',
    name: 'throwOn',
  });
}

async function run(
  cfg: Config,
  env: Record<string, string> = {},
  adjust: (clients: AwsClients) => void = () => undefined,
) {
  const week = cfg.interval!;
  const ndjsonDir = path.join(cfg.outputDir, ...(cfg.s3?.prefix ?? 'genesys-usage').split('/'));
  const written = await writeRun(ndjsonDir, LEGACY_EXAMPLE, {
    api: 'legacy',
    granularity: cfg.granularity,
    interval: week,
    groupBy: cfg.groupBy,
    top: cfg.top,
  });
  const clients = loopbackClients({ s3: s3server.endpoint, glue: glue.endpoint, athena: athena.endpoint });
  const sent = recordCommands(clients);
  adjust(clients);
  const { ctx, io } = stageContext({ clock, env });
  try {
    const dataLake = createDataLake(() => clients);
    const outcome = await dataLake(cfg, ctx, {
      files: written.files,
      ndjsonDir,
      report: written.report,
    }).then(
      (result) => ({ result, error: undefined }),
      (error: unknown) => ({ result: undefined, error }),
    );
    return { ...outcome, io, sent, written, ndjsonDir };
  } finally {
    destroyClients(clients);
  }
}

describe('runDataLake', () => {
  it('uploads, crawls, queries, and reports every stage in its own log group', async () => {
    const cfg = config({});
    const { result, error, io, sent, written } = await run(cfg, {
      GITHUB_RUN_ID: '7',
      GITHUB_RUN_ATTEMPT: '1',
    });
    expect(error).toBeUndefined();
    const lake = result as DataLakeResult;
    expect(io.groups).toEqual(['Upload to S3', 'Glue crawler', 'Athena']);
    expect(lake.s3Uris).toEqual(written.files.map((f) => `s3://${BUCKET}/genesys-usage/${f.relativePath}`));
    expect(await listKeys(reader, BUCKET, 'genesys-usage/')).toEqual(
      written.files.map((f) => `genesys-usage/${f.relativePath}`),
    );
    expect(lake.crawlerStatus).toBe('SUCCEEDED');
    expect(lake.athenaQueryExecutionId).toMatch(/^qe-\d+-/);
    expect(lake.athenaResultsCsv).toBe(path.join(cfg.outputDir, 'athena-results.csv'));

    // Athena (DuckDB over the uploaded objects) agrees with the report.
    const csv = readFileSync(lake.athenaResultsCsv, 'utf8').trimEnd().split('\n');
    expect(csv[0]).toBe('client_id,client_name,template_uri,requests,status_429,rate_429_pct');
    const top = written.report.topBy429.slice(0, 3);
    expect(top).toHaveLength(2); // only two clients got 429s in the example
    expect(csv).toHaveLength(1 + top.length);
    csv.slice(1).forEach((line, i) => {
      expect(line.startsWith(`${top[i]!.group.clientId},`)).toBe(true);
      expect(line).toContain(`,${top[i]!.requests},${top[i]!.status429},`);
    });
    const execution = athena.executions.find((e) => e.id === lake.athenaQueryExecutionId)!;
    expect(execution).toMatchObject({
      database: 'genesys',
      catalog: 'AwsDataCatalog',
      workgroup: 'primary',
      outputLocation: 's3://usage-results/athena/',
    });
    expect(execution.sql).toContain(`"interval" = '2026-11-13T00:00:00Z/2026-11-20T00:00:00Z'`);

    // Sections: escaped data, the facts of each stage.
    const [s3Section, glueSection, athenaSection] = lake.sections;
    expect(s3Section).toContain(`Uploaded 7 of 7 objects to <code>s3://usage-lake/genesys-usage/</code>.`);
    expect(glueSection).toMatch(
      /Crawler <code>ok<\/code>: <code>SUCCEEDED<\/code> in \d+s · tables created 1, updated 2, deleted 0\./,
    );
    // What the crawl cost: Glue told no DPU-hours, so the billing rule (GetCrawlerMetrics: ran 75 s).
    expect(glueSection).toContain(
      'Cost: &#36;0.07 per DPU the crawl used (ran 1m 15s, billed as 10m: &#36;0.44 per DPU-hour, at least 10 minutes per crawl; Glue did not report the DPU-hours).',
    );
    expect(athenaSection).toContain('12.1 KB scanned · engine 830ms · est. cost &#36;0.000048 · 2 rows');
    expect(athenaSection).toContain('Agent desktop &lt;beta&gt; &#124; EU');
    expect(athenaSection).not.toContain('<beta>');
    expect(athenaSection).toContain('&quot;genesys&quot;.&quot;genesys&#95;usage&quot;');

    // Every command sent is in the list the IAM template is tested against.
    const listed = new Set(AWS_ACTIONS_USED.map((p) => p.call));
    expect([...new Set(sent)].filter((c) => !listed.has(c))).toEqual([]);
    expect(new Set(sent)).toEqual(
      new Set([
        'S3.PutObject',
        // Whether the partition holds an object of the other compression to remove.
        'S3.HeadObject',
        'Glue.GetCrawler',
        'Glue.StartCrawler',
        'Glue.ListCrawls',
        'Glue.GetCrawlerMetrics',
        'Athena.StartQueryExecution',
        'Athena.GetQueryExecution',
        'Athena.GetQueryResults',
      ]),
    );
  });

  it('fails with the crawler’s message, keeping the uploads, the local files and what was done', async () => {
    const cfg = config({ 's3-prefix': 'failing', 'glue-crawler': 'broken' });
    const { error, ndjsonDir, written } = await run(cfg);
    expect(error).toBeInstanceOf(DataLakeError);
    expect(error).toBeInstanceOf(UserError);
    const failure = error as DataLakeError;
    expect(failure.message).toBe(
      'Glue crawler broken FAILED: Insufficient Lake Formation permission(s) on genesys (CloudWatch Logs: group /aws-glue/crawlers, stream broken). The uploaded objects are in place.',
    );
    expect(failure.partial.crawlerStatus).toBe('FAILED');
    expect(failure.partial.s3Uris).toHaveLength(7);
    expect(failure.partial.sections).toHaveLength(1);
    expect(await listKeys(reader, BUCKET, 'failing/')).toHaveLength(7);
    for (const f of written.files) expect(existsSync(f.path)).toBe(true);
    expect(existsSync(ndjsonDir)).toBe(true);
  });

  // Was a GAP (src/aws/poll.ts, mapLimit: no results once one item failed): a refused object left
  // partial.s3Uris, and so the s3-uris output, empty although the other objects were written.
  it('when one object is refused, the failure lists exactly the objects written', async () => {
    const cfg = config({ 's3-prefix': 'refused' });
    // The last of the 7 partitions: it starts after all the others, so they all finish.
    const refused = 'dt=2026-11-19/';
    const { error, written } = await run(cfg, {}, (clients) =>
      throwOn(
        clients.s3,
        'PutObjectCommand',
        Object.assign(new Error('Access Denied'), {
          name: 'AccessDenied',
          $metadata: { httpStatusCode: 403 },
        }),
        (input) => String(input.Key).includes(refused),
      ),
    );
    expect(error).toBeInstanceOf(DataLakeError);
    const failure = error as DataLakeError;
    expect(failure.message).toMatch(
      /^S3 upload of s3:\/\/usage-lake\/refused\/granularity=day\/dt=2026-11-19\/\S+\.json\.gz failed: AccessDenied: Access Denied$/,
    );
    const stored = (await listKeys(reader, BUCKET, 'refused/')).map((k) => `s3://${BUCKET}/${k}`);
    expect(stored).toHaveLength(6);
    expect([...failure.partial.s3Uris].sort()).toEqual(stored);
    expect(stored).toEqual(
      written.files
        .filter((f) => !f.relativePath.includes(refused))
        .map((f) => `s3://${BUCKET}/refused/${f.relativePath}`),
    );
    expect(failure.partial).toMatchObject({ crawlerStatus: 'SKIPPED', athenaQueryExecutionId: '' });
  });

  // Was a GAP (src/aws/index.ts, createDataLake: anything but a UserError was rethrown as it was):
  // a bug lost what was done before it, and main reported empty data lake outputs.
  it.each([
    ['Glue', 'GetCrawlerCommand', 'glue' as const, { crawlerStatus: 'FAILED', athenaQueryExecutionId: '' }],
    [
      'Athena',
      'GetQueryResultsCommand',
      'athena' as const,
      { crawlerStatus: 'SUCCEEDED', athenaQueryExecutionId: expect.stringMatching(/^qe-\d+-/) },
    ],
  ])(
    'a bug in the %s stage fails as a DataLakeError naming the stage, with what was done',
    async (stage, command, client, partial) => {
      const prefix = `bug-${stage.toLowerCase()}`;
      const { error, io } = await run(config({ 's3-prefix': prefix }), {}, (clients) =>
        throwOn(clients[client], command, new TypeError("Cannot read properties of undefined (reading 'x')")),
      );
      expect(error).toBeInstanceOf(DataLakeError);
      const failure = error as DataLakeError;
      expect(failure.message).toBe(
        `Unexpected error in the ${stage} stage: Cannot read properties of undefined (reading 'x')`,
      );
      expect(failure.partial).toMatchObject({ athenaResultsCsv: '', ...partial });
      expect([...failure.partial.s3Uris].sort()).toEqual(
        (await listKeys(reader, BUCKET, `${prefix}/`)).map((k) => `s3://${BUCKET}/${k}`),
      );
      expect(failure.partial.s3Uris).toHaveLength(7);
      expect(io.groups.at(-1)).toBe(stage === 'Glue' ? 'Glue crawler' : 'Athena');
    },
  );

  it('crawl: when-needed crawls when the table is missing, then registers partitions without the crawler', async () => {
    const cfg = config({
      's3-prefix': 'when-needed',
      'glue-crawler': 'creator',
      crawl: 'when-needed',
      'athena-query': 'SELECT count(*) AS n FROM "{{database}}"."{{table}}"',
    });
    const first = await run(cfg);
    expect(first.error).toBeUndefined();
    expect(first.result!.crawlerStatus).toBe('SUCCEEDED');
    expect(first.result!.sections[1]).toContain('Crawled because the table does not exist yet.');
    expect(first.io.lines).toContain('Running the crawler: the table does not exist yet.');
    expect(first.result!.sections[1]).toContain(
      'Cost: &#36;0.11 (Glue recorded 0.25 DPU-hours; ran 1m 15s; &#36;0.44 per DPU-hour, at least 10 minutes per crawl).',
    );

    const started = glue.crawlsStarted('creator');
    const second = await run(cfg);
    expect(second.error).toBeUndefined();
    expect(second.result!.crawlerStatus).toBe('PARTITIONS_REGISTERED');
    expect(glue.crawlsStarted('creator')).toBe(started);
    expect(second.sent).not.toContain('Glue.StartCrawler');
    expect(second.result!.sections[1]).toContain(
      'registered 7 new partitions (0 existed already) without running the crawler',
    );
    expect([...glue.partitions.get('genesys.when_needed')!.keys()]).toHaveLength(7);
    const third = await run(cfg);
    expect(third.result!.sections[1]).toContain('registered 0 new partitions (7 existed already)');
    // The user's query, with its placeholders filled in.
    const execution = athena.executions.find((e) => e.id === third.result!.athenaQueryExecutionId)!;
    expect(execution.sql).toBe('SELECT count(*) AS n FROM "genesys"."when_needed"');
    expect(readFileSync(third.result!.athenaResultsCsv, 'utf8')).toBe('n\n35\n');
  });

  describe('without a crawler', () => {
    /** The template's usage table for this prefix and table name, as GetTable returns it. */
    function templateTable(prefix: string, name: string, parameters: Record<string, string> = {}) {
      const template = loadTemplate(path.join(ROOT, 'infra', 'template.yaml'));
      const r = resolver(template, {
        parameters: {
          SourceBucketName: BUCKET,
          ResultsBucketName: 'usage-results',
          S3Prefix: prefix,
          AthenaTableName: name,
          GlueDatabaseName: 'genesys',
          GitHubRepository: 'octo/usage',
          GitHubRepositoryId: '1',
          ...parameters,
        },
        region: REGION,
        accountId: '123456789012',
      });
      const props = r.resolve(template.Resources.UsageTable!.Properties) as {
        DatabaseName: string;
        TableInput: Record<string, unknown>;
      };
      return { ...props.TableInput, DatabaseName: props.DatabaseName };
    }
    const glueOps = (sent: string[]) => sent.filter((c) => c.startsWith('Glue.'));

    it('a table with partition projection (the template’s): nothing to register, the query reads only this run', async () => {
      glue.tables.set('genesys.projected', templateTable('projected', 'projected'));
      const cfg = config({ 's3-prefix': 'projected', 'athena-table': 'projected', 'glue-crawler': '' });
      const { result, error, io, sent, written } = await run(cfg);
      expect(error).toBeUndefined();
      expect(io.groups).toEqual(['Upload to S3', 'Glue Data Catalog', 'Athena']);
      expect(result!.crawlerStatus).toBe('PROJECTED');
      expect(glueOps(sent)).toEqual(['Glue.GetTable']);
      expect(glue.partitions.get('genesys.projected')).toBeUndefined();
      expect(result!.sections[1]).toContain('uses partition projection');
      const execution = athena.executions.find((e) => e.id === result!.athenaQueryExecutionId)!;
      expect(execution.sql).toContain(`AND "dt" BETWEEN '2026-11-13' AND '2026-11-19'`);
      const csv = readFileSync(result!.athenaResultsCsv, 'utf8').trimEnd().split('\n');
      expect(csv).toHaveLength(1 + written.report.topBy429.slice(0, 3).length);
    });

    it('a table without projection: registers this run’s partitions before the query', async () => {
      glue.tables.set('genesys.plain', templateTable('plain', 'plain', { PartitionProjection: 'false' }));
      const cfg = config({ 's3-prefix': 'plain', 'athena-table': 'plain', 'glue-crawler': '' });
      const { result, error, sent } = await run(cfg);
      expect(error).toBeUndefined();
      expect(result!.crawlerStatus).toBe('PARTITIONS_REGISTERED');
      expect(glueOps(sent)).toEqual(['Glue.GetTable', 'Glue.BatchCreatePartition']);
      const registered = glue.partitions.get('genesys.plain')!;
      expect([...registered.keys()]).toHaveLength(7);
      expect(registered.get('day/2026-11-13')).toMatchObject({
        StorageDescriptor: { Location: `s3://${BUCKET}/plain/granularity=day/dt=2026-11-13/` },
      });
    });

    it('when partitions cannot be registered (AccessDenied), fails in one line instead of querying stale data', async () => {
      glue.tables.set('genesys.denied', templateTable('denied', 'denied', { PartitionProjection: 'false' }));
      glue.failNext(
        'BatchCreatePartition',
        new AwsFakeError(
          'AccessDeniedException',
          'User: arn:aws:sts::123456789012:assumed-role/r/s is not authorized to perform: glue:BatchCreatePartition',
        ),
      );
      const cfg = config({ 's3-prefix': 'denied', 'athena-table': 'denied', 'glue-crawler': '' });
      const { error, sent } = await run(cfg);
      expect(error).toBeInstanceOf(DataLakeError);
      const failure = error as DataLakeError;
      expect(failure.message).not.toContain('\n');
      expect(failure.message).toMatch(
        /^Glue BatchCreatePartition on genesys\.denied failed: AccessDeniedException: User: .* is not authorized to perform: glue:BatchCreatePartition \(without a crawler, this run's partitions must be registered before the query, or it would answer from stale data: .*\)$/,
      );
      expect(failure.partial).toMatchObject({ crawlerStatus: 'FAILED', athenaQueryExecutionId: '' });
      expect(failure.partial.s3Uris).toHaveLength(7);
      expect(sent.filter((c) => c.startsWith('Athena.'))).toEqual([]);
    });

    it.each([
      ['the table does not exist', 'missing', undefined, 'the table does not exist yet'],
      [
        'the table is another layout',
        'elsewhere',
        { ...crawlerTable(undefined, `s3://${BUCKET}/somewhere-else/`), Name: 'elsewhere' },
        `the table's location s3://${BUCKET}/somewhere-else/ is not s3://${BUCKET}/elsewhere/`,
      ],
    ])('when %s, fails in one line before the query', async (_label, name, table, reason) => {
      if (table) glue.tables.set(`genesys.${name}`, table);
      const cfg = config({ 's3-prefix': name, 'athena-table': name, 'glue-crawler': '' });
      const { error, sent } = await run(cfg);
      expect((error as Error).message).toBe(
        `Glue table genesys.${name}: ${reason}; without a crawler, this run's partitions must be registered before the query, or it would answer from stale data: deploy the table of infra/template.yaml (partition projection), let the role register partitions (glue:GetTable, glue:BatchCreatePartition), or set glue-crawler.`,
      );
      expect(sent.filter((c) => c.startsWith('Athena.'))).toEqual([]);
    });

    it('a projected table whose projection does not reach this run’s objects fails before the query', async () => {
      glue.tables.set('genesys.misprojected', {
        ...templateTable('misprojected', 'misprojected'),
        Name: 'misprojected',
      });
      const cfg = config({ 's3-prefix': 'other-prefix', 'athena-table': 'misprojected', 'glue-crawler': '' });
      const { error } = await run(cfg);
      expect((error as Error).message).toBe(
        `Glue table genesys.misprojected uses partition projection, but it projects partitions at s3://${BUCKET}/misprojected/granularity=\${granularity}/dt=\${dt}/, not at s3://${BUCKET}/other-prefix/granularity=\${granularity}/dt=\${dt}/: Athena would not see this run's data. Fix the table's projection properties (see infra/template.yaml).`,
      );
    });
  });

  it('without a crawler or Athena, only uploads', async () => {
    const cfg = config({ 's3-prefix': 'upload-only', 'glue-crawler': '', 'athena-database': '' });
    const { result, io } = await run(cfg);
    expect(io.groups).toEqual(['Upload to S3']);
    expect(result).toMatchObject({
      crawlerStatus: 'SKIPPED',
      athenaQueryExecutionId: '',
      athenaResultsCsv: '',
    });
    expect(result!.sections).toHaveLength(1);
  });
});
