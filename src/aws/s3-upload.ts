/**
 * Uploads one object per partition file to `<prefix>/<relativePath>`. The key is a pure function of
 * the query's shape and the bucket date, so a re-run replaces its objects; a partly covered bucket
 * goes through the rule in coverage.ts first, and is written conditionally (If-Match/If-None-Match),
 * so a concurrent run cannot slip a different object in between the check and the write.
 */
import { createReadStream } from 'node:fs';
import { DeleteObjectCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Config, Granularity } from '../types.js';
import { UserError } from '../errors.js';
import type { Interval } from '../interval.js';
import type { ActionIO } from '../io.js';
import { bucketCoverage, type Coverage } from '../layout.js';
import type { PartitionFile } from '../partition-writer.js';
import { coverageMetadata, decideUpload, type Existing, readCoverageMetadata } from './coverage.js';
import { awsErrorName, awsFailure, httpStatus } from './errors.js';
import { mapLimit } from './poll.js';

export type S3Settings = NonNullable<Config['s3']>;

export interface UploadResult {
  file: PartitionFile;
  key: string;
  uri: string;
  coverage: Coverage;
  uploaded: boolean;
  reason: string;
  /**
   * The same partition's object of the other compression (`.json` beside `.json.gz`), removed after
   * this upload: Athena reads every file of a partition, so both would count the same rows twice.
   */
  removed?: string;
}

/** Enough to keep the pipe busy without flooding a runner's connection. */
const UPLOAD_CONCURRENCY = 4;
/** Files above this go up as multipart uploads, one part at a time per file. */
export const PART_SIZE = 16 * 1024 * 1024;

/** The key the same partition's object has with the other compression: `.json` and `.json.gz` swapped. */
export function otherCompressionKey(key: string): string {
  if (key.endsWith('.json.gz')) return key.slice(0, -'.gz'.length);
  if (key.endsWith('.json')) return `${key}.gz`;
  throw new Error(`not a partition object key: ${key}`);
}

export function objectKey(prefix: string, relativePath: string): string {
  return prefix ? `${prefix}/${relativePath}` : relativePath;
}

/** No Content-Encoding for .gz: Athena recognises gzip by the extension, and clients must not unzip it. */
export function contentType(relativePath: string): string {
  return relativePath.endsWith('.gz') ? 'application/gzip' : 'application/x-ndjson';
}

export interface UploadOptions {
  granularity?: Granularity;
  interval?: Interval;
  io: ActionIO;
  /**
   * Told each file's result as soon as it is done (uploaded or kept), so that a failure of another
   * file still leaves the caller knowing every object written before it.
   */
  onResult?: (result: UploadResult) => void;
}

export async function uploadPartitions(
  s3: S3Client,
  settings: S3Settings,
  files: PartitionFile[],
  options: UploadOptions,
): Promise<UploadResult[]> {
  return mapLimit(files, UPLOAD_CONCURRENCY, async (file) => {
    const result = await uploadOne(s3, settings, file, options);
    options.io.info(
      result.uploaded
        ? `Uploaded ${result.uri} (${file.records} records${result.coverage.complete ? '' : ', partial bucket'})`
        : `Kept ${result.uri}: ${result.reason}`,
    );
    if (result.removed) {
      options.io.info(`Removed ${result.removed}: the same partition with the other compression.`);
    }
    options.onResult?.(result);
    return result;
  });
}

async function uploadOne(
  s3: S3Client,
  settings: S3Settings,
  file: PartitionFile,
  options: UploadOptions,
): Promise<UploadResult> {
  const key = objectKey(settings.prefix, file.relativePath);
  const uri = `s3://${settings.bucket}/${key}`;
  const coverage = bucketCoverage(file.dt, options.granularity, options.interval);
  const otherKey = otherCompressionKey(key);
  const otherUri = `s3://${settings.bucket}/${otherKey}`;
  // One retry: a 412 means another run wrote the key between our check and our write.
  for (let attempt = 0; ; attempt++) {
    let condition: { IfNoneMatch?: string; IfMatch?: string } = {};
    let reason = 'complete bucket';
    /** Whether the other compression's object is there (checked for partial buckets only). */
    let otherExists: boolean | undefined;
    if (!coverage.complete) {
      const { existing, etag } = await headExisting(s3, settings, key, uri);
      let decision = decideUpload(coverage, existing);
      // Written with the other compression, the bucket's object has the other key: it counts the same.
      const other = await headExisting(s3, settings, otherKey, otherUri);
      otherExists = other.existing.kind !== 'absent';
      if (decision.upload && otherExists) {
        const versus = decideUpload(coverage, other.existing);
        if (!versus.upload) decision = { upload: false, reason: `${versus.reason} (${otherUri})` };
      }
      if (!decision.upload) return { file, key, uri, coverage, uploaded: false, reason: decision.reason };
      reason = decision.reason;
      condition = existing.kind === 'absent' ? { IfNoneMatch: '*' } : etag ? { IfMatch: etag } : {};
    }
    try {
      await new Upload({
        client: s3,
        params: {
          Bucket: settings.bucket,
          Key: key,
          Body: createReadStream(file.path),
          ContentType: contentType(file.relativePath),
          Metadata: coverageMetadata(coverage, file.records),
          ChecksumAlgorithm: 'CRC32',
          ...(settings.kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: settings.kmsKeyId } : {}),
          ...(settings.expectedBucketOwner ? { ExpectedBucketOwner: settings.expectedBucketOwner } : {}),
          ...condition,
        },
        partSize: PART_SIZE,
        queueSize: 1,
        leavePartsOnError: false,
      }).done();
      const removed = (await removeOther(s3, settings, otherKey, otherUri, otherExists))
        ? otherUri
        : undefined;
      return { file, key, uri, coverage, uploaded: true, reason, ...(removed ? { removed } : {}) };
    } catch (error) {
      const status = httpStatus(error);
      const raced = (status === 412 || status === 409) && Object.keys(condition).length > 0;
      if (raced && attempt === 0) continue;
      throw awsFailure(`S3 upload of ${uri}`, error);
    }
  }
}

/**
 * Removes the partition's object of the other compression, after ours is in place (so the data is
 * never missing). Whether it is there is asked first (`known` when already asked), so that a run
 * that never switched compression sends no delete. A failure fails the upload: the partition would
 * otherwise hold the rows twice.
 */
async function removeOther(
  s3: S3Client,
  settings: S3Settings,
  key: string,
  uri: string,
  known: boolean | undefined,
): Promise<boolean> {
  const exists = known ?? (await headExisting(s3, settings, key, uri)).existing.kind !== 'absent';
  if (!exists) return false;
  try {
    await s3.send(
      new DeleteObjectCommand({
        Bucket: settings.bucket,
        Key: key,
        ...(settings.expectedBucketOwner ? { ExpectedBucketOwner: settings.expectedBucketOwner } : {}),
      }),
    );
    return true;
  } catch (error) {
    throw awsFailure(
      `S3 DeleteObject of ${uri}`,
      error,
      '(the same partition with the other compression: until it is removed, Athena counts its rows twice)',
    );
  }
}

async function headExisting(
  s3: S3Client,
  settings: S3Settings,
  key: string,
  uri: string,
): Promise<{ existing: Existing; etag?: string }> {
  try {
    const head = await s3.send(
      new HeadObjectCommand({
        Bucket: settings.bucket,
        Key: key,
        ...(settings.expectedBucketOwner ? { ExpectedBucketOwner: settings.expectedBucketOwner } : {}),
      }),
    );
    const coverage = readCoverageMetadata(head.Metadata);
    return {
      existing: coverage ? { kind: 'covered', coverage } : { kind: 'undeclared' },
      etag: head.ETag,
    };
  } catch (error) {
    if (httpStatus(error) === 404 || awsErrorName(error) === 'NotFound')
      return { existing: { kind: 'absent' } };
    if (httpStatus(error) === 403) {
      throw new UserError(
        `S3 HeadObject of ${uri} failed: 403 Forbidden. Checking what a partition holds needs s3:GetObject on the objects and s3:ListBucket on the bucket (see infra/template.yaml); or the bucket is not owned by s3-expected-bucket-owner.`,
      );
    }
    throw awsFailure(`S3 HeadObject of ${uri}`, error);
  }
}
