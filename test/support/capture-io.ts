/**
 * The one recording ActionIO of the tests, for in-process runs of `run()` and of stage functions,
 * and the StageContext a stage function runs with.
 */
import type { Env } from '../../src/types.js';
import type { ActionIO } from '../../src/io.js';
import type { StageContext } from '../../src/stages.js';
import { type VirtualClock, virtualClock } from './isolation.js';

/** One info, warning, error, debug or setFailed call. */
export interface CapturedEvent {
  level: 'info' | 'warning' | 'error' | 'debug' | 'failed';
  message: string;
}

export interface CapturedIO extends ActionIO {
  /** Every info, warning, error, debug and setFailed message, in call order. */
  events: CapturedEvent[];
  /** The info messages, in order. */
  lines: string[];
  /** The warning messages, in order (titles are not kept). */
  warnings: string[];
  /** The error messages, in order (setFailed's message is not among them: see `failed`). */
  errors: string[];
  /** The last setFailed message; undefined while the step has not failed. */
  failed?: string;
  /** The names of the groups, in the order they opened. */
  groups: string[];
  /** The values given to setSecret, in order. */
  secrets: string[];
  /** The outputs by name (a later setOutput of a name replaces the earlier one). */
  outputs: Record<string, string>;
  /** The markdown of each writeJobSummary call, in order (every call reports it was written). */
  jobSummaries: string[];
  /** Everything but the secrets as one string (events as `level: message`), for "never appears" checks. */
  text(): string;
}

export function captureIO(): CapturedIO {
  const record = (level: CapturedEvent['level'], message: string) => void io.events.push({ level, message });
  const io: CapturedIO = {
    events: [],
    lines: [],
    warnings: [],
    errors: [],
    groups: [],
    secrets: [],
    outputs: {},
    jobSummaries: [],
    info: (m) => {
      record('info', m);
      io.lines.push(m);
    },
    warning: (m) => {
      record('warning', m);
      io.warnings.push(m);
    },
    error: (m) => {
      record('error', m);
      io.errors.push(m);
    },
    debug: (m) => record('debug', m),
    setFailed: (m) => {
      record('failed', m);
      io.failed = m;
    },
    setSecret: (s) => void io.secrets.push(s),
    setOutput: (name, value) => void (io.outputs[name] = value),
    group: async (name, fn) => {
      io.groups.push(name);
      return fn();
    },
    writeJobSummary: async (markdown) => {
      io.jobSummaries.push(markdown);
      return true;
    },
    text: () =>
      [
        ...io.events.map((e) => `${e.level}: ${e.message}`),
        ...io.groups.map((name) => `group: ${name}`),
        ...Object.entries(io.outputs).map(([name, value]) => `output ${name}=${value}`),
        ...io.jobSummaries,
      ].join('\n'),
  };
  return io;
}

/** What a stage function runs with: a fresh captureIO(), `env` (default {}), the clock's time and sleep. */
export function stageContext({ clock = virtualClock(), env = {} }: { clock?: VirtualClock; env?: Env } = {}) {
  const io = captureIO();
  const ctx: StageContext = { io, env, now: clock.now, sleep: clock.sleep };
  return { ctx, io, clock };
}
