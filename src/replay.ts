/**
 * Reads a saved usage result from disk, streaming, and hands its rows on in batches. The file may be
 * gzip-compressed (the action's own `.json.gz` output) and UTF-8 or UTF-16 with a byte-order mark
 * (what PowerShell's `>` writes); both are told from the first bytes, not from the file name.
 */
import { createReadStream } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';
import { UserError } from './errors.js';
import { UsageRowSplitter } from './json-rows.js';
import { rowPlace, showValue } from './records.js';

/** `places[i]` says where `rows[i]` came from (`row 12 (line 12)`), for messages. */
export type RowsHandler = (rows: unknown[], queryId: string, places?: string[]) => Promise<void>;

export interface ReplayResult {
  rows: number;
  /** Metadata of the saved document(s), such as queryStatus. */
  meta: Record<string, unknown>;
}

/** The results file's identity, so the run never writes over or deletes the file it reads. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

const BAD_STATUSES = new Set(['running', 'queued', 'failed', 'cancelled']);

export async function resultsFileIdentity(file: string): Promise<FileIdentity> {
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a file');
    return { dev: info.dev, ino: info.ino };
  } catch {
    throw new UserError(`Input 'results-file' names '${file}', which is not a readable file.`);
  }
}

async function firstBytes(file: string, n: number): Promise<Buffer> {
  const handle = await open(file, 'r');
  try {
    const buffer = Buffer.alloc(n);
    const { bytesRead } = await handle.read(buffer, 0, n, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Swaps each byte pair (UTF-16 BE to LE), carrying an odd last byte to the next chunk. */
function swapPairs(chunk: Buffer, carry: Buffer): { data: Buffer; carry: Buffer } {
  // Copies: swap16 works in place and needs an even length.
  const all = carry.length ? Buffer.concat([carry, chunk]) : chunk;
  const even = all.length - (all.length % 2);
  const data = Buffer.from(all.subarray(0, even));
  data.swap16();
  return { data, carry: Buffer.from(all.subarray(even)) };
}

/** The file's text, chunk by chunk: gunzipped when it is gzip, decoded by its byte-order mark. */
async function* readText(file: string): AsyncGenerator<string> {
  const head = await firstBytes(file, 2);
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  // 256 KiB reads: fewer round trips than 64 KiB, fewer rows in flight than 1 MiB (1M rows, measured:
  // 64 KiB 4.8 s / 128 MB, 256 KiB 4.3 s / 165 MB, 1 MiB 5.0 s / 200 MB).
  const raw = createReadStream(file, { highWaterMark: 1 << 18 });
  let bytes: AsyncIterable<Buffer> = raw;
  if (gzipped) {
    const gunzip = createGunzip();
    // pipeline passes a read error on to the gunzip stream, whose iteration then throws it.
    pipeline(raw, gunzip).catch(() => undefined);
    bytes = gunzip;
  }
  let decoder: StringDecoder | undefined;
  let bigEndian = false;
  let carry: Buffer = Buffer.alloc(0);
  try {
    for await (const chunk of bytes) {
      let data: Buffer = chunk;
      if (!decoder) {
        // The BOM decides; without one the text is UTF-8. (StringDecoder, not TextDecoder: a third of
        // the time. Binary data then fails as JSON, by position, never quoted.)
        if (data[0] === 0xff && data[1] === 0xfe) decoder = new StringDecoder('utf16le');
        else if (data[0] === 0xfe && data[1] === 0xff) {
          decoder = new StringDecoder('utf16le');
          bigEndian = true;
        } else decoder = new StringDecoder('utf8');
      }
      if (bigEndian) ({ data, carry } = swapPairs(data, carry));
      const text = decoder.write(data);
      if (text) yield text;
    }
    const rest = decoder?.end() ?? '';
    if (rest) yield rest;
  } catch (error) {
    if (gzipped && (error as { code?: string }).code?.startsWith('Z_')) {
      throw new UserError(`The results file '${file}' is a damaged or truncated gzip file.`);
    }
    throw error;
  }
}

/** Streams the rows of `file` to `onRows`, each batch with the row numbers and lines they start on. */
export async function replayResultsFile(file: string, onRows: RowsHandler): Promise<ReplayResult> {
  await resultsFileIdentity(file);
  const splitter = new UsageRowSplitter();
  const meta: Record<string, unknown> = {};
  let rows = 0;
  const check = (key: string, value: unknown) => {
    meta[key] = value;
    if (key === 'queryStatus' && typeof value === 'string' && BAD_STATUSES.has(value.toLowerCase())) {
      throw new UserError(
        `The saved result in '${file}' has queryStatus ${showValue(value)}, so it holds no complete results.`,
      );
    }
  };
  for await (const chunk of readText(file)) {
    const batch = splitter.push(chunk);
    for (const [key, value] of batch.meta) check(key, value);
    if (batch.rows.length) {
      const places = batch.lines.map((line, i) => rowPlace(rows + i + 1, line));
      rows += batch.rows.length;
      await onRows(batch.rows, '', places);
    }
  }
  splitter.end();
  return { rows, meta };
}
