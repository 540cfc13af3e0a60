/** An ActionIO that records everything, for in-process runs of `run()` and stage functions. */
import type { ActionIO } from '../../src/io.js';

export interface CapturedIO extends ActionIO {
  lines: string[];
  warnings: string[];
  errors: string[];
  secrets: string[];
  outputs: Record<string, string>;
  failed?: string;
  jobSummary: string;
  /** Everything printed, one string, for "never appears" checks. */
  all(): string;
}

export function captureIO(): CapturedIO {
  const io: CapturedIO = {
    lines: [],
    warnings: [],
    errors: [],
    secrets: [],
    outputs: {},
    jobSummary: '',
    info: (m) => void io.lines.push(m),
    warning: (m) => void io.warnings.push(m),
    error: (m) => void io.errors.push(m),
    debug: (m) => void io.lines.push(`debug: ${m}`),
    setSecret: (s) => void io.secrets.push(s),
    setOutput: (name, value) => void (io.outputs[name] = value),
    setFailed: (m) => void (io.failed = m),
    group: async (name, fn) => {
      io.lines.push(`group: ${name}`);
      return fn();
    },
    writeJobSummary: async (markdown) => {
      io.jobSummary += markdown;
      return true;
    },
    all: () =>
      [
        ...io.lines,
        ...io.warnings,
        ...io.errors,
        io.failed ?? '',
        io.jobSummary,
        JSON.stringify(io.outputs),
      ].join('\n'),
  };
  return io;
}
