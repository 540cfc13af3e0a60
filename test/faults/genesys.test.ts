/**
 * Faults on the Genesys Cloud side, through `run()` with the real SDK against the loopback fake:
 * 429 storms, 5xx bursts, connection resets, answers slower than the HTTP timeout, malformed JSON
 * and a token revoked mid-paging. Each run either recovers or fails with one line naming the call and
 * the cause; whatever pages arrived before a failure are on disk, valid gzip, one JSON object a line;
 * no credential shows anywhere.
 */
import { httpTimeout } from '../../src/genesys/client.js';
import { FakeGenesys, type FakeReply } from '../support/fake-genesys.js';
import {
  credentialsOf,
  expectNoCredentials,
  expectOneLineFailure,
  expectPartitionsHold,
  expectRecovered,
  genesysInputs,
  type InProcessRun,
  pagesOf,
  runInProcess,
} from '../support/fault-run.js';
import { loopbackOnly } from '../support/isolation.js';

process.env = loopbackOnly(process.env);

const JOB_STATUS = { method: 'GET', path: /^\/api\/v2\/usage\/aggregates\/query\/jobs\/job-1$/ };
const SUBMIT = { method: 'POST', path: /^\/api\/v2\/usage\/aggregates\/query\/jobs$/ };
const LOGIN = { method: 'POST', path: /^\/oauth\/token$/ };
/** Page 2, 3...: the status check that answers Succeeded carries page 1; later pages go by cursor. */
const page = (n: number) => ({ ...JOB_STATUS, query: { after: `p${n - 1}` } });

const throttled = (seconds: number): FakeReply => ({
  status: 429,
  headers: { 'retry-after': String(seconds) },
  body: {
    message: 'Rate limit exceeded the maximum. Retry the request in [%s] seconds',
    code: 'too.many.requests.retry.after',
    status: 429,
  },
});
const serverError = (status: number): FakeReply => ({
  status,
  body: { message: `Upstream said ${status}`, code: 'internal.server.error', status },
});

let fake: FakeGenesys;
beforeEach(async () => {
  fake = await FakeGenesys.start();
});
afterEach(async () => {
  await fake.close();
});

/** The job succeeds at the first status check and serves these pages. */
function scriptJob(sizes: number[]) {
  const pages = pagesOf(sizes);
  fake.addJob({ statuses: ['Succeeded'], pages });
  return { pages, rows: pages.flat() };
}

/** The checks every recovered run passes: outputs, every row on disk, no credential. */
function expectFullRun(r: InProcessRun, rows: Record<string, unknown>[]) {
  expectRecovered(r);
  expect(r.io.outputs).toMatchObject({
    'query-id': 'job-1',
    records: String(rows.length),
    'ndjson-path': r.ndjsonDir,
    'crawler-status': 'SKIPPED',
  });
  const partitions = expectPartitionsHold(r.ndjsonDir, rows);
  expect(partitions.records.every((rec) => rec.queryId === 'job-1' && rec.api === 'aggregates')).toBe(true);
  expectNoCredentials(r, credentialsOf(fake));
}

/** The checks every failed run passes: what arrived is on disk, intact; no credential. */
function expectPartialRun(r: InProcessRun, received: Record<string, unknown>[]) {
  expectPartitionsHold(r.ndjsonDir, received);
  expectNoCredentials(r, credentialsOf(fake));
}

const QUERY_STAGE =
  /^Genesys Cloud: (Submitting the usage job|Checking job job-1|Reading page \d+ of job job-1) failed/;

describe('429 storms with Retry-After', () => {
  it('recovers from 20 consecutive 429s on the status checks, waiting exactly what each Retry-After says', async () => {
    const { rows } = scriptJob([3, 2, 1]);
    const retryAfter = Array.from({ length: 20 }, (_, i) => i + 1);
    fake.fault(JOB_STATUS, ...retryAfter.map(throttled));

    const r = await runInProcess(genesysInputs(fake));

    expectFullRun(r, rows);
    // The first status check comes after 1 s; then one wait per 429, each its Retry-After; pages follow at once.
    expect(r.clock.sleeps).toEqual([1000, ...retryAfter.map((s) => s * 1000)]);
    expect(fake.requestsTo('GET', /jobs\/job-1$/)).toHaveLength(20 + 3);
    expect(r.io.lines.filter((l) => l.includes('(as Retry-After asks)'))).toHaveLength(20);
    expect(r.io.lines).toContain(
      'Checking job job-1: HTTP 429 (too.many.requests.retry.after): Rate limit exceeded the maximum. Retry the request in [%s] seconds; waiting 20s (as Retry-After asks).',
    );
  });

  it('recovers from 429s on the login, the submit and between pages', async () => {
    const { rows } = scriptJob([2, 2, 2]);
    fake.fault(LOGIN, throttled(3), throttled(3));
    fake.fault(SUBMIT, throttled(5));
    fake.fault(page(2), ...[7, 11, 13].map(throttled));

    const r = await runInProcess(genesysInputs(fake));

    expectFullRun(r, rows);
    expect(r.clock.sleeps).toEqual([3000, 3000, 5000, 1000, 7000, 11_000, 13_000]);
  });

  it('fails at once, in one line, when Retry-After asks for more than query-timeout leaves', async () => {
    const { pages } = scriptJob([2, 2, 2]);
    fake.fault(page(3), throttled(600));

    const r = await runInProcess(genesysInputs(fake, { 'query-timeout': '2m' }));

    expectOneLineFailure(
      r,
      /^Genesys Cloud: Reading page 3 of job job-1 failed: /,
      /HTTP 429 \(too\.many\.requests\.retry\.after\): .* \(waiting 10m more would pass query-timeout \(2m\)\)$/,
    );
    // Never slept the 10 minutes.
    expect(r.clock.sleeps).toEqual([1000]);
    expectPartialRun(r, [...pages[0]!, ...pages[1]!]);
  });
});

describe('5xx bursts', () => {
  it('recovers from bursts within the retry budget (4 retries per call)', async () => {
    const { rows } = scriptJob([3, 3]);
    fake.fault(SUBMIT, serverError(503), serverError(502));
    fake.fault(JOB_STATUS, ...[500, 502, 503, 504].map(serverError));
    fake.fault(page(2), serverError(503), serverError(503), serverError(503), serverError(503));

    const r = await runInProcess(genesysInputs(fake));

    expectFullRun(r, rows);
    expect(r.io.lines.filter((l) => / \(retry \d of 4\)\.$/.test(l))).toHaveLength(2 + 4 + 4);
    // 2 submit retries, the first status check's 1 s, 4 status retries, 4 page retries; each retry's
    // backoff is jittered: 0.5 to 1 s, 1 to 2 s, 2 to 4 s, 4 to 8 s.
    expect(r.clock.sleeps).toHaveLength(11);
    expect(r.clock.sleeps[2]).toBe(1000);
    for (const ms of r.clock.sleeps) expect(ms).toBeGreaterThanOrEqual(500);
    for (const ms of r.clock.sleeps) expect(ms).toBeLessThanOrEqual(8000);
  });

  it('fails in one line after the budget, mid-paging, with the pages before it on disk', async () => {
    const { pages } = scriptJob([3, 2, 1]);
    fake.fault(page(3), ...Array.from({ length: 5 }, () => serverError(500)));

    const r = await runInProcess(genesysInputs(fake));

    expectOneLineFailure(
      r,
      /^Genesys Cloud: Reading page 3 of job job-1 failed after 5 attempts: /,
      /HTTP 500 \(internal\.server\.error\): Upstream said 500$/,
    );
    expectPartialRun(r, [...pages[0]!, ...pages[1]!]);
    // A failed query writes no report; the outputs and the log point at the rows that were kept.
    expect(r.io.outputs).toEqual({
      'query-id': 'job-1',
      'ndjson-path': expect.stringMatching(/genesys-usage$/),
      records: '5',
    });
    expect(r.io.lines).toContainEqual(
      expect.stringMatching(/^The 5 records received before the failure are kept in /),
    );
  });
});

describe('connection resets', () => {
  it('recovers from resets on the login, the status check and a page', async () => {
    const { rows } = scriptJob([2, 2, 2]);
    fake.fault(LOGIN, 'reset', 'reset');
    fake.fault(JOB_STATUS, 'reset');
    fake.fault(page(3), 'reset');

    const r = await runInProcess(genesysInputs(fake));

    expectFullRun(r, rows);
    expect(r.io.lines.filter((l) => /^Login: .*ECONNRESET/.test(l))).toHaveLength(2);
  });

  it('fails in one line when every attempt at a page is reset', async () => {
    const { pages } = scriptJob([3, 2, 1]);
    fake.fault(page(2), ...Array.from({ length: 5 }, () => 'reset' as const));

    const r = await runInProcess(genesysInputs(fake));

    expectOneLineFailure(
      r,
      /^Genesys Cloud: Reading page 2 of job job-1 failed after 5 attempts: /,
      /ECONNRESET/,
    );
    expectPartialRun(r, pages[0]!);
  });

  it('fails in one line, naming Genesys Cloud, when the login is reset every time', async () => {
    fake.fault(LOGIN, ...Array.from({ length: 5 }, () => 'reset' as const));

    const r = await runInProcess(genesysInputs(fake));

    expectOneLineFailure(
      r,
      new RegExp(
        `^Login to Genesys Cloud \\(${fake.url}\\) failed for client ${fake.clientId} after 5 attempts: `,
      ),
      /ECONNRESET/,
    );
    expectPartialRun(r, []);
  });
});

describe('answers slower than the HTTP timeout', () => {
  // The SDK's timeout is 16 s; lowered here so each slow answer costs 60 ms of real time.
  const saved = httpTimeout.ms;
  beforeEach(() => {
    httpTimeout.ms = 60;
  });
  afterEach(() => {
    httpTimeout.ms = saved;
  });
  const slow: FakeReply = { status: 200, body: {}, delayMs: Infinity };

  it('retries a status check and a page that time out, and recovers', async () => {
    const { rows } = scriptJob([2, 2, 2]);
    fake.fault(JOB_STATUS, slow);
    fake.fault(page(3), slow);

    const r = await runInProcess(genesysInputs(fake));

    expectFullRun(r, rows);
    expect(r.io.lines.filter((l) => l.includes('ECONNABORTED (timeout of 60ms exceeded)'))).toHaveLength(2);
  });

  it('fails in one line when a page times out on every attempt', async () => {
    const { pages } = scriptJob([2, 2, 2]);
    fake.fault(page(2), ...Array.from({ length: 5 }, () => slow));

    const r = await runInProcess(genesysInputs(fake));

    expectOneLineFailure(
      r,
      /^Genesys Cloud: Reading page 2 of job job-1 failed after 5 attempts: /,
      /^.*: ECONNABORTED \(timeout of 60ms exceeded\)$/,
    );
    expectPartialRun(r, pages[0]!);
  });
});

describe('malformed JSON bodies', () => {
  const malformed: FakeReply = {
    status: 200,
    raw: '{"queryStatus": "Succeeded", "entities": [{"date": "2026-',
  };
  const notJson = `the answer was not JSON: '${malformed.raw}'`;

  it('retries a cut-off job status like a 5xx, and recovers', async () => {
    const { rows } = scriptJob([2, 2]);
    fake.fault(JOB_STATUS, malformed, malformed);

    const r = await runInProcess(genesysInputs(fake));

    expectFullRun(r, rows);
    expect(r.io.lines.filter((l) => l.startsWith(`Checking job job-1: ${notJson}; waiting `))).toHaveLength(
      2,
    );
  });

  it('retries a cut-off page, and recovers', async () => {
    const { rows } = scriptJob([3, 2, 1]);
    fake.fault(page(3), malformed);

    const r = await runInProcess(genesysInputs(fake));

    expectFullRun(r, rows);
    expect(r.io.lines).toContainEqual(
      expect.stringMatching(/^Reading page 3 of job job-1: the answer was not JSON: .* \(retry 1 of 4\)\.$/),
    );
  });

  it('fails in one line, naming the status check, when every answer is cut off', async () => {
    scriptJob([2, 2]);
    fake.fault(JOB_STATUS, ...Array.from({ length: 5 }, () => malformed));

    const r = await runInProcess(genesysInputs(fake));

    const line = expectOneLineFailure(
      r,
      /^Genesys Cloud: Checking job job-1 failed after 5 attempts: /,
      /the answer was not JSON: /,
    );
    expect(line).toBe(`Genesys Cloud: Checking job job-1 failed after 5 attempts: ${notJson}`);
    expectPartialRun(r, []);
  });

  it('fails in one line, naming the page, when it is cut off on every attempt, with the pages before it on disk', async () => {
    const { pages } = scriptJob([3, 2, 1]);
    fake.fault(page(3), ...Array.from({ length: 5 }, () => malformed));

    const r = await runInProcess(genesysInputs(fake));

    const line = expectOneLineFailure(
      r,
      /^Genesys Cloud: Reading page 3 of job job-1 failed after 5 attempts: /,
      /the answer was not JSON: /,
    );
    expect(line).toBe(`Genesys Cloud: Reading page 3 of job job-1 failed after 5 attempts: ${notJson}`);
    expectPartialRun(r, [...pages[0]!, ...pages[1]!]);
  });

  it('says an empty answer was empty', async () => {
    const { pages } = scriptJob([3, 2, 1]);
    fake.fault(page(2), ...Array.from({ length: 5 }, () => ({ status: 200, raw: '' })));

    const r = await runInProcess(genesysInputs(fake));

    expectOneLineFailure(
      r,
      /^Genesys Cloud: Reading page 2 of job job-1 failed after 5 attempts: /,
      /: the answer was empty, not JSON$/,
    );
    expectPartialRun(r, pages[0]!);
  });

  it('fails at once on JSON that is not a job status', async () => {
    const { pages } = scriptJob([3, 2, 1]);
    fake.fault(page(2), { status: 200, body: [1, 2] });

    const r = await runInProcess(genesysInputs(fake));

    expectOneLineFailure(
      r,
      /^Genesys Cloud: Reading page 2 of job job-1 failed: /,
      /the answer is not a job status \(an array\)\.$/,
    );
    expect(fake.requestsTo('GET', /jobs\/job-1$/)).toHaveLength(2);
    expectPartialRun(r, pages[0]!);
  });
});

describe('a token revoked mid-run', () => {
  it('fails at once, in one line, on a 401 between pages, saying what a 401 mid-run means', async () => {
    const { pages } = scriptJob([3, 2, 1]);
    fake.fault(page(3), {
      status: 401,
      body: { message: 'Authentication failed', code: 'authentication.required', status: 401 },
    });

    const r = await runInProcess(genesysInputs(fake));

    const line = expectOneLineFailure(
      r,
      /^Genesys Cloud: Reading page 3 of job job-1 failed: /,
      /HTTP 401 \(authentication\.required\): Authentication failed\. The token was refused mid-run: revoked, or the OAuth client deleted or disabled\.$/,
    );
    expect(line).toBe(
      'Genesys Cloud: Reading page 3 of job job-1 failed: HTTP 401 (authentication.required): Authentication failed. ' +
        'The token was refused mid-run: revoked, or the OAuth client deleted or disabled.',
    );
    expect(r.clock.sleeps).toEqual([1000]);
    expectPartialRun(r, [...pages[0]!, ...pages[1]!]);
  });

  it('gives the hint on a 401 at the submit too, but not on the login', async () => {
    fake.fault(SUBMIT, { status: 401, body: { message: 'Authentication failed' } });
    const r = await runInProcess(genesysInputs(fake));
    expectOneLineFailure(r, /^Genesys Cloud: Submitting the usage job failed: HTTP 401: /, /mid-run/);

    fake.fault(LOGIN, { status: 401, body: { error: 'invalid_client', error_description: 'bad' } });
    const login = await runInProcess(genesysInputs(fake));
    expectOneLineFailure(login, /^Login to Genesys Cloud /, /Check client-id, client-secret and environment/);
    expect(login.io.failed).not.toContain('mid-run');
  });
});

describe('the failure line names the service', () => {
  // Only the login said "Genesys Cloud" before; a failed submit, status check or page read
  // "Reading page 3 of job job-1 failed ...", which in a workflow that also runs Glue jobs does not say
  // which service failed. Every failure line of the query now starts with "Genesys Cloud: ".
  it('says "Genesys Cloud" when a query call fails, as the login does', async () => {
    const { pages } = scriptJob([1, 1, 1]);
    fake.fault(page(3), { status: 401, body: { message: 'Authentication failed' } });
    const r = await runInProcess(genesysInputs(fake));
    expectPartialRun(r, [...pages[0]!, ...pages[1]!]);
    expectOneLineFailure(r, QUERY_STAGE, /Genesys Cloud/);
  });

  it.each([
    ['a failed job', { statuses: ['Running', 'Failed'], errorBody: { message: 'too many groups' } }],
    ['a cancelled job', { statuses: ['Cancelled'] }],
  ])('says it for %s too', async (_, job) => {
    fake.addJob(job);
    const r = await runInProcess(genesysInputs(fake));
    expectOneLineFailure(r, /^Genesys Cloud: Job job-1 (failed|cancelled) after \d+s: /, /\.$/);
  });

  it('says it when query-timeout passes', async () => {
    fake.addJob({ statuses: ['Running'] });
    const r = await runInProcess(genesysInputs(fake, { 'query-timeout': '1m' }));
    expectOneLineFailure(
      r,
      /^Genesys Cloud: Job job-1 did not finish within query-timeout \(1m\) \(last status: Running\)\. /,
      /GET \/api\/v2\/usage\/aggregates\/query\/jobs\/job-1\?pageSize=1000/,
    );
  });
});
