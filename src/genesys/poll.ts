/** Waits for a Genesys job to leave its pending states, logging each state change, never past the deadline. */
import { formatDuration } from '../duration.js';
import type { UserError } from '../errors.js';
import type { RetryContext } from './retry.js';
import { nextPollDelay } from './schedule.js';

export interface PollOptions<T> {
  /** `Job 1234`: starts every log line. */
  label: string;
  /** One status request (retries included). */
  check: () => Promise<T>;
  statusOf: (value: T) => string;
  isFinal: (status: string) => boolean;
  /** When the job was submitted (epoch ms), for the elapsed time in the log. */
  since: number;
  /** The error to throw when the deadline passes first, given the last status seen. */
  timeoutError: (lastStatus: string) => UserError;
}

export async function pollUntilFinal<T>(options: PollOptions<T>, rc: RetryContext): Promise<T> {
  let delay: number | undefined;
  let last: string | undefined;
  for (;;) {
    const remaining = rc.deadline - rc.now().getTime();
    if (remaining <= 0) throw options.timeoutError(last ?? 'submitted');
    delay = nextPollDelay(delay, rc.random);
    await rc.sleep(Math.min(delay, remaining));
    const value = await options.check();
    const status = options.statusOf(value);
    if (status !== last) {
      rc.io.info(`${options.label}: ${status} (${formatDuration(rc.now().getTime() - options.since)})`);
      last = status;
    }
    if (options.isFinal(status)) return value;
  }
}
