/** run() in-process with stub adapters: how the stages fit together, on the edges. */
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
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
