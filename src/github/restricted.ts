/**
 * Pull requests from forks and Dependabot get no repository secrets (and a read-only token), so the
 * Genesys credentials are empty there. Failing would block every such pull request for something
 * its author cannot fix: warn once, explain in the job summary, and succeed without querying.
 */
import type { Env, InputReader } from '../types.js';
import { describeError } from '../errors.js';
import type { ActionIO } from '../io.js';
import { code, escapeMarkdown } from '../escape.js';
import { detectRestrictedPullRequest, readEventPayload, type RestrictedPullRequest } from './context.js';

/** What the outputs read when nothing was queried. */
export const SKIPPED_OUTPUTS: Readonly<Record<string, string>> = {
  'query-id': '',
  records: '0',
  'total-requests': '0',
  'total-429': '0',
  'rate-429': '0.0000',
  breached: 'false',
  breaches: '[]',
  'ndjson-path': '',
  's3-uris': '[]',
  'crawler-status': 'SKIPPED',
  'athena-query-execution-id': '',
  'athena-results-csv': '',
  'summary-path': '',
  'report-json': '',
};

function restrictedWarning(pr: RestrictedPullRequest): string {
  const who =
    pr.reason === 'fork'
      ? 'Pull requests from forks get no repository secrets'
      : 'Runs triggered by Dependabot get no repository secrets (only Dependabot secrets)';
  return `${who}, so client-id and client-secret are empty: nothing was queried and no comment was written. The job summary says how to run the report.`;
}

/** The job summary for a skipped run: why, and how to get the report. Pure. */
export function restrictedSummary(pr: RestrictedPullRequest): string {
  const why =
    pr.reason === 'fork'
      ? `This pull request comes from the fork ${pr.headRepo ? code(pr.headRepo) : '(deleted)'}${pr.baseRepo ? ` into ${code(pr.baseRepo)}` : ''}. GitHub gives workflows on fork pull requests no secrets and a read-only token, so \`client-id\` and \`client-secret\` are empty.`
      : `This run was triggered by Dependabot. GitHub gives Dependabot runs no repository secrets (only Dependabot secrets) and a read-only token by default, so \`client-id\` and \`client-secret\` are empty.`;
  const fixes =
    pr.reason === 'fork'
      ? [
          `Run the report on \`schedule\` or \`workflow_dispatch\` in ${pr.baseRepo ? escapeMarkdown(pr.baseRepo) : 'the base repository'} (see examples/workflows/daily-usage.yml and manual.yml).`,
          `For a check on fork pull requests, trigger on \`pull_request_target\`, which runs the base branch's workflow with secrets. Carefully: never check out or run the pull request's code in that job.`,
          `Or replay a saved result with \`results-file\`, which needs no credentials.`,
        ]
      : [
          'Add the Genesys client id and secret as Dependabot secrets (Settings → Secrets and variables → Dependabot) under the same names as the Actions secrets.',
          `Or skip the step for Dependabot: \`if: github.actor != 'dependabot[bot]'\`.`,
          `For the comment, give the job \`permissions: pull-requests: write\`.`,
        ];
  return [
    '## Genesys Cloud API usage: not queried',
    '> ⚠️ Skipped: no Genesys Cloud credentials on this pull request. The step succeeds so that the pull request is not blocked.',
    why,
    'Nothing was queried, uploaded or gated, and no pull-request comment was written.',
    '### How to get the report',
    fixes.map((f) => `- ${f}`).join('\n'),
  ].join('\n\n');
}

export interface RestrictedDeps {
  io: ActionIO;
  env: Env;
  getInput: InputReader;
}

/**
 * True when the run is a fork or Dependabot pull request without credentials (and no results-file):
 * the warning, job summary and outputs are then written, and the caller returns successfully.
 */
export async function skipRestrictedPullRequest(deps: RestrictedDeps): Promise<boolean> {
  const { io, env, getInput } = deps;
  if (getInput('results-file') || (getInput('client-id') && getInput('client-secret'))) return false;
  const pr = detectRestrictedPullRequest(env, await readEventPayload(env));
  if (!pr) return false;

  io.warning(restrictedWarning(pr), 'Genesys usage report skipped');
  if (getInput('summary').toLowerCase() !== 'false') {
    await io.writeJobSummary(restrictedSummary(pr) + '\n').catch((error: unknown) => {
      io.info(`Could not write the job summary: ${describeError(error)}`);
      return false;
    });
  }
  for (const [name, value] of Object.entries(SKIPPED_OUTPUTS)) io.setOutput(name, value);
  return true;
}
