import { UserError } from '../../src/errors.js';
import { bucketCoverage, type Coverage } from '../../src/layout.js';
import { athenaCostUsd, clientRequestToken, isHeaderRow } from '../../src/aws/athena.js';
import { coverageMetadata, decideUpload, readCoverageMetadata } from '../../src/aws/coverage.js';
import { csvField, csvLine } from '../../src/aws/csv.js';
import { awsFailure, NO_CREDENTIALS_MESSAGE } from '../../src/aws/errors.js';
import { dataInterval, partitionDates } from '../../src/aws/index.js';
import { backoffDelay, mapLimit, Poller } from '../../src/aws/poll.js';
import { contentType, objectKey } from '../../src/aws/s3-upload.js';
import { virtualClock } from '../support/isolation.js';

const d = (s: string) => new Date(s.length === 10 ? `${s}T00:00:00Z` : s);
const cov = (start: string, end: string, complete = false): Coverage => ({
  start: d(start),
  end: d(end),
  complete,
});

describe('the partial-bucket rule (decideUpload)', () => {
  const week = cov('2026-11-16', '2026-11-23', true);
  const monTue = cov('2026-11-16', '2026-11-18');
  const monWed = cov('2026-11-16', '2026-11-19');
  const tueThu = cov('2026-11-17', '2026-11-20');

  it('always uploads a complete bucket', () => {
    expect(decideUpload(week, { kind: 'covered', coverage: week }).upload).toBe(true);
    expect(decideUpload(week, { kind: 'covered', coverage: monTue }).upload).toBe(true);
    expect(decideUpload(week, { kind: 'undeclared' }).upload).toBe(true);
    expect(decideUpload(week, { kind: 'absent' }).upload).toBe(true);
  });

  it('uploads a partial bucket where there is nothing yet', () => {
    expect(decideUpload(monTue, { kind: 'absent' })).toEqual({
      upload: true,
      reason: 'partial bucket, no object yet',
    });
  });

  it('never lets a partial bucket replace a complete one', () => {
    const decision = decideUpload(monWed, { kind: 'covered', coverage: week });
    expect(decision).toEqual({
      upload: false,
      reason: 'partial bucket; the existing object is the complete bucket',
    });
  });

  it('replaces a partial object that this one contains (the same span re-run, or a growing week-to-date)', () => {
    expect(decideUpload(monTue, { kind: 'covered', coverage: monTue }).upload).toBe(true);
    expect(decideUpload(monWed, { kind: 'covered', coverage: monTue }).upload).toBe(true);
  });

  it('keeps a wider or a different partial object: an upload never shrinks what S3 covers', () => {
    expect(decideUpload(monTue, { kind: 'covered', coverage: monWed }).upload).toBe(false);
    const crossing = decideUpload(tueThu, { kind: 'covered', coverage: monWed });
    expect(crossing.upload).toBe(false);
    expect(crossing.reason).toContain('2026-11-16T00:00:00.000Z to 2026-11-19T00:00:00.000Z');
  });

  it('treats an object without coverage metadata as complete', () => {
    expect(decideUpload(monTue, { kind: 'undeclared' }).upload).toBe(false);
  });

  it('round-trips coverage through S3 metadata, whatever case S3 gives the keys', () => {
    const meta = coverageMetadata(monTue, 12);
    expect(meta).toEqual({
      'coverage-start': '2026-11-16T00:00:00.000Z',
      'coverage-end': '2026-11-18T00:00:00.000Z',
      'coverage-complete': 'false',
      records: '12',
    });
    expect(readCoverageMetadata(meta)).toEqual(monTue);
    expect(
      readCoverageMetadata({
        'Coverage-Start': meta['coverage-start']!,
        'COVERAGE-END': meta['coverage-end']!,
        'coverage-complete': 'true',
      }),
    ).toEqual({ ...monTue, complete: true });
    expect(readCoverageMetadata(undefined)).toBeUndefined();
    expect(readCoverageMetadata({})).toBeUndefined();
    expect(readCoverageMetadata({ ...meta, 'coverage-start': 'yesterday' })).toBeUndefined();
    expect(readCoverageMetadata({ ...meta, 'coverage-complete': 'yes' })).toBeUndefined();
    expect(readCoverageMetadata({ ...meta, 'coverage-start': '2026-12-01T00:00:00Z' })).toBeUndefined();
  });

  it('agrees with bucketCoverage for a week-to-date run', () => {
    const interval = { start: d('2026-11-16'), end: d('2026-11-19') };
    const ours = bucketCoverage('2026-11-16', 'Week', interval);
    expect(ours.complete).toBe(false);
    expect(
      decideUpload(ours, {
        kind: 'covered',
        coverage: bucketCoverage('2026-11-16', 'Week', { start: d('2026-11-16'), end: d('2026-11-18') }),
      }).upload,
    ).toBe(true);
  });
});

describe('S3 keys and content types', () => {
  it('puts the relative path under the prefix', () => {
    expect(objectKey('genesys-usage', 'granularity=day/dt=2026-11-13/x.json.gz')).toBe(
      'genesys-usage/granularity=day/dt=2026-11-13/x.json.gz',
    );
    expect(objectKey('', 'granularity=day/dt=2026-11-13/x.json')).toBe(
      'granularity=day/dt=2026-11-13/x.json',
    );
  });
  it('types gzip as gzip (no Content-Encoding) and plain NDJSON as NDJSON', () => {
    expect(contentType('a/x.json.gz')).toBe('application/gzip');
    expect(contentType('a/x.json')).toBe('application/x-ndjson');
  });
});

describe('CSV', () => {
  it('quotes only what needs it, doubling quotes', () => {
    expect(csvField('plain')).toBe('plain');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField(' padded')).toBe('" padded"');
    expect(csvField('')).toBe('""');
    expect(csvField(undefined)).toBe('');
    expect(csvLine(['a', undefined, '', 'x,y'])).toBe('a,,"","x,y"\n');
  });
});

describe('Athena helpers', () => {
  it('makes a deterministic token per run attempt, within 32 to 128 characters', () => {
    const env = { GITHUB_RUN_ID: '42', GITHUB_RUN_ATTEMPT: '1', GITHUB_REPOSITORY: 'o/r', GITHUB_JOB: 'j' };
    const token = clientRequestToken(env, 'SELECT 1', 'random-a');
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(clientRequestToken(env, 'SELECT 1', 'random-b')).toBe(token);
    expect(clientRequestToken({ ...env, GITHUB_RUN_ATTEMPT: '2' }, 'SELECT 1', 'random-a')).not.toBe(token);
    expect(clientRequestToken(env, 'SELECT 2', 'random-a')).not.toBe(token);
    // Off a runner, every run is new.
    expect(clientRequestToken({}, 'SELECT 1', 'random-a')).not.toBe(
      clientRequestToken({}, 'SELECT 1', 'random-b'),
    );
  });

  it('estimates the cost at $5 per TB, per MB rounded up, 10 MB minimum', () => {
    expect(athenaCostUsd(0)).toBeCloseTo((10 / 2 ** 20) * 5, 12);
    expect(athenaCostUsd(10 * 2 ** 20 + 1)).toBeCloseTo((11 / 2 ** 20) * 5, 12);
    expect(athenaCostUsd(2 ** 40)).toBeCloseTo(5, 9);
  });

  it('recognises the header row of a SELECT only', () => {
    expect(isHeaderRow(['a', 'b'], ['a', 'b'], 'DML')).toBe(true);
    expect(isHeaderRow(['1', 'b'], ['a', 'b'], 'DML')).toBe(false);
    expect(isHeaderRow(['a', 'b'], ['a', 'b'], 'UTILITY')).toBe(false);
    expect(isHeaderRow(undefined, ['a'], 'DML')).toBe(false);
  });
});

describe('polling', () => {
  it('backs off by 1.5x up to the cap', () => {
    expect([0, 1, 2, 3, 10].map((a) => backoffDelay(a, 500, 5000))).toEqual([500, 750, 1125, 1688, 5000]);
  });

  it('never sleeps past the deadline', async () => {
    const clock = virtualClock();
    const poller = new Poller(clock, 2000, 500, 5000);
    while (await poller.wait()) {
      /* poll */
    }
    expect(clock.sleeps).toEqual([500, 750, 750]);
    expect(poller.expired()).toBe(true);
  });

  it('runs at most `limit` at once, keeps the order, and stops starting work after a failure', async () => {
    let running = 0;
    let peak = 0;
    const started: number[] = [];
    const result = await mapLimit([1, 2, 3, 4, 5, 6, 7, 8, 9], 4, async (n) => {
      started.push(n);
      peak = Math.max(peak, ++running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      return n * 2;
    });
    expect(result).toEqual([2, 4, 6, 8, 10, 12, 14, 16, 18]);
    expect(peak).toBe(4);

    started.length = 0;
    await expect(
      mapLimit([1, 2, 3, 4, 5, 6, 7, 8, 9], 2, async (n) => {
        started.push(n);
        await new Promise((resolve) => setImmediate(resolve));
        if (n === 2) throw new Error('boom');
        return n;
      }),
    ).rejects.toThrow('boom');
    expect(started.length).toBeLessThan(9);
  });
});

describe('AWS errors', () => {
  it('turns missing credentials into one line on how to configure them', () => {
    const error = Object.assign(new Error('Could not load credentials from any providers'), {
      name: 'CredentialsProviderError',
    });
    const failure = awsFailure('S3 upload', error);
    expect(failure).toBeInstanceOf(UserError);
    expect(failure.message).toBe(NO_CREDENTIALS_MESSAGE);
    expect(failure.message).toContain('aws-actions/configure-aws-credentials');
    expect(failure.message).not.toContain('\n');
  });

  it("keeps AWS's own name and message, and leaves programming errors alone", () => {
    const denied = Object.assign(new Error('Access Denied'), {
      name: 'AccessDenied',
      $metadata: { httpStatusCode: 403 },
    });
    expect(awsFailure('S3 upload of s3://b/k', denied).message).toBe(
      'S3 upload of s3://b/k failed: AccessDenied: Access Denied',
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
    expect(awsFailure('Glue GetCrawler c', refused)).toBeInstanceOf(UserError);
    const bug = new TypeError('x is undefined');
    expect(awsFailure('anything', bug)).toBe(bug);
  });
});

describe('dataInterval', () => {
  const file = (dt: string) => ({ granularity: 'week' as const, dt, relativePath: '', path: '', records: 1 });
  it('spans the first to the end of the last bucket', () => {
    expect(dataInterval([file('2026-11-16'), file('2026-11-02'), file('2026-11-09')], 'Week')).toEqual({
      start: d('2026-11-02'),
      end: d('2026-11-23'),
    });
    expect(dataInterval([], 'Week')).toBeUndefined();
  });
});

describe('partitionDates', () => {
  const file = (dt: string) => ({ granularity: 'week' as const, dt, relativePath: '', path: '', records: 1 });
  const span = { start: d('2026-11-04'), end: d('2026-11-20') };
  it('is the first and the last bucket date the run wrote', () => {
    expect(
      partitionDates([file('2026-11-16'), file('2026-11-02'), file('2026-11-09')], 'Week', span),
    ).toEqual({
      first: '2026-11-02',
      last: '2026-11-16',
    });
  });
  it('without files, every bucket date that can hold part of the interval', () => {
    expect(partitionDates([], 'Day', span)).toEqual({ first: '2026-11-04', last: '2026-11-19' });
    expect(partitionDates([], 'Week', span)).toEqual({ first: '2026-10-29', last: '2026-11-19' });
    expect(partitionDates([], 'Month', span)).toEqual({ first: '2026-10-05', last: '2026-11-19' });
    expect(partitionDates([], undefined, span)).toEqual({ first: '2026-11-04', last: '2026-11-04' });
  });
});
