import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import {
  detectRestrictedPullRequest,
  type EventPayload,
  pullRequestTarget,
  readEventPayload,
} from '../../src/github/context.js';
import { tempDir } from '../support/isolation.js';
import { pullRequestPayload } from './helpers.js';

const fixture = (name: string): EventPayload =>
  JSON.parse(readFileSync(path.join('test', 'fixtures', 'github', name), 'utf8')) as EventPayload;

const payload = (...args: Parameters<typeof pullRequestPayload>) =>
  pullRequestPayload(...args) as EventPayload;

describe('detectRestrictedPullRequest', () => {
  it('finds a pull request from a fork', () => {
    expect(
      detectRestrictedPullRequest({ GITHUB_EVENT_NAME: 'pull_request' }, fixture('pull-request-fork.json')),
    ).toEqual({
      reason: 'fork',
      headRepo: 'outside-contributor/genesys-usage-app',
      baseRepo: 'acme/genesys-usage-app',
    });
  });

  it('treats a deleted fork (head.repo null) as a fork', () => {
    expect(
      detectRestrictedPullRequest({ GITHUB_EVENT_NAME: 'pull_request' }, payload(1, 'acme/app', null))
        ?.reason,
    ).toBe('fork');
  });

  it.each(['pull_request_review', 'pull_request_review_comment'])('finds a fork on %s', (event) => {
    expect(
      detectRestrictedPullRequest({ GITHUB_EVENT_NAME: event }, payload(1, 'acme/app', 'x/app'))?.reason,
    ).toBe('fork');
  });

  it('does not restrict a pull request from a branch of the same repository, whatever the case', () => {
    const env = { GITHUB_EVENT_NAME: 'pull_request' };
    expect(detectRestrictedPullRequest(env, fixture('pull-request-same-repo.json'))).toBeUndefined();
    expect(detectRestrictedPullRequest(env, payload(1, 'Acme/App', 'acme/app'))).toBeUndefined();
  });

  it('does not restrict a fork on pull_request_target, which runs with the base repository’s secrets', () => {
    expect(
      detectRestrictedPullRequest(
        { GITHUB_EVENT_NAME: 'pull_request_target' },
        fixture('pull-request-fork.json'),
      ),
    ).toBeUndefined();
  });

  it('finds Dependabot by the actor or by the pull request author', () => {
    expect(
      detectRestrictedPullRequest(
        { GITHUB_EVENT_NAME: 'pull_request' },
        fixture('pull-request-dependabot.json'),
      ),
    ).toEqual({ reason: 'dependabot', baseRepo: 'acme/genesys-usage-app' });
    expect(
      detectRestrictedPullRequest({ GITHUB_EVENT_NAME: 'push', GITHUB_ACTOR: 'dependabot[bot]' }, {})?.reason,
    ).toBe('dependabot');
    // A human re-running a Dependabot pull request's check.
    expect(
      detectRestrictedPullRequest(
        { GITHUB_EVENT_NAME: 'pull_request', GITHUB_ACTOR: 'maintainer' },
        fixture('pull-request-dependabot.json'),
      )?.reason,
    ).toBe('dependabot');
  });

  it.each(['push', 'schedule', 'workflow_dispatch', ''])('does not restrict a %s run', (event) => {
    expect(
      detectRestrictedPullRequest({ GITHUB_EVENT_NAME: event }, fixture('pull-request-fork.json')),
    ).toBeUndefined();
  });

  it('does not restrict a pull_request run without a payload', () => {
    expect(detectRestrictedPullRequest({ GITHUB_EVENT_NAME: 'pull_request' }, {})).toBeUndefined();
  });
});

describe('pullRequestTarget', () => {
  it('takes the number from the payload and the repository from GITHUB_REPOSITORY', () => {
    expect(pullRequestTarget({ GITHUB_REPOSITORY: 'acme/app' }, payload(9, 'other/x'))).toEqual({
      owner: 'acme',
      repo: 'app',
      number: 9,
    });
    expect(pullRequestTarget({}, payload(9, 'other/x'))).toEqual({ owner: 'other', repo: 'x', number: 9 });
  });

  it('is undefined without a number or a repository', () => {
    expect(pullRequestTarget({ GITHUB_REPOSITORY: 'acme/app' }, {})).toBeUndefined();
    expect(pullRequestTarget({ GITHUB_REPOSITORY: 'nonsense' }, payload(1, ''))).toBeUndefined();
  });
});

describe('readEventPayload', () => {
  it('reads the file, and gives {} when it is missing or broken', async () => {
    expect(
      (await readEventPayload({ GITHUB_EVENT_PATH: 'test/fixtures/github/pull-request-fork.json' })).number,
    ).toBe(42);
    expect(await readEventPayload({})).toEqual({});
    expect(await readEventPayload({ GITHUB_EVENT_PATH: 'test/fixtures/github/missing.json' })).toEqual({});
    const broken = path.join(tempDir('event'), 'event.json');
    await writeFile(broken, '{ not json');
    expect(await readEventPayload({ GITHUB_EVENT_PATH: broken })).toEqual({});
  });
});
