/** Files written whole or not at all: the final name only ever holds a complete file. */
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { temporaryPath, writeFileAtomic } from '../src/atomic-file.js';
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
