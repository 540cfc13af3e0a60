/**
 * Complete gzip members (RFC 1952) for the partition writer's batches, made by a few reused deflate
 * engines. zlib.gzip() builds and frees a whole deflate state for every call: measured, about 0.8 ms
 * of the main thread per member, which dominated replays that write thousands of batches. A raw
 * deflate stream fully flushed (Z_FULL_FLUSH: byte-aligned, nothing refers to earlier data) and
 * followed by an empty final block is a complete deflate stream, so every batch still becomes an
 * independent member: header, that stream, CRC-32 and length. Any gzip reader (gunzip, zlib, Athena)
 * reads a file of such members as one. Written by hand because zlib offers no reusable one-shot gzip;
 * the deflating itself is zlib's, on its thread pool.
 */
import { constants, createDeflateRaw, type DeflateRaw } from 'node:zlib';
import * as zlib from 'node:zlib';

/** ID1 ID2, CM deflate, no flags, no mtime, XFL 0, OS unknown. */
const HEADER = Buffer.from([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff]);
/** An empty final block with fixed codes: BFINAL 1, BTYPE 01, end-of-block, padded to the byte. */
const FINAL_BLOCK = [0x03, 0x00];

let table: Int32Array | undefined;

const nativeCrc32 = (zlib as { crc32?: (data: Buffer) => number }).crc32;

/** CRC-32 as gzip has it: zlib.crc32 from Node 20.15 and 22.2, a table before that. */
export function crc32(data: Buffer): number {
  return nativeCrc32 ? nativeCrc32(data) >>> 0 : tableCrc32(data);
}

/** The same CRC by table (for Node before 20.15). */
export function tableCrc32(data: Buffer): number {
  if (!table) {
    table = new Int32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      table[n] = c;
    }
  }
  let crc = -1;
  for (let i = 0; i < data.length; i++) {
    crc = (table[(crc ^ (data[i] as number)) & 0xff] as number) ^ (crc >>> 8);
  }
  return (crc ^ -1) >>> 0;
}

interface Engine {
  stream: DeflateRaw;
  /** The output of the batch being deflated. */
  chunks: Buffer[];
  /** Ends the batch being deflated: at its flush, or with the engine's error. */
  settle: ((error?: Error) => void) | undefined;
}

const CLOSED = 'GzipMembers: closed';

export class GzipMembers {
  private readonly idle: Engine[] = [];
  private readonly all = new Set<Engine>();
  private readonly waiting: { resolve: (engine: Engine) => void; reject: (error: Error) => void }[] = [];
  private closed = false;

  constructor(
    private readonly level = 6,
    private readonly engines = 4,
  ) {}

  /** The batch as one complete gzip member. */
  async member(batch: Buffer): Promise<Buffer> {
    const engine = await this.take();
    let deflated: Buffer[];
    try {
      deflated = await new Promise<Buffer[]>((resolve, reject) => {
        engine.chunks = [];
        engine.settle = (error) => {
          engine.settle = undefined;
          // A destroyed engine may still call back: its output is not a whole member.
          if (error || engine.stream.destroyed) reject(error ?? new Error(CLOSED));
          else resolve(engine.chunks);
        };
        if (this.closed) return engine.settle(new Error(CLOSED));
        // Every write is fully flushed (the engine's flush mode): one trip to the thread pool a batch.
        engine.stream.write(batch, () => engine.settle?.());
      });
    } catch (error) {
      // An engine that failed is not used again; whoever waits gets a new one.
      this.all.delete(engine);
      engine.stream.destroy();
      const next = this.waiting.shift();
      if (next) next.resolve(this.create());
      throw error;
    }
    this.give(engine);
    const trailer = Buffer.allocUnsafe(10);
    trailer[0] = FINAL_BLOCK[0] as number;
    trailer[1] = FINAL_BLOCK[1] as number;
    trailer.writeUInt32LE(crc32(batch), 2);
    trailer.writeUInt32LE(batch.length % 2 ** 32, 6);
    return Buffer.concat([HEADER, ...deflated, trailer]);
  }

  /** Frees the engines; members still being made, or waiting for an engine, fail. */
  close(): void {
    this.closed = true;
    for (const engine of this.all) {
      engine.settle?.(new Error(CLOSED));
      engine.stream.destroy();
    }
    for (const waiter of this.waiting.splice(0)) waiter.reject(new Error(CLOSED));
    this.all.clear();
    this.idle.length = 0;
  }

  private take(): Promise<Engine> {
    if (this.closed) return Promise.reject(new Error(CLOSED));
    const engine = this.idle.pop();
    if (engine) return Promise.resolve(engine);
    if (this.all.size < this.engines) return Promise.resolve(this.create());
    return new Promise((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  private give(engine: Engine): void {
    if (this.closed) return;
    const next = this.waiting.shift();
    if (next) next.resolve(engine);
    else this.idle.push(engine);
  }

  private create(): Engine {
    const engine: Engine = {
      stream: createDeflateRaw({ level: this.level, flush: constants.Z_FULL_FLUSH }),
      chunks: [],
      settle: undefined,
    };
    // Flowing: every output chunk of a batch arrives before its write's callback.
    engine.stream.on('data', (chunk: Buffer) => engine.chunks.push(chunk));
    engine.stream.on('error', (error: Error) => engine.settle?.(error));
    this.all.add(engine);
    return engine;
  }
}
