/**
 * `npm run bench [-- --quick]`: every figure as one JSON object per line
 * ({"name","value","unit","baseline","ratio","goal","met"}), and all of them in bench-out/results.json.
 * Full sizes take a few minutes; --quick runs reduced sizes in under a minute.
 */
import { writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import path from 'node:path';
import { coldStartBench } from './cold-start.js';
import { type BenchResult, loadNow } from './measure.js';
import { pagingBench } from './paging.js';
import { partitionBench } from './partitions.js';
import { OUT } from './paths.js';
import { pipelineBench } from './pipeline.js';
import { pollingBench } from './polling.js';
import { replayBench } from './replay.js';

const quick = process.argv.includes('--quick');
/** `--only replay,partitions`: just those benchmarks (results go to a file of their own). */
const onlyAt = process.argv.indexOf('--only');
const only = onlyAt >= 0 ? (process.argv[onlyAt + 1] ?? '').split(',') : undefined;
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.NO_PROXY = '127.0.0.1,localhost';
for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete process.env[name];

const all: BenchResult[] = [];
/** Runs one benchmark and prints its figures, each with the machine's load when it ran. */
const emit = async (name: string, bench: () => BenchResult[] | Promise<BenchResult[]>) => {
  if (only && !only.includes(name)) return;
  const start = loadNow();
  const results = await bench();
  const end = loadNow();
  for (const r of results) {
    r.load ??= { start, end };
    all.push(r);
    console.log(JSON.stringify(r));
  }
};

console.log(JSON.stringify({ machine: { cpus: cpus().length, load: loadNow(), node: process.version } }));
await emit('replay', () => replayBench(quick ? 100_000 : 1_000_000, quick ? 1 : 3));
await emit('paging', () => pagingBench(quick ? 10_000 : 100_000, quick ? 100_000 : 1_000_000));
await emit('polling', () => pollingBench());
await emit('cold-start', () => coldStartBench(quick ? 3 : 10));
await emit('pipeline', () => pipelineBench(quick ? 1 : 3));
await emit('partitions', () =>
  quick ? partitionBench(30_000, [30, 300, 3_000], 1) : partitionBench(300_000, [30, 365, 3_000, 30_000], 3),
);
writeFileSync(
  path.join(OUT, `${only ? `results-${only.join('-')}` : 'results'}${quick ? '-quick' : ''}.json`),
  JSON.stringify(all, null, 2) + '\n',
);
