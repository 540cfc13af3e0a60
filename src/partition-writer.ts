/**
 * Writes records as NDJSON, one file per partition, streaming: lines are batched per partition and
 * written (through gzip when asked) as they come, so memory does not grow with the number of rows.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { createGzip, type Gzip } from 'node:zlib';
import type { Compression } from './config.js';
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
  sink: Gzip | WriteStream;
  output: WriteStream;
  pending: string;
}

const FLUSH_AT = 64 * 1024;
const MAX_BUFFERED = 256 * 1024;

export class PartitionWriter {
  private readonly partitions = new Map<string, OpenPartition>();

  constructor(
    private readonly dir: string,
    private readonly granularity: PartitionGranularity,
    private readonly name: string,
    private readonly compression: Compression,
  ) {}

  /** Resolves at once unless the partition's stream asks the producer to wait. */
  async write(record: UsageRecord): Promise<void> {
    const partition = this.partitions.get(record.date) ?? (await this.open(record.date));
    partition.file.records++;
    partition.pending += recordLine(record);
    if (partition.pending.length >= FLUSH_AT) await this.flush(partition);
  }

  /** Ends every file and waits until it is on disk. */
  async close(): Promise<PartitionFile[]> {
    const files: PartitionFile[] = [];
    for (const partition of this.partitions.values()) {
      if (partition.pending) partition.sink.write(partition.pending);
      partition.pending = '';
      partition.sink.end();
      await finished(partition.output);
      files.push(partition.file);
    }
    return files.sort((a, b) => a.relativePath.localeCompare(b.relativePath));
  }

  /** Closes and forgets the files, for error paths: what was written stays on disk. */
  async abort(): Promise<void> {
    await this.close().catch(() => undefined);
  }

  private async open(dt: string): Promise<OpenPartition> {
    const relativePath = partitionPath(this.granularity, dt, this.name, this.compression);
    const filePath = path.join(this.dir, ...relativePath.split('/'));
    await mkdir(path.dirname(filePath), { recursive: true });
    const output = createWriteStream(filePath);
    let sink: Gzip | WriteStream = output;
    if (this.compression === 'gzip') {
      sink = createGzip({ level: 6 });
      sink.pipe(output);
    }
    const partition: OpenPartition = {
      file: { granularity: this.granularity, dt, relativePath, path: filePath, records: 0 },
      sink,
      output,
      pending: '',
    };
    this.partitions.set(dt, partition);
    return partition;
  }

  private async flush(partition: OpenPartition): Promise<void> {
    partition.sink.write(partition.pending);
    partition.pending = '';
    // Waiting for 'drain' after every batch would idle the reader on each gzip round trip; wait only
    // when a partition has fallen well behind, which still bounds memory (MAX_BUFFERED per partition).
    if (partition.sink.writableLength > MAX_BUFFERED) await once(partition.sink, 'drain');
  }
}
