/** Partition files: written aside and renamed, few files open, bounded memory, valid gzip, stale files cleared. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { findTempFiles, PartitionWriter, removeStaleFiles } from '../src/partition-writer.js';
import { normaliseRow, type RecordContext } from '../src/records.js';
import { tempDir } from './support/isolation.js';

const ctx: RecordContext = {
  api: 'aggregates',
  interval: '',
  defaultDate: '2026-01-01',
  queryId: '',
  collectedAt: '2026-11-21T06:00:00.000Z',
};
const day = (n: number) => new Date(Date.UTC(2000, 0, 1) + n * 86_400_000).toISOString().slice(0, 10);

describe('PartitionWriter', () => {
  it('names the files at close when the names are learnt after writing; no provisional folder is left', async () => {
    const dir = tempDir('pw-named');
    const writer = new PartitionWriter(dir, 'total', 'provisional', 'gzip', { flushAt: 64 });
    for (let i = 0; i < 40; i++) {
      await writer.write(normaliseRow({ date: day(i % 4), requestCount: i, templateUri: `/t/${i}` }, ctx));
    }
    // Temporary files sit under the provisional names meanwhile.
    expect(
      findTempFiles(dir).every((f) => f.includes('granularity=total') && f.includes('provisional')),
    ).toBe(true);
    writer.nameFiles('day', 'final');
    expect(
      writer.finalPaths().every((p) => p.includes('granularity=day') && p.endsWith('final.json.gz')),
    ).toBe(true);
    const files = await writer.close();
    expect(files.map((f) => f.relativePath)).toEqual(
      [0, 1, 2, 3].map((n) => `granularity=day/dt=${day(n)}/final.json.gz`),
    );
    expect(readdirSync(dir)).toEqual(['granularity=day']);
    const lines = files.flatMap((f) => gunzipSync(readFileSync(f.path)).toString().trimEnd().split('\n'));
    expect(lines).toHaveLength(40);
  });

  it('writes 1,000 partitions, 2 batch writes in flight at most; every file complete, readable by gzip', async () => {
    const dir = tempDir('pw-many');
    const writer = new PartitionWriter(dir, 'day', 'name', 'gzip', {
      flushAt: 2048,
      maxBuffered: 64 * 1024,
      maxInFlight: 2,
    });
    const expected = new Map<string, number>();
    for (let i = 0; i < 6_000; i++) {
      const date = day((i * 7919) % 1000);
      expected.set(date, (expected.get(date) ?? 0) + i);
      await writer.write(normaliseRow({ date, requestCount: i, templateUri: `/api/v2/x/${i}` }, ctx));
    }
    expect(findTempFiles(dir).length).toBeLessThanOrEqual(1000); // written aside until close
    const files = await writer.close();
    expect(files).toHaveLength(1000);
    expect(findTempFiles(dir)).toEqual([]);
    for (const f of files.filter((_, i) => i % 100 === 0)) {
      const lines = gunzipSync(readFileSync(f.path)).toString().trimEnd().split('\n');
      const sum = lines.map((l) => JSON.parse(l).requests as number).reduce((a, b) => a + b, 0);
      expect(sum).toBe(expected.get(f.dt));
      expect(lines).toHaveLength(f.records);
      // The system's gzip reads the multi-member file too.
      expect(execFileSync('gzip', ['-t', f.path]).toString()).toBe('');
    }
  });

  it('the bytes are a pure function of the records and their order', async () => {
    const write = async () => {
      const dir = tempDir('pw-same');
      const writer = new PartitionWriter(dir, 'day', 'n', 'gzip', { flushAt: 512 });
      for (let i = 0; i < 500; i++) await writer.write(normaliseRow({ date: day(i % 3), requests: i }, ctx));
      return (await writer.close()).map((f) => readFileSync(f.path).toString('hex'));
    };
    expect(await write()).toEqual(await write());
  });

  it('never touches a final file before the new one is complete; abort removes the temporary files', async () => {
    const dir = tempDir('pw-abort');
    const final = path.join(dir, 'granularity=day', `dt=${day(0)}`, 'n.json');
    mkdirSync(path.dirname(final), { recursive: true });
    writeFileSync(final, '{"old":true}\n');
    const writer = new PartitionWriter(dir, 'day', 'n', 'none', { flushAt: 10 });
    for (let i = 0; i < 50; i++) await writer.write(normaliseRow({ date: day(0), requests: i }, ctx));
    expect(readFileSync(final, 'utf8')).toBe('{"old":true}\n');
    expect(findTempFiles(dir)).toHaveLength(1);
    const { kept, removed } = writer.abortSync();
    expect(kept).toEqual([]);
    expect(removed).toHaveLength(1);
    expect(findTempFiles(dir)).toEqual([]);
    expect(readFileSync(final, 'utf8')).toBe('{"old":true}\n');
  });
});

describe('removeStaleFiles', () => {
  it('removes partition files this run did not write, only inside the layout, never the replayed file', async () => {
    const dir = tempDir('stale');
    const put = (rel: string) => {
      const p = path.join(dir, ...rel.split('/'));
      mkdirSync(path.dirname(p), { recursive: true });
      writeFileSync(p, 'x');
      return p;
    };
    const ours = put('granularity=day/dt=2026-11-13/n.json.gz');
    put('granularity=day/dt=2026-11-12/n.json.gz');
    put('granularity=day/dt=2026-11-13/n.json.gz.123.partial');
    const replayed = put('granularity=week/dt=2026-11-02/n.json.gz');
    const notOurs = [
      put('granularity=day/dt=2026-11-12/notes.txt'),
      put('other/dt=2026-11-12/n.json.gz'),
      put('n.json'),
    ];
    const { dev, ino } = statSync(replayed);
    const removed = await removeStaleFiles(dir, [ours], { dev, ino });
    expect(removed.sort()).toEqual([
      'granularity=day/dt=2026-11-12/n.json.gz',
      'granularity=day/dt=2026-11-13/n.json.gz.123.partial',
    ]);
    for (const p of [ours, replayed, ...notOurs]) expect(existsSync(p)).toBe(true);
    expect(readdirSync(path.join(dir, 'granularity=day'))).toEqual(['dt=2026-11-12', 'dt=2026-11-13']);
  });
});
