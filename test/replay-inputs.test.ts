/** Inputs people have: gzip (the action's own output), UTF-16 with a BOM, rows with any extra fields. */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { replayResultsFile } from '../src/replay.js';
import { UsageRowSplitter } from '../src/json-rows.js';
import { tempDir } from './support/isolation.js';

const ROWS = [
  { date: '2026-11-13', requestCount: 5, status429: 1, templateUri: 'ünïcode ✓' },
  { date: '2026-11-14', requestCount: 7, status429: 0 },
];
const NDJSON = ROWS.map((r) => JSON.stringify(r)).join('\n') + '\n';

async function replay(content: Buffer | string) {
  const file = path.join(tempDir('replay'), 'result');
  writeFileSync(file, content);
  const rows: unknown[] = [];
  const places: string[] = [];
  await replayResultsFile(file, async (batch, _q, where) => {
    rows.push(...batch);
    places.push(...(where ?? []));
  });
  return { rows, places };
}

function utf16be(text: string): Buffer {
  const le = Buffer.from(text, 'utf16le');
  return Buffer.from(le).swap16();
}

describe('replayResultsFile reads', () => {
  it.each([
    ['UTF-8', Buffer.from(NDJSON)],
    ['UTF-8 with BOM', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(NDJSON)])],
    ['UTF-16 LE with BOM', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(NDJSON, 'utf16le')])],
    ['UTF-16 BE with BOM', Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be(NDJSON)])],
    ['gzip', gzipSync(NDJSON)],
    [
      'multi-member gzip',
      Buffer.concat([gzipSync(NDJSON.split('\n')[0] + '\n'), gzipSync(NDJSON.split('\n')[1] + '\n')]),
    ],
    [
      'gzip of UTF-16 LE',
      gzipSync(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(NDJSON, 'utf16le')])),
    ],
  ])('%s', async (_name, content) => {
    const { rows, places } = await replay(content);
    expect(rows).toEqual(ROWS);
    expect(places).toEqual(['row 1 (line 1)', 'row 2 (line 2)']);
  });

  it('a damaged gzip file is one clear line', async () => {
    const gz = gzipSync(NDJSON);
    await expect(replay(gz.subarray(0, gz.length - 12))).rejects.toThrow(
      /is a damaged or truncated gzip file\.$/,
    );
  });

  it('binary data is refused as not a usage result, never quoted', async () => {
    await expect(replay(Buffer.from([0x00, 0xc3, 0x28, 0xff, 0x00]))).rejects.toThrow(
      /is not a usage result: unexpected character "\\u0000" at line 1, character 0/,
    );
  });
});

describe('UsageRowSplitter keeps rows whatever fields they carry', () => {
  it.each([
    ['results', { requests: 3, results: [{ a: 1 }] }],
    ['entities', { requestCount: 3, entities: [{ b: 2 }] }],
    ['queryStatus', { requests: 3, queryStatus: 'Complete' }],
  ])('a row with a field named %s is a row', (_name, row) => {
    const s = new UsageRowSplitter();
    const out = s.push(JSON.stringify(row) + '\n' + JSON.stringify(row) + '\n');
    s.end();
    expect(out.rows).toEqual([row, row]);
    expect(out.lines).toEqual([1, 2]);
  });

  it('a document still holds rows', () => {
    const s = new UsageRowSplitter();
    const out = s.push('{"queryStatus":"Complete",\n"results":[\n{"requests":1},\n{"requests":2}]}');
    s.end();
    expect(out.rows).toEqual([{ requests: 1 }, { requests: 2 }]);
    expect(out.lines).toEqual([3, 4]);
    expect(out.meta).toContainEqual(['queryStatus', 'Complete']);
  });

  it('a malformed value is located, never quoted', () => {
    const s = new UsageRowSplitter();
    expect(() => s.push('{"requests":1}\n{"token":"s3cr3t-value","x":tru}\n')).toThrow(
      'The results file has a malformed JSON value starting on line 2',
    );
    try {
      new UsageRowSplitter().push('{"token":"s3cr3t-value","x":tru}\n');
    } catch (error) {
      expect((error as Error).message).not.toContain('s3cr3t');
    }
  });

  it('a file that is not JSON is described by the character and place only', () => {
    const s = new UsageRowSplitter();
    expect(() => s.push('[default]\naws_secret_access_key = abc\n')).toThrow(
      /^The results file is not a usage result: unexpected character "d" at line 1, character 1 /,
    );
  });
});
