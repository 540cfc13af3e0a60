import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { bucketCoverage, objectName, partitionPath, type QueryShape } from '../src/layout.js';
import { PartitionWriter } from '../src/partition-writer.js';
import { normaliseRow, RECORD_FIELDS, type RecordContext } from '../src/records.js';
import { UserError } from '../src/errors.js';
import { isInterval, parseInterval } from '../src/interval.js';
import { tempDir } from './support/isolation.js';

const SHAPE: QueryShape = {
  api: 'aggregates',
  granularity: 'Day',
  groupBy: [
    { apiName: 'TemplateUri', field: 'templateUri' },
    { apiName: 'OauthClientId', field: 'clientId' },
  ],
  metrics: [],
  filters: { templateUris: [], httpMethods: [], oauthClientIds: [] },
};

describe('objectName', () => {
  it('is a pure function of the query shape, whatever the order of lists', () => {
    const name = objectName(SHAPE);
    expect(name).toMatch(/^aggregates\.by-oauthclientid-templateuri\.[0-9a-f]{8}$/);
    expect(objectName({ ...SHAPE, groupBy: [...SHAPE.groupBy].reverse() })).toBe(name);
    expect(objectName({ ...SHAPE, metrics: ['Status429'] })).not.toBe(name);
    expect(objectName({ ...SHAPE, filters: { ...SHAPE.filters, httpMethods: ['GET'] } })).not.toBe(name);
    expect(objectName({ ...SHAPE, api: 'legacy' })).not.toBe(name);
  });

  it('keeps organisations apart, and hashes an organisation id that is not key-safe', () => {
    const a = objectName({ ...SHAPE, organizationId: '6f0c5e1a-0d3b-4c8e-9a71-2b5d8e4f7a10' });
    const b = objectName({ ...SHAPE, organizationId: '0a1b2c3d-0000-4000-8000-00000000beef' });
    expect(a).toMatch(
      /^aggregates\.org-6f0c5e1a-0d3b-4c8e-9a71-2b5d8e4f7a10\.by-oauthclientid-templateuri\.[0-9a-f]{8}$/,
    );
    expect(b).not.toBe(a);
    expect(objectName({ ...SHAPE, organizationId: '../x/y' })).toMatch(/^aggregates\.org-[0-9a-f]{12}\.by-/);
    // Without an organisation (a replay of rows that carry none), the name is as before.
    expect(objectName(SHAPE)).not.toContain('org-');
  });

  it('tells the new filters apart', () => {
    const name = objectName(SHAPE);
    expect(objectName({ ...SHAPE, filters: { ...SHAPE.filters, platforms: ['PublicApi'] } })).not.toBe(name);
    expect(objectName({ ...SHAPE, filters: { ...SHAPE.filters, userIds: ['u1'] } })).not.toBe(name);
    expect(objectName({ ...SHAPE, filters: { ...SHAPE.filters, organizationIds: ['o1'] } })).not.toBe(name);
    expect(objectName({ ...SHAPE, filters: { ...SHAPE.filters, platforms: [] } })).toBe(name);
  });

  it('sees a calendar month written date-only as one complete month bucket', () => {
    const month = parseInterval('2026-09-01/2026-09-30', new Date('2026-11-21T00:00:00Z'));
    const short = parseInterval('2026-09-01/2026-09-29', new Date('2026-11-21T00:00:00Z'));
    if (!isInterval(month) || !isInterval(short)) throw new Error('not an interval');
    expect(bucketCoverage('2026-09-01', 'Month', month).complete).toBe(true);
    expect(bucketCoverage('2026-09-30', 'Day', month).complete).toBe(true);
    expect(bucketCoverage('2026-09-01', 'Month', short).complete).toBe(false);
  });

  it('names totals by the interval end too', () => {
    expect(
      objectName({ ...SHAPE, granularity: undefined, groupBy: [] }, new Date('2026-11-08T00:00:00Z')),
    ).toMatch(/^aggregates\.all\.until-2026-11-08\.[0-9a-f]{8}$/);
  });

  it('names totals by the exact end when it is not at midnight', () => {
    const shape = { ...SHAPE, granularity: undefined, groupBy: [] };
    const name = objectName(shape, new Date('2026-11-08T12:00:00Z'));
    expect(name).toMatch(/^aggregates\.all\.until-20261108T120000Z\.[0-9a-f]{8}$/);
    expect(name).not.toBe(objectName(shape, new Date('2026-11-08T00:00:00Z')));
  });

  it('lays partitions out as granularity=/dt=', () => {
    expect(partitionPath('day', '2026-11-01', 'n', 'gzip')).toBe('granularity=day/dt=2026-11-01/n.json.gz');
    expect(partitionPath('total', '2026-11-01', 'n', 'none')).toBe('granularity=total/dt=2026-11-01/n.json');
  });
});

describe('bucketCoverage', () => {
  const interval = { start: new Date('2026-11-04T00:00:00Z'), end: new Date('2026-11-20T00:00:00Z') };
  it('tells complete and partial buckets apart', () => {
    expect(bucketCoverage('2026-11-05', 'Day', interval).complete).toBe(true);
    expect(bucketCoverage('2026-11-02', 'Week', interval)).toEqual({
      start: interval.start,
      end: new Date('2026-11-09T00:00:00Z'),
      complete: false,
    });
    expect(bucketCoverage('2026-11-16', 'Week', interval).complete).toBe(false);
    expect(bucketCoverage('2026-11-01', 'Month', interval).complete).toBe(false);
    expect(bucketCoverage('2026-11-04', undefined, interval).complete).toBe(true);
    expect(bucketCoverage('2026-11-01', 'Month').complete).toBe(true);
  });
});

/** The record context of the PartitionWriter tests. */
const ctx: RecordContext = {
  api: 'aggregates',
  interval: 'i',
  defaultDate: '2026-11-01',
  queryId: 'q',
  collectedAt: 'c',
};

describe('PartitionWriter', () => {
  it.each(['gzip', 'none'] as const)('writes one %s NDJSON file per partition date', async (compression) => {
    const dir = tempDir('pw');
    const writer = new PartitionWriter(dir, 'day', 'name', compression);
    const rows = Array.from({ length: 3000 }, (_, i) => ({
      date: `2026-11-0${(i % 3) + 1}`,
      requests: i,
      clientId: `c${i}`,
    }));
    for (const row of rows) await writer.write(normaliseRow(row, ctx));
    const files = await writer.close();
    expect(files.map((f) => [f.relativePath, f.records])).toEqual(
      ['01', '02', '03'].map((d) => [
        `granularity=day/dt=2026-11-${d}/name${compression === 'gzip' ? '.json.gz' : '.json'}`,
        1000,
      ]),
    );
    const raw = readFileSync(files[0]!.path);
    const lines = (compression === 'gzip' ? gunzipSync(raw) : raw).toString('utf8').trimEnd().split('\n');
    expect(lines).toHaveLength(1000);
    expect(Object.keys(JSON.parse(lines[0]!))).toEqual(RECORD_FIELDS);
    expect(JSON.parse(lines[1]!).requests).toBe(3);
    expect(readdirSync(path.join(dir, 'granularity=day'))).toHaveLength(3);
  });
});

describe('PartitionWriter on a failing disk', () => {
  it.each(['gzip', 'none'] as const)(
    'turns a write error into one line naming the file (%s)',
    async (compression) => {
      const dir = tempDir('pw-fail');
      const blocked = path.join(
        dir,
        'granularity=day',
        'dt=2026-11-02',
        `name${compression === 'gzip' ? '.json.gz' : '.json'}`,
      );
      // A file where the partition's folder should be: making it fails with EEXIST or ENOTDIR.
      mkdirSync(path.join(dir, 'granularity=day'), { recursive: true });
      writeFileSync(path.dirname(blocked), '');
      const writer = new PartitionWriter(dir, 'day', 'name', compression);
      let error: unknown;
      let healthy = 0;
      try {
        for (let i = 0; i < 5000; i++) {
          const date = `2026-11-0${(i % 2) + 1}`;
          await writer.write(normaliseRow({ date, requests: i, clientId: 'x'.repeat(100) }, ctx));
          if (date === '2026-11-01') healthy++;
        }
      } catch (e) {
        error = e;
      }
      // As main does: close whatever is open, so every line accepted so far reaches the disk.
      await expect(writer.close()).rejects.toThrow(UserError);
      expect(error).toBeInstanceOf(UserError);
      expect((error as Error).message).toMatch(
        new RegExp(
          `^Could not write the NDJSON file ${blocked.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: .*(EEXIST|ENOTDIR)`,
        ),
      );
      const other = path.join(
        dir,
        'granularity=day',
        'dt=2026-11-01',
        `name${compression === 'gzip' ? '.json.gz' : '.json'}`,
      );
      const raw = readFileSync(other);
      const text = (compression === 'gzip' ? gunzipSync(raw) : raw).toString();
      const lines = text.trimEnd().split('\n');
      // Every line that was accepted is there, whole; the write that met the failure may be one more.
      expect(healthy).toBeGreaterThan(0);
      expect(lines.length - healthy).toBeGreaterThanOrEqual(0);
      expect(lines.length - healthy).toBeLessThanOrEqual(1);
      for (const line of lines) expect(JSON.parse(line).date).toBe('2026-11-01');
    },
  );
});
