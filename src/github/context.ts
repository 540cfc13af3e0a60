/**
 * What the run knows about GitHub from its environment and event payload. Pure except for
 * `readEventPayload`, so the decisions (is this a pull request, a fork, Dependabot) are unit-tested.
 */
import { readFile } from 'node:fs/promises';
import type { Env } from '../types.js';

/** The few payload fields used here; everything is optional because payloads vary by event. */
export interface EventPayload {
  number?: number;
  pull_request?: {
    number?: number;
    user?: { login?: string } | null;
    head?: { repo?: { full_name?: string } | null };
    base?: { repo?: { full_name?: string } | null };
  };
  repository?: { full_name?: string };
  sender?: { login?: string };
}

/** Events whose runs from forks get no secrets and a read-only token. */
const FORK_RESTRICTED_EVENTS = ['pull_request', 'pull_request_review', 'pull_request_review_comment'];
/** Events on which the action writes its sticky comment. */
export const COMMENT_EVENTS = ['pull_request', 'pull_request_target'];
const DEPENDABOT = 'dependabot[bot]';

/** The event payload at GITHUB_EVENT_PATH, or `{}` when there is none or it is unreadable. */
export async function readEventPayload(env: Env): Promise<EventPayload> {
  const file = env.GITHUB_EVENT_PATH;
  if (!file) return {};
  try {
    const parsed: unknown = JSON.parse(await readFile(file, 'utf8'));
    return parsed && typeof parsed === 'object' ? (parsed as EventPayload) : {};
  } catch {
    return {};
  }
}

export interface RestrictedPullRequest {
  reason: 'fork' | 'dependabot';
  /** `owner/repo` of the fork, when known. */
  headRepo?: string;
  baseRepo?: string;
}

/**
 * Whether GitHub withholds the repository's secrets from this run: a pull request from a fork
 * (head repository differs from the base, or the fork was deleted), or a run triggered by
 * Dependabot (which only gets Dependabot secrets). `pull_request_target` runs in the base
 * repository with its secrets, so a fork there is not restricted.
 */
export function detectRestrictedPullRequest(
  env: Env,
  payload: EventPayload,
): RestrictedPullRequest | undefined {
  const event = env.GITHUB_EVENT_NAME ?? '';
  const pr = payload.pull_request;
  const baseRepo = pr?.base?.repo?.full_name ?? payload.repository?.full_name ?? env.GITHUB_REPOSITORY;
  const prEvent = FORK_RESTRICTED_EVENTS.includes(event) || event === 'pull_request_target';
  const dependabot = env.GITHUB_ACTOR === DEPENDABOT || (prEvent && pr?.user?.login === DEPENDABOT);
  if (dependabot) return { reason: 'dependabot', baseRepo };
  if (!FORK_RESTRICTED_EVENTS.includes(event) || !pr) return undefined;
  // A deleted fork leaves head.repo null: still a fork.
  const headRepo = pr.head?.repo === null ? undefined : pr.head?.repo?.full_name;
  const isFork =
    pr.head?.repo === null ||
    (headRepo !== undefined && baseRepo !== undefined && headRepo.toLowerCase() !== baseRepo.toLowerCase());
  return isFork ? { reason: 'fork', headRepo, baseRepo } : undefined;
}

export interface PullRequestTarget {
  owner: string;
  repo: string;
  number: number;
}

/** Where the comment goes: the base repository (GITHUB_REPOSITORY) and the pull request number. */
export function pullRequestTarget(env: Env, payload: EventPayload): PullRequestTarget | undefined {
  const number = payload.pull_request?.number ?? payload.number;
  const full = env.GITHUB_REPOSITORY || payload.repository?.full_name || '';
  const [owner, repo, ...rest] = full.split('/');
  if (!number || !Number.isInteger(number) || !owner || !repo || rest.length) return undefined;
  return { owner, repo, number };
}
