/**
 * Files written whole or not at all: into `<path>.<pid>.partial` first, renamed to `path` once
 * complete, so that no half-written report or summary ever sits under its final name (a killed run,
 * a full disk). A failed write removes its temporary file and leaves an earlier file as it was.
 */
import { open, rename, unlink } from 'node:fs/promises';

/** What goes to disk at once: big enough for few writes, small enough to hold nothing large. */
const WRITE_CHARS = 1 << 16;

/** The temporary name a file is written under before it is renamed. */
export function temporaryPath(filePath: string): string {
  return `${filePath}.${process.pid}.partial`;
}

/** Writes the text (a string, or chunks of it, e.g. from a streaming JSON writer) as `filePath`, atomically. */
export async function writeFileAtomic(filePath: string, text: string | Iterable<string>): Promise<void> {
  const temporary = temporaryPath(filePath);
  const handle = await open(temporary, 'w');
  try {
    let pending = '';
    for (const chunk of typeof text === 'string' ? [text] : text) {
      pending += chunk;
      if (pending.length >= WRITE_CHARS) {
        // A file handle's writeFile() continues at its position: the chunks follow each other.
        await handle.writeFile(pending);
        pending = '';
      }
    }
    if (pending) await handle.writeFile(pending);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
  try {
    await handle.close();
    await rename(temporary, filePath);
  } catch (error) {
    await unlink(temporary).catch(() => undefined);
    throw error;
  }
}
