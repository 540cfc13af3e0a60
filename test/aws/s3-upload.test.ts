/** Uploads against s3rver on 127.0.0.1 through the real S3 client (real HTTP, real multipart). */
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import {
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import type { InitializeMiddleware } from '@smithy/types';
import { UserError } from '../../src/errors.js';
import type { PartitionFile } from '../../src/partition-writer.js';
import { NO_CREDENTIALS_MESSAGE } from '../../src/aws/errors.js';
import { PART_SIZE, type S3Settings, uploadPartitions } from '../../src/aws/s3-upload.js';
import { loopbackS3, startS3rver } from '../support/aws/harness.js';
import { interval, LEGACY_EXAMPLE, writeRun } from '../support/aws/usage-data.js';
import { captureIO } from '../support/capture-io.js';
import { tempDir } from '../support/isolation.js';

const BUCKET = 'usage-lake';
let server: { endpoint: string; close: () => Promise<void> };
let s3: S3Client;

beforeAll(async () => {
  server = await startS3rver([BUCKET, 'other-bucket']);
  s3 = loopbackS3(server.endpoint);
});
afterAll(async () => {
  s3.destroy();
  await server.close();
});

/** Every command input the client sends, and the most sent at once. */
function watch(client: S3Client) {
  const inputs: { command: string; input: Record<string, unknown> }[] = [];
  let running = 0;
  let peak = 0;
  const middleware: InitializeMiddleware<object, object> = (next, context) => async (args) => {
    inputs.push({ command: String(context.commandName), input: args.input as Record<string, unknown> });
    peak = Math.max(peak, ++running);
    try {
      return await next(args);
    } finally {
      running--;
    }
  };
  (client.middlewareStack as { add(m: unknown, o: unknown): void }).add(middleware, {
    step: 'initialize',
    name: 'watch',
  });
  return { inputs, peak: () => peak, remove: () => client.middlewareStack.remove('watch') };
}

async function keys(prefix: string, bucket = BUCKET): Promise<string[]> {
  const list = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (list.Contents ?? []).map((o) => o.Key ?? '').sort();
}

async function body(key: string): Promise<Buffer> {
  const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await object.Body!.transformToByteArray());
}

const settings = (prefix: string, extra: Partial<S3Settings> = {}): S3Settings => ({
  bucket: BUCKET,
  prefix,
  forcePathStyle: true,
  ...extra,
});

describe('uploadPartitions (s3rver)', () => {
  it('puts one object per partition under the prefix, byte for byte, with type and coverage metadata', async () => {
    const dir = tempDir('s3-up');
    const week = interval('2026-11-13', '2026-11-20');
    const { files } = await writeRun(dir, LEGACY_EXAMPLE, {
      api: 'legacy',
      granularity: 'Day',
      interval: week,
    });
    const io = captureIO();
    const results = await uploadPartitions(s3, settings('lake/a'), files, {
      granularity: 'Day',
      interval: week,
      io,
    });

    expect(results.every((r) => r.uploaded)).toBe(true);
    expect(await keys('lake/a/')).toEqual(files.map((f) => `lake/a/${f.relativePath}`).sort());
    expect(results.map((r) => r.uri)).toEqual(files.map((f) => `s3://${BUCKET}/lake/a/${f.relativePath}`));
    const first = files[0]!;
    expect((await body(`lake/a/${first.relativePath}`)).equals(readFileSync(first.path))).toBe(true);
    const head = await s3.send(
      new HeadObjectCommand({ Bucket: BUCKET, Key: `lake/a/${first.relativePath}` }),
    );
    expect(head.ContentType).toBe('application/gzip');
    expect(head.ContentEncoding).toBeUndefined();
    expect(head.Metadata).toEqual({
      'coverage-start': `${first.dt}T00:00:00.000Z`,
      'coverage-end': expect.stringMatching(/T00:00:00.000Z$/),
      'coverage-complete': 'true',
      records: String(first.records),
    });
    expect(io.lines.filter((l) => l.startsWith('Uploaded s3://'))).toHaveLength(files.length);
  });

  it('switching compression replaces the partition’s object of the other extension instead of adding one', async () => {
    const week = interval('2026-11-13', '2026-11-20');
    const upload = async (compression: 'gzip' | 'none') => {
      const run = await writeRun(tempDir(`s3-switch-${compression}`), LEGACY_EXAMPLE, {
        api: 'legacy',
        granularity: 'Day',
        interval: week,
        compression,
      });
      const io = captureIO();
      const watched = watch(s3);
      try {
        const results = await uploadPartitions(s3, settings('lake/switch'), run.files, {
          granularity: 'Day',
          interval: week,
          io,
        });
        return { run, results, io, sent: watched.inputs.map((i) => i.command) };
      } finally {
        watched.remove();
      }
    };
    const gz = await upload('gzip');
    expect(gz.results.every((r) => r.uploaded && !r.removed)).toBe(true);
    // Nothing to remove: one look, no delete.
    expect(gz.sent.filter((c) => c === 'DeleteObjectCommand')).toEqual([]);
    const gzKeys = await keys('lake/switch/');
    expect(gzKeys.every((k) => k.endsWith('.json.gz'))).toBe(true);

    const plain = await upload('none');
    const plainKeys = await keys('lake/switch/');
    expect(plainKeys).toEqual(gzKeys.map((k) => k.replace(/\.gz$/, '')));
    expect(plain.results.map((r) => r.removed)).toEqual(gz.results.map((r) => r.uri));
    expect(plain.io.lines.filter((l) => l.startsWith('Removed s3://'))).toHaveLength(gzKeys.length);
    expect(plain.sent.filter((c) => c === 'DeleteObjectCommand')).toHaveLength(gzKeys.length);

    // And back: one object per partition again, the gzip one.
    await upload('gzip');
    expect(await keys('lake/switch/')).toEqual(gzKeys);
  });

  it('a partial bucket never replaces a complete one written with the other compression', async () => {
    const month = interval('2026-11-01', '2026-12-01');
    const rows = [{ date: '2026-11-01', requestCount: 10, status429: 1 }];
    const complete = await writeRun(tempDir('s3-switch-month'), rows, {
      api: 'aggregates',
      granularity: 'Month',
      interval: month,
    });
    await uploadPartitions(s3, settings('lake/switch-partial'), complete.files, {
      granularity: 'Month',
      interval: month,
      io: captureIO(),
    });
    const before = await keys('lake/switch-partial/');
    expect(before).toHaveLength(1);
    const toDate = interval('2026-11-01', '2026-11-10');
    const partial = await writeRun(tempDir('s3-switch-mtd'), rows, {
      api: 'aggregates',
      granularity: 'Month',
      interval: toDate,
      compression: 'none',
    });
    const [result] = await uploadPartitions(s3, settings('lake/switch-partial'), partial.files, {
      granularity: 'Month',
      interval: toDate,
      io: captureIO(),
    });
    expect(result).toMatchObject({ uploaded: false });
    expect(result!.reason).toBe(
      `partial bucket; the existing object is the complete bucket (s3://${BUCKET}/${before[0]!})`,
    );
    expect(await keys('lake/switch-partial/')).toEqual(before);
  });

  it('replaces its objects on a re-run instead of adding any', async () => {
    const dir = tempDir('s3-rerun');
    const week = interval('2026-11-13', '2026-11-20');
    const { files } = await writeRun(dir, LEGACY_EXAMPLE, {
      api: 'legacy',
      granularity: 'Day',
      interval: week,
    });
    await uploadPartitions(s3, settings('lake/rerun'), files, {
      granularity: 'Day',
      interval: week,
      io: captureIO(),
    });
    const before = await keys('lake/rerun/');
    // A later run over an overlapping interval: the shared days are replaced, one day is added.
    const later = interval('2026-11-14', '2026-11-21');
    const rows = JSON.parse(readFileSync(LEGACY_EXAMPLE, 'utf8')) as { results: Record<string, unknown>[] };
    const shifted = rows.results.map((r) => ({
      ...r,
      date: new Date(new Date(String(r.date)).getTime() + 86_400_000).toISOString(),
    }));
    const again = await writeRun(tempDir('s3-rerun2'), shifted, {
      api: 'legacy',
      granularity: 'Day',
      interval: later,
    });
    await uploadPartitions(s3, settings('lake/rerun'), again.files, {
      granularity: 'Day',
      interval: later,
      io: captureIO(),
    });
    const after = await keys('lake/rerun/');
    expect(after).toHaveLength(before.length + 1);
    expect(after).toEqual(expect.arrayContaining(before));
    await uploadPartitions(s3, settings('lake/rerun'), again.files, {
      granularity: 'Day',
      interval: later,
      io: captureIO(),
    });
    expect(await keys('lake/rerun/')).toEqual(after);
  });

  it('never lets a partial week replace a complete or a wider one, and lets a wider one replace a narrower', async () => {
    const rows = (n: number) => [
      { date: '2026-11-16', oauthClient: { id: 'c' }, requestCount: n, status429: 1 },
    ];
    const upload = async (span: ReturnType<typeof interval>, requests: number) => {
      const { files } = await writeRun(tempDir('s3-week'), rows(requests), {
        api: 'aggregates',
        granularity: 'Week',
        interval: span,
      });
      const io = captureIO();
      const [result] = await uploadPartitions(s3, settings('lake/week'), files, {
        granularity: 'Week',
        interval: span,
        io,
      });
      return result!;
    };
    const stored = async (key: string) => {
      const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: key }));
      return `${head.Metadata?.['coverage-start']?.slice(0, 10)}..${head.Metadata?.['coverage-end']?.slice(0, 10)} ${head.Metadata?.records} ${head.Metadata?.['coverage-complete']}`;
    };

    const monTue = await upload(interval('2026-11-16', '2026-11-18'), 200);
    expect(monTue.uploaded).toBe(true);
    expect(await stored(monTue.key)).toBe('2026-11-16..2026-11-18 1 false');

    const monWed = await upload(interval('2026-11-16', '2026-11-19'), 300); // week-to-date grows
    expect(monWed.uploaded).toBe(true);
    expect(await stored(monWed.key)).toBe('2026-11-16..2026-11-19 1 false');

    const tueOnly = await upload(interval('2026-11-17', '2026-11-18'), 100); // narrower: kept out
    expect(tueOnly).toMatchObject({ uploaded: false });
    expect(tueOnly.reason).toContain('does not contain');

    const whole = await upload(interval('2026-11-16', '2026-11-23'), 700); // the whole week
    expect(whole).toMatchObject({ uploaded: true, reason: 'complete bucket' });
    expect(await stored(whole.key)).toBe('2026-11-16..2026-11-23 1 true');

    const partialAfter = await upload(interval('2026-11-16', '2026-11-22'), 600);
    expect(partialAfter).toMatchObject({
      uploaded: false,
      reason: 'partial bucket; the existing object is the complete bucket',
    });
    const content = (await body(whole.key)).length;
    expect(content).toBeGreaterThan(0);
    expect(await stored(whole.key)).toBe('2026-11-16..2026-11-23 1 true');
    expect(await keys('lake/week/')).toHaveLength(1);
  });

  it('keeps a partial bucket away from an object that declares no coverage', async () => {
    const span = interval('2026-11-16', '2026-11-18');
    const { files } = await writeRun(
      tempDir('s3-undeclared'),
      [{ date: '2026-11-16', oauthClient: { id: 'c' }, requestCount: 1 }],
      { api: 'aggregates', granularity: 'Week', interval: span },
    );
    const key = `lake/undeclared/${files[0]!.relativePath}`;
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'old\n' }));
    const [result] = await uploadPartitions(s3, settings('lake/undeclared'), files, {
      granularity: 'Week',
      interval: span,
      io: captureIO(),
    });
    expect(result).toMatchObject({
      uploaded: false,
      reason: 'partial bucket; the existing object declares no coverage',
    });
    expect((await body(key)).toString()).toBe('old\n');
  });

  it('sends SSE-KMS, the expected bucket owner, CRC32 checksums and conditional writes; at most 4 at once', async () => {
    const dir = tempDir('s3-headers');
    const span = interval('2026-08-05', '2026-11-20'); // 16 weeks, partial at both ends
    const rows = Array.from({ length: 16 }, (_, i) => ({
      date: new Date(Date.UTC(2026, 7, 3 + 7 * i)).toISOString().slice(0, 10),
      oauthClient: { id: 'c' },
      requestCount: 5,
    }));
    const { files } = await writeRun(dir, rows, { api: 'aggregates', granularity: 'Week', interval: span });
    expect(files).toHaveLength(16);
    const client = loopbackS3(server.endpoint);
    const watcher = watch(client);
    try {
      const s = settings('lake/headers', {
        kmsKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abc',
        expectedBucketOwner: '123456789012',
      });
      await uploadPartitions(client, s, files, {
        granularity: 'Week',
        interval: span,
        io: captureIO(),
      });
    } finally {
      client.destroy();
    }
    const puts = watcher.inputs.filter((i) => i.command === 'PutObjectCommand');
    expect(puts).toHaveLength(files.length);
    for (const { input } of puts) {
      expect(input).toMatchObject({
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'arn:aws:kms:us-east-1:123456789012:key/abc',
        ExpectedBucketOwner: '123456789012',
        ChecksumAlgorithm: 'CRC32',
      });
      expect(input).not.toHaveProperty('ContentEncoding');
    }
    // The partial first and last weeks were checked, and written only if still absent; every
    // partition was checked for an object of the other compression (.json beside .json.gz).
    const heads = watcher.inputs.filter((i) => i.command === 'HeadObjectCommand');
    expect(heads.every((h) => h.input.ExpectedBucketOwner === '123456789012')).toBe(true);
    const headed = heads.map((h) => String(h.input.Key));
    expect(headed.filter((k) => k.endsWith('.json.gz'))).toHaveLength(2);
    expect(headed.filter((k) => k.endsWith('.json')).sort()).toEqual(
      files.map((f) => `lake/headers/${f.relativePath.replace(/\.gz$/, '')}`).sort(),
    );
    expect(puts.filter((p) => p.input.IfNoneMatch === '*')).toHaveLength(2);
    expect(watcher.peak()).toBeLessThanOrEqual(4);
    expect(watcher.peak()).toBeGreaterThan(1);
  });

  it('retries once when another run wrote the key between the check and the write (412)', async () => {
    const span = interval('2026-11-16', '2026-11-18');
    const { files } = await writeRun(
      tempDir('s3-race'),
      [{ date: '2026-11-16', oauthClient: { id: 'c' }, requestCount: 3 }],
      { api: 'aggregates', granularity: 'Week', interval: span },
    );
    const client = loopbackS3(server.endpoint);
    let failed = 0;
    const racing: InitializeMiddleware<object, object> = (next, context) => async (args) => {
      if (context.commandName === 'PutObjectCommand' && failed++ === 0) {
        throw Object.assign(new Error('At least one of the pre-conditions you specified did not hold'), {
          name: 'PreconditionFailed',
          $metadata: { httpStatusCode: 412 },
        });
      }
      return next(args);
    };
    (client.middlewareStack as { add(m: unknown, o: unknown): void }).add(racing, {
      step: 'initialize',
      name: 'race',
      priority: 'low',
    });
    const watcher = watch(client);
    try {
      const [result] = await uploadPartitions(client, settings('lake/race'), files, {
        granularity: 'Week',
        interval: span,
        io: captureIO(),
      });
      expect(result!.uploaded).toBe(true);
    } finally {
      client.destroy();
    }
    // Our key and the other compression's, before each write.
    expect(watcher.inputs.map((i) => i.command)).toEqual([
      'HeadObjectCommand',
      'HeadObjectCommand',
      'PutObjectCommand',
      'HeadObjectCommand',
      'HeadObjectCommand',
      'PutObjectCommand',
    ]);
  });

  it('uploads a file above the part size as a multipart upload', async () => {
    const dir = tempDir('s3-big');
    const rel = 'granularity=total/dt=2026-11-13/big.json';
    mkdirSync(path.join(dir, 'granularity=total', 'dt=2026-11-13'), { recursive: true });
    const data = randomBytes(PART_SIZE + 1024 * 1024);
    writeFileSync(path.join(dir, rel), data);
    const file: PartitionFile = {
      granularity: 'total',
      dt: '2026-11-13',
      relativePath: rel,
      path: path.join(dir, rel),
      records: 1,
    };
    const client = loopbackS3(server.endpoint);
    const watcher = watch(client);
    try {
      await uploadPartitions(client, settings('lake/big'), [file], {
        interval: interval('2026-11-13', '2026-11-14'),
        io: captureIO(),
      });
    } finally {
      client.destroy();
    }
    expect(watcher.inputs.map((i) => i.command)).toEqual([
      'CreateMultipartUploadCommand',
      'UploadPartCommand',
      'UploadPartCommand',
      'CompleteMultipartUploadCommand',
      // Is there a big.json.gz to remove? No.
      'HeadObjectCommand',
    ]);
    expect((await body(`lake/big/${rel}`)).equals(data)).toBe(true);
    const head = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: `lake/big/${rel}` }));
    expect(head.ContentType).toBe('application/x-ndjson');
    expect(head.Metadata?.['coverage-complete']).toBe('true');
  });

  it('fails with one line when no credentials are found, and with S3’s own message otherwise', async () => {
    const { files } = await writeRun(
      tempDir('s3-creds'),
      [{ date: '2026-11-16', oauthClient: { id: 'c' }, requestCount: 3 }],
      { api: 'aggregates', granularity: 'Day', interval: interval('2026-11-16', '2026-11-17') },
    );
    const none = loopbackS3(server.endpoint, {
      credentials: async () => {
        throw Object.assign(new Error('Could not load credentials from any providers'), {
          name: 'CredentialsProviderError',
        });
      },
    });
    try {
      await expect(
        uploadPartitions(none, settings('lake/creds'), files, { io: captureIO() }),
      ).rejects.toThrow(NO_CREDENTIALS_MESSAGE);
    } finally {
      none.destroy();
    }
    const missing = uploadPartitions(s3, { ...settings('lake/creds'), bucket: 'no-such-bucket' }, files, {
      io: captureIO(),
    });
    await expect(missing).rejects.toBeInstanceOf(UserError);
    await expect(missing).rejects.toThrow(
      /^S3 upload of s3:\/\/no-such-bucket\/lake\/creds\/granularity=day\/dt=2026-11-16\/.* failed: NoSuchBucket: /,
    );
  });
});
