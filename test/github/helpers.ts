/** Shared by the tests under test/github: a recording ActionIO, configs and event payload files. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { type Config, type Env, parseConfig } from '../../src/config.js';
import type { ActionIO } from '../../src/io.js';
import type { StageContext } from '../../src/main.js';

export interface RecordingIO extends ActionIO {
  infos: string[];
  warnings: string[];
  failures: string[];
  outputs: Record<string, string>;
  summaries: string[];
}

export function recordingIO(): RecordingIO {
  const io: RecordingIO = {
    infos: [],
    warnings: [],
    failures: [],
    outputs: {},
    summaries: [],
    info: (m) => void io.infos.push(m),
    warning: (m) => void io.warnings.push(m),
    error: (m) => void io.failures.push(m),
    debug: () => undefined,
    setSecret: () => undefined,
    setOutput: (name, value) => void (io.outputs[name] = value),
    setFailed: (m) => void io.failures.push(m),
    group: (_name, fn) => fn(),
    writeJobSummary: async (markdown) => {
      io.summaries.push(markdown);
      return true;
    },
  };
  return io;
}

export function stageContext(io: ActionIO, env: Env): StageContext {
  return { io, env, now: () => new Date('2026-11-21T12:00:00Z'), sleep: async () => undefined };
}

/** A valid config for the comment stage (a replay, so no credentials are needed). */
export function commentConfig(githubToken: string): Config {
  const inputs: Record<string, string> = { 'results-file': 'unused.json', 'github-token': githubToken };
  return parseConfig((name) => inputs[name] ?? '', {}, new Date('2026-11-21T12:00:00Z'));
}

export async function tempDir(): Promise<{ dir: string; remove: () => Promise<void> }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'gh-test-'));
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

export async function writeJson(dir: string, name: string, value: unknown): Promise<string> {
  const file = path.join(dir, name);
  await writeFile(file, JSON.stringify(value));
  return file;
}

/** A pull_request payload; `head` is the head repository (null: a deleted fork). */
export function pullRequestPayload(
  number: number,
  base = 'acme/app',
  head: string | null = base,
  author = 'octocat',
): unknown {
  return {
    action: 'synchronize',
    number,
    pull_request: {
      number,
      user: { login: author },
      head: { ref: 'feature', repo: head === null ? null : { full_name: head } },
      base: { ref: 'main', repo: { full_name: base } },
    },
    repository: { full_name: base },
    sender: { login: author },
  };
}

/** Keeps child processes and clients on loopback whatever the machine's proxy settings. */
export function loopbackOnly(env: Env): Env {
  const out: Env = { ...env, NO_PROXY: '127.0.0.1,localhost', no_proxy: '127.0.0.1,localhost' };
  for (const key of ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy', 'ALL_PROXY', 'all_proxy'])
    delete out[key];
  return out;
}
