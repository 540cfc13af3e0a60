/** (b) Paging: aggregates rows in 1000-row pages from the loopback fake; memory must not grow with rows. */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { FakeGenesys } from '../test/support/fake-genesys.js';
import { aggregatesBenchRow } from './generate.js';
import { type BenchResult, measure, result } from './measure.js';
import { actionEnv, DIST, OUT } from './paths.js';

async function pagedRun(rows: number): Promise<{ wallMs: number; peakRssMb: number }> {
  const fake = await FakeGenesys.start();
  const pages: unknown[][] = [];
  for (let start = 0; start < rows; start += 1000) {
    pages.push(Array.from({ length: Math.min(1000, rows - start) }, (_, k) => aggregatesBenchRow(start + k)));
  }
  fake.addJob({ statuses: ['Succeeded'], pages });
  const outputDir = path.join(OUT, `paging-${rows}`);
  rmSync(outputDir, { recursive: true, force: true });
  try {
    const run = await measure(process.execPath, [DIST], {
      env: actionEnv({
        'client-id': fake.clientId,
        'client-secret': fake.clientSecret,
        environment: fake.url,
        interval: '2026-10-01/2026-10-31',
        granularity: 'Day',
        'group-by': 'OauthClientId,TemplateUri,HttpMethod',
        'output-dir': outputDir,
      }),
    });
    if (run.code !== 0) throw new Error(`dist/index.js failed paging ${rows} rows`);
    return run;
  } finally {
    await fake.close();
  }
}

export async function pagingBench(small: number, large: number): Promise<BenchResult[]> {
  const base = await pagedRun(small);
  const big = await pagedRun(large);
  return [
    result(`paging ${large} vs ${small} aggregates rows: peak memory`, big.peakRssMb, 'MB', base.peakRssMb, {
      maxRatio: 1.3,
    }),
    result(`paging ${large} aggregates rows: wall time`, big.wallMs / 1000, 's', null),
  ];
}
