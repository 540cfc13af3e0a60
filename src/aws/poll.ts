/** Waiting for remote jobs (crawler, Athena) with backoff, on an injectable clock so tests run in ms. */

export interface Clock {
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
}

/** `first`, then times `factor` per attempt, capped at `max`. */
export function backoffDelay(attempt: number, first: number, max: number, factor = 1.5): number {
  return Math.min(max, Math.round(first * factor ** attempt));
}

export class Poller {
  private attempt = 0;
  private readonly deadline: number;

  constructor(
    private readonly clock: Clock,
    timeoutMs: number,
    private readonly firstDelayMs: number,
    private readonly maxDelayMs: number,
  ) {
    this.deadline = clock.now().getTime() + timeoutMs;
  }

  expired(): boolean {
    return this.clock.now().getTime() >= this.deadline;
  }

  /** Sleeps the next delay, never past the deadline; false once the deadline has passed. */
  async wait(): Promise<boolean> {
    const left = this.deadline - this.clock.now().getTime();
    if (left <= 0) return false;
    await this.clock.sleep(Math.min(left, backoffDelay(this.attempt++, this.firstDelayMs, this.maxDelayMs)));
    return true;
  }

  /** Polls quickly again, e.g. after a state change. */
  reset(): void {
    this.attempt = 0;
  }
}

/**
 * Runs `fn` over `items` with at most `limit` at a time; results in input order. After a failure no
 * new item starts, the running ones finish, then the first error is thrown.
 */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const worker = async () => {
    while (!failed && next < items.length) {
      const index = next++;
      try {
        results[index] = await fn(items[index] as T);
      } catch (error) {
        failed = true;
        throw error;
      }
    }
  };
  const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
  const rejected = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (rejected) throw rejected.reason;
  return results;
}
