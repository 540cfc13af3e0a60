/**
 * (a) Replay: a generated legacy result through dist/index.js end to end, against jq (the blueprint's
 * transform, no gzip, no report) and DuckDB doing the whole job (bench/duckdb-job.ts), on the same
 * file, in rounds that run all three in a rotating order, so a busy moment hits each about as often.
 * Ratios are taken within each round and their median reported with the lowest and highest.
 * Also: the fast path's output against the general path's on the same file, memory at 3x the rows,
 * and the floor (deflate of the same output at level 6).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { writeLegacyResult } from './generate.js';
import { checkIdentity } from './identity.js';
import { type BenchResult, loadNow, type Measured, measure, median, result, round3 } from './measure.js';
import { actionEnv, DIST, OUT, ROOT } from './paths.js';

const DUCKDB_JOB = path.join(ROOT, 'build', 'bench', 'duckdb-job.js');

interface Tool {
  name: 'action' | 'jq' | 'duckdb';
  run: () => Promise<Measured>;
}

function spreadOf(values: number[]): { min: number; max: number } {
  return { min: round3(Math.min(...values)), max: round3(Math.max(...values)) };
}

async function legacyFile(rows: number): Promise<string> {
  const file = path.join(OUT, `legacy-${rows}.json`);
  if (!existsSync(file)) await writeLegacyResult(file, rows);
  return file;
}

function actionRun(file: string, outputDir: string): Promise<Measured> {
  rmSync(outputDir, { recursive: true, force: true });
  return measure(process.execPath, [DIST], {
    env: actionEnv({
      'results-file': file,
      interval: '2026-10-01/2026-10-31',
      granularity: 'Day',
      'output-dir': outputDir,
    }),
  });
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.json.gz'))
    .map((e) => path.join(e.parentPath, e.name));
}

export async function replayBench(rows: number, repeat: number): Promise<BenchResult[]> {
  const file = await legacyFile(rows);
  const mb = Math.round(statSync(file).size / 1e6);
  const outputDir = path.join(OUT, `replay-${rows}`);
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });
  const actionDir = path.join(outputDir, 'action');

  const tools: Tool[] = [
    {
      name: 'action',
      run: async () => {
        const run = await actionRun(file, actionDir);
        if (run.code !== 0) throw new Error(`dist/index.js failed on ${file}`);
        return run;
      },
    },
    {
      name: 'jq',
      run: async () => {
        const run = await measure('jq', ['-c', '.results[]', file], {
          stdoutFile: path.join(outputDir, 'jq.ndjson'),
        });
        if (run.code !== 0) throw new Error('jq failed: is jq installed?');
        return run;
      },
    },
    {
      name: 'duckdb',
      run: async () => {
        const dir = path.join(outputDir, 'duckdb');
        rmSync(dir, { recursive: true, force: true });
        const run = await measure(process.execPath, [DUCKDB_JOB, file, dir]);
        if (run.code !== 0) throw new Error(`the DuckDB job failed on ${file}`);
        return run;
      },
    },
  ];

  const runs: Record<Tool['name'], Measured[]> = { action: [], jq: [], duckdb: [] };
  const loadStart = loadNow();
  for (let round = 0; round < repeat; round++) {
    // A rotating order: each tool runs first, second and third equally often.
    for (let k = 0; k < tools.length; k++) {
      const tool = tools[(round + k) % tools.length] as Tool;
      runs[tool.name].push(await tool.run());
    }
  }
  const load = { start: loadStart, end: loadNow() };
  const wall = (name: Tool['name']) => runs[name].map((r) => r.wallMs / 1000);
  const rss = (name: Tool['name']) => runs[name].map((r) => r.peakRssMb);
  const ratios = (a: number[], b: number[]) => a.map((v, i) => v / (b[i] as number));
  const label = `replay ${rows} legacy rows (${mb} MB), ${repeat} rounds`;
  const vs = (
    what: string,
    value: number[],
    baseline: number[],
    unit: string,
    maxRatio: number,
  ): BenchResult => {
    const r = ratios(value, baseline);
    return {
      ...result(`${label}: ${what}`, median(value), unit, median(baseline), { maxRatio }),
      ratio: round3(median(r)),
      met: median(r) <= maxRatio,
      spread: spreadOf(r),
      load,
    };
  };
  const absolute = (name: Tool['name'], unit: 's' | 'MB', values: number[]): BenchResult => ({
    ...result(`${label}: ${name} ${unit === 's' ? 'wall time' : 'peak memory'}`, median(values), unit, null),
    spread: spreadOf(values),
    load,
  });
  const cpu = runs.action.map((r) => r.cpuS / (r.wallMs / 1000));

  const results: BenchResult[] = [
    vs('wall time vs DuckDB', wall('action'), wall('duckdb'), 's', 0.5),
    vs('peak memory vs DuckDB', rss('action'), rss('duckdb'), 'MB', 0.15),
    vs('wall time vs jq', wall('action'), wall('jq'), 's', 0.25),
    vs('peak memory vs jq', rss('action'), rss('jq'), 'MB', 0.6),
    absolute('action', 's', wall('action')),
    absolute('duckdb', 's', wall('duckdb')),
    absolute('jq', 's', wall('jq')),
    absolute('action', 'MB', rss('action')),
    absolute('duckdb', 'MB', rss('duckdb')),
    absolute('jq', 'MB', rss('jq')),
    {
      // CPU seconds depend far less on what else the machine runs than wall time does.
      ...result(
        `${label}: action CPU time (user + system)`,
        median(runs.action.map((r) => r.cpuS)),
        's',
        null,
      ),
      spread: spreadOf(runs.action.map((r) => r.cpuS)),
      load,
    },
    {
      ...result(
        `${label}: action CPU time / wall time (above 1: more than one core busy)`,
        median(cpu),
        'x',
        null,
      ),
      spread: spreadOf(cpu),
      load,
    },
  ];

  // The floor: deflating the same NDJSON at level 6 (the action's setting) on one core, from a file.
  const plain = path.join(outputDir, 'output.ndjson');
  writeFileSync(plain, '');
  for (const f of files(actionDir)) execFileSync('sh', ['-c', `gzip -dc '${f}' >> '${plain}'`]);
  const floorLoad = loadNow();
  const deflate = await measure('gzip', ['-6', '-c', plain]);
  rmSync(plain, { force: true });
  const floor = deflate.cpuS / 2;
  results.push({
    ...result(
      `${label}: floor, deflate level 6 of the output (${Math.round(statSync(file).size / 1e6)} MB in) on one core ÷ 2 cores`,
      floor,
      's',
      null,
    ),
    load: { start: floorLoad, end: loadNow() },
    note: `gzip -6 took ${round3(deflate.cpuS)} CPU s; the action's median wall time is ${round3(median(wall('action')) / floor)}x this floor`,
  });

  // Byte identity of the fast path's output with the general path's, on the same file.
  const identityLoad = loadNow();
  const identity = await checkIdentity(file, path.join(outputDir, 'identity'));
  results.push({
    ...result(
      `${label}: fast path output identical to the general path's (1 = yes)`,
      identity.identical ? 1 : 0,
      '',
      null,
      {
        text: '= 1',
      },
    ),
    met: identity.identical,
    load: { start: identityLoad, end: loadNow() },
    note: `${identity.fastRows} of ${identity.rows} rows fast, ${identity.files} files; in-process ${round3(identity.fastMs / 1000)} s fast vs ${round3(identity.generalMs / 1000)} s general`,
  });
  results.push({
    ...result(
      `${label}: in-process replay, fast path vs general path`,
      identity.fastMs / 1000,
      's',
      identity.generalMs / 1000,
    ),
    load: { start: identityLoad, end: loadNow() },
  });

  // Memory as rows grow: 3x the rows, against the median above.
  const bigRows = rows * 3;
  const bigFile = await legacyFile(bigRows);
  const bigLoad = loadNow();
  const big = await actionRun(bigFile, path.join(outputDir, 'action-big'));
  if (big.code !== 0) throw new Error(`dist/index.js failed on ${bigFile}`);
  rmSync(outputDir, { recursive: true, force: true });
  results.push({
    ...result(
      `replay ${bigRows} vs ${rows} legacy rows: peak memory`,
      big.peakRssMb,
      'MB',
      median(rss('action')),
      {
        maxRatio: 1.3,
      },
    ),
    load: { start: bigLoad, end: loadNow() },
    note: `${round3(big.wallMs / 1000)} s wall for ${bigRows} rows`,
  });
  return results;
}
