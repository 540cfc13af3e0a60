/**
 * Keeping tests off the machine: temp folders removed after each test file, requests no proxy sees,
 * and time that moves only when the code sleeps.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Env } from '../../src/types.js';

/** One folder per test file, holding every tempDir() of that file; removed after its tests. */
let tempRoot: string | undefined;

// Under jest only: the benchmarks (plain node) use these helpers too.
if (typeof afterAll === 'function') {
  afterAll(() => {
    if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
    tempRoot = undefined;
  });
}

/** A fresh, empty folder named after `label`, removed with the rest after the test file. */
export function tempDir(label: string): string {
  tempRoot ??= mkdtempSync(path.join(tmpdir(), 'action-tests-'));
  return mkdtempSync(path.join(tempRoot, `${label}-`));
}

const PROXY_VARIABLES = ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy'];

/**
 * A copy of `env` that keeps clients and child processes on loopback whatever the machine's proxy
 * settings: no proxy variables, NO_PROXY for 127.0.0.1. For the test process itself:
 * `process.env = loopbackOnly(process.env)`.
 */
export function loopbackOnly(env: Env): Env {
  const out: Env = { ...env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
  for (const name of PROXY_VARIABLES) delete out[name];
  return out;
}

/** Time that moves only when the code sleeps: waits take no real time and nothing is timed. */
export function virtualClock(start = new Date('2026-11-21T06:00:00Z')) {
  let t = start.getTime();
  const sleeps: number[] = [];
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
      // Let pending I/O run, as a real sleep would.
      await new Promise((resolve) => setImmediate(resolve));
    },
    /** Every sleep, in ms, in order. */
    sleeps,
    /** Milliseconds since `start`. */
    elapsed: () => t - start.getTime(),
  };
}

export type VirtualClock = ReturnType<typeof virtualClock>;
