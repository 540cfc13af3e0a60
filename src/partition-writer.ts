/**
 * Writes records as NDJSON, one file per partition, so that no file is ever seen half-written:
 * - each partition is written under a temporary name (`<final>.<pid>.partial`) and renamed to its
 *   final name only when complete (close()); abort() and abortSync() remove the temporary files;
 * - no partition file stays open: lines are buffered per partition and appended in batches, each
 *   batch a complete gzip member (a multi-member gzip file is valid gzip, read by gunzip, zlib and
 *   Athena), so thousands of partitions need a handful of file descriptors, whatever `ulimit -n` says;
 * - memory is bounded: past half the bound, batch buffers stop growing; a full one moves its lines,
 *   uncompressed, to a spill file (through a staging buffer written in one write when full) and is
 *   reused. When the batch buffers together hold more than the bound (capacity, not just the bytes
 *   used), all of them go to the spill file in a single sequential write. Each partition keeps only
 *   where its pieces lie; they are read back when its batch is complete, so thousands of small
 *   partitions cost neither memory nor thousands of tiny gzip members and appends.
 * A partition's batch ends at the first line end at or past FLUSH_AT bytes of that partition, at
 * close, or when its lines were swept into the spill file MAX_PIECES times (which bounds what the
 * writer holds per partition): the bytes are a pure function of the records and their order, whether
 * a line comes as a record (write) or already encoded (writeEncodedLine, the fast replay path); below
 * MAX_PIECES sweeps, they do not depend on the memory bound at all.
 */
import { closeSync, mkdirSync, openSync, readdirSync, readSync, unlinkSync, writevSync } from 'node:fs';
import { appendFile, lstat, mkdir, readdir, rename, rmdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { gzip, type ZlibOptions } from 'node:zlib';
import type { Compression } from './types.js';
import { describeError, UserError } from './errors.js';
import { partitionPath, type PartitionGranularity } from './layout.js';
import { recordLine, type UsageRecord } from './records.js';

// A fresh deflate state for every batch: a reused zlib stream (reset between batches) was measured
// giving slightly different bytes for the same batch depending on what it compressed before, and a
// file's bytes must be a function of its records alone.
const gzipAsync = promisify(gzip);

/**
 * zlib gives each call an output buffer of `chunkSize` bytes (16 KiB by default): under 4 KiB it is
 * a slice of Node's shared pool, not a buffer of its own, so thousands of small batches leave no
 * megabytes of dropped buffers behind. The bytes do not depend on it (zlib's output is the same
 * whatever room it is given).
 */
function gzipOptions(batchBytes: number): ZlibOptions {
  return { level: 6, chunkSize: Math.min(16 * 1024, Math.max(1024, batchBytes >>> 3)) };
}

export interface PartitionFile {
  granularity: PartitionGranularity;
  dt: string;
  /** Path relative to the NDJSON folder, with forward slashes: the S3 key below the prefix. */
  relativePath: string;
  path: string;
  records: number;
}

/**
 * A partition's paths from its `dt`, under one granularity and object name. Holds the names only (no
 * writer), so the files handed out keep nothing else alive.
 */
class FileNames {
  /** What a path below the folder starts with: path.join(dir, 'x') less its 'x' ('' for '.'). */
  private readonly dirPrefix: string;

  constructor(
    dir: string,
    readonly granularity: PartitionGranularity,
    private readonly name: string,
    private readonly compression: Compression,
  ) {
    this.dirPrefix = path.join(dir, 'x').slice(0, -1);
  }

  relativePathOf(dt: string): string {
    return partitionPath(this.granularity, dt, this.name, this.compression);
  }

  /**
   * What path.join(dir, relativePath) gives (the layout's segments are plain names), without
   * normalising the whole path again for each of thousands of files.
   */
  pathOf(dt: string): string {
    const relativePath = this.relativePathOf(dt);
    return this.dirPrefix + (path.sep === '/' ? relativePath : relativePath.replaceAll('/', path.sep));
  }
}

/**
 * A file the writer completed. Its paths are made when read, not held: with tens of thousands of
 * files, two path strings each were megabytes kept to the end of the run. JSON as the plain object.
 */
class CompletedFile implements PartitionFile {
  constructor(
    private readonly naming: FileNames,
    readonly dt: string,
    readonly records: number,
  ) {}

  get granularity(): PartitionGranularity {
    return this.naming.granularity;
  }

  get relativePath(): string {
    return this.naming.relativePathOf(this.dt);
  }

  get path(): string {
    return this.naming.pathOf(this.dt);
  }

  toJSON(): PartitionFile {
    const { granularity, dt, relativePath, path, records } = this;
    return { granularity, dt, relativePath, path, records };
  }
}

/**
 * What the writer holds per partition, kept small (paths are derived from `dt` when needed):
 * with tens of thousands of partitions, this is most of what grows with their number.
 */
interface OpenPartition {
  dt: string;
  records: number;
  /** This partition's batch: UTF-8 lines in pending[0..used); EMPTY when it holds none. */
  pending: Buffer;
  used: number;
  /** Earlier lines of the batch, in the spill file: `spilled` bytes in segments first..last. */
  spilled: number;
  /** How many of those segments sweeps (spill()) made; staged ones are not counted. */
  pieces: number;
  firstSegment: number;
  lastSegment: number;
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
  /** All batch buffers together (their capacity): past this, they go to the spill file. */
  maxBuffered: number;
  /** Batch writes in flight at once (each opens one file for the time of one append). */
  maxInFlight: number;
}

// 128 KiB batches: each gzip member costs zlib a whole new deflate state, and with 64 KiB ones the
// main thread waited on the thread pool (measured on 1M rows: 5.8 s against 6.6 s, 5 MB more memory).
// The bound leaves 30 busy partitions' buffers (up to twice a batch each) well clear of the spill file.
const DEFAULT_LIMITS: WriterLimits = { flushAt: 128 * 1024, maxBuffered: 16 * 1024 * 1024, maxInFlight: 4 };

/** Something that writes one NDJSON line (newline included) into `out` at `offset`; returns the end. */
export interface LineEncoder {
  writeLine(out: Buffer, offset: number): number;
}

/**
 * A batch swept into the spill file this many times is written: 16 bytes of the table a piece, so
 * sweeps add at most 256 bytes per partition however many rows it gets before its batch is full.
 */
const MAX_PIECES = 16;

/** The buffer pieces of full batch buffers wait in before one write to the spill file. */
const STAGING_BYTES = 1 << 20;

/** A partition's first batch buffer: below 4 KiB, Buffer.allocUnsafe slices Node's shared pool. */
const INITIAL_BATCH_BYTES = 256;
const EMPTY = Buffer.alloc(0);
const DONE = Promise.resolve();

/** The suffix of a partition file being written; such a file is never a result. */
export const TEMP_SUFFIX = '.partial';

/** Tells apart the spill files of two writers of one process (the fast path's and the general one's). */
let spillFiles = 0;

/**
 * Where the spilled pieces of the batches lie in the spill file: one table for all partitions, each
 * partition's pieces linked in order, so a partition holds two numbers however often it was spilled.
 * In blocks (16 bytes a piece), so the table never holds twice what it needs while it grows.
 */
class SpillSegments {
  private static readonly BLOCK_BITS = 14;
  private static readonly BLOCK = 1 << SpillSegments.BLOCK_BITS;
  private readonly positions: Float64Array[] = [];
  private readonly lengths: Uint32Array[] = [];
  private readonly nexts: Int32Array[] = [];
  private count = 0;
  /** Pieces already read back, for reuse: the table holds only the pieces not yet written. */
  private free = -1;

  /** A new last piece; returns its number. */
  add(position: number, length: number): number {
    let i = this.free;
    if (i >= 0) this.free = this.get(i)[2];
    else i = this.count++;
    const [block, k] = this.locate(i);
    if (k === 0 && block === this.positions.length) {
      this.positions.push(new Float64Array(SpillSegments.BLOCK));
      this.lengths.push(new Uint32Array(SpillSegments.BLOCK));
      this.nexts.push(new Int32Array(SpillSegments.BLOCK));
    }
    (this.positions[block] as Float64Array)[k] = position;
    (this.lengths[block] as Uint32Array)[k] = length;
    (this.nexts[block] as Int32Array)[k] = -1;
    return i;
  }

  /** Gives the chain from `first` on back for reuse. */
  release(first: number): void {
    if (first < 0) return;
    let last = first;
    for (let next = this.get(last)[2]; next >= 0; next = this.get(last)[2]) last = next;
    this.link(last, this.free);
    this.free = first;
  }

  link(from: number, to: number): void {
    const [block, k] = this.locate(from);
    (this.nexts[block] as Int32Array)[k] = to;
  }

  /** The piece's position, length and the next piece of its partition (-1 for none). */
  get(i: number): [position: number, length: number, next: number] {
    const [block, k] = this.locate(i);
    return [
      (this.positions[block] as Float64Array)[k] as number,
      (this.lengths[block] as Uint32Array)[k] as number,
      (this.nexts[block] as Int32Array)[k] as number,
    ];
  }

  private locate(i: number): [block: number, k: number] {
    return [i >>> SpillSegments.BLOCK_BITS, i & (SpillSegments.BLOCK - 1)];
  }
}

/**
 * Batch buffers by size (256 bytes times a power of two), handed back when their lines are written
 * and reused: without it, every sweep over thousands of partitions dropped thousands of buffers
 * that had lived long enough to be promoted, garbage for a full collection to find. Holds at most
 * `room()` bytes (what the memory bound leaves beside the batches in use, so that both together stay
 * under it); past that, buffers are left to the garbage collector.
 */
class BufferPool {
  private readonly free: Buffer[][] = [];
  private bytes = 0;

  constructor(private readonly room: () => number) {}

  /** A buffer of at least `size` bytes. */
  take(size: number): Buffer {
    const k = BufferPool.classOf(size);
    const buffer = this.free[k]?.pop();
    if (!buffer) return Buffer.allocUnsafe(INITIAL_BATCH_BYTES * 2 ** k);
    this.bytes -= buffer.length;
    return buffer;
  }

  /** Takes back a buffer from take() that nothing uses any more. */
  give(buffer: Buffer): void {
    if (!buffer.length || this.bytes + buffer.length > this.room()) return;
    (this.free[BufferPool.classOf(buffer.length)] ??= []).push(buffer);
    this.bytes += buffer.length;
  }

  private static classOf(size: number): number {
    return Math.max(0, Math.ceil(Math.log2(size / INITIAL_BATCH_BYTES)));
  }
}

/**
 * The buffers a batch is gathered into (its spilled pieces, then the rest) while gzip and the write
 * use it: one per write in flight, kept and reused, so that flushing thousands of partitions
 * allocates none (each a fresh buffer was megabytes of garbage a second, left for the collector).
 */
class GatherBuffers {
  private readonly free: Buffer[] = [];

  /**
   * All of `size` bytes, so that any serves any batch up to that size (as many as writes are ever in
   * flight at once); a bigger batch (huge lines) gets one of its own, let go after use.
   */
  constructor(private readonly size: number) {}

  take(bytes: number): Buffer {
    if (bytes > this.size) return Buffer.allocUnsafe(bytes);
    return this.free.pop() ?? Buffer.allocUnsafe(this.size);
  }

  give(buffer: Buffer): void {
    if (buffer.length === this.size) this.free.push(buffer);
  }
}

export class PartitionWriter {
  private readonly partitions = new Map<string, OpenPartition>();
  private readonly inFlight = new Set<Promise<void>>();
  /** The capacity of all batch buffers, what the memory bound counts. */
  private held = 0;
  private closed = false;
  /** The first write error of any partition: later writes and close() report it. */
  private failure: { file: string; error: unknown } | undefined;
  private readonly limits: WriterLimits;
  private readonly segments = new SpillSegments();
  private readonly buffers: BufferPool;
  private readonly gatherBuffers: GatherBuffers;
  /** The spill file (made at the first spill, removed at close or abort) and its size. */
  private spillPath: string | undefined;
  private spillFd: number | undefined;
  private spillSize = 0;
  /** Pieces on their way to the spill file (see stage()), and how many bytes of it they fill. */
  private staging: Buffer | undefined;
  private stagingUsed = 0;
  /** The batch buffers stop growing past this (half the bound): full ones are staged instead. */
  private readonly growthBudget: number;
  /** The names of the temporary files: the final ones as known when the writer was made. */
  private readonly tempNames: FileNames;
  /** The final names (see nameFiles). */
  private names: FileNames;

  constructor(
    private readonly dir: string,
    granularity: PartitionGranularity,
    name: string,
    private readonly compression: Compression,
    limits: Partial<WriterLimits> = {},
  ) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
    this.buffers = new BufferPool(() => this.limits.maxBuffered - this.held);
    this.growthBudget = this.limits.maxBuffered / 2;
    // A batch is at most about flushAt plus a line, and a spilled one flushAt at most plus its rest.
    this.gatherBuffers = new GatherBuffers(this.limits.flushAt * 2);
    this.tempNames = this.names = new FileNames(dir, granularity, name, compression);
  }

  /**
   * The names the files get at close(), for a run that learns them only after writing its rows (a
   * replay whose rows decide the granularity, group-by and organisation). The temporary files keep
   * theirs until then.
   */
  nameFiles(granularity: PartitionGranularity, name: string): void {
    this.names = new FileNames(this.dir, granularity, name, this.compression);
  }

  /** Resolves at once unless batches are being written and the limit of writes in flight is reached. */
  async write(record: UsageRecord): Promise<void> {
    const line = recordLine(record);
    const length = Buffer.byteLength(line);
    const partition = this.reserve(record.date, length);
    partition.used += partition.pending.write(line, partition.used);
    await this.lineAdded(partition);
  }

  /**
   * One line of `length` bytes already known to be a valid record line for the partition of `dt`,
   * written by `encoder` straight into the batch: the same bytes, batches and files as write() of the
   * record it encodes, without building the record or its JSON text.
   */
  writeEncodedLine(dt: string, length: number, encoder: LineEncoder): Promise<void> | undefined {
    const partition = this.reserve(dt, length);
    partition.used = encoder.writeLine(partition.pending, partition.used);
    // Most lines only go into the batch: no promise for them (a million rows, a million promises).
    return this.lineAdded(partition);
  }

  /** The partition of `dt`, with room for `length` more bytes in its batch. */
  private reserve(dt: string, length: number): OpenPartition {
    this.throwIfFailed();
    if (this.closed) throw new Error('PartitionWriter: write after close');
    const partition = this.partitions.get(dt) ?? this.open(dt);
    const pending = partition.pending;
    if (partition.used + length > pending.length) {
      const size = Math.max(pending.length * 2, partition.used + length);
      // Past the growth budget, a full buffer's lines go to the spill file and the buffer is reused:
      // growing meant a new buffer and the old one dropped, line after line over thousands of partitions.
      if (partition.used && this.held + size - pending.length > this.growthBudget) {
        this.stage(partition);
        if (length <= pending.length) return partition;
      }
      const grown = this.buffers.take(size);
      pending.copy(grown, 0, 0, partition.used);
      this.held += grown.length - pending.length;
      this.buffers.give(pending);
      partition.pending = grown;
    }
    return partition;
  }

  /**
   * Moves a partition's lines to the spill file as one more piece of its batch, through the staging
   * buffer (written out in one write when full), and leaves it its buffer, empty.
   */
  private stage(p: OpenPartition): void {
    const staging = (this.staging ??= Buffer.allocUnsafe(STAGING_BYTES));
    if (p.used > staging.length - this.stagingUsed) this.writeStaging();
    const position = this.spillSize + this.stagingUsed;
    if (p.used > staging.length) {
      // A batch of huge lines: straight to the file.
      this.writeSpill([p.pending.subarray(0, p.used)]);
    } else {
      this.stagingUsed += p.pending.copy(staging, this.stagingUsed, 0, p.used);
    }
    this.addPiece(p, position, false);
  }

  /** The staging buffer's pieces into the spill file, at the positions they were given. */
  private writeStaging(): void {
    if (!this.stagingUsed) return;
    this.writeSpill([(this.staging as Buffer).subarray(0, this.stagingUsed)]);
    this.stagingUsed = 0;
  }

  /** Appends the buffers to the spill file (made at first use), synchronously, or fails the writer. */
  private writeSpill(buffers: Buffer[]): void {
    const length = buffers.reduce((sum, b) => sum + b.length, 0);
    try {
      if (this.spillFd === undefined) {
        mkdirSync(this.dir, { recursive: true });
        this.spillPath = path.join(this.dir, `.spill.${process.pid}.${++spillFiles}${TEMP_SUFFIX}`);
        this.spillFd = openSync(this.spillPath, 'w+');
      }
      const written = writevSync(this.spillFd, buffers, this.spillSize);
      if (written !== length) throw new Error(`short write (${written} bytes)`);
      this.spillSize += length;
    } catch (error) {
      // Lines are lost: the run fails (a partition whose pieces are missing is never named final).
      this.failure ??= { file: this.spillPath ?? this.dir, error };
      this.throwIfFailed();
    }
  }

  /**
   * The partition's lines pending[0..used), at `position` of the spill file, become its next piece.
   * Only pieces of a sweep (spill()) count towards MAX_PIECES: a staged piece is a full buffer, and
   * counting those cut batches short wherever thousands of partitions share the bound (smaller gzip
   * members, other bytes). Staged pieces are bounded by the batch itself (flushAt bytes of lines).
   */
  private addPiece(p: OpenPartition, position: number, counted: boolean): void {
    const segment = this.segments.add(position, p.used);
    if (p.lastSegment < 0) p.firstSegment = segment;
    else this.segments.link(p.lastSegment, segment);
    p.lastSegment = segment;
    if (counted) p.pieces++;
    p.spilled += p.used;
    p.used = 0;
  }

  /** Undefined when the line only went into its batch; else what to wait for. */
  private lineAdded(partition: OpenPartition): Promise<void> | undefined {
    partition.records++;
    if (partition.spilled + partition.used < this.limits.flushAt && this.held <= this.limits.maxBuffered) {
      return undefined;
    }
    return this.batchFull(partition);
  }

  private async batchFull(partition: OpenPartition): Promise<void> {
    if (partition.spilled + partition.used >= this.limits.flushAt) await this.flush(partition);
    if (this.held > this.limits.maxBuffered) {
      for (const full of this.spill()) await this.flush(full);
    }
  }

  /**
   * Writes what is left, waits until every file is complete, then gives each its final name. A
   * partition whose writing failed is removed (never renamed); the others are kept, then the
   * failure is thrown (completedFiles() tells what was kept).
   */
  async close(): Promise<PartitionFile[]> {
    this.closed = true;
    const partitions = [...this.partitions.values()];
    for (const partition of partitions) {
      if (partition.used || partition.spilled) await this.flush(partition, true);
    }
    await Promise.allSettled(partitions.map((p) => p.tail));
    this.removeSpill();
    // A few renames at once: with thousands of partitions, one at a time is slow.
    let next = 0;
    const renameNext = async (): Promise<void> => {
      for (let partition = partitions[next++]; partition; partition = partitions[next++]) {
        await this.finish(partition);
      }
    };
    await Promise.all(Array.from({ length: this.limits.maxInFlight }, renameNext));
    this.throwIfFailed();
    return this.completedFiles();
  }

  /** Gives a complete partition file its final name, or removes it if its writing failed. */
  private async finish(partition: OpenPartition): Promise<void> {
    if (!partition.started) return;
    const tempPath = this.tempPathOf(partition.dt);
    if (!partition.failed) {
      try {
        const finalPath = this.pathOf(partition.dt);
        const folder = path.dirname(tempPath);
        const moved = path.dirname(finalPath) !== folder;
        if (moved) await mkdir(path.dirname(finalPath), { recursive: true });
        await rename(tempPath, finalPath);
        partition.started = false;
        partition.renamed = true;
        // Named after the rows were written: the folders of the first name go when left empty.
        if (moved)
          await rmdir(folder)
            .then(
              () => rmdir(path.dirname(folder)),
              () => undefined,
            )
            .catch(() => undefined);
        return;
      } catch (error) {
        partition.failed = true;
        this.failure ??= { file: this.pathOf(partition.dt), error };
      }
    }
    await unlink(tempPath).catch(() => undefined);
    partition.started = false;
  }

  /** The partitions complete under their final names, sorted by path. */
  completedFiles(): PartitionFile[] {
    return (
      [...this.partitions.values()]
        .filter((p) => p.renamed)
        .map((p) => this.fileOf(p))
        // One granularity and one name: the paths differ only in their `YYYY-MM-DD`, in plain order.
        .sort((a, b) => (a.dt < b.dt ? -1 : a.dt > b.dt ? 1 : 0))
    );
  }

  /** Removes every temporary file (after a failure). Final files already renamed stay. */
  async abort(): Promise<void> {
    this.closed = true;
    await Promise.allSettled([...this.partitions.values()].map((p) => p.tail));
    this.removeSpill();
    for (const p of this.partitions.values()) {
      if (p.started) await unlink(this.tempPathOf(p.dt)).catch(() => undefined);
      p.started = false;
    }
  }

  /**
   * For a signal handler, which cannot wait: removes the temporary files (and the spill file) at
   * once and says what was kept (the partitions already renamed) and removed. A batch write still
   * in flight may recreate its file, which is why the handler exits right after.
   */
  abortSync(): { kept: string[]; removed: string[] } {
    this.closed = true;
    this.removeSpill();
    const kept: string[] = [];
    const removed: string[] = [];
    for (const p of this.partitions.values()) {
      if (p.started) {
        const tempPath = this.tempPathOf(p.dt);
        try {
          unlinkSync(tempPath);
        } catch {
          // Already gone.
        }
        removed.push(tempPath);
        p.started = false;
      } else if (p.renamed) kept.push(this.pathOf(p.dt));
    }
    return { kept, removed };
  }

  /**
   * The final paths of the partitions written so far (complete or not), one at a time: tens of
   * thousands of paths held at once would outlive the young generation and stay as garbage.
   */
  *finalPaths(): Generator<string> {
    for (const p of this.partitions.values()) yield this.pathOf(p.dt);
  }

  private throwIfFailed(): void {
    if (this.failure) {
      const { file, error } = this.failure;
      throw new UserError(`Could not write the NDJSON file ${file}: ${describeError(error)}`);
    }
  }

  private pathOf(dt: string): string {
    return this.names.pathOf(dt);
  }

  /** Under the names known when the writer was made (see nameFiles). */
  private tempPathOf(dt: string): string {
    return `${this.tempNames.pathOf(dt)}.${process.pid}${TEMP_SUFFIX}`;
  }

  private fileOf(p: OpenPartition): PartitionFile {
    return new CompletedFile(this.names, p.dt, p.records);
  }

  private open(dt: string): OpenPartition {
    const partition: OpenPartition = {
      dt,
      records: 0,
      // Nothing until its first line: thousands of partitions hold only what they have.
      pending: EMPTY,
      used: 0,
      spilled: 0,
      pieces: 0,
      firstSegment: -1,
      lastSegment: -1,
      started: false,
      renamed: false,
      failed: false,
      tail: DONE,
    };
    this.partitions.set(dt, partition);
    return partition;
  }

  /**
   * Over the memory bound: every partition's lines go to the end of the spill file in one sequential
   * write, and every batch buffer is let go. Synchronous (one write of about MAX_BUFFERED bytes,
   * mostly to the page cache), so no line can arrive while the buffers are being written.
   */
  private spill(): OpenPartition[] {
    // The staged pieces first: they have their positions already.
    this.writeStaging();
    const batches: Buffer[] = [];
    const full: OpenPartition[] = [];
    const spilled: OpenPartition[] = [];
    const released: Buffer[] = [];
    let position = this.spillSize;
    for (const p of this.partitions.values()) {
      if (p.used && !p.failed) {
        batches.push(p.pending.subarray(0, p.used));
        spilled.push(p);
        const used = p.used;
        this.addPiece(p, position, true);
        if (p.pieces >= MAX_PIECES) full.push(p);
        position += used;
      }
      this.held -= p.pending.length;
      released.push(p.pending);
      p.pending = EMPTY;
      p.used = 0;
    }
    try {
      this.writeSpill(batches);
    } catch (error) {
      // Those lines are lost: their partitions are dropped, the others kept (as for a failed append).
      for (const p of spilled) p.failed = true;
      throw error;
    }
    for (const buffer of released) this.buffers.give(buffer);
    return full;
  }

  /** Closes and removes the spill file; in-flight batches that read from it have ended (or are dropped). */
  private removeSpill(): void {
    if (this.spillFd !== undefined) closeSync(this.spillFd);
    this.spillFd = undefined;
    if (this.spillPath !== undefined) {
      try {
        unlinkSync(this.spillPath);
      } catch {
        // Already gone.
      }
    }
    this.spillPath = undefined;
    this.staging = undefined;
    this.stagingUsed = 0;
  }

  private async flush(partition: OpenPartition, closing = false): Promise<void> {
    while (this.inFlight.size >= this.limits.maxInFlight) await Promise.race(this.inFlight);
    // Before taking the batch: a failure leaves the lines in place for close() to write.
    if (!closing) this.throwIfFailed();
    // A batch mostly in the spill file takes the rest there too, and the partition keeps its buffer:
    // swapping it for one sized like that rest made it grow back, buffer after buffer, every batch.
    if (!closing && partition.spilled && partition.used) this.stage(partition);
    const { used, firstSegment, spilled } = partition;
    // The batch's lines in a buffer go to gzip (on another thread) as they are, with the buffer; the
    // partition starts a new one, sized like the batch just written (a quiet partition shrinks back).
    let pending: Buffer = EMPTY;
    if (used || closing) {
      pending = partition.pending;
      this.held -= pending.length;
      partition.pending = closing ? EMPTY : this.buffers.take(Math.min(this.limits.flushAt * 2, used));
      this.held += partition.pending.length;
    }
    partition.used = 0;
    partition.spilled = 0;
    partition.pieces = 0;
    partition.firstSegment = partition.lastSegment = -1;
    const write = partition.tail.then(() => this.append(partition, firstSegment, spilled, pending, used));
    partition.tail = write;
    this.inFlight.add(write);
    void write.finally(() => {
      this.inFlight.delete(write);
      // Nothing kept per partition once its writes are done.
      if (partition.tail === write) partition.tail = DONE;
    });
  }

  /** The batch's spilled lines, read back from the spill file, then `rest`, into `batch`. */
  private gather(firstSegment: number, rest: Buffer, batch: Buffer): void {
    let offset = 0;
    for (let s = firstSegment; s >= 0;) {
      const [position, size, next] = this.segments.get(s);
      if (position >= this.spillSize && this.staging) {
        // Still in the staging buffer (written out whole, so a piece is in one place or the other).
        const from = position - this.spillSize;
        this.staging.copy(batch, offset, from, from + size);
      } else {
        if (this.spillFd === undefined) throw new Error('the spill file is closed');
        if (readSync(this.spillFd, batch, offset, size, position) !== size) {
          throw new Error('the spill file is shorter than written');
        }
      }
      offset += size;
      s = next;
    }
    rest.copy(batch, offset);
    this.segments.release(firstSegment);
  }

  /** Writes `spilled` bytes from the spill file and pending[0..used) as one batch; gives the buffers back. */
  private async append(
    partition: OpenPartition,
    firstSegment: number,
    spilled: number,
    pending: Buffer,
    used: number,
  ): Promise<void> {
    const gathered = spilled ? this.gatherBuffers.take(spilled + used) : EMPTY;
    const tempPath = this.tempPathOf(partition.dt);
    try {
      if (partition.failed) return this.segments.release(firstSegment);
      const rest = pending.subarray(0, used);
      const batch = spilled ? gathered.subarray(0, spilled + used) : rest;
      if (spilled) this.gather(firstSegment, rest, batch);
      const data = this.compression === 'gzip' ? await gzipAsync(batch, gzipOptions(batch.length)) : batch;
      if (!partition.started) {
        await mkdir(path.dirname(tempPath), { recursive: true });
        // Marked started before the file exists, so an abort in between still looks for it.
        partition.started = true;
        await writeFile(tempPath, data);
      } else {
        await appendFile(tempPath, data);
      }
    } catch (error) {
      partition.failed = true;
      this.failure ??= { file: this.pathOf(partition.dt), error };
    } finally {
      // gzip and the write are done with them.
      this.buffers.give(pending);
      this.gatherBuffers.give(gathered);
    }
  }
}

const GRANULARITY_DIR = /^granularity=(day|week|month|total)$/;
const DT_DIR = /^dt=\d{4}-\d{2}-\d{2}$/;
const DATA_FILE = /\.json(\.gz)?$|\.partial$/;

/**
 * Leaves in the NDJSON folder only this run's files: removes, from `granularity=*` / `dt=*` folders
 * directly under `dir` and nowhere else, regular files named like partition files (`*.json`,
 * `*.json.gz`, `*.partial`) whose path below `dir` (`granularity=…/dt=…/name`, the files'
 * relativePath) `keep` does not keep (asked with the folder's date), and never the file `protect`
 * (the replayed results file, by device and inode). Empty `dt=` and `granularity=` folders left
 * behind go too. Returns the paths removed, relative to `dir`.
 */
export async function removeStaleFiles(
  dir: string,
  keep: (relativePath: string, dt: string) => boolean,
  protect?: { dev: number; ino: number },
): Promise<string[]> {
  const removed: string[] = [];
  // Directory entries carry their type (as lstat would: a link is not a folder), so a folder of
  // this run's files costs one readdir: with thousands of partitions, stat calls were most of it.
  const clearDt = async (g: string, gDir: string, dt: string): Promise<void> => {
    const dtDir = path.join(gDir, dt);
    const entries = await readdir(dtDir, { withFileTypes: true });
    let left = entries.length;
    for (const entry of entries) {
      const relative = `${g}/${dt}/${entry.name}`;
      if (!DATA_FILE.test(entry.name) || !entry.isFile() || keep(relative, dt.slice(3))) continue;
      const file = path.join(dtDir, entry.name);
      if (protect) {
        const info = await lstat(file);
        if (info.dev === protect.dev && info.ino === protect.ino) continue;
      }
      await unlink(file);
      removed.push(relative);
      left--;
    }
    if (!left) await rmdir(dtDir).catch(() => undefined); // only when empty
  };
  for (const g of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    if (!GRANULARITY_DIR.test(g.name) || !g.isDirectory()) continue;
    const gDir = path.join(dir, g.name);
    const dts = (await readdir(gDir, { withFileTypes: true }))
      .filter((e) => DT_DIR.test(e.name) && e.isDirectory())
      .map((e) => e.name);
    // A few folders at once: each is a handful of small calls on the thread pool.
    let next = 0;
    const worker = async () => {
      for (let dt = dts[next++]; dt !== undefined; dt = dts[next++]) await clearDt(g.name, gDir, dt);
    };
    await Promise.all(Array.from({ length: 4 }, worker));
    await rmdir(gDir).catch(() => undefined);
  }
  return removed.sort();
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
