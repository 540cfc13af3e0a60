/** run() in-process with stub adapters: the early warnings when their queries fail, each way. */
import { writeFileSync } from 'node:fs';
import { run } from '../src/main.js';
import type { Config } from '../src/types.js';
import { UserError } from '../src/errors.js';
import type { RateLimitEventsQuery, UsageQuery } from '../src/stages.js';
import { formatInterval } from '../src/interval.js';
import { captureIO } from './support/capture-io.js';
import { tempDir } from './support/isolation.js';

const NOW = new Date('2026-11-21T10:00:00Z');
const LIVE = { 'client-id': 'id', 'client-secret': 'secret', interval: 'P7D', granularity: 'Day' };

async function runWith(
  inputs: Record<string, string>,
  stubs: { queryUsage?: UsageQuery; queryRateLimitEvents?: RateLimitEventsQuery },
) {
  const io = captureIO();
  const outputDir = tempDir('early');
  await run({
    io,
    env: {},
    now: () => NOW,
    sleep: async () => undefined,
    getInput: (name) => ({ 'output-dir': outputDir, 'pr-comment': 'false', ...inputs })[name] ?? '',
    queryUsage: stubs.queryUsage ?? (async () => ({ queryIds: [] })),
    queryRateLimitEvents:
      stubs.queryRateLimitEvents ??
      (async () => {
        throw new Error('not asked for');
      }),
    dataLake: async () => {
      throw new Error('no data lake in these tests');
    },
    publishComment: async () => undefined,
  });
  return io;
}

const failingEvents: RateLimitEventsQuery = async () => {
  throw new UserError(
    'Genesys Cloud: Querying the near-limit events failed after 5 attempts: HTTP 503: down',
  );
};

describe('near-limit events that cannot be read', () => {
  it('warn and let the run go on without a threshold', async () => {
    const io = await runWith(
      { ...LIVE, 'rate-limit-events': 'true' },
      { queryRateLimitEvents: failingEvents },
    );
    expect(io.failed).toBeUndefined();
    expect(io.warnings).toEqual([expect.stringContaining('HTTP 503: down')]);
    expect(io.outputs['rate-limit-events']).toBe('');
  });

  it('fail the step, after the outputs, when max-rate-limit-events is set', async () => {
    const io = await runWith(
      { ...LIVE, 'rate-limit-events': 'true', 'max-rate-limit-events': '3', 'fail-on-breach': 'false' },
      { queryRateLimitEvents: failingEvents },
    );
    expect(io.failed).toBe(
      'max-rate-limit-events cannot be evaluated: the near-limit events could not be read.',
    );
    expect(io.outputs.records).toBe('0');
  });
});

describe('the previous period', () => {
  const seen: string[] = [];
  const query =
    (failPrevious: boolean): UsageQuery =>
    async (config: Config, _ctx, onRows, onSubmitted) => {
      const interval = formatInterval(config.interval!);
      seen.push(interval);
      if (seen.length % 2 === 0 && failPrevious)
        throw new UserError('Genesys Cloud: Job job-2 failed: boom.');
      onSubmitted?.(`job-${seen.length}`);
      await onRows(
        [{ date: interval.slice(0, 10), requestCount: seen.length % 2 ? 120 : 100 }],
        `job-${seen.length}`,
      );
      return { queryIds: [`job-${seen.length}`] };
    };
  beforeEach(() => seen.splice(0));

  it('is queried for the window just before, and only compared', async () => {
    const io = await runWith({ ...LIVE, 'compare-previous': 'true' }, { queryUsage: query(false) });
    expect(io.failed).toBeUndefined();
    expect(seen).toEqual([
      '2026-11-14T00:00:00Z/2026-11-21T00:00:00Z',
      '2026-11-07T00:00:00Z/2026-11-14T00:00:00Z',
    ]);
    expect(io.outputs).toMatchObject({ records: '1', 'query-id': 'job-1', 'total-requests': '120' });
    expect(io.outputs['requests-change']).toBe('20.00');
    expect(io.outputs['change-429']).toBe('');
  });

  it('that fails warns, or fails the step when max-requests-growth needs it', async () => {
    const warned = await runWith({ ...LIVE, 'compare-previous': 'true' }, { queryUsage: query(true) });
    expect(warned.failed).toBeUndefined();
    expect(warned.warnings).toEqual([
      'The previous period could not be read: Genesys Cloud: Job job-2 failed: boom.',
    ]);
    expect(warned.outputs['requests-change']).toBe('');
    const failed = await runWith(
      { ...LIVE, 'compare-previous': 'true', 'max-requests-growth': '10' },
      { queryUsage: query(true) },
    );
    expect(failed.failed).toBe(
      'max-requests-growth cannot be evaluated: the previous period could not be read.',
    );
  });
});

describe('a saved previous period', () => {
  it('must lie in the previous window, or the growth gate cannot be evaluated', async () => {
    const dir = tempDir('previous');
    const row = (date: string, requests: number) =>
      JSON.stringify({ date: `${date}T00:00:00Z`, clientId: 'c', requests, status429: 0 });
    const current = `${dir}/current.ndjson`;
    const previousSameDays = `${dir}/previous.ndjson`;
    writeFileSync(current, [row('2026-11-01', 100), row('2026-11-02', 100)].join('\n'));
    // The same days again: not the window just before, so no change can be computed from it.
    writeFileSync(previousSameDays, [row('2026-11-01', 10)].join('\n'));
    const io = await runWith(
      {
        'results-file': current,
        interval: '2026-11-01/2026-11-02',
        granularity: 'Day',
        'compare-previous': 'true',
        'previous-results-file': previousSameDays,
        'max-requests-growth': '50',
      },
      {},
    );
    expect(io.failed).toContain('max-requests-growth cannot be evaluated');
    expect(io.errors.join('\n')).toContain(
      "Input 'previous-results-file' holds row 1 (line 1) dated 2026-11-01, outside the previous window 2026-10-30 to 2026-10-31 (2 days)",
    );
    expect(io.outputs['requests-change']).toBe('');
  });
});
