/**
 * Writes records as NDJSON, one file per partition, so that no file is ever seen half-written:
 * - each partition is written under a temporary name (`<final>.<pid>.partial`) and renamed to its
 *   final name only when complete (close()); abort() and abortSync() remove the temporary files;
 * - no file stays open: lines are buffered per partition and appended in batches, each batch a
 *   complete gzip member (a multi-member gzip file is valid gzip, read by gunzip, zlib and Athena),
 *   so thousands of partitions need a handful of file descriptors, whatever `ulimit -n` says;
 * - memory is bounded: a partition's batch is written at FLUSH_AT bytes, and when all batches
 *   together pass MAX_BUFFERED every batch is written, so memory does not grow with the partition count.
 * The bytes are a pure function of the records and their order (batch boundaries included), whether a
 * line comes as a record (write) or already encoded (writeEncodedLine, the fast replay path).
 */
import { readdirSync, unlinkSync } from 'node:fs';
import { appendFile, lstat, mkdir, readdir, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Compression } from './types.js';
import { describeError, UserError } from './errors.js';
import { partitionPath, type PartitionGranularity } from './layout.js';
import { recordLine, type UsageRecord } from './records.js';
import { GzipMembers } from './gzip-members.js';

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
  tempPath: string;
  /** This partition's batch: UTF-8 lines in pending[0..used). */
  pending: Buffer;
  used: number;
  /** Whether the temporary file exists (the first batch creates it, truncating any leftover). */
  started: boolean;
  /** Whether the complete file has its final name. */
  renamed: boolean;
  /** A batch of this partition could not be written: its file is dropped, the others are kept. */
  failed: boolean;
  /** The last batch write of this partition: batches of one file are appended in order. */
  tail: Promise<void>;
}

export interface WriterLimits {
  /** A partition's batch is written when it reaches this many bytes. */
  flushAt: number;
  /** All batches together: past this, every batch is written. */
  maxBuffered: number;
  /** Batch writes in flight at once (each opens one file for the time of one append). */
  maxInFlight: number;
}

// 64 KiB batches: larger ones (256 KiB) cost more in garbage collection than they gain in gzip ratio.
const DEFAULT_LIMITS: WriterLimits = { flushAt: 64 * 1024, maxBuffered: 8 * 1024 * 1024, maxInFlight: 4 };

/** Something that writes one NDJSON line (newline included) into `out` at `offset`; returns the end. */
export interface LineEncoder {
  writeLine(out: Buffer, offset: number): number;
}

/** A new partition's batch buffer: below 4 KiB, Buffer.allocUnsafe slices Node's shared pool. */
const INITIAL_BATCH_BYTES = 256;

/** The suffix of a partition file being written; such a file is never a result. */
export const TEMP_SUFFIX = '.partial';

export class PartitionWriter {
  private readonly partitions = new Map<string, OpenPartition>();
  private readonly inFlight = new Set<Promise<void>>();
  private buffered = 0;
  private closed = false;
  /** The first write error of any partition: later writes and close() report it. */
  private failure: { file: string; error: unknown } | undefined;
  private readonly limits: WriterLimits;
  /** One deflate engine per write in flight, reused for every batch (see gzip-members.ts). */
  private readonly gzip: GzipMembers;

  constructor(
    private readonly dir: string,
    private granularity: PartitionGranularity,
    private name: string,
    private readonly compression: Compression,
    limits: Partial<WriterLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.gzip = new GzipMembers(6, this.limits.maxInFlight);
  }

  /** Resolves at once unless batches are being written and the limit of writes in flight is reached. */
  async write(record: UsageRecord): Promise<void> {
    const line = recordLine(record);
    const length = Buffer.byteLength(line);
    const partition = this.reserve(record.date, length);
    partition.used += partition.pending.write(line, partition.used);
    await this.lineAdded(partition, length);
  }

  /**
   * One line of `length` bytes already known to be a valid record line for the partition of `dt`,
   * written by `encoder` straight into the batch: the same bytes, batches and files as write() of the
   * record it encodes, without building the record or its JSON text.
   */
  async writeEncodedLine(dt: string, length: number, encoder: LineEncoder): Promise<void> {
    const partition = this.reserve(dt, length);
    partition.used = encoder.writeLine(partition.pending, partition.used);
    await this.lineAdded(partition, length);
  }

  /** The partition of `dt`, with room for `length` more bytes in its batch. */
  private reserve(dt: string, length: number): OpenPartition {
    this.throwIfFailed();
    if (this.closed) throw new Error('PartitionWriter: write after close');
    const partition = this.partitions.get(dt) ?? this.open(dt);
    if (partition.used + length > partition.pending.length) {
      const grown = Buffer.allocUnsafe(Math.max(partition.pending.length * 2, partition.used + length));
      partition.pending.copy(grown, 0, 0, partition.used);
      partition.pending = grown;
    }
    return partition;
  }

  private async lineAdded(partition: OpenPartition, length: number): Promise<void> {
    partition.file.records++;
    this.buffered += length;
    if (partition.used >= this.limits.flushAt) await this.flush(partition);
    if (this.buffered > this.limits.maxBuffered) await this.flushLargest();
  }

  /**
   * The names the files get at close(), for a run that learns them only after writing its rows (a
   * replay whose rows decide the granularity, group-by and organisation). The temporary files keep
   * theirs until then.
   */
  nameFiles(granularity: PartitionGranularity, name: string): void {
    this.granularity = granularity;
    this.name = name;
    for (const p of this.partitions.values()) Object.assign(p.file, this.fileNames(p.file.dt));
  }

  private fileNames(dt: string): Pick<PartitionFile, 'granularity' | 'relativePath' | 'path'> {
    const relativePath = partitionPath(this.granularity, dt, this.name, this.compression);
    return {
      granularity: this.granularity,
      relativePath,
      path: path.join(this.dir, ...relativePath.split('/')),
    };
  }

  /**
   * Writes what is left, waits until every file is complete, then gives each its final name. A
   * partition whose writing failed is removed (never renamed); the others are kept, then the
   * failure is thrown (completedFiles() tells what was kept).
   */
  async close(): Promise<PartitionFile[]> {
    this.closed = true;
    const partitions = [...this.partitions.values()];
    for (const partition of partitions) if (partition.used) await this.flush(partition, true);
    await Promise.allSettled(partitions.map((p) => p.tail));
    this.gzip.close();
    for (const partition of partitions) {
      if (partition.failed) {
        if (partition.started) await unlink(partition.tempPath).catch(() => undefined);
        partition.started = false;
        continue;
      }
      try {
        const folder = path.dirname(partition.tempPath);
        const moved = path.dirname(partition.file.path) !== folder;
        if (moved) await mkdir(path.dirname(partition.file.path), { recursive: true });
        await rename(partition.tempPath, partition.file.path);
        partition.started = false;
        partition.renamed = true;
        // Named after the rows were written: the folders of the provisional name go when left empty.
        if (moved)
          await rmdir(folder)
            .then(
              () => rmdir(path.dirname(folder)),
              () => undefined,
            )
            .catch(() => undefined);
      } catch (error) {
        partition.failed = true;
        this.failure ??= { file: partition.file.path, error };
        await unlink(partition.tempPath).catch(() => undefined);
        partition.started = false;
      }
    }
    this.throwIfFailed();
    return this.completedFiles();
  }

  /** The partitions complete under their final names, sorted by path. */
  completedFiles(): PartitionFile[] {
    return [...this.partitions.values()]
      .filter((p) => p.renamed)
      .map((p) => p.file)
      .sort((a, b) => a.relativePath.localeCompare(b.relativePath));
  }

  /** Removes every temporary file (after a failure). Final files already renamed stay. */
  async abort(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.partitions.values()].map((p) => p.tail));
    this.gzip.close();
    for (const p of this.partitions.values()) {
      if (p.started) await unlink(p.tempPath).catch(() => undefined);
      p.started = false;
    }
  }

  /**
   * For a signal handler, which cannot wait: removes the temporary files at once and says what was
   * kept (the partitions already renamed) and removed. A batch write still in flight may recreate
   * its file, which is why the handler exits right after.
   */
  abortSync(): { kept: string[]; removed: string[] } {
    this.closed = true;
    this.gzip.close();
    const kept: string[] = [];
    const removed: string[] = [];
    for (const p of this.partitions.values()) {
      if (p.started) {
        try {
          unlinkSync(p.tempPath);
        } catch {
          // Already gone.
        }
        removed.push(p.tempPath);
        p.started = false;
      } else if (p.renamed) kept.push(p.file.path);
    }
    return { kept, removed };
  }

  /** The final paths of the partitions written so far (complete or not). */
  finalPaths(): string[] {
    return [...this.partitions.values()].map((p) => p.file.path);
  }

  private throwIfFailed(): void {
    if (this.failure) {
      throw new UserError(
        `Could not write the NDJSON file ${this.failure.file}: ${describeError(this.failure.error)}`,
      );
    }
  }

  private open(dt: string): OpenPartition {
    const names = this.fileNames(dt);
    const partition: OpenPartition = {
      file: { ...names, dt, records: 0 },
      tempPath: `${names.path}.${process.pid}${TEMP_SUFFIX}`,
      // Small at first (and from Node's shared pool): thousands of partitions hold only what they have.
      pending: Buffer.allocUnsafe(INITIAL_BATCH_BYTES),
      used: 0,
      started: false,
      renamed: false,
      failed: false,
      tail: Promise.resolve(),
    };
    this.partitions.set(dt, partition);
    return partition;
  }

  /**
   * Over the memory bound: writes the batches at or above the mean size, which frees at least half of
   * what is held, without turning thousands of small batches into thousands of tiny gzip members.
   */
  private async flushLargest(): Promise<void> {
    const holding = [...this.partitions.values()].filter((p) => p.used);
    const mean = this.buffered / holding.length;
    for (const p of holding) if (p.used >= mean) await this.flush(p);
  }

  private async flush(partition: OpenPartition, closing = false): Promise<void> {
    while (this.inFlight.size >= this.limits.maxInFlight) await Promise.race(this.inFlight);
    // Before taking the batch: a failure leaves the lines in place for close() to write.
    if (!closing) this.throwIfFailed();
    // The batch goes to gzip (on another thread) as it is; the partition starts a new buffer.
    const batch = partition.pending.subarray(0, partition.used);
    // Sized like the batch just written: a busy partition keeps its room, a quiet one shrinks back.
    partition.pending = Buffer.allocUnsafe(
      Math.min(this.limits.flushAt * 2, Math.max(INITIAL_BATCH_BYTES, batch.length)),
    );
    partition.used = 0;
    this.buffered -= batch.length;
    const write = partition.tail.then(() => this.append(partition, batch));
    partition.tail = write;
    this.inFlight.add(write);
    void write.finally(() => this.inFlight.delete(write));
  }

  private async append(partition: OpenPartition, batch: Buffer): Promise<void> {
    if (partition.failed) return;
    try {
      const data = this.compression === 'gzip' ? await this.gzip.member(batch) : batch;
      if (!partition.started) {
        await mkdir(path.dirname(partition.tempPath), { recursive: true });
        // Marked started before the file exists, so an abort in between still looks for it.
        partition.started = true;
        await writeFile(partition.tempPath, data);
      } else {
        await appendFile(partition.tempPath, data);
      }
    } catch (error) {
      partition.failed = true;
      this.failure ??= { file: partition.file.path, error };
    }
  }
}

const GRANULARITY_DIR = /^granularity=(day|week|month|total)$/;
const DT_DIR = /^dt=\d{4}-\d{2}-\d{2}$/;
const DATA_FILE = /\.json(\.gz)?$|\.partial$/;

/**
 * Leaves in the NDJSON folder only this run's files: removes, from `granularity=*` / `dt=*` folders
 * directly under `dir` and nowhere else, regular files named like partition files (`*.json`,
 * `*.json.gz`, `*.partial`) that are not in `keep`, and never the file `protect` (the replayed
 * results file, by device and inode). Empty `dt=` and `granularity=` folders left behind go too.
 * Returns the paths removed, relative to `dir`.
 */
export async function removeStaleFiles(
  dir: string,
  keep: Iterable<string>,
  protect?: { dev: number; ino: number },
): Promise<string[]> {
  const keepSet = new Set([...keep].map((p) => path.resolve(p)));
  const removed: string[] = [];
  for (const g of await readdir(dir).catch(() => [] as string[])) {
    if (!GRANULARITY_DIR.test(g)) continue;
    const gDir = path.join(dir, g);
    if (!(await lstat(gDir)).isDirectory()) continue;
    for (const dt of await readdir(gDir)) {
      const dtDir = path.join(gDir, dt);
      if (!DT_DIR.test(dt) || !(await lstat(dtDir)).isDirectory()) continue;
      for (const name of await readdir(dtDir)) {
        const file = path.join(dtDir, name);
        if (!DATA_FILE.test(name) || keepSet.has(path.resolve(file))) continue;
        const info = await lstat(file);
        if (!info.isFile()) continue;
        if (protect && info.dev === protect.dev && info.ino === protect.ino) continue;
        await unlink(file);
        removed.push(`${g}/${dt}/${name}`);
      }
      await rmdir(dtDir).catch(() => undefined); // only when empty
    }
    await rmdir(gDir).catch(() => undefined);
  }
  return removed;
}

/** For tests and the signal path: the temporary files under a folder (synchronous, shallow layout walk). */
export function findTempFiles(dir: string): string[] {
  const found: string[] = [];
  const walk = (d: string, depth: number) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, entry.name);
      if (entry.isDirectory() && depth < 3) walk(p, depth + 1);
      else if (entry.isFile() && entry.name.endsWith(TEMP_SUFFIX)) found.push(p);
    }
  };
  walk(dir, 0);
  return found;
}
