/**
 * One retry policy for every Genesys Cloud call (login, submit, poll, page):
 * 429: wait what `Retry-After` says, then go on; 408, 5xx, no response and an answer that is not JSON:
 * a few retries with backoff; any other status: fail at once. Errors are reduced to status, code and the
 * service's message at the first catch, because the SDK's error objects carry the request headers (Basic
 * or Bearer credentials). A call that fails for good names Genesys Cloud, the call and the cause.
 */
import { formatDuration } from '../duration.js';
import { UserError } from '../errors.js';
import type { ActionIO } from '../io.js';
import { parseRetryAfter, retryDelay } from './schedule.js';

/** What a failed call tells us, safe to log. */
export interface Failure {
  /** HTTP status, when the service answered. */
  status?: number;
  /** The service's error code (`too.many.requests.retry.after`, `invalid_client`) or the socket's (`ECONNRESET`). */
  code?: string;
  /** The service's description or the transport's message; one line. */
  message: string;
  retryAfterMs?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null;
const oneLine = (s: string, max = 300) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

function header(headers: unknown, name: string): unknown {
  if (!isObj(headers)) return undefined;
  // AxiosHeaders has get(); plain objects from other clients are indexed (Node lower-cases names).
  const get = headers.get;
  if (typeof get === 'function') return (get as (n: string) => unknown).call(headers, name);
  return headers[name] ?? headers[name.toLowerCase()];
}

/** The service's own explanation: API errors have `message`/`code`, OAuth errors `error_description`/`error`. */
export function serviceMessage(body: unknown): { message?: string; code?: string } {
  if (typeof body === 'string') return body.trim() ? { message: oneLine(body, 200) } : {};
  if (!isObj(body)) return {};
  const pick = (...keys: string[]) => {
    for (const key of keys) {
      const value = body[key];
      if (typeof value === 'string' && value.trim()) return oneLine(value);
    }
    return undefined;
  };
  return {
    message: pick('message', 'error_description', 'description', 'error'),
    code: pick('code', 'error'),
  };
}

/** Reduces whatever the SDK rejected with to a Failure. Never keeps a reference to the error itself. */
export function describeFailure(error: unknown, nowMs: number): Failure {
  if (typeof error === 'string') return { message: oneLine(error) };
  if (!isObj(error)) return { message: 'unknown error' };
  // With setReturnExtendedResponses(true), API errors are {status, headers, body, error}.
  // The login, and axios errors in general, keep the answer under `response`.
  const response =
    typeof error.status === 'number' && 'body' in error
      ? { status: error.status, headers: error.headers, body: error.body }
      : isObj(error.response) && typeof error.response.status === 'number'
        ? { status: error.response.status, headers: error.response.headers, body: error.response.data }
        : undefined;
  if (response) {
    const { message, code } = serviceMessage(response.body);
    return {
      status: response.status,
      code: code !== message ? code : undefined,
      message: message ?? `HTTP ${response.status} without a message`,
      retryAfterMs: parseRetryAfter(header(response.headers, 'retry-after'), nowMs),
    };
  }
  const code = typeof error.code === 'string' ? error.code : undefined;
  const message = typeof error.message === 'string' && error.message ? oneLine(error.message) : 'no response';
  return { code, message };
}

function formatFailure(failure: Failure): string {
  if (failure.status === undefined) {
    return failure.code && !failure.message.includes(failure.code)
      ? `${failure.code} (${failure.message})`
      : failure.message;
  }
  return `HTTP ${failure.status}${failure.code ? ` (${failure.code})` : ''}: ${failure.message}`;
}

/** Every failure line of the query names the service: a workflow may also run Glue or other jobs. */
const SERVICE = 'Genesys Cloud';

/** A UserError whose one line starts with `Genesys Cloud: `. */
export function genesysError(message: string): UserError {
  return new UserError(`${SERVICE}: ${message}`);
}

/** `text` then `sentence`, with a full stop between them unless `text` already ends a sentence. */
function appendSentence(text: string, sentence: string | undefined): string {
  if (!sentence) return text;
  return `${text}${/[.!?:]$/.test(text) ? ' ' : '. '}${sentence}`;
}

/**
 * A call that failed for good; its message is one line naming the service, the call, the status and
 * the service's reason, e.g. `Genesys Cloud: Reading page 3 of job j failed after 5 attempts: HTTP 500: ...`.
 */
export class GenesysRequestError extends UserError {
  /** The message after "<what> failed", so a caller (the login) can name the call its own way. */
  readonly detail: string;
  constructor(
    readonly what: string,
    readonly failure: Failure,
    readonly attempts: number,
    /** A parenthetical, e.g. why no retry was made. */
    note?: string,
    /** Advice for this status, a sentence of its own. */
    hint?: string,
  ) {
    const failed = `${formatFailure(failure)}${note ? ` ${note}` : ''}`;
    const detail = `${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${appendSentence(failed, hint)}`;
    super(`${SERVICE}: ${what} failed${detail}`);
    this.detail = detail;
    this.name = 'GenesysRequestError';
  }
}

/**
 * The answer's body was not JSON (the SDK then hands the raw text over as the body): usually a body cut
 * off on the way, so `withRetry` retries it like a lost connection.
 */
export class NotJsonError extends Error {
  constructor(text: string) {
    const excerpt = oneLine(text, 60);
    super(excerpt ? `the answer was not JSON: '${excerpt}'` : 'the answer was empty, not JSON');
    this.name = 'NotJsonError';
  }
}

export interface RetryContext {
  io: Pick<ActionIO, 'info'>;
  now: () => Date;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
  /** Epoch ms: no wait may end after it. */
  deadline: number;
  /** How to name the deadline in a message, e.g. "query-timeout (15m)". */
  deadlineName: string;
  /** Extra advice per HTTP status, e.g. the permission a 403 means. */
  hints?: Partial<Record<number, string>>;
  /**
   * Called before each attempt with the time left before the deadline (ms, may be <= 0), so the
   * request's own HTTP timeout can be cut to it.
   */
  beforeAttempt?: (remainingMs: number) => void;
}

/** Retries of 408, 5xx, lost connections and non-JSON answers; 429s are not counted here (they say when to come back). */
export const MAX_RETRIES = 4;
/** A safety net for a service that answers 429 forever with a tiny Retry-After. */
const MAX_THROTTLED = 100;

export async function withRetry<T>(what: string, call: () => Promise<T>, rc: RetryContext): Promise<T> {
  let retries = 0;
  let throttled = 0;
  for (let attempt = 1; ; attempt++) {
    let failure: Failure;
    try {
      rc.beforeAttempt?.(rc.deadline - rc.now().getTime());
      return await call();
    } catch (error) {
      failure = describeFailure(error, rc.now().getTime());
    }
    const status = failure.status;
    const fail = (note?: string) =>
      new GenesysRequestError(what, failure, attempt, note, status ? rc.hints?.[status] : undefined);

    let waitMs: number;
    let why: string;
    if (status === 429 && throttled < MAX_THROTTLED) {
      waitMs = failure.retryAfterMs ?? retryDelay(Math.min(throttled, 5), rc.random);
      why = failure.retryAfterMs !== undefined ? 'as Retry-After asks' : 'no Retry-After, backing off';
      throttled++;
    } else if ((status === undefined || status === 408 || status >= 500) && retries < MAX_RETRIES) {
      waitMs = retryDelay(retries, rc.random);
      why = `retry ${retries + 1} of ${MAX_RETRIES}`;
      retries++;
    } else {
      throw fail();
    }
    const remaining = rc.deadline - rc.now().getTime();
    if (status === 429 ? waitMs > remaining : remaining <= 0) {
      throw fail(`(waiting ${formatDuration(waitMs)} more would pass ${rc.deadlineName})`);
    }
    waitMs = Math.min(waitMs, remaining);
    rc.io.info(`${what}: ${formatFailure(failure)}; waiting ${formatDuration(waitMs)} (${why}).`);
    await rc.sleep(waitMs);
  }
}
