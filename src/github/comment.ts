/**
 * The sticky pull-request comment: one comment per pull request (and per workflow job) carrying a
 * hidden marker; later runs edit it. Only a comment that has the marker AND was written by the
 * token's own user is edited, since anyone who can comment could plant the marker.
 */
import { getOctokit } from '@actions/github';
import type { Config, Env } from '../types.js';
import type { StageContext } from '../stages.js';
import { COMMENT_LIMIT_CHARS, fitText } from '../limits.js';
import { COMMENT_EVENTS, pullRequestTarget, readEventPayload } from './context.js';

/** GitHub refuses comment bodies above this many characters. */
export { COMMENT_LIMIT_CHARS };
/** The author of comments made with a workflow's GITHUB_TOKEN. */
export const ACTIONS_BOT = 'github-actions[bot]';

const TRUNCATED_NOTE =
  "> ✂️ Truncated to fit GitHub's 65,536-character comment limit: the full report is in the job summary and summary.md.";

/**
 * The hidden marker. It names the workflow and job, so two uses of the action in one repository
 * keep a comment each; `--` and `>` are removed because they would end the HTML comment early.
 */
export function commentMarker(env: Env): string {
  const id = [env.GITHUB_WORKFLOW, env.GITHUB_JOB]
    .filter(Boolean)
    .join('/')
    .replace(/[<>]/g, '')
    .replace(/-{2,}/g, '-')
    .replace(/\s+/g, ' ')
    .trim();
  return id ? `<!-- genesys-usage-report: ${id} -->` : '<!-- genesys-usage-report -->';
}

/** Marker first (so a cut never loses it), then the report, cut to `limit` characters with a note. */
export function buildCommentBody(markdown: string, marker: string, limit = COMMENT_LIMIT_CHARS): string {
  const head = `${marker}\n`;
  return head + fitText(markdown, limit - head.length, 'chars', TRUNCATED_NOTE);
}

interface RequestErrorLike {
  status?: number;
  message?: string;
}

function statusOf(error: unknown): number | undefined {
  const status = (error as RequestErrorLike | null)?.status;
  return typeof status === 'number' ? status : undefined;
}

/** One clear line: what failed, GitHub's answer, and the likely fix. */
function commentError(action: string, error: unknown): Error {
  const status = statusOf(error);
  const message = error instanceof Error ? error.message : String(error);
  const hint =
    status === 401
      ? ' The github-token is invalid or expired.'
      : status === 403
        ? " The token may not write comments: give the job 'permissions: pull-requests: write' (pull requests from forks only get a read-only token; see docs/where-to-run.md)."
        : status === 404
          ? ' The repository or pull request was not found with this token (check GITHUB_REPOSITORY, GITHUB_API_URL and the token).'
          : '';
  return new Error(`${action} failed${status ? ` (HTTP ${status})` : ''}: ${message}.${hint}`);
}

type Octokit = ReturnType<typeof getOctokit>;

/**
 * The login that the token writes comments as. A workflow's GITHUB_TOKEN (an installation token)
 * may not read /user: its comments are by github-actions[bot]. A personal token reads its own login.
 */
async function tokenLogin(octokit: Octokit): Promise<string> {
  try {
    const { data } = await octokit.rest.users.getAuthenticated();
    return data.login;
  } catch (error) {
    if (statusOf(error) === 403) return ACTIONS_BOT;
    throw commentError('Reading the token user (GET /user)', error);
  }
}

/** Creates or updates the sticky comment on `pull_request` and `pull_request_target` runs. */
export async function publishComment(config: Config, ctx: StageContext, markdown: string): Promise<void> {
  const { env, io } = ctx;
  const event = env.GITHUB_EVENT_NAME ?? '';
  if (!COMMENT_EVENTS.includes(event)) {
    io.debug(`No pull-request comment: the event is '${event || 'unknown'}', not a pull request.`);
    return;
  }
  const target = pullRequestTarget(env, await readEventPayload(env));
  if (!target) {
    throw new Error(
      `No pull request found for the comment: the ${event} payload at GITHUB_EVENT_PATH has no pull request number, or GITHUB_REPOSITORY is unset.`,
    );
  }
  if (!config.githubToken) {
    throw new Error("No token for the pull-request comment: set 'github-token' (default: github.token).");
  }

  const baseUrl = (env.GITHUB_API_URL || 'https://api.github.com').replace(/\/+$/, '');
  const octokit = getOctokit(config.githubToken, { baseUrl });
  const marker = commentMarker(env);
  const body = buildCommentBody(markdown, marker);
  const where = { owner: target.owner, repo: target.repo };

  const login = (await tokenLogin(octokit)).toLowerCase();
  let existing: number | undefined;
  try {
    const pages = octokit.paginate.iterator(octokit.rest.issues.listComments, {
      ...where,
      issue_number: target.number,
      per_page: 100,
    });
    for await (const page of pages) {
      const own = page.data.find(
        (c) => c.user?.login.toLowerCase() === login && (c.body ?? '').includes(marker),
      );
      if (own) {
        existing = own.id;
        break;
      }
    }
  } catch (error) {
    throw commentError(`Listing the comments of pull request #${target.number}`, error);
  }

  if (existing !== undefined) {
    try {
      await octokit.rest.issues.updateComment({ ...where, comment_id: existing, body });
    } catch (error) {
      throw commentError(`Updating comment #${existing}`, error);
    }
    io.info(`Updated comment #${existing} on pull request #${target.number}.`);
    return;
  }
  let created: number;
  try {
    ({
      data: { id: created },
    } = await octokit.rest.issues.createComment({ ...where, issue_number: target.number, body }));
  } catch (error) {
    throw commentError(`Commenting on pull request #${target.number}`, error);
  }
  io.info(`Created comment #${created} on pull request #${target.number}.`);
}
