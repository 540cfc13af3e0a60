/** Shared by the tests under test/github: configs and event payload files. */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig } from '../../src/config.js';
import type { Config } from '../../src/types.js';

/** A valid config for the comment stage (a replay, so no credentials are needed). */
export function commentConfig(githubToken: string): Config {
  const inputs: Record<string, string> = { 'results-file': 'unused.json', 'github-token': githubToken };
  return parseConfig((name) => inputs[name] ?? '', {}, new Date('2026-11-21T12:00:00Z'));
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
