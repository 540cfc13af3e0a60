/**
 * The fast replay path against the general one, on random documents from a seeded generator: the
 * same NDJSON files byte for byte, the same report, the same groups, or the same error. Rows vary in
 * every way the fast path must notice: escapes (canonical or not), non-ASCII, numeric strings,
 * whitespace, field order, missing and extra fields, bad counts and dates, other document shapes.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { replayFast } from '../src/fast-replay.js';
import { PartitionWriter, type PartitionFile } from '../src/partition-writer.js';
import type { RecordContext } from '../src/records.js';
import { replayGeneral, type ReplayPassResult } from '../src/replay-pass.js';
import { ShapeScan } from '../src/replay-shape.js';
import type { Compression } from '../src/types.js';
import { ReportBuilder } from '../src/report.js';
import { tempDir } from './support/isolation.js';

/** mulberry32: a small seeded PRNG, so a failure can be replayed from its seed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  constructor(readonly random: () => number) {}
  int(n: number): number {
    return Math.floor(this.random() * n);
  }
  chance(p: number): boolean {
    return this.random() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)] as T;
  }
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
  ws(): string {
    return this.chance(0.8) ? '' : this.pick([' ', '\n', '\t', '\r\n', '  ']);
  }
}

const TEXTS = [
  '',
  'abc',
  'Client 7',
  'Billing sync',
  'a"quoted"b',
  'back\\slash',
  'line\nbreak',
  'tab\there',
  '\u0001ctl\u001f',
  'del\u007f',
  'café',
  'naïve 日本語',
  'emoji 😀',
  'sep\u2028arator',
  '123',
  '0042',
  ' padded ',
  'api/v2/users/{userId}',
  '<b>&amp;</b>',
  '\u0000nul',
];
const DAYS = ['2026-10-01', '2026-10-02', '2026-10-03', '2024-02-29', '2026-12-31'];

/** A string as JSON text: usually as JSON.stringify writes it, sometimes escaped another valid way. */
function encodeString(g: Gen, value: string): string {
  const canonical = JSON.stringify(value);
  if (g.chance(0.85)) return canonical;
  return (
    '"' +
    [...value]
      .map((ch) => {
        const code = ch.codePointAt(0) as number;
        if (ch === '/' || g.chance(0.3)) {
          if (code > 0xffff) {
            const hi = 0xd800 + ((code - 0x10000) >> 10);
            const lo = 0xdc00 + ((code - 0x10000) & 0x3ff);
            return `\\u${hi.toString(16)}\\u${lo.toString(16).toUpperCase()}`;
          }
          return ch === '/' && g.chance(0.5) ? '\\/' : `\\u${code.toString(16).padStart(4, '0')}`;
        }
        return JSON.stringify(ch).slice(1, -1);
      })
      .join('') +
    '"'
  );
}

/** A count as JSON text: mostly a number or a string of digits, sometimes something to refuse. */
function encodeCount(g: Gen, value: number, hostile: boolean): string {
  if (hostile && g.chance(0.1)) {
    return g.pick([
      '-5',
      '1.5',
      '2.0',
      '1e3',
      '"1e3"',
      'true',
      'null',
      '"0042"',
      '" 12 "',
      '"-3"',
      '12345678901234567',
      '9007199254740993',
      '"9007199254740991"',
      '1234567890123456',
      '0',
      '"abc"',
      '{}',
      '[]',
    ]);
  }
  return g.chance(0.8) ? String(value) : `"${value}"`;
}

function encodeDate(g: Gen, day: string, legacy: boolean, hostile: boolean): string {
  if (hostile && g.chance(0.05)) {
    return JSON.stringify(
      g.pick(['2026-02-30', '2026-13-01', '2026-10-01T12:00:00Z', '2026-10-01 ', '20261001', '', 'x']),
    );
  }
  return `"${legacy ? `${day}T00:00:00Z` : day}"`;
}

function member(g: Gen, key: string, value: string): string {
  return `${g.ws()}${JSON.stringify(key)}${g.ws()}:${g.ws()}${value}${g.ws()}`;
}

function randomRow(g: Gen, legacy: boolean, hostile: boolean): string {
  const requests = g.int(5000);
  const s429 = g.chance(0.3) ? g.int(50) : 0;
  const counts: [string, number][] = [
    [legacy || g.chance(0.1) ? 'requests' : 'requestCount', requests],
    ['status200', Math.max(0, requests - 10 - s429)],
    ['status300', g.int(3)],
    ['status400', 10 + s429],
    ['status429', s429],
    ['status500', g.int(2)],
  ];
  const day = g.pick(DAYS);
  const members: string[] = [];
  const text = () => encodeString(g, g.pick(TEXTS));
  const drop = () => g.chance(hostile ? 0.08 : 0.03);
  if (legacy) {
    for (const key of ['clientId', 'clientName', 'organizationId', 'userId', 'templateUri', 'httpMethod']) {
      if (!drop()) members.push(member(g, key, text()));
    }
  } else {
    members.push(member(g, 'platform', JSON.stringify(g.pick(['PublicApi', 'Genesys', '']))));
    for (const key of ['templateUri', 'httpMethod']) if (!drop()) members.push(member(g, key, text()));
    if (!drop()) {
      const inner = [member(g, 'id', text())];
      if (!drop()) inner.push(member(g, 'name', text()));
      members.push(member(g, 'oauthClient', `{${g.shuffle(inner).join(',')}}`));
    } else if (g.chance(0.5)) members.push(member(g, 'clientId', text()));
    if (g.chance(0.3)) members.push(member(g, 'user', `{${member(g, 'id', text())}}`));
  }
  for (const [key, value] of counts) {
    if (!(hostile && drop())) members.push(member(g, key, encodeCount(g, value, hostile)));
  }
  if (!(hostile && drop())) members.push(member(g, 'date', encodeDate(g, day, legacy, hostile)));
  if (g.chance(0.15)) {
    members.push(
      member(
        g,
        g.pick(['extra', 'nextUri', 'weird key ü', 'rank']),
        g.pick(['1', '"x"', 'true', 'null', '-2.5e3']),
      ),
    );
  }
  if (g.chance(0.03)) members.push(member(g, 'nested', '{"a":[1,2,{"b":null}]}'));
  if (hostile && g.chance(0.03)) members.push(member(g, g.pick(['api', 'queryId', 'interval']), '"mine"'));
  if (hostile && g.chance(0.02)) members.push(member(g, 'status200', '7'));
  return `${g.ws()}{${g.shuffle(members).join(',')}}${g.ws()}`;
}

function randomDocument(g: Gen): string {
  const hostile = g.chance(0.3);
  const legacy = g.chance(0.6);
  const rows = Array.from({ length: 1 + g.int(40) }, () =>
    randomRow(g, legacy ? !g.chance(0.05) : false, hostile),
  );
  const status =
    hostile && g.chance(0.1) ? g.pick(['Running', 'Failed', 'complete']) : legacy ? 'Complete' : 'Succeeded';
  if (hostile && g.chance(0.15)) {
    // Other shapes: NDJSON, an array of pages, garbage after the document, a truncated file.
    return g.pick([
      () => rows.join('\n'),
      () => `[{"entities":[${rows.join(',')}]}]`,
      () => `{"results":[${rows.join(',')}]} {"results":[]}`,
      () => `{"results":[${rows.join(',')}`,
      () => `{"results":[${rows.join(',')},]}`,
      () => '',
    ])();
  }
  const list = `${g.ws()}[${rows.join(',')}]${g.ws()}`;
  const meta = [
    `"queryStatus":${g.ws()}"${status}"`,
    ...(g.chance(0.2) ? ['"errorBody":{"code":"none","n":[1]}'] : []),
  ];
  const key = legacy ? '"results"' : '"entities"';
  const members = g.chance(0.5) ? [...meta, `${key}:${list}`] : [`${key}:${list}`, ...meta];
  return `${g.ws()}{${members.join(',')}}${g.ws()}`;
}

const CTX: RecordContext = {
  api: 'aggregates',
  detectApi: true,
  interval: '2026-10-01T00:00:00Z/2026-11-01T00:00:00Z',
  defaultDate: '2026-10-01',
  queryId: '',
  collectedAt: '2026-11-02T06:00:00.000Z',
};

interface Outcome {
  error?: string;
  rows?: number;
  fastRows?: number;
  files?: PartitionFile[];
  contents?: Record<string, string>;
  report?: unknown;
  scan?: unknown;
  groups?: unknown;
}

function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const name of readdirSync(d)) {
      const full = path.join(d, name);
      if (statSync(full).isDirectory()) walk(full);
      else out[path.relative(dir, full)] = readFileSync(full).toString('base64');
    }
  };
  walk(dir);
  return out;
}

/** What main.ts does on a replay with a granularity, with or without the fast path. */
async function replay(file: string, dir: string, compression: Compression, fast: boolean): Promise<Outcome> {
  const builder = new ReportBuilder();
  let writer: PartitionWriter | undefined;
  const openWriter = () => (writer ??= new PartitionWriter(dir, 'day', 'usage.all', compression));
  let result: ReplayPassResult | undefined;
  try {
    const scan = new ShapeScan();
    const fastResult = fast ? await replayFast(file, { ctx: CTX, scan, builder, openWriter }) : undefined;
    if (fastResult) result = { scan, ...fastResult };
    else {
      writer = undefined;
      result = await replayGeneral(file, CTX, { builder, openWriter });
    }
  } catch (error) {
    await (writer as PartitionWriter | undefined)?.close().catch(() => undefined);
    return { error: (error as Error).message, contents: readTree(dir) };
  }
  const files = writer ? await (writer as PartitionWriter).close() : [];
  const meta = { api: 'x', interval: '', granularity: 'Day', queryId: '', generatedAt: '' };
  const report = builder.build(meta, 5);
  return {
    rows: result.rows,
    fastRows: result.fastRows,
    // What the rows taught the shape scan, first places included.
    scan: { ...result.scan, dates: [...result.scan.dates], organizations: [...result.scan.organizations] },
    files: files.map((f) => ({
      granularity: f.granularity,
      dt: f.dt,
      relativePath: f.relativePath,
      path: path.relative(dir, f.path),
      records: f.records,
    })),
    contents: readTree(dir),
    // The trend's rows, not how it holds them (the two paths size their tables differently).
    report: { ...report, trend: [...report.trend] },
    groups: builder.groupRows(),
  };
}

describe('the fast replay path', () => {
  it('writes what the general path writes, or fails as it fails, on random documents', async () => {
    const seed = Number(process.env.FAST_REPLAY_SEED ?? 20261130);
    const g = new Gen(prng(seed));
    const root = tempDir('fast-replay');
    let fastDocuments = 0;
    let mixedDocuments = 0;
    let errors = 0;
    let fastRows = 0;
    let rows = 0;
    for (let n = 0; n < 400; n++) {
      const file = path.join(root, `doc-${n}.json`);
      writeFileSync(file, randomDocument(g));
      const compression: Compression = g.chance(0.3) ? 'gzip' : 'none';
      const general = await replay(file, tempDir('general'), compression, false);
      const fast = await replay(file, tempDir('fast'), compression, true);
      const { fastRows: f = 0, ...comparable } = fast;
      const expected = { ...general };
      delete expected.fastRows;
      // On a mismatch, the seed and document number say which input to replay.
      expect({ seed, n, ...comparable }).toEqual({ seed, n, ...expected });
      if (general.error) errors++;
      if (f) fastDocuments++;
      if (f && f < (fast.rows ?? 0)) mixedDocuments++;
      fastRows += f;
      rows += fast.rows ?? 0;
    }
    // The comparison means something only if every kind of case came up.
    expect(fastDocuments).toBeGreaterThan(100);
    expect(mixedDocuments).toBeGreaterThan(50);
    expect(errors).toBeGreaterThan(5);
    expect(fastRows / rows).toBeGreaterThan(0.3);
  }, 120_000);

  it('takes the flat rows of both APIs itself', async () => {
    const dir = tempDir('both');
    const legacy = path.join(dir, 'legacy.json');
    writeFileSync(
      legacy,
      JSON.stringify({
        queryStatus: 'Complete',
        results: [
          {
            clientId: 'c1',
            clientName: 'Sync é',
            templateUri: 'api/v2/x',
            httpMethod: 'GET',
            status200: 9,
            status300: 0,
            status400: 1,
            status429: 1,
            status500: 0,
            requests: 10,
            date: '2026-10-01T00:00:00Z',
          },
        ],
      }),
    );
    const aggregates = path.join(dir, 'aggregates.json');
    writeFileSync(
      aggregates,
      JSON.stringify({
        entities: [
          {
            date: '2026-10-01',
            platform: 'PublicApi',
            httpMethod: 'GET',
            templateUri: 'api/v2/x',
            requestCount: 10,
            status200: 9,
            status300: 0,
            status400: 1,
            status429: 1,
            status500: 0,
            oauthClient: { id: 'c1', name: 'Sync' },
            user: { id: 'u1', name: 'Ann' },
          },
        ],
      }),
    );
    for (const file of [legacy, aggregates]) {
      const out = await replay(file, tempDir('out'), 'none', true);
      expect(out.error).toBeUndefined();
      expect(out.fastRows).toBe(1);
      expect(out).toEqual({ ...(await replay(file, tempDir('out'), 'none', false)), fastRows: 1 });
    }
  });

  it('decodes only rows that tell the scan something new; places rows by line across reads', async () => {
    // Pretty-printed, over 2 MB (several 1 MB reads): three dates and one organisation, then a
    // second organisation on a new date, then a row without requests (the general path's).
    const row = (i: number, date: string, organizationId = 'org-a'): Record<string, unknown> => ({
      clientId: `client-${i % 50}`,
      organizationId,
      templateUri: `/api/v2/t/${i % 7}`,
      httpMethod: 'GET',
      requests: 100 + i,
      status200: 90,
      status300: 0,
      status400: 10,
      status429: i % 5,
      status500: 0,
      date: `${date}T00:00:00Z`,
    });
    const rows = Array.from({ length: 12_000 }, (_, i) => row(i, `2026-10-0${1 + (i % 3)}`));
    rows[11_000] = row(11_000, '2026-10-05', 'org-b');
    const noRequests = row(11_500, '2026-10-01');
    delete noRequests.requests;
    rows[11_500] = noRequests;
    const file = path.join(tempDir('scan'), 'pretty.json');
    writeFileSync(file, `{"results":[\n${rows.map((r) => JSON.stringify(r, null, 2)).join(',\n')}\n]}`);
    expect(statSync(file).size).toBeGreaterThan(2 << 20);

    class CountingScan extends ShapeScan {
      added = 0;
      override add(...args: Parameters<ShapeScan['add']>): void {
        this.added++;
        super.add(...args);
      }
    }
    const scan = new CountingScan();
    const fast = await replayFast(file, { ctx: CTX, scan });
    const general = await replayGeneral(file, CTX);
    expect(fast).toEqual({ rows: 12_000, fastRows: 11_999 });
    // Rows 1-3 (dates), 11,001 (organisation and date) and 11,501 (no requests count).
    expect(scan.added).toBe(5);
    const { added, ...facts } = scan;
    expect(added).toBe(5);
    expect(facts).toEqual({ ...general.scan });
    // Each pretty row is 13 lines, after the document's first line.
    expect(scan.dates.get('2026-10-05')).toBe(`row 11001 (line ${2 + 11_000 * 13})`);
    expect(scan.firstWithoutRequests).toBe(`row 11501 (line ${2 + 11_500 * 13})`);
    expect([...scan.organizations]).toEqual(['org-a', 'org-b']);
  });

  it('leaves nothing behind when it hands a file to the general path', async () => {
    const dir = tempDir('left');
    const file = path.join(dir, 'late-status.json');
    const row =
      '{"clientId":"c","requests":1,"status200":1,"status300":0,"status400":0,"status429":0,"status500":0,"date":"2026-10-01T00:00:00Z"}';
    writeFileSync(file, `{"results":[${row}],"queryStatus":"Running"}`);
    const out = tempDir('out');
    const result = await replayFast(file, {
      ctx: CTX,
      scan: new ShapeScan(),
      builder: new ReportBuilder(),
      openWriter: () => new PartitionWriter(out, 'day', 'usage', 'gzip'),
    });
    expect(result).toBeUndefined();
    expect(readdirSync(out)).toEqual([]);
  });

  it('leaves a missing file or a folder to the general path', async () => {
    const target = {
      ctx: CTX,
      scan: new ShapeScan(),
      builder: new ReportBuilder(),
      openWriter: () => new PartitionWriter(tempDir('x'), 'day', 'x', 'none'),
    };
    expect(await replayFast(tempDir('folder'), target)).toBeUndefined();
    expect(await replayFast(path.join(tempDir('none'), 'missing.json'), target)).toBeUndefined();
  });
});
