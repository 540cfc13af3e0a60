/** Partition files: written aside and renamed, few files open, bounded memory, valid gzip, stale files cleared. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import {
  findTempFiles,
  PartitionWriter,
  removeStaleFiles,
  type PartitionFile,
} from '../src/partition-writer.js';
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
      [...writer.finalPaths()].every((p) => p.includes('granularity=day') && p.endsWith('final.json.gz')),
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

describe('PartitionWriter over its memory bound (the spill file)', () => {
  const spillFiles = (dir: string) =>
    findTempFiles(dir).filter((f) => path.basename(f).startsWith('.spill.'));
  /** `rows` rows spread over `partitions` partitions in a scrambled order. */
  const writeMany = async (
    dir: string,
    limits: { flushAt: number; maxBuffered: number },
    partitions = 3000,
    rows = 30_000,
    during?: () => void,
  ) => {
    const writer = new PartitionWriter(dir, 'day', 'n', 'gzip', limits);
    for (let i = 0; i < rows; i++) {
      const date = day((i * 7919) % partitions);
      await writer.write(normaliseRow({ date, requestCount: i, templateUri: `/api/v2/x/${i % 97}` }, ctx));
      if (i === Math.floor(rows / 2)) during?.();
    }
    return writer;
  };
  /** The same files, byte for byte, as a reference run wrote. */
  const expectSameFiles = (files: PartitionFile[], reference: PartitionFile[]) => {
    expect(files.map((f) => f.relativePath)).toEqual(reference.map((f) => f.relativePath));
    for (const [i, f] of files.entries()) {
      expect(readFileSync(f.path).equals(readFileSync(reference[i]!.path))).toBe(true);
    }
  };
  /**
   * The same rows written under `limits` (the spill files seen half-way noted) and with no bound:
   * their files the same byte for byte, and complete.
   */
  const boundedAndUnbounded = async (
    name: string,
    limits: { flushAt: number; maxBuffered: number },
    partitions: number,
    rows: number,
  ) => {
    const bounded = tempDir(name);
    let spilling: string[] = [];
    const writer = await writeMany(bounded, limits, partitions, rows, () => (spilling = spillFiles(bounded)));
    const files = await writer.close();
    const leftover = findTempFiles(bounded);
    const unbounded = tempDir(`${name}-ref`);
    let spillingUnbounded: string[] = [];
    const reference = await (
      await writeMany(
        unbounded,
        { ...limits, maxBuffered: 1e12 },
        partitions,
        rows,
        () => (spillingUnbounded = spillFiles(unbounded)),
      )
    ).close();
    expectSameFiles(files, reference);
    checkComplete(files, rows);
    return { files, spilling, leftover, spillingUnbounded };
  };
  const checkComplete = (files: PartitionFile[], rows: number) => {
    let sum = 0;
    for (const f of files) {
      const lines = gunzipSync(readFileSync(f.path)).toString().trimEnd().split('\n');
      expect(lines).toHaveLength(f.records);
      sum += lines.map((l) => JSON.parse(l).requests as number).reduce((a, b) => a + b, 0);
    }
    expect(sum).toBe((rows * (rows - 1)) / 2);
    for (const f of files.filter((_, i) => i % 300 === 0)) {
      expect(execFileSync('gzip', ['-t', f.path]).toString()).toBe('');
    }
  };

  it('spills to one file and reads it back: the same files, byte for byte, as with no bound', async () => {
    // 10 rows a partition, batches of about 5: each batch is read back from the spill file.
    const limits = { flushAt: 1024, maxBuffered: 32 * 1024 };
    const run = await boundedAndUnbounded('pw-spill', limits, 3000, 30_000);
    expect(run.spilling).toHaveLength(1); // one spill file while writing, whatever the partition count
    expect(run.leftover).toEqual([]); // and none after close
    expect(run.spillingUnbounded).toEqual([]);
    expect(run.files).toHaveLength(3000);
  });

  it('writes a batch spread over many pieces of the spill file early; still complete and reproducible', async () => {
    // 100 rows a partition, each spilled on its own: batches are cut by the number of pieces.
    const limits = { flushAt: 64 * 1024, maxBuffered: 16 * 1024 };
    const run = async () => {
      const dir = tempDir('pw-pieces');
      const files = await (await writeMany(dir, limits, 300, 30_000)).close();
      expect(findTempFiles(dir)).toEqual([]);
      checkComplete(files, 30_000);
      return files.map((f) => readFileSync(f.path).toString('hex'));
    };
    expect(await run()).toEqual(await run());
  });

  it('past half its bound, stops growing buffers and stages full ones: the same bytes, no buffer churn', async () => {
    // 40 partitions fill half of 128 KiB before their batches (8 KiB) are full: from then on a full
    // buffer (1 or 2 KiB) moves its lines to the spill file (through the 1 MiB staging buffer: 3 MB
    // of lines fill it more than once) and is reused. Fewer than 16 pieces a batch: the same batches.
    const limits = { flushAt: 8 * 1024, maxBuffered: 128 * 1024 };
    const run = await boundedAndUnbounded('pw-staged', limits, 40, 20_000);
    expect(run.spilling).toHaveLength(1);
    expect(run.leftover).toEqual([]);
  });

  it('staged pieces do not cut batches short: hundreds of partitions sharing the bound give the bytes of an unbounded run', async () => {
    // 400 partitions, 30 rows each, interleaved: their one-line buffers (512 B) fill half of 384 KiB,
    // so each is staged at nearly every row (about 30 pieces a batch, no sweep); only the 8 KiB
    // batches may cut them. Counting staged pieces, this cut every batch at 16.
    const limits = { flushAt: 8 * 1024, maxBuffered: 384 * 1024 };
    await boundedAndUnbounded('pw-many-pieces', limits, 400, 12_000);
  });

  it('stages lines bigger than its staging buffer straight to the spill file', async () => {
    const dir = tempDir('pw-huge');
    const writer = new PartitionWriter(dir, 'day', 'n', 'gzip', { flushAt: 16 << 20, maxBuffered: 8 << 20 });
    const huge = 'h'.repeat(1_500_000);
    for (let i = 0; i < 8; i++) {
      await writer.write(normaliseRow({ date: day(i % 2), requests: i, clientName: `${huge}${i}` }, ctx));
    }
    const files = await writer.close();
    expect(findTempFiles(dir)).toEqual([]);
    const names = files.flatMap((f) =>
      gunzipSync(readFileSync(f.path))
        .toString()
        .trimEnd()
        .split('\n')
        .map((l) => (JSON.parse(l) as { clientName: string }).clientName.slice(huge.length)),
    );
    expect(names).toEqual(['0', '2', '4', '6', '1', '3', '5', '7']);
  });

  it('counts the capacity of the batch buffers, not only the bytes in them', async () => {
    // Each partition is written until its batch goes to its file: what stays is an empty buffer
    // sized for the next batch. Counting bytes in use, the writer would never reach 4 KiB.
    const dir = tempDir('pw-capacity');
    const writer = new PartitionWriter(dir, 'day', 'n', 'none', { flushAt: 1024, maxBuffered: 4096 });
    for (let d = 0; d < 6; d++) {
      for (let i = 0; i < 12; i++) await writer.write(normaliseRow({ date: day(d), requests: i }, ctx));
    }
    expect(spillFiles(dir)).toHaveLength(1);
    const files = await writer.close();
    expect(files.map((f) => f.records)).toEqual([12, 12, 12, 12, 12, 12]);
    for (const f of files) expect(readFileSync(f.path, 'utf8').trimEnd().split('\n')).toHaveLength(12);
  });

  it('abort() and abortSync() remove the spill file with the temporary files', async () => {
    for (const how of ['abort', 'abortSync'] as const) {
      const dir = tempDir(`pw-spill-${how}`);
      const writer = await writeMany(dir, { flushAt: 4096, maxBuffered: 32 * 1024 });
      expect(spillFiles(dir)).toHaveLength(1);
      if (how === 'abort') await writer.abort();
      else writer.abortSync();
      expect(findTempFiles(dir)).toEqual([]);
      expect(writer.completedFiles()).toEqual([]);
    }
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
    const asked: string[] = [];
    const removed = await removeStaleFiles(
      dir,
      (relative, dt) => {
        asked.push(dt);
        return relative === 'granularity=day/dt=2026-11-13/n.json.gz';
      },
      { dev, ino },
    );
    // Asked with each file's folder date.
    expect(new Set(asked)).toEqual(new Set(['2026-11-02', '2026-11-12', '2026-11-13']));
    expect(removed.sort()).toEqual([
      'granularity=day/dt=2026-11-12/n.json.gz',
      'granularity=day/dt=2026-11-13/n.json.gz.123.partial',
    ]);
    for (const p of [ours, replayed, ...notOurs]) expect(existsSync(p)).toBe(true);
    expect(readdirSync(path.join(dir, 'granularity=day'))).toEqual(['dt=2026-11-12', 'dt=2026-11-13']);
  });
});
