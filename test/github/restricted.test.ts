import path from 'node:path';
import { readInputFromEnv } from '../../src/config.js';
import type { Env } from '../../src/types.js';
import { restrictedSummary, SKIPPED_OUTPUTS } from '../../src/github/restricted.js';
import { run } from '../../src/main.js';
import type { PublishComment, UsageQuery } from '../../src/stages.js';
import { captureIO } from '../support/capture-io.js';
import { tempDir } from '../support/isolation.js';

const FIXTURES = path.resolve('test', 'fixtures', 'github');
const EXAMPLE = path.resolve('examples', 'results', 'legacy-daily-by-client.json');

let dir: string;
beforeEach(() => {
  dir = tempDir('restricted');
});

/** A pull_request run with the given payload fixture and inputs (INPUT_* names keep their hyphens). */
function prEnv(fixture: string, inputs: Record<string, string> = {}): Env {
  const env: Env = {
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: path.join(FIXTURES, fixture),
    GITHUB_REPOSITORY: 'acme/genesys-usage-app',
    RUNNER_TEMP: dir,
    'INPUT_CLIENT-ID': '',
    'INPUT_CLIENT-SECRET': '',
    INPUT_INTERVAL: 'P1D',
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return env;
}

async function runWith(env: Env) {
  const io = captureIO();
  const comments: string[] = [];
  const queries: string[] = [];
  const publishComment: PublishComment = async (_config, _ctx, markdown) => void comments.push(markdown);
  const queryUsage: UsageQuery = async (config) => {
    queries.push(config.clientId);
    return { queryIds: ['job-1'] };
  };
  await run({ io, env, getInput: readInputFromEnv(env), publishComment, queryUsage });
  return { io, comments, queries };
}

describe('a restricted pull request without credentials', () => {
  it('from a fork: warns once, explains in the summary, sets empty outputs and succeeds', async () => {
    const { io, comments, queries } = await runWith(prEnv('pull-request-fork.json'));
    expect({ errors: io.errors, failed: io.failed }).toEqual({ errors: [], failed: undefined });
    expect(io.warnings).toHaveLength(1);
    expect(io.warnings[0]).toMatch(/forks get no repository secrets.*client-id and client-secret are empty/);
    expect(io.jobSummaries).toHaveLength(1);
    const summary = io.jobSummaries[0] ?? '';
    expect(summary).toContain('not queried');
    expect(summary).toContain('outside-contributor/genesys-usage-app');
    expect(summary).toMatch(/no secrets and a read-only token/);
    expect(summary).toContain('pull_request_target');
    expect(summary).toContain('schedule');
    expect(io.outputs).toEqual(SKIPPED_OUTPUTS);
    expect(comments).toEqual([]);
    expect(queries).toEqual([]);
  });

  it('from Dependabot: points at Dependabot secrets', async () => {
    const { io, comments } = await runWith(prEnv('pull-request-dependabot.json', { 'client-id': 'abc' }));
    expect({ errors: io.errors, failed: io.failed }).toEqual({ errors: [], failed: undefined });
    expect(io.warnings).toHaveLength(1);
    expect(io.warnings[0]).toMatch(/Dependabot/);
    expect(io.jobSummaries[0]).toMatch(/Dependabot secrets/);
    expect(comments).toEqual([]);
  });

  it('writes no job summary with summary: false, but still warns and succeeds', async () => {
    const { io } = await runWith(prEnv('pull-request-fork.json', { summary: 'false' }));
    expect(io.jobSummaries).toEqual([]);
    expect(io.warnings).toHaveLength(1);
    expect({ errors: io.errors, failed: io.failed }).toEqual({ errors: [], failed: undefined });
    expect(io.outputs.records).toBe('0');
  });
});

describe('runs that are not skipped', () => {
  it('a same-repository pull request without credentials still fails on the missing input', async () => {
    const { io } = await runWith(prEnv('pull-request-same-repo.json'));
    expect(io.warnings).toEqual([]);
    expect(io.events.filter((e) => e.level === 'error' || e.level === 'failed')).toEqual([
      { level: 'failed', message: "Input 'client-id' is required unless 'results-file' is set." },
    ]);
  });

  it('a fork pull request that replays a results-file runs the report and comments', async () => {
    const { io, comments } = await runWith(
      prEnv('pull-request-fork.json', {
        'results-file': EXAMPLE,
        interval: '',
        granularity: 'Day',
        'output-dir': dir,
      }),
    );
    expect({ errors: io.errors, failed: io.failed }).toEqual({ errors: [], failed: undefined });
    expect(io.outputs.records).not.toBe('0');
    expect(comments).toHaveLength(1);
  });

  it('a fork pull request that does have credentials queries', async () => {
    const { io, queries } = await runWith(
      prEnv('pull-request-fork.json', { 'client-id': 'id', 'client-secret': 'secret', 'output-dir': dir }),
    );
    expect(queries).toEqual(['id']);
    expect(io.warnings).toEqual([]);
    expect({ errors: io.errors, failed: io.failed }).toEqual({ errors: [], failed: undefined });
  });
});

describe('restrictedSummary', () => {
  it('escapes repository names and handles a deleted fork', () => {
    const text = restrictedSummary({ reason: 'fork', headRepo: 'a_b/*x*', baseRepo: 'acme/app' });
    expect(text).toContain('<code>a&#95;b/&#42;x&#42;</code>');
    expect(restrictedSummary({ reason: 'fork', baseRepo: 'acme/app' })).toContain('(deleted)');
  });
});
