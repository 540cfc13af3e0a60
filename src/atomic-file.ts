/**
 * Files written whole or not at all: into `<path>.<pid>.partial` first, renamed to `path` once
 * complete, so that no half-written report, summary or results file ever sits under its final name
 * (a killed run, a full disk, a failed download). A failed write removes its temporary file and
 * leaves an earlier file as it was.
 */
import { unlinkSync } from 'node:fs';
import { type FileHandle, open, rename, stat, unlink } from 'node:fs/promises';

/** What goes to disk at once: big enough for few writes, small enough to hold nothing large. */
const WRITE_BYTES = 1 << 16;

/** The temporary files being written now, for a signal handler to remove (see removeUnfinishedFilesSync). */
const unfinished = new Set<string>();

/**
 * For a signal handler, which cannot wait: removes the temporary files of the writes in progress and
 * returns their paths. The files under their final names are left as they were.
 */
export function removeUnfinishedFilesSync(): string[] {
  const removed = [...unfinished];
  for (const file of removed) {
    try {
      unlinkSync(file);
    } catch {
      // Already gone.
    }
  }
  unfinished.clear();
  return removed;
}

/** What writeFileAtomic writes: bytes, a string, or chunks of text as they are made. */
type Content = Uint8Array | string | Iterable<string> | AsyncIterable<string>;

/** The temporary name a file is written under before it is renamed. */
export function temporaryPath(filePath: string): string {
  return `${filePath}.${process.pid}.partial`;
}

/**
 * Writes bytes or text (a string, or chunks of it as they are made, e.g. by a streaming JSON writer
 * or pages of a download) as `filePath`, atomically. Something already there that is not a regular file
 * (a device such as /dev/stdout, a folder) is written, or refused, as it is: renaming over it would
 * replace it.
 */
export async function writeFileAtomic(filePath: string, text: Content): Promise<void> {
  const inPlace = await stat(filePath).then(
    (info) => !info.isFile(),
    () => false,
  );
  const target = inPlace ? filePath : temporaryPath(filePath);
  if (!inPlace) unfinished.add(target);
  try {
    await write(target, text);
    if (!inPlace) await rename(target, filePath);
  } catch (error) {
    if (!inPlace) await unlink(target).catch(() => undefined);
    throw error;
  } finally {
    unfinished.delete(target);
  }
}

async function write(target: string, text: Content): Promise<void> {
  const handle = await open(target, 'w');
  try {
    await (text instanceof Uint8Array ? handle.writeFile(text) : writeText(handle, text));
  } catch (error) {
    await handle.close().catch(() => undefined);
    throw error;
  }
  await handle.close();
}

async function writeText(handle: FileHandle, text: Exclude<Content, Uint8Array>): Promise<void> {
  // Chunks are copied into one reused buffer as they come, not joined into a string: a string of
  // many small chunks is a tree of them, held (and promoted to the old generation) while written.
  const buffer = Buffer.allocUnsafe(WRITE_BYTES);
  let used = 0;
  const put = async (chunk: string): Promise<void> => {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: only a chunk that might not fit is measured.
    const fits = (room: number) => chunk.length * 3 <= room || Buffer.byteLength(chunk) <= room;
    if (!fits(WRITE_BYTES - used)) {
      // A file handle's writeFile() continues at its position: the writes follow each other.
      if (used) await handle.writeFile(buffer.subarray(0, used));
      used = 0;
      if (!fits(WRITE_BYTES)) return handle.writeFile(chunk);
    }
    used += buffer.write(chunk, used);
  };
  // A surrogate pair split between two chunks is encoded whole: the high half waits for the next.
  let held = '';
  for await (const chunk of typeof text === 'string' ? [text] : text) {
    const joined = held ? held + chunk : chunk;
    const last = joined.charCodeAt(joined.length - 1);
    held = last >= 0xd800 && last <= 0xdbff ? joined.slice(-1) : '';
    await put(held ? joined.slice(0, -1) : joined);
  }
  await put(held);
  if (used) await handle.writeFile(buffer.subarray(0, used));
}
