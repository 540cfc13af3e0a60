/** (d) Cold start: `node dist/index.js` until its first request reaches the fake, against `node -e ''`. */
import { spawn } from 'node:child_process';
import { FakeGenesys } from '../test/support/fake-genesys.js';
import { type BenchResult, median, result } from './measure.js';
import { actionEnv, DIST } from './paths.js';

async function untilFirstRequest(fake: FakeGenesys): Promise<number> {
  const before = fake.requests.length;
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, [DIST], {
    env: actionEnv({
      'client-id': fake.clientId,
      'client-secret': fake.clientSecret,
      environment: fake.url,
      interval: 'P1D',
      'output-dir': '/tmp/bench-cold-start',
    }),
    stdio: 'ignore',
  });
  while (fake.requests.length === before) await new Promise((r) => setImmediate(r));
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  await new Promise((resolve) => child.on('close', resolve));
  return ms;
}

/** `node -e ''` from spawn to exit, spawned the same way. */
async function bareNode(): Promise<number> {
  const started = process.hrtime.bigint();
  const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' });
  await new Promise((resolve) => child.on('close', resolve));
  return Number(process.hrtime.bigint() - started) / 1e6;
}

export async function coldStartBench(runs: number): Promise<BenchResult[]> {
  const fake = await FakeGenesys.start();
  try {
    const action: number[] = [];
    const bare: number[] = [];
    for (let i = 0; i < runs; i++) {
      action.push(await untilFirstRequest(fake));
      bare.push(await bareNode());
    }
    return [
      result('cold start: until the first request reaches Genesys', median(action), 'ms', median(bare), {}),
    ];
  } finally {
    await fake.close();
  }
}
