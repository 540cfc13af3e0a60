/** The runner's side of the action (logs, outputs, job summary), over @actions/core, so tests can swap it. */
import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import type { Env } from './types.js';
import { forAnnotation, forLog, shorten } from './escape.js';
import { FAILURE_MESSAGE_LIMIT_CHARS, LOG_LINE_LIMIT_CHARS } from './limits.js';

export interface ActionIO {
  info(message: string): void;
  warning(message: string, title?: string): void;
  error(message: string): void;
  debug(message: string): void;
  setSecret(secret: string): void;
  setOutput(name: string, value: string): void;
  setFailed(message: string): void;
  group<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Writes the job summary; false when not on a runner (no GITHUB_STEP_SUMMARY). */
  writeJobSummary(markdown: string): Promise<boolean>;
}

/**
 * Messages may quote the data (client names, rows, AWS's and Genesys's answers): every one is made
 * neutral here, at the one place they leave the process. `core.info` writes a line as it is, so a
 * value could otherwise start a workflow command (`::add-mask::`, `::stop-commands::`) or hide
 * behind bidi overrides; annotations are shortened so none grows to megabytes.
 */
const logLine = (m: string) => forLog(shorten(m, LOG_LINE_LIMIT_CHARS));
const annotation = (m: string, max = LOG_LINE_LIMIT_CHARS) => forAnnotation(shorten(m, max));

export function coreIO(env: Env): ActionIO {
  // Off a runner there is no GITHUB_OUTPUT file: print the outputs instead of failing.
  const outputsToLog = !env.GITHUB_OUTPUT || !existsSync(env.GITHUB_OUTPUT);
  return {
    info: (m) => core.info(logLine(m)),
    warning: (m, title) => core.warning(annotation(m), title ? { title: logLine(title) } : undefined),
    error: (m) => core.error(annotation(m)),
    debug: (m) => core.debug(annotation(m)),
    setSecret: (s) => core.setSecret(s),
    setOutput: (name, value) =>
      outputsToLog ? core.info(logLine(`output ${name}=${value}`)) : core.setOutput(name, value),
    setFailed: (m) => core.setFailed(annotation(m, FAILURE_MESSAGE_LIMIT_CHARS)),
    group: (name, fn) => core.group(logLine(name), fn),
    async writeJobSummary(markdown) {
      if (!env.GITHUB_STEP_SUMMARY) return false;
      await core.summary.addRaw(markdown, true).write({ overwrite: false });
      core.summary.emptyBuffer();
      return true;
    },
  };
}
