/**
 * Files written whole or not at all: into `<path>.<pid>.partial` first, renamed to `path` once
 * complete, so that no half-written report, summary or results file ever sits under its final name
 * (a killed run, a full disk, a failed download). A failed write removes its temporary file and
 * leaves an earlier file as it was.
 */
import { open, rename, stat, unlink } from 'node:fs/promises';

/** What goes to disk at once: big enough for few writes, small enough to hold nothing large. */
const WRITE_CHARS = 1 << 16;

/** The temporary name a file is written under before it is renamed. */
export function temporaryPath(filePath: string): string {
  return `${filePath}.${process.pid}.partial`;
}

/**
 * Writes the text (a string, or chunks of it as they are made, e.g. by a streaming JSON writer or
 * pages of a download) as `filePath`, atomically. Something already there that is not a regular file
 * (a device such as /dev/stdout, a folder) is written, or refused, as it is: renaming over it would
 * replace it.
 */
export async function writeFileAtomic(
  filePath: string,
  text: string | Iterable<string> | AsyncIterable<string>,
): Promise<void> {
  const inPlace = await stat(filePath).then(
    (info) => !info.isFile(),
    () => false,
  );
  const target = inPlace ? filePath : temporaryPath(filePath);
  const removeTarget = () => (inPlace ? undefined : unlink(target).catch(() => undefined));
  const handle = await open(target, 'w');
  try {
    let pending = '';
    for await (const chunk of typeof text === 'string' ? [text] : text) {
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
    await removeTarget();
    throw error;
  }
  try {
    await handle.close();
    if (!inPlace) await rename(target, filePath);
  } catch (error) {
    await removeTarget();
    throw error;
  }
}
