/**
 * Pure timing rules for talking to Genesys Cloud: how long to wait between status polls, between
 * retries, and what a `Retry-After` header asks for. Randomness comes in as a function so tests pin it.
 */

export const POLL_FIRST_MS = 1000;
export const POLL_MAX_MS = 30_000;
const POLL_MIN_FACTOR = 1.5;
const POLL_MAX_FACTOR = 2;

/** Delay before the next status check: 1 s first, then ×1.5 to ×2 (jittered), capped at 30 s. */
export function nextPollDelay(previousMs: number | undefined, random: () => number = Math.random): number {
  if (previousMs === undefined) return POLL_FIRST_MS;
  const factor = POLL_MIN_FACTOR + (POLL_MAX_FACTOR - POLL_MIN_FACTOR) * clamp01(random());
  return Math.min(POLL_MAX_MS, Math.round(previousMs * factor));
}

const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 30_000;

/**
 * Delay before retry number `attempt` (0-based) of a failed call: 1 s, 2 s, 4 s, 8 s ... with jitter
 * down to half of that, so several runners that failed together do not retry together.
 */
export function retryDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt);
  return Math.round(ceiling * (0.5 + 0.5 * clamp01(random())));
}

/**
 * `Retry-After` in milliseconds: delta-seconds (what Genesys sends) or an HTTP date.
 * Undefined when absent or unreadable.
 */
export function parseRetryAfter(value: unknown, nowMs: number): number | undefined {
  const text = Array.isArray(value) ? value[0] : value;
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  if (typeof text !== 'string' || !text.trim()) return undefined;
  const trimmed = text.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}

function clamp01(n: number): number {
  return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0.5;
}
