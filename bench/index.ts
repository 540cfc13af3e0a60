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
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
process.env.NO_PROXY = '127.0.0.1,localhost';
for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy']) delete process.env[name];

const all: BenchResult[] = [];
/** Runs one benchmark and prints its figures, each with the machine's load when it ran. */
const emit = async (bench: () => BenchResult[] | Promise<BenchResult[]>) => {
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
await emit(() => replayBench(quick ? 100_000 : 1_000_000, quick ? 1 : 3));
await emit(() => pagingBench(quick ? 10_000 : 100_000, quick ? 100_000 : 1_000_000));
await emit(() => pollingBench());
await emit(() => coldStartBench(quick ? 3 : 10));
await emit(() => pipelineBench(quick ? 1 : 3));
await emit(() =>
  quick ? partitionBench(30_000, [30, 300, 3_000], 1) : partitionBench(300_000, [30, 3_000, 30_000], 3),
);
writeFileSync(
  path.join(OUT, quick ? 'results-quick.json' : 'results.json'),
  JSON.stringify(all, null, 2) + '\n',
);
