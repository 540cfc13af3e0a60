import { parseEnvironment } from '../../src/config.js';
import { UserError } from '../../src/errors.js';
import { cursorOf, jobInterval, splitInterval } from '../../src/genesys/aggregates.js';
import {
  createGenesysClient,
  gatewaySettings,
  httpTimeout,
  jsonBody,
  loginBase,
  requestTimeoutMs,
} from '../../src/genesys/client.js';
import {
  describeFailure,
  GenesysRequestError,
  MAX_RETRIES,
  NotJsonError,
  type RetryContext,
  withRetry,
} from '../../src/genesys/retry.js';
import {
  nextPollDelay,
  parseRetryAfter,
  POLL_FIRST_MS,
  POLL_MAX_MS,
  retryDelay,
} from '../../src/genesys/schedule.js';
import { formatInterval } from '../../src/interval.js';
import { type CapturedIO, captureIO } from '../support/capture-io.js';
import { type VirtualClock, virtualClock } from '../support/isolation.js';

const fixed = (v: number) => () => v;

describe('nextPollDelay', () => {
  it('starts at 1 s', () => {
    expect(nextPollDelay(undefined, fixed(0.7))).toBe(POLL_FIRST_MS);
  });

  it('grows by 1.5x to 2x, by the jitter', () => {
    expect(nextPollDelay(1000, fixed(0))).toBe(1500);
    expect(nextPollDelay(1000, fixed(1))).toBe(2000);
    expect(nextPollDelay(1000, fixed(0.5))).toBe(1750);
  });

  it('never passes the 30 s cap, whatever the jitter', () => {
    for (const r of [0, 0.3, 0.99, 1, 5, -1, NaN]) {
      let delay: number | undefined;
      const seen: number[] = [];
      for (let i = 0; i < 20; i++) seen.push((delay = nextPollDelay(delay, fixed(r))));
      expect(seen[0]).toBe(1000);
      for (let i = 1; i < seen.length; i++) {
        const prev = seen[i - 1] as number;
        const cur = seen[i] as number;
        expect(cur).toBeLessThanOrEqual(POLL_MAX_MS);
        if (cur < POLL_MAX_MS) {
          expect(cur).toBeGreaterThanOrEqual(prev * 1.5 - 1);
          expect(cur).toBeLessThanOrEqual(prev * 2 + 1);
        }
      }
      expect(seen.at(-1)).toBe(POLL_MAX_MS);
    }
  });

  it('reaches the cap within about ten checks', () => {
    let delay: number | undefined;
    const seen: number[] = [];
    for (let i = 0; i < 10; i++) seen.push((delay = nextPollDelay(delay, fixed(0))));
    expect(seen).toEqual([1000, 1500, 2250, 3375, 5063, 7595, 11393, 17090, 25635, 30000]);
  });
});

describe('retryDelay', () => {
  it('doubles from 1 s with jitter down to half, capped at 30 s', () => {
    expect([0, 1, 2, 3].map((a) => retryDelay(a, fixed(1)))).toEqual([1000, 2000, 4000, 8000]);
    expect([0, 1, 2, 3].map((a) => retryDelay(a, fixed(0)))).toEqual([500, 1000, 2000, 4000]);
    expect(retryDelay(20, fixed(1))).toBe(30_000);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');
  it.each([
    ['7', 7000],
    ['0', 0],
    ['1.5', 1500],
    [' 30 ', 30_000],
    [['12'], 12_000],
    [3, 3000],
    ['Sat, 21 Nov 2026 12:00:10 GMT', 10_000],
    ['Sat, 21 Nov 2026 11:00:00 GMT', 0],
  ])('%p → %p ms', (value, ms) => {
    expect(parseRetryAfter(value, now)).toBe(ms);
  });
  it.each([[undefined], [''], ['soon'], [null], [-1]])('%p → undefined', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('splitInterval', () => {
  const iv = (start: string, end: string) => ({ start: new Date(start), end: new Date(end) });
  const fmt = (chunks: { start: Date; end: Date }[]) => chunks.map(formatInterval);

  it('keeps an interval of 90 days or less whole', () => {
    expect(fmt(splitInterval(iv('2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z')))).toEqual([
      '2026-01-01T00:00:00Z/2026-04-01T00:00:00Z',
    ]);
  });

  it('cuts longer ones into consecutive 90-day jobs', () => {
    expect(fmt(splitInterval(iv('2026-01-01T00:00:00Z', '2026-07-01T00:00:00Z'), 'Day'))).toEqual([
      '2026-01-01T00:00:00Z/2026-04-01T00:00:00Z',
      '2026-04-01T00:00:00Z/2026-06-30T00:00:00Z',
      '2026-06-30T00:00:00Z/2026-07-01T00:00:00Z',
    ]);
  });

  it('cuts monthly queries on the 1st, so no month is split across jobs', () => {
    expect(fmt(splitInterval(iv('2025-12-01T00:00:00Z', '2026-12-01T00:00:00Z'), 'Month'))).toEqual([
      '2025-12-01T00:00:00Z/2026-03-01T00:00:00Z',
      '2026-03-01T00:00:00Z/2026-05-01T00:00:00Z',
      '2026-05-01T00:00:00Z/2026-07-01T00:00:00Z',
      '2026-07-01T00:00:00Z/2026-09-01T00:00:00Z',
      '2026-09-01T00:00:00Z/2026-11-01T00:00:00Z',
      '2026-11-01T00:00:00Z/2026-12-01T00:00:00Z',
    ]);
  });

  it('cuts weekly queries every 12 weeks', () => {
    const chunks = splitInterval(iv('2026-01-05T00:00:00Z', '2026-07-06T00:00:00Z'), 'Week');
    expect(fmt(chunks)[0]).toBe('2026-01-05T00:00:00Z/2026-03-30T00:00:00Z');
    for (const c of chunks.slice(0, -1)) expect((c.end.getTime() - c.start.getTime()) / 86_400_000).toBe(84);
  });

  it('covers the interval exactly, every job at most 90 days', () => {
    for (const g of [undefined, 'Day', 'Week', 'Month'] as const) {
      const whole = iv('2025-11-22T00:00:00Z', '2026-11-21T00:00:00Z');
      const chunks = splitInterval(whole, g);
      expect(chunks[0]?.start).toEqual(whole.start);
      expect(chunks.at(-1)?.end).toEqual(whole.end);
      for (const [i, c] of chunks.entries()) {
        expect(c.end.getTime() - c.start.getTime()).toBeLessThanOrEqual(90 * 86_400_000);
        expect(c.end > c.start).toBe(true);
        if (i) expect(c.start).toEqual(chunks[i - 1]?.end);
      }
    }
  });

  it('sends every job to the last second of its last day (Genesys counts both ends)', () => {
    const chunk = iv('2026-01-01T00:00:00Z', '2026-04-01T00:00:00Z');
    expect(jobInterval(chunk)).toBe('2026-01-01T00:00:00Z/2026-03-31T23:59:59Z');
  });

  it('sends split jobs as consecutive whole days: no gap, no overlap, each at most 90 days inclusive', () => {
    // 120 days: 1 January to 30 April 2026.
    const chunks = splitInterval(iv('2026-01-01T00:00:00Z', '2026-05-01T00:00:00Z'), 'Day').map(jobInterval);
    expect(chunks).toEqual([
      '2026-01-01T00:00:00Z/2026-03-31T23:59:59Z',
      '2026-04-01T00:00:00Z/2026-04-30T23:59:59Z',
    ]);
    for (const sent of chunks) {
      const [start = '', end = ''] = sent.split('/');
      const days = (Date.parse(end.slice(0, 10)) - Date.parse(start.slice(0, 10))) / 86_400_000 + 1;
      expect(days).toBeLessThanOrEqual(90);
    }
  });
});

describe('cursorOf', () => {
  it('takes the after cursor of a nextUri', () => {
    expect(cursorOf('/api/v2/usage/aggregates/query/jobs/j1?pageSize=1000&after=abc%3D')).toBe('abc=');
    expect(cursorOf('https://api.mypurecloud.com/api/v2/usage/aggregates/query/jobs/j1?after=x')).toBe('x');
    expect(cursorOf('/api/v2/usage/aggregates/query/jobs/j1?pageSize=1000')).toBeUndefined();
  });
});

describe('gatewaySettings', () => {
  it('maps a gateway URL onto the SDK gateway', () => {
    expect(gatewaySettings(new URL('http://127.0.0.1:8080'))).toEqual({
      host: '127.0.0.1',
      protocol: 'http',
      port: 8080,
      path_params_login: '',
      path_params_api: '',
    });
    expect(gatewaySettings(new URL('https://gw.example.com/genesys/'))).toEqual({
      host: 'gw.example.com',
      protocol: 'https',
      path_params_login: '/genesys',
      path_params_api: '/genesys',
    });
  });

  it('names the login host for messages', () => {
    expect(loginBase(parseEnvironment('mypurecloud.ie'))).toBe('https://login.mypurecloud.ie');
    expect(loginBase(parseEnvironment('https://gw.example.com:8443/g/'))).toBe(
      'https://gw.example.com:8443/g',
    );
  });
});

describe('createGenesysClient', () => {
  it('points a region client at api.<region> and login.<region>, without watching the config file', () => {
    const { client } = createGenesysClient(parseEnvironment('mypurecloud.ie'));
    expect(client.config.getConfUrl('api', client.config.basePath)).toBe('https://api.mypurecloud.ie');
    expect(client.config.getConfUrl('login', `https://login.${client.config.environment}`)).toBe(
      'https://login.mypurecloud.ie',
    );
    expect(client.config.live_reload_config).toBe(false);
  });

  it('sends login and API calls through a gateway URL', () => {
    const { client } = createGenesysClient(parseEnvironment('http://127.0.0.1:9/gc'));
    expect(client.config.getConfUrl('api', client.config.basePath)).toBe('http://127.0.0.1:9/gc');
    expect(client.config.getConfUrl('login', 'https://login.mypurecloud.com')).toBe('http://127.0.0.1:9/gc');
  });
});

describe('describeFailure', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');

  it('reads an extended SDK error without keeping the request', () => {
    const failure = describeFailure(
      {
        status: 429,
        statusText: 'Too Many Requests',
        headers: { 'retry-after': '7' },
        body: { message: 'Rate limit exceeded', code: 'too.many.requests.retry.after', status: 429 },
        error: { config: { headers: { Authorization: 'Bearer SECRET-TOKEN' } } },
      },
      now,
    );
    expect(failure).toEqual({
      status: 429,
      code: 'too.many.requests.retry.after',
      message: 'Rate limit exceeded',
      retryAfterMs: 7000,
    });
    expect(JSON.stringify(failure)).not.toContain('SECRET-TOKEN');
  });

  it('reads an axios error of the login (OAuth error body)', () => {
    const failure = describeFailure(
      {
        message: 'Request failed with status code 401',
        config: { headers: { Authorization: 'Basic c2VjcmV0' } },
        response: {
          status: 401,
          headers: {},
          data: { error: 'invalid_client', description: 'authentication failed' },
        },
      },
      now,
    );
    expect(failure).toEqual({ status: 401, code: 'invalid_client', message: 'authentication failed' });
  });

  it('reads a connection failure', () => {
    expect(describeFailure({ code: 'ECONNRESET', message: 'socket hang up' }, now)).toEqual({
      code: 'ECONNRESET',
      message: 'socket hang up',
    });
    expect(describeFailure('Missing the required parameter "jobId"', now).message).toContain('jobId');
  });
});

describe('withRetry', () => {
  function context(deadlineInMs = 600_000): RetryContext & VirtualClock & { io: CapturedIO } {
    const clock = virtualClock(new Date('2026-11-21T12:00:00Z'));
    return {
      ...clock,
      io: captureIO(),
      random: fixed(1),
      deadline: clock.now().getTime() + deadlineInMs,
      deadlineName: 'query-timeout (10m)',
      hints: { 403: 'Needs usage:organization:view.' },
    };
  }
  const http = (status: number, extra: Record<string, unknown> = {}) => ({
    status,
    headers: extra.headers ?? {},
    body: { message: `answer ${status}`, code: `code.${status}` },
  });
  function script(...outcomes: unknown[]): () => Promise<string> {
    return async () => {
      const next = outcomes.shift();
      if (next === 'ok') return 'ok';
      throw next;
    };
  }

  it('waits what Retry-After says on 429 and goes on', async () => {
    const rc = context();
    const result = await withRetry(
      'Polling',
      script(http(429, { headers: { 'retry-after': '12' } }), 'ok'),
      rc,
    );
    expect(result).toBe('ok');
    expect(rc.sleeps).toEqual([12_000]);
    expect(rc.io.text()).toContain(
      'Polling: HTTP 429 (code.429): answer 429; waiting 12s (as Retry-After asks).',
    );
  });

  it('retries 5xx and lost connections a bounded number of times, with backoff', async () => {
    const rc = context();
    const failures = Array.from({ length: 10 }, (_, i) =>
      i % 2 ? http(503) : { code: 'ECONNRESET', message: 'socket hang up' },
    );
    const error = await withRetry('Submitting', script(...failures), rc).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GenesysRequestError);
    expect(rc.sleeps).toEqual([1000, 2000, 4000, 8000]);
    expect((error as Error).message).toBe(
      `Genesys Cloud: Submitting failed after ${MAX_RETRIES + 1} attempts: ECONNRESET (socket hang up)`,
    );
  });

  it('fails at once on other 4xx, with the status, the message and the hint', async () => {
    const rc = context();
    const error = await withRetry('Submitting', script(http(403), 'ok'), rc).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UserError);
    expect((error as Error).message).toBe(
      'Genesys Cloud: Submitting failed: HTTP 403 (code.403): answer 403. Needs usage:organization:view.',
    );
    expect(rc.sleeps).toEqual([]);
  });

  it('does not wait past the deadline', async () => {
    const rc = context(5000);
    const error = await withRetry(
      'Polling',
      script(http(429, { headers: { 'retry-after': '60' } }), 'ok'),
      rc,
    ).catch((e: unknown) => e);
    expect((error as Error).message).toContain('waiting 1m more would pass query-timeout (10m)');
    expect(rc.sleeps).toEqual([]);
  });

  it("names Genesys Cloud, and puts a hint after the service's message as a sentence of its own", () => {
    const error = new GenesysRequestError(
      'Reading page 2 of job j',
      { status: 401, message: 'Authentication failed' },
      1,
      undefined,
      'The token was refused mid-run.',
    );
    expect(error.message).toBe(
      'Genesys Cloud: Reading page 2 of job j failed: HTTP 401: Authentication failed. The token was refused mid-run.',
    );
    // The login names the call its own way, from the detail.
    expect(error.detail).toBe(': HTTP 401: Authentication failed. The token was refused mid-run.');
    const ended = new GenesysRequestError('X', { status: 403, message: 'Forbidden.' }, 1, undefined, 'Hint.');
    expect(ended.message).toBe('Genesys Cloud: X failed: HTTP 403: Forbidden. Hint.');
  });

  it('retries an answer that is not JSON like a 5xx, naming it in the log', async () => {
    const rc = context();
    const cutOff = { status: 200, headers: {}, body: '{"queryStatus": "Succ' };
    const ok = { status: 200, headers: {}, body: { queryStatus: 'Succeeded' } };
    const answers = [cutOff, cutOff, ok];
    const result = await withRetry('Checking job j', async () => jsonBody(answers.shift()), rc);
    expect(result).toEqual({ queryStatus: 'Succeeded' });
    expect(rc.sleeps).toEqual([1000, 2000]);
    expect(rc.io.text()).toContain(
      `info: Checking job j: the answer was not JSON: '{"queryStatus": "Succ'; waiting 1s (retry 1 of 4).`,
    );
  });

  it('gives up on answers that are not JSON after the same bounded retries', async () => {
    const rc = context();
    const error = await withRetry('Reading page 2 of job j', async () => jsonBody({ body: '' }), rc).catch(
      (e: unknown) => e,
    );
    expect((error as Error).message).toBe(
      `Genesys Cloud: Reading page 2 of job j failed after ${MAX_RETRIES + 1} attempts: the answer was empty, not JSON`,
    );
  });

  it('tells the client the time left before each attempt', async () => {
    const rc = context(10_000);
    const left: number[] = [];
    rc.beforeAttempt = (ms) => void left.push(ms);
    await withRetry('Polling', script(http(503), http(503), 'ok'), rc);
    expect(left).toEqual([10_000, 9000, 7000]);
  });
});

describe('jsonBody', () => {
  it('passes JSON through and refuses the raw text the SDK hands over for a body that is not JSON', () => {
    expect(jsonBody({ status: 200, body: { a: 1 } })).toEqual({ a: 1 });
    expect(jsonBody({ status: 200, body: null })).toBeNull();
    expect(() => jsonBody({ status: 200, body: '<html>502 Bad Gateway</html>' })).toThrow(NotJsonError);
    expect(() => jsonBody({ status: 200, body: 'x'.repeat(500) })).toThrow(
      /^the answer was not JSON: 'x{59}…'$/,
    );
  });
});

describe('requestTimeoutMs', () => {
  it('is the SDK’s 16 s, cut to the time left, never below 5 s', () => {
    expect(httpTimeout).toEqual({ ms: 16_000, minMs: 5000 });
    expect(requestTimeoutMs(900_000)).toBe(16_000);
    expect(requestTimeoutMs(16_000)).toBe(16_000);
    expect(requestTimeoutMs(9200.2)).toBe(9201);
    expect(requestTimeoutMs(4200)).toBe(5000);
    expect(requestTimeoutMs(0)).toBe(5000);
    expect(requestTimeoutMs(-5000)).toBe(5000);
  });

  it('is set on the SDK’s HTTP client, which hands it to axios per request', () => {
    const { client, boundNextRequest } = createGenesysClient(parseEnvironment('http://127.0.0.1:9/gc'));
    boundNextRequest(12_500);
    const http = client.getHttpClient() as unknown as {
      timeout: number;
      toAxiosConfig: (o: object) => { timeout?: number };
    };
    expect(http.timeout).toBe(12_500);
    expect(http.toAxiosConfig({ url: 'http://127.0.0.1:9/x', method: 'GET' }).timeout).toBe(12_500);
  });
});
