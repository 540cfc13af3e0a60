/** `output-dir` checks, made before any query: a problem is one line naming output-dir. */
import { stat, mkdir, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError, inputError } from './errors.js';

/**
 * Makes `outputDir` and the NDJSON folder under it, and proves they can be written by writing and
 * removing a small file (permission bits alone do not tell: root ignores them, read-only mounts do not show).
 */
export async function checkOutputDir(outputDir: string, ndjsonDir: string): Promise<void> {
  for (const dir of [outputDir, ndjsonDir]) {
    try {
      await mkdir(dir, { recursive: true });
    } catch (error) {
      const code = (error as { code?: string }).code;
      const why =
        code === 'EEXIST' || code === 'ENOTDIR'
          ? `${dir === outputDir ? 'it' : dir} or a folder above it is a file, not a folder`
          : `cannot create ${dir}: ${describeError(error)}`;
      throw inputError('output-dir', outputDir, `expected a folder this run can create and write; ${why}`);
    }
  }
  const probe = path.join(ndjsonDir, `.write-check-${process.pid}`);
  try {
    await writeFile(probe, '');
    await unlink(probe);
  } catch (error) {
    throw inputError(
      'output-dir',
      outputDir,
      `expected a folder this run can write; writing in ${ndjsonDir} failed: ${describeError(error)}`,
    );
  }
}

/** The first of `paths` that is the file `identity` (same device and inode), if any. */
export async function sameFile(
  paths: Iterable<string>,
  identity: { dev: number; ino: number },
): Promise<string | undefined> {
  for (const p of paths) {
    const info = await stat(p).catch(() => undefined);
    if (info && info.dev === identity.dev && info.ino === identity.ino) return p;
  }
  return undefined;
}
