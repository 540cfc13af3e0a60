/**
 * The bundled action, as a runner starts it, on a pull request from a fork without secrets.
 * Needs a fresh `npm run bundle` (CI checks dist/ is fresh).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { SKIPPED_OUTPUTS } from '../../src/github/restricted.js';
import { ROOT, runAction } from '../support/run-action.js';

const FORK_PAYLOAD = path.join(ROOT, 'test', 'fixtures', 'github', 'pull-request-fork.json');

describe('dist/index.js on a fork pull request without secrets', () => {
  it('exits 0 with one warning, a summary that says why, and empty outputs', async () => {
    expect(existsSync(path.join(ROOT, 'dist', 'index.js'))).toBe(true); // run `npm run bundle` first
    // A clean environment: nothing of the machine's own runner or input variables leaks in.
    const run = await runAction(
      {
        interval: 'P1D',
        'client-id': '',
        'client-secret': '',
        'github-token': 'ghs-read-only',
        'pr-comment': 'true',
      },
      {
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: FORK_PAYLOAD,
        GITHUB_REPOSITORY: 'acme/genesys-usage-app',
        GITHUB_ACTOR: 'outside-contributor',
        GITHUB_API_URL: 'http://127.0.0.1:9', // never called: nothing may be commented
      },
    );

    expect(run.code).toBe(0);
    const lines = run.stdout.split(/\r?\n/);
    const warnings = lines.filter((l) => l.startsWith('::warning'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^::warning title=Genesys usage report skipped::Pull requests from forks/);
    expect(lines.filter((l) => l.startsWith('::error'))).toEqual([]);

    expect(run.summary).toContain('## Genesys Cloud API usage: not queried');
    expect(run.summary).toContain('<code>outside-contributor/genesys-usage-app</code>');
    expect(run.summary).toMatch(/no secrets and a read-only token/);
    expect(run.summary).toContain('`pull_request_target`');

    expect(run.outputs).toEqual(SKIPPED_OUTPUTS);
  });
});
