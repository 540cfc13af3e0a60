/**
 * (c) Polling, on a simulated clock: requests made, and the delay between the result being ready
 * and being seen, with the action's schedule (src/genesys/schedule.ts) against a fixed 5-second poll
 * (the Genesys CLI's way). The jitter is averaged over many seeded runs.
 */
import { nextPollDelay } from '../src/genesys/schedule.js';
import { type BenchResult, result } from './measure.js';

interface Polled {
  requests: number;
  delayMs: number;
}

/** Checks until one lands at or after `readyMs`. */
function simulate(readyMs: number, next: (previous: number | undefined) => number): Polled {
  let t = 0;
  let previous: number | undefined;
  let requests = 0;
  for (;;) {
    previous = next(previous);
    t += previous;
    requests++;
    if (t >= readyMs) return { requests, delayMs: t - readyMs };
  }
}

/** A small deterministic generator, so every run of the benchmark gives the same figures. */
function seeded(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 2 ** 32;
  };
}

export function pollingBench(): BenchResult[] {
  const out: BenchResult[] = [];
  for (const [label, readyMs] of [
    ['2 s', 2_000],
    ['30 s', 30_000],
    ['5 min', 300_000],
  ] as const) {
    const fixed = simulate(readyMs, () => 5_000);
    const runs = Array.from({ length: 1000 }, (_, seed) => {
      const random = seeded(seed + 1);
      return simulate(readyMs, (previous) => nextPollDelay(previous, random));
    });
    const requests = runs.reduce((s, r) => s + r.requests, 0) / runs.length;
    const delayMs = runs.reduce((s, r) => s + r.delayMs, 0) / runs.length;
    out.push(
      result(`polling, ready after ${label}: requests vs fixed 5 s`, requests, 'requests', fixed.requests, {
        maxRatio: 1 / 3,
      }),
    );
    out.push(
      result(
        `polling, ready after ${label}: delay as a share of the wait`,
        delayMs / readyMs,
        'fraction',
        null,
        {
          max: 0.1,
        },
      ),
    );
  }
  return out;
}
