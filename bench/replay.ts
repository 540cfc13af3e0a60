/** (a) Replay: a generated legacy result through dist/index.js end to end, against jq (the blueprint's transform). */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { writeLegacyResult } from './generate.js';
import { type BenchResult, type Measured, measure, median, result } from './measure.js';
import { actionEnv, DIST, OUT } from './paths.js';

export async function replayBench(rows: number, repeat: number): Promise<BenchResult[]> {
  const file = path.join(OUT, `legacy-${rows}.json`);
  if (!existsSync(file)) await writeLegacyResult(file, rows);
  const mb = Math.round(statSync(file).size / 1e6);
  const outputDir = path.join(OUT, `replay-${rows}`);
  rmSync(outputDir, { recursive: true, force: true });
  mkdirSync(outputDir, { recursive: true });

  // Medians of `repeat` runs each, alternating, so a busy moment does not decide the verdict.
  const jqRuns: Measured[] = [];
  const actionRuns: Measured[] = [];
  for (let i = 0; i < repeat; i++) {
    const jq = await measure('jq', ['-c', '.results[]', file], {
      stdoutFile: path.join(outputDir, 'jq.ndjson'),
    });
    if (jq.code !== 0) throw new Error('jq failed: is jq installed?');
    jqRuns.push(jq);
    rmSync(path.join(outputDir, 'action'), { recursive: true, force: true });
    const action = await measure(process.execPath, [DIST], {
      env: actionEnv({
        'results-file': file,
        interval: '2026-10-01/2026-10-31',
        granularity: 'Day',
        'output-dir': path.join(outputDir, 'action'),
      }),
    });
    if (action.code !== 0) throw new Error(`dist/index.js failed on ${file}`);
    actionRuns.push(action);
  }
  const jq = {
    wallMs: median(jqRuns.map((r) => r.wallMs)),
    peakRssMb: median(jqRuns.map((r) => r.peakRssMb)),
  };
  const action = {
    wallMs: median(actionRuns.map((r) => r.wallMs)),
    peakRssMb: median(actionRuns.map((r) => r.peakRssMb)),
  };
  const label = `replay ${rows} legacy rows (${mb} MB), median of ${repeat}`;
  return [
    result(`${label}: wall time vs jq`, action.wallMs / 1000, 's', jq.wallMs / 1000, { maxRatio: 0.35 }),
    result(`${label}: peak memory vs jq`, action.peakRssMb, 'MB', jq.peakRssMb, { maxRatio: 0.6 }),
  ];
}
