/**
 * Fuzz: random valid and invalid rows through the whole replay (rules, shape, writer) in-process.
 * Seeded, so a failure is reproducible (the seed is in the test name); bounded in time.
 * A file with an invalid row fails naming its line and leaves no data file; a valid one gives
 * totals equal to the rows' sums, in complete gzip files.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { run } from '../src/main.js';
import { captureIO } from './support/capture-io.js';
import { tempDir } from './support/isolation.js';

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const INVALID: [string, unknown][] = [
  ['requestCount', -4990],
  ['requestCount', 1.5],
  ['status429', '1e3'],
  ['status429', true],
  ['requestCount', 2 ** 53],
  ['status200', '-1'],
  ['date', '2026-02-30'],
  ['date', '2026-11-05T12:00:00Z'],
  ['clientId', 7],
  ['oauthClient', 'x'],
];
const EXTRA: [string, unknown][] = [
  ['results', [{ requests: 1 }]],
  ['entities', []],
  ['queryStatus', 'Running'],
  ['weird "key"\n', 'va\u0000lue'],
];

function allFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}

const SEEDS = Array.from({ length: 40 }, (_, i) => 1000 + i);
const seen = { valid: 0, invalid: 0 };

describe('replay fuzz', () => {
  const started = Date.now();
  it.each(SEEDS)('seed %i', async (seed) => {
    if (Date.now() - started > 20_000) return; // bounded: the remaining seeds are skipped on a slow machine
    const random = mulberry32(seed);
    const int = (n: number) => Math.floor(random() * n);
    const rows: string[] = [];
    let firstInvalidLine = 0;
    const sums = { requests: 0, status429: 0 };
    const count = 1 + int(400);
    const wantInvalid = random() < 0.5;
    for (let i = 0; i < count; i++) {
      const requests = int(2) ? int(1_000_000) : int(2 ** 40);
      const status429 = Math.min(requests, int(5000));
      const row: Record<string, unknown> = {
        date: `2026-11-${String(1 + int(10)).padStart(2, '0')}`,
        requestCount: int(2) ? requests : String(requests),
        status429,
        oauthClient: { id: `c${int(5)}`, name: `Client ${int(5)}` },
      };
      if (int(4) === 0) {
        const [key, value] = EXTRA[int(EXTRA.length)]!;
        row[key] = value;
      }
      if (wantInvalid && int(count) === 0 && !firstInvalidLine) {
        const [key, value] = INVALID[int(INVALID.length)]!;
        row[key] = value;
        firstInvalidLine = i + 1;
      } else {
        sums.requests += requests;
        sums.status429 += status429;
      }
      rows.push(JSON.stringify(row));
    }
    const dir = tempDir(`fuzz-${seed}`);
    const file = path.join(dir, 'rows.ndjson');
    writeFileSync(file, rows.join('\n') + '\n');
    const outputDir = path.join(dir, 'out');
    const io = captureIO();
    await run({
      io,
      env: {},
      now: () => new Date('2026-11-21T10:00:00Z'),
      sleep: async () => undefined,
      getInput: (name) =>
        ({ 'results-file': file, 'output-dir': outputDir, 'pr-comment': 'false' })[name] ?? '',
      queryUsage: async () => ({ queryIds: [] }),
      dataLake: async () => {
        throw new Error('no data lake');
      },
      publishComment: async () => undefined,
    });
    const written = allFiles(outputDir);
    // No run leaves a temporary or partial file.
    expect(written.filter((f) => f.endsWith('.partial'))).toEqual([]);
    if (firstInvalidLine) {
      seen.invalid++;
      expect(io.failed).toMatch(
        new RegExp(`^The usage result's row ${firstInvalidLine} \\(line ${firstInvalidLine}\\) `),
      );
      expect(io.failed).not.toContain('\n');
      expect(written.filter((f) => f.endsWith('.json.gz'))).toEqual([]);
      return;
    }
    seen.valid++;
    expect(io.failed).toBeUndefined();
    expect(io.outputs['total-requests']).toBe(String(sums.requests));
    expect(io.outputs['total-429']).toBe(String(sums.status429));
    let fileSum = 0;
    let lines = 0;
    for (const f of written.filter((p) => p.endsWith('.json.gz'))) {
      for (const line of gunzipSync(readFileSync(f)).toString().trimEnd().split('\n')) {
        fileSum += JSON.parse(line).requests as number;
        lines++;
      }
    }
    expect(fileSum).toBe(sums.requests);
    expect(lines).toBe(count);
  });

  it('fed both valid and invalid files', () => {
    expect(seen.valid).toBeGreaterThan(0);
    expect(seen.invalid).toBeGreaterThan(0);
  });
});
