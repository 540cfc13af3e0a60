/**
 * (f) Partition scaling: the same number of legacy rows spread round-robin over 30, 3,000 and 30,000
 * days, replayed by dist/index.js with `granularity: Day` under `ulimit -n 256`, so one partition file
 * per day. Peak memory and wall time at each count against 30 partitions, ratios taken within each
 * round (the counts run in a rotating order), median of the rounds with the lowest and highest.
 */
import { once } from 'node:events';
import {
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import path from 'node:path';
import { legacyBenchRow } from './generate.js';
import { type BenchResult, loadNow, type Measured, measure, median, result, round3 } from './measure.js';
import { actionEnv, DIST, OUT } from './paths.js';

const DAY_MS = 86_400_000;
const FIRST_DAY = Date.UTC(2015, 0, 1);

/** The bench's legacy rows, row i dated `i mod days` days after 2015-01-01. */
async function spreadFile(rows: number, days: number): Promise<string> {
  const file = path.join(OUT, `legacy-${rows}-over-${days}-days.json`);
  if (existsSync(file)) return file;
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('{"results":[');
  for (let i = 0; i < rows; i++) {
    const date = new Date(FIRST_DAY + (i % days) * DAY_MS).toISOString().slice(0, 10);
    await write((i ? ',' : '') + JSON.stringify({ ...legacyBenchRow(i), date: `${date}T00:00:00Z` }));
  }
  await write('],"queryStatus":"Complete"}');
  out.end();
  await once(out, 'finish');
  return file;
}

async function replay(file: string, outputDir: string, partitions: number): Promise<Measured> {
  rmSync(outputDir, { recursive: true, force: true });
  const run = await measure('bash', ['-c', `ulimit -n 256 && exec "${process.execPath}" "${DIST}"`], {
    env: actionEnv({ 'results-file': file, granularity: 'Day', 'output-dir': outputDir }),
  });
  if (run.code !== 0) throw new Error(`dist/index.js failed on ${file} under ulimit -n 256`);
  const written = readdirSync(outputDir, { recursive: true }).filter((f) => String(f).endsWith('.json.gz'));
  if (written.length !== partitions) {
    throw new Error(`${written.length} partition files for ${partitions} days`);
  }
  rmSync(outputDir, { recursive: true, force: true });
  return run;
}

/**
 * The floor the file system sets: `n` partition folders made, each with one 2 KB file written under a
 * temporary name and renamed (what the action does per partition at least), then all removed.
 */
function layoutFloor(n: number): { makeS: number; removeS: number } {
  const dir = path.join(OUT, `layout-floor-${n}`);
  rmSync(dir, { recursive: true, force: true });
  const data = Buffer.alloc(2048, 'x');
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const folder = path.join(dir, 'granularity=day', `dt=${i}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(path.join(folder, 'f.partial'), data);
    renameSync(path.join(folder, 'f.partial'), path.join(folder, 'f.json.gz'));
  }
  const made = performance.now();
  rmSync(dir, { recursive: true, force: true });
  return { makeS: (made - started) / 1000, removeS: (performance.now() - made) / 1000 };
}

export async function partitionBench(
  rows: number,
  counts: readonly number[],
  repeat: number,
): Promise<BenchResult[]> {
  const files = new Map<number, string>();
  for (const n of counts) files.set(n, await spreadFile(rows, n));
  const runs = new Map<number, Measured[]>(counts.map((n) => [n, []]));
  const load = { start: loadNow(), end: [] as number[] };
  for (let round = 0; round < repeat; round++) {
    for (let k = 0; k < counts.length; k++) {
      const n = counts[(round + k) % counts.length] as number;
      runs.get(n)!.push(await replay(files.get(n)!, path.join(OUT, `partitions-${n}`), n));
    }
  }
  load.end = loadNow();
  const base = counts[0] as number;
  const label = (n: number) => `partitions: ${rows} legacy rows over ${n} days, ulimit -n 256`;
  const spread = (values: number[]) => ({
    min: round3(Math.min(...values)),
    max: round3(Math.max(...values)),
  });
  const results: BenchResult[] = [];
  for (const n of counts) {
    const measured = runs.get(n)!;
    const wall = measured.map((r) => r.wallMs / 1000);
    const rss = measured.map((r) => r.peakRssMb);
    results.push(
      { ...result(`${label(n)}: wall time`, median(wall), 's', null), spread: spread(wall), load },
      { ...result(`${label(n)}: peak memory`, median(rss), 'MB', null), spread: spread(rss), load },
    );
    if (n === base) continue;
    const baseRuns = runs.get(base)!;
    const ratio = (what: (r: Measured) => number) =>
      measured.map((r, i) => what(r) / what(baseRuns[i] as Measured));
    // Goals of issue 11: memory flat in the partition count, time at most a few times that of 30.
    const goals = (unit: 'MB' | 's') =>
      unit === 'MB' ? (n <= 100 * base ? 1.2 : 1.5) : n <= 100 * base ? undefined : 3;
    for (const [what, unit, of] of [
      ['peak memory', 'MB', (r: Measured) => r.peakRssMb],
      ['wall time', 's', (r: Measured) => r.wallMs / 1000],
    ] as const) {
      const r = ratio(of);
      const maxRatio = goals(unit);
      const values = measured.map(of);
      results.push({
        ...result(`${label(n)}: ${what} vs ${base} days`, median(values), unit, median(baseRuns.map(of)), {
          maxRatio,
        }),
        ratio: round3(median(r)),
        met: maxRatio === undefined ? null : median(r) <= maxRatio,
        spread: spread(r),
        load,
      });
    }
  }
  const floorLoad = loadNow();
  const largest = Math.max(...counts);
  const floor = layoutFloor(largest);
  results.push({
    ...result(
      `partitions: floor, ${largest} folders and files made (mkdir, write, rename)`,
      floor.makeS,
      's',
      null,
    ),
    load: { start: floorLoad, end: loadNow() },
    note: `removing them took ${round3(floor.removeS)} s; the action also lists and clears the folders (stale files)`,
  });
  return results;
}
