/** run() in-process with stub adapters: how the stages fit together, on the edges. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import path from 'node:path';
import { run } from '../src/main.js';
import type { UsageQuery } from '../src/stages.js';
import { UserError } from '../src/errors.js';
import { captureIO } from './support/capture-io.js';
import { tempDir } from './support/isolation.js';
import { ROOT } from './support/run-action.js';

const NOW = new Date('2026-11-21T10:00:00Z');
const EXAMPLE = path.join(ROOT, 'examples/results/legacy-daily-by-client.json');

async function runWith(inputs: Record<string, string>, queryUsage?: UsageQuery) {
  const io = captureIO();
  const outputDir = tempDir('main');
  await run({
    io,
    env: {},
    now: () => NOW,
    sleep: async () => undefined,
    getInput: (name) => ({ 'output-dir': outputDir, ...inputs })[name] ?? '',
    queryUsage: queryUsage ?? (async () => ({ queryIds: [] })),
    dataLake: async () => {
      throw new Error('no data lake in these tests');
    },
    publishComment: async () => undefined,
  });
  return { io, outputDir };
}

const LIVE = { 'client-id': 'id', 'client-secret': 'secret', interval: '2026-08-01/2026-11-20' };

describe('run(): the organisation and the days', () => {
  it('fills organizationId on live rows that lack it, names the objects and the summary after it', async () => {
    const org = { id: '6f0c5e1a-0d3b-4c8e-9a71-2b5d8e4f7a10', name: 'Acme' };
    const query: UsageQuery = async (_config, _ctx, onRows, onSubmitted, onOrganization) => {
      onOrganization?.(org);
      onSubmitted?.('job-1');
      await onRows([{ date: '2026-11-02', requestCount: 10 }], 'job-1');
      return { queryIds: ['job-1'], organization: org };
    };
    const { io, outputDir } = await runWith(
      { ...LIVE, interval: '2026-11-01/2026-11-07', granularity: 'Day' },
      query,
    );
    expect(io.failed).toBeUndefined();
    const dir = path.join(io.outputs['ndjson-path']!, 'granularity=day', 'dt=2026-11-02');
    const [file] = readdirSync(dir);
    expect(file).toMatch(new RegExp(`^aggregates\\.org-${org.id}\\.all\\.[0-9a-f]{8}\\.json\\.gz$`));
    const summary = readFileSync(path.join(outputDir, 'summary.md'), 'utf8');
    expect(summary).toContain(`organization Acme (<code>${org.id}</code>)`);
    expect(summary).toContain('2026-11-01 → 2026-11-07 (7 days)');
    const report = JSON.parse(readFileSync(path.join(outputDir, 'report.json'), 'utf8')) as Record<
      string,
      unknown
    >;
    expect(report.organization).toEqual(org);
    expect(report.days).toEqual({ first: '2026-11-01', last: '2026-11-07', count: 7 });
    const record = JSON.parse(
      gunzipSync(readFileSync(path.join(dir, file!)))
        .toString()
        .split('\n')[0]!,
    ) as Record<string, unknown>;
    expect(record.organizationId).toBe(org.id);
  });

  it('keeps the organisation a replayed row carries, and names the objects after it', async () => {
    const file = path.join(tempDir('main-replay'), 'rows.ndjson');
    writeFileSync(
      file,
      JSON.stringify({ date: '2026-11-02', requestCount: 3, organizationId: 'org-from-row' }) + '\n',
    );
    const { io } = await runWith({ 'results-file': file, granularity: 'Day' });
    expect(io.failed).toBeUndefined();
    const dir = path.join(io.outputs['ndjson-path']!, 'granularity=day', 'dt=2026-11-02');
    const [name] = readdirSync(dir);
    expect(name).toMatch(/^aggregates\.org-org-from-row\./);
    const record = JSON.parse(gunzipSync(readFileSync(path.join(dir, name!))).toString()) as Record<
      string,
      unknown
    >;
    expect(record.organizationId).toBe('org-from-row');
  });

  it('on the client-scoped endpoint fills clientId, and leaves organizationId to the rows', async () => {
    const query: UsageQuery = async (_config, _ctx, onRows, _submitted, onOrganization) => {
      onOrganization?.({ id: 'home-org', name: 'Home' });
      await onRows([{ date: '2026-11-02', requestCount: 4 }], 'job-1');
      return { queryIds: ['job-1'] };
    };
    const { io } = await runWith(
      { ...LIVE, interval: '2026-11-01/2026-11-07', granularity: 'Day', 'usage-client-id': 'partner' },
      query,
    );
    expect(io.failed).toBeUndefined();
    const dir = path.join(io.outputs['ndjson-path']!, 'granularity=day', 'dt=2026-11-02');
    const [name] = readdirSync(dir);
    const record = JSON.parse(gunzipSync(readFileSync(path.join(dir, name!))).toString()) as Record<
      string,
      unknown
    >;
    expect(record).toMatchObject({ clientId: 'partner', organizationId: '' });
  });

  it('logs that a future end was cut to today', async () => {
    const { io } = await runWith({ ...LIVE, interval: '2026-11-01/2026-11-30' });
    expect(io.lines).toContain(
      'interval: 2026-11-01 to 2026-11-30 (30 days) ends in the future; Genesys Cloud has usage up to yesterday only, so it is cut to 2026-11-01 to 2026-11-20 (20 days).',
    );
  });
});

describe('run()', () => {
  it('takes the shape from the rows when the inputs leave it out, and logs each value as inferred', async () => {
    const { io, outputDir } = await runWith({ 'results-file': EXAMPLE });
    expect(io.failed).toBeUndefined();
    expect(io.lines).toEqual(
      expect.arrayContaining([
        'api: legacy (inferred from the rows)',
        'granularity: Day (inferred from the rows: 7 dates from 2026-11-13 to 2026-11-19)',
        "interval: 2026-11-13T00:00:00Z/2026-11-20T00:00:00Z (inferred from the rows' dates, assuming complete buckets)",
        'group-by: OAuthClientId (inferred from the rows)',
      ]),
    );
    const days = readdirSync(path.join(outputDir, 'genesys-usage', 'granularity=day'));
    expect(days).toHaveLength(7);
  });

  it('dates totals by the interval start, whatever the rows of split jobs say', async () => {
    const query: UsageQuery = async (_config, _ctx, onRows, onSubmitted) => {
      onSubmitted?.('job-1');
      await onRows([{ date: '2026-08-01', requestCount: 10 }], 'job-1');
      onSubmitted?.('job-2');
      await onRows([{ date: '2026-10-30', requestCount: 5 }], 'job-2');
      return { queryIds: ['job-1', 'job-2'] };
    };
    const { io } = await runWith(LIVE, query);
    expect(io.failed).toBeUndefined();
    expect(io.outputs['query-id']).toBe('job-1,job-2');
    expect(io.outputs['total-requests']).toBe('15');
    expect(readdirSync(path.join(io.outputs['ndjson-path']!, 'granularity=total'))).toEqual([
      'dt=2026-08-01',
    ]);
  });

  it('names the submitted job and points at the kept records when the query fails later', async () => {
    const query: UsageQuery = async (_config, _ctx, onRows, onSubmitted) => {
      onSubmitted?.('job-7');
      await onRows([{ date: '2026-11-01', requestCount: 3 }], 'job-7');
      throw new UserError('Genesys Cloud: Reading page 2 of job job-7 failed: HTTP 500');
    };
    const { io } = await runWith({ ...LIVE, granularity: 'Day' }, query);
    expect(io.failed).toBe('Genesys Cloud: Reading page 2 of job job-7 failed: HTTP 500');
    expect(io.outputs).toMatchObject({ 'query-id': 'job-7', records: '1' });
    expect(io.lines).toContainEqual(
      expect.stringMatching(/^The 1 records received before the failure are kept in /),
    );
  });

  it('files the NDJSON under s3-prefix even without a bucket, and makes the folder for zero rows', async () => {
    const dir = tempDir('empty');
    const empty = path.join(dir, 'empty.json');
    writeFileSync(empty, '{"results":[],"queryStatus":"Complete"}');
    const { io, outputDir } = await runWith({
      'results-file': empty,
      's3-prefix': 'team/usage',
      granularity: 'Day',
    });
    expect(io.failed).toBeUndefined();
    expect(io.outputs['ndjson-path']).toBe(path.join(outputDir, 'team', 'usage'));
    expect(existsSync(io.outputs['ndjson-path']!)).toBe(true);
    expect(io.outputs.records).toBe('0');
  });
});

describe('run(): a failed run keeps what the last good run wrote', () => {
  it('removes stale files only after a complete run', async () => {
    const io = captureIO();
    const outputDir = tempDir('main-stale');
    const deps = (queryUsage: UsageQuery) => ({
      io,
      env: {},
      now: () => NOW,
      sleep: async () => undefined,
      getInput: (name: string) =>
        ({ 'output-dir': outputDir, ...LIVE, interval: '2026-11-01/2026-11-07', granularity: 'Day' })[name] ??
        '',
      queryUsage,
      dataLake: async () => {
        throw new Error('no data lake in these tests');
      },
      publishComment: async () => undefined,
    });
    await run(
      deps(async (_config, _ctx, onRows) => {
        await onRows([{ date: '2026-11-02', requestCount: 10 }], 'job-1');
        return { queryIds: ['job-1'] };
      }),
    );
    const day = path.join(io.outputs['ndjson-path']!, 'granularity=day', 'dt=2026-11-02');
    expect(readdirSync(day)).toHaveLength(1);
    await run(
      deps(async () => {
        throw new UserError('Genesys Cloud answered HTTP 503');
      }),
    );
    expect(io.failed).toContain('503');
    // The good run's file is still there: a failed run never takes it away.
    expect(readdirSync(day)).toHaveLength(1);
  });
});
