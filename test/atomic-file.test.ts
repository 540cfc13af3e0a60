/** Files written whole or not at all: the final name only ever holds a complete file. */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeUnfinishedFilesSync, temporaryPath, writeFileAtomic } from '../src/atomic-file.js';
import { tempDir } from './support/isolation.js';

describe('writeFileAtomic', () => {
  it('writes a string, or chunks in order, and leaves no temporary file', async () => {
    const dir = tempDir('atomic');
    const file = path.join(dir, 'report.json');
    await writeFileAtomic(file, 'one');
    expect(readFileSync(file, 'utf8')).toBe('one');
    const chunks = Array.from({ length: 50 }, (_, i) => `${i}:${'x'.repeat(10_000)}\n`);
    await writeFileAtomic(file, chunks);
    expect(readFileSync(file, 'utf8')).toBe(chunks.join(''));
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('gives the bytes of the joined text, whatever the chunks: tiny, huge, multi-byte, split pairs', async () => {
    const dir = tempDir('atomic-bytes');
    const file = path.join(dir, 'out.txt');
    // Chunk sizes around the 64 KiB write buffer, characters of 1 to 4 UTF-8 bytes, pairs cut in two,
    // and lone halves (written as U+FFFD, as the joined string would be).
    const text = Array.from({ length: 3_000 }, (_, i) => `${i},\u00e9\u20ac\u{1F600}\u{1F600}`).join('|');
    const cuts = [1, 7, 100, 65_535, 65_536, 65_537, 200_000, 3];
    const chunks: string[] = [];
    for (let at = 0, k = 0; at < text.length; k++) {
      const next = Math.min(text.length, at + (cuts[k % cuts.length] as number));
      chunks.push(text.slice(at, next));
      at = next;
    }
    expect(chunks.some((c) => /[\ud800-\udbff]$/.test(c))).toBe(true);
    const lone = ['a\ud800', 'b', '\udc00c', '\ud83d'];
    await writeFileAtomic(file, [...chunks, ...lone]);
    expect(readFileSync(file)).toEqual(Buffer.from(text + lone.join('')));
    await writeFileAtomic(
      file,
      (async function* () {
        yield* chunks;
      })(),
    );
    expect(readFileSync(file)).toEqual(Buffer.from(text));
  });

  it('a signal handler removes the temporary files of the writes in progress, and nothing else', async () => {
    const dir = tempDir('atomic-signal');
    const file = path.join(dir, 'report.json');
    writeFileSync(file, 'earlier');
    let release = () => {};
    const paused = new Promise<void>((resolve) => (release = resolve));
    const writing = writeFileAtomic(
      file,
      (async function* () {
        yield 'half';
        await paused;
        yield ' the rest';
      })(),
    );
    while (!existsSync(temporaryPath(file))) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(removeUnfinishedFilesSync()).toEqual([temporaryPath(file)]);
    expect(readdirSync(dir)).toEqual(['report.json']);
    // Had the process not exited, the write finds its file gone and fails; the earlier file stays.
    release();
    await expect(writing).rejects.toThrow(/ENOENT/);
    expect(readFileSync(file, 'utf8')).toBe('earlier');
    expect(readdirSync(dir)).toEqual(['report.json']);
    // Finished writes are forgotten: nothing left to remove.
    await writeFileAtomic(path.join(dir, 'b.bin'), Buffer.from([1, 2, 3]));
    expect(removeUnfinishedFilesSync()).toEqual([]);
    expect(readFileSync(path.join(dir, 'b.bin'))).toEqual(Buffer.from([1, 2, 3]));
  });

  it('a failure half-way leaves the earlier file as it was and removes the part written', async () => {
    const dir = tempDir('atomic-fail');
    const file = path.join(dir, 'report.json');
    writeFileSync(file, 'the last good run');
    function* failing() {
      // More than one write's worth first, so part of it is on disk when the failure comes.
      yield 'y'.repeat(200_000);
      throw new Error('the report could not be made');
    }
    await expect(writeFileAtomic(file, failing())).rejects.toThrow('the report could not be made');
    expect(readFileSync(file, 'utf8')).toBe('the last good run');
    expect(existsSync(temporaryPath(file))).toBe(false);
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('something already there that is not a file is written or refused as it is, never renamed over', async () => {
    const dir = tempDir('atomic-folder');
    const folder = path.join(dir, 'report.json');
    mkdirSync(folder);
    await expect(writeFileAtomic(folder, 'x')).rejects.toThrow(/EISDIR/);
    expect(statSync(folder).isDirectory()).toBe(true);
    expect(readdirSync(dir)).toEqual(['report.json']);
  });

  it('a folder that cannot be written: the error, and nothing left behind', async () => {
    const dir = tempDir('atomic-missing');
    await expect(writeFileAtomic(path.join(dir, 'no', 'such', 'report.json'), 'x')).rejects.toThrow(/ENOENT/);
    expect(readdirSync(dir)).toEqual([]);
  });
});
