/** The runner's side of the action (logs, outputs, job summary), over @actions/core, so tests can swap it. */
import * as core from '@actions/core';
import { existsSync } from 'node:fs';
import type { Env } from './types.js';

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

export function coreIO(env: Env): ActionIO {
  // Off a runner there is no GITHUB_OUTPUT file: print the outputs instead of failing.
  const outputsToLog = !env.GITHUB_OUTPUT || !existsSync(env.GITHUB_OUTPUT);
  return {
    info: (m) => core.info(m),
    warning: (m, title) => core.warning(m, title ? { title } : undefined),
    error: (m) => core.error(m),
    debug: (m) => core.debug(m),
    setSecret: (s) => core.setSecret(s),
    setOutput: (name, value) =>
      outputsToLog ? core.info(`output ${name}=${value}`) : core.setOutput(name, value),
    setFailed: (m) => core.setFailed(m),
    group: (name, fn) => core.group(name, fn),
    async writeJobSummary(markdown) {
      if (!env.GITHUB_STEP_SUMMARY) return false;
      await core.summary.addRaw(markdown, true).write({ overwrite: false });
      core.summary.emptyBuffer();
      return true;
    },
  };
}
