/**
 * Writes records as NDJSON, one file per partition, streaming: lines are batched per partition and
 * written (through gzip when asked) as they come, so memory does not grow with the number of rows.
 */
import { createWriteStream } from 'node:fs';
import { mkdir, rm, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { finished, pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import type { Compression } from './types.js';
import { describeError, UserError } from './errors.js';
import { partitionPath, type PartitionGranularity } from './layout.js';
import { recordLine, type UsageRecord } from './records.js';

export interface PartitionFile {
  granularity: PartitionGranularity;
  dt: string;
  /** Path relative to the NDJSON folder, with forward slashes: the S3 key below the prefix. */
  relativePath: string;
  path: string;
  records: number;
}

interface OpenPartition {
  file: PartitionFile;
  /** Where lines go: the gzip stream, or the file itself. */
  sink: Writable;
  /** Settles when the file is complete on disk, or failed. */
  done: Promise<void>;
  pending: string;
}

const FLUSH_AT = 64 * 1024;
const MAX_BUFFERED = 256 * 1024;

export class PartitionWriter {
  private readonly partitions = new Map<string, OpenPartition>();
  /** The first write error of any partition: later writes and close() report it. */
  private failure: { file: string; error: unknown } | undefined;

  constructor(
    private readonly dir: string,
    private readonly granularity: PartitionGranularity,
    private readonly name: string,
    private readonly compression: Compression,
  ) {}

  /** Resolves at once unless the partition's stream asks the producer to wait. */
  async write(record: UsageRecord): Promise<void> {
    this.throwIfFailed();
    const partition = this.partitions.get(record.date) ?? (await this.open(record.date));
    partition.file.records++;
    partition.pending += recordLine(record);
    if (partition.pending.length >= FLUSH_AT) await this.flush(partition);
  }

  /**
   * `records` lines already encoded as NDJSON (the fast replay path), for the partition of `dt`,
   * after any lines write() has queued for it.
   */
  async writeEncoded(dt: string, lines: Uint8Array, records: number): Promise<void> {
    this.throwIfFailed();
    const partition = this.partitions.get(dt) ?? (await this.open(dt));
    partition.file.records += records;
    if (partition.pending) await this.flush(partition);
    if (partition.sink.destroyed) return this.throwIfFailed();
    partition.sink.write(lines);
    if (partition.sink.writableLength > MAX_BUFFERED) {
      await Promise.race([once(partition.sink, 'drain').catch(() => undefined), partition.done]);
      this.throwIfFailed();
    }
  }

  /**
   * Stops every file and removes what it wrote (and its folders, when empty): for a caller that
   * writes the same partitions again another way.
   */
  async abort(): Promise<void> {
    const partitions = [...this.partitions.values()];
    this.partitions.clear();
    for (const partition of partitions) partition.sink.destroy();
    await Promise.allSettled(partitions.map((p) => p.done));
    for (const { file } of partitions) {
      await rm(file.path, { force: true });
      for (const dir of [path.dirname(file.path), path.dirname(path.dirname(file.path))]) {
        await rmdir(dir).catch(() => undefined);
      }
    }
    this.failure = undefined;
  }

  /** Ends every file and waits until each is on disk; then reports the first failure, if any. */
  async close(): Promise<PartitionFile[]> {
    const partitions = [...this.partitions.values()];
    for (const partition of partitions) {
      if (partition.pending && !partition.sink.destroyed) partition.sink.write(partition.pending);
      partition.pending = '';
      partition.sink.end();
    }
    await Promise.allSettled(partitions.map((p) => p.done));
    this.throwIfFailed();
    return partitions.map((p) => p.file).sort((a, b) => a.relativePath.localeCompare(b.relativePath));
  }

  private throwIfFailed(): void {
    if (this.failure) {
      throw new UserError(
        `Could not write the NDJSON file ${this.failure.file}: ${describeError(this.failure.error)}`,
      );
    }
  }

  private async open(dt: string): Promise<OpenPartition> {
    const relativePath = partitionPath(this.granularity, dt, this.name, this.compression);
    const filePath = path.join(this.dir, ...relativePath.split('/'));
    await mkdir(path.dirname(filePath), { recursive: true });
    const output = createWriteStream(filePath);
    // 64 KiB output chunks: a quarter of the callbacks and buffers of the default 16 KiB.
    const gzip = this.compression === 'gzip' ? createGzip({ level: 6, chunkSize: 64 * 1024 }) : undefined;
    // pipeline/finished listen for 'error', so a disk error becomes a failure here, not a crash.
    const done = (gzip ? pipeline(gzip, output) : finished(output)).catch((error: unknown) => {
      this.failure ??= { file: filePath, error };
    });
    // And a write to a stream that has just failed must not crash the process either.
    for (const stream of [gzip, output]) stream?.on('error', () => undefined);
    const partition: OpenPartition = {
      file: { granularity: this.granularity, dt, relativePath, path: filePath, records: 0 },
      sink: gzip ?? output,
      done,
      pending: '',
    };
    this.partitions.set(dt, partition);
    return partition;
  }

  private async flush(partition: OpenPartition): Promise<void> {
    if (partition.sink.destroyed) return this.throwIfFailed();
    partition.sink.write(partition.pending);
    partition.pending = '';
    // Waiting for 'drain' after every batch would idle the reader on each gzip round trip; wait only
    // when a partition has fallen well behind, which still bounds memory (MAX_BUFFERED per partition).
    if (partition.sink.writableLength > MAX_BUFFERED) {
      await Promise.race([once(partition.sink, 'drain').catch(() => undefined), partition.done]);
      this.throwIfFailed();
    }
  }
}
