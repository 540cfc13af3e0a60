import type { Env } from '../../src/types.js';
import {
  ACTIONS_BOT,
  buildCommentBody,
  COMMENT_LIMIT_CHARS,
  commentMarker,
  publishComment,
} from '../../src/github/comment.js';
import { stageContext } from '../support/capture-io.js';
import { FakeGitHub } from '../support/fake-github.js';
import { loopbackOnly, tempDir } from '../support/isolation.js';
import { commentConfig, pullRequestPayload, writeJson } from './helpers.js';

const TOKEN = 'ghs-actions';
const PAT = 'ghp-octocat';
const READ_ONLY = 'ghs-read-only';
const PR = 7;
const MARKER = '<!-- genesys-usage-report: Usage/report -->';

let dir: string;
let payloadFile: string;
let github: FakeGitHub;
const savedEnv = { ...process.env };

beforeAll(async () => {
  // Octokit picks its proxy from process.env: keep every request on loopback.
  process.env = loopbackOnly(process.env);
  dir = tempDir('comment');
  payloadFile = await writeJson(dir, 'pull_request.json', pullRequestPayload(PR));
});

afterAll(() => {
  process.env = savedEnv;
});

async function startGitHub(prefix = ''): Promise<FakeGitHub> {
  return new FakeGitHub({
    prefix,
    tokens: {
      [TOKEN]: { login: ACTIONS_BOT, installation: true },
      [PAT]: { login: 'octocat' },
      [READ_ONLY]: { login: ACTIONS_BOT, installation: true, readOnly: true },
    },
  }).start();
}

beforeEach(async () => {
  github = await startGitHub();
});

afterEach(async () => {
  await github.stop();
});

function prEnv(overrides: Env = {}): Env {
  return {
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_EVENT_PATH: payloadFile,
    GITHUB_REPOSITORY: 'acme/app',
    GITHUB_API_URL: github.url,
    GITHUB_WORKFLOW: 'Usage',
    GITHUB_JOB: 'report',
    ...overrides,
  };
}

async function publish(markdown: string, env: Env = prEnv(), token = TOKEN) {
  const { ctx, io } = stageContext({ env });
  await publishComment(commentConfig(token), ctx, markdown);
  return io;
}

describe('publishComment against a fake GitHub', () => {
  it('creates one comment with the marker on the first run', async () => {
    const io = await publish('## Report one\n');
    const comments = github.commentsOn(PR);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toBe(`${MARKER}\n## Report one\n`);
    expect(comments[0]?.user.login).toBe(ACTIONS_BOT);
    expect(io.lines).toEqual([`Created comment #${comments[0]?.id} on pull request #${PR}.`]);
    expect(github.requests.every((r) => r.authorization === `token ${TOKEN}`)).toBe(true);
  });

  it('updates its own comment on a second run instead of adding one', async () => {
    await publish('## Report one\n');
    const io = await publish('## Report two\n');
    const comments = github.commentsOn(PR);
    expect(comments).toHaveLength(1);
    expect(comments[0]?.body).toBe(`${MARKER}\n## Report two\n`);
    expect(io.lines).toEqual([`Updated comment #${comments[0]?.id} on pull request #${PR}.`]);
    expect(github.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(github.requests.filter((r) => r.method === 'PATCH')).toHaveLength(1);
  });

  it('never edits a marker planted by another user, and creates its own comment', async () => {
    const planted = github.addComment(PR, 'mallory', `${MARKER}\nclick [here](https://evil.example)`);
    await publish('## Report\n');
    await publish('## Report again\n');
    expect(planted.body).toBe(`${MARKER}\nclick [here](https://evil.example)`);
    expect(github.requests.some((r) => r.method === 'PATCH' && r.path.endsWith(`/${planted.id}`))).toBe(
      false,
    );
    const own = github.commentsOn(PR).filter((c) => c.user.login === ACTIONS_BOT);
    expect(own).toHaveLength(1);
    expect(own[0]?.body).toBe(`${MARKER}\n## Report again\n`);
  });

  it("with a personal token, edits only that user's comment, never the bot's", async () => {
    const bots = github.addComment(PR, ACTIONS_BOT, `${MARKER}\nold bot report`);
    const mine = github.addComment(PR, 'octocat', `${MARKER}\nold report`);
    const io = await publish('## New\n', prEnv(), PAT);
    expect(bots.body).toBe(`${MARKER}\nold bot report`);
    expect(mine.body).toBe(`${MARKER}\n## New\n`);
    expect(io.lines).toEqual([`Updated comment #${mine.id} on pull request #${PR}.`]);
    expect(github.requests.filter((r) => r.path === '/user')).toHaveLength(1);
  });

  it('does not take a comment without its marker, or with another job’s marker', async () => {
    github.addComment(PR, ACTIONS_BOT, 'a bot comment without a marker');
    github.addComment(PR, ACTIONS_BOT, '<!-- genesys-usage-report: Usage/other-job -->\nother job');
    await publish('## Report\n');
    expect(github.commentsOn(PR)).toHaveLength(3);
    expect(github.commentsOn(PR)[1]?.body).toContain('other job');
  });

  it('pages through every comment to find its own', async () => {
    for (let i = 0; i < 230; i++) github.addComment(PR, i % 2 ? 'alice' : ACTIONS_BOT, `comment ${i}`);
    const own = github.addComment(PR, ACTIONS_BOT, `${MARKER}\nold`);
    for (let i = 0; i < 20; i++) github.addComment(PR, 'bob', `later ${i}`);
    const io = await publish('## Paged\n');
    expect(own.body).toBe(`${MARKER}\n## Paged\n`);
    expect(github.commentsOn(PR)).toHaveLength(251);
    expect(io.lines).toEqual([`Updated comment #${own.id} on pull request #${PR}.`]);
    const pages = github.requests.filter((r) => r.method === 'GET' && r.path.includes('/comments'));
    expect(pages.map((r) => new URL(r.path, 'http://x').searchParams.get('page') ?? '1')).toEqual([
      '1',
      '2',
      '3',
    ]);
  });

  it('honours GITHUB_API_URL with a GitHub Enterprise Server path prefix', async () => {
    await github.stop();
    github = await startGitHub('/api/v3');
    for (let i = 0; i < 120; i++) github.addComment(PR, 'alice', `comment ${i}`);
    await publish('## One\n');
    const io = await publish('## Two\n');
    expect(io.lines[0]).toMatch(/^Updated comment #\d+/);
    expect(github.requests.length).toBeGreaterThan(0);
    expect(github.requests.every((r) => r.path.startsWith('/api/v3/'))).toBe(true);
    expect(github.commentsOn(PR).filter((c) => c.user.login === ACTIONS_BOT)).toHaveLength(1);
  });

  it('comments on pull_request_target runs too', async () => {
    await publish('## Target\n', prEnv({ GITHUB_EVENT_NAME: 'pull_request_target' }));
    expect(github.commentsOn(PR)).toHaveLength(1);
  });

  it.each(['push', 'schedule', 'workflow_dispatch', 'issue_comment', ''])(
    "makes no request on event '%s'",
    async (event) => {
      const io = await publish('## Report\n', prEnv({ GITHUB_EVENT_NAME: event }));
      expect(github.requests).toHaveLength(0);
      expect(io.lines).toEqual([]);
    },
  );

  it('caps the body at 65,536 characters, keeping the marker and a note', async () => {
    const huge = `## Big\n\n${'| a | b |\n'.repeat(8000)}`;
    await publish(huge);
    const body = github.commentsOn(PR)[0]?.body ?? '';
    expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT_CHARS);
    expect(body.startsWith(`${MARKER}\n## Big`)).toBe(true);
    expect(body).toMatch(/Truncated to fit GitHub's 65,536-character comment limit/);
  });

  it('fails with a clear message when the token is read-only', async () => {
    await expect(publish('## Report\n', prEnv(), READ_ONLY)).rejects.toThrow(
      /Commenting on pull request #7 failed \(HTTP 403\): .*pull-requests: write/,
    );
  });

  it('fails with a clear message on a bad token, without showing it', async () => {
    const error = await publish('## Report\n', prEnv(), 'ghp-wrong').then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(error?.message).toMatch(/HTTP 401.*invalid or expired/);
    expect(error?.message).not.toContain('ghp-wrong');
  });

  it('fails clearly without a token or without a pull request number', async () => {
    await expect(publish('## Report\n', prEnv(), '')).rejects.toThrow(/github-token/);
    const noNumber = await writeJson(dir, 'no-number.json', { repository: { full_name: 'acme/app' } });
    await expect(publish('## Report\n', prEnv({ GITHUB_EVENT_PATH: noNumber }))).rejects.toThrow(
      /no pull request number/,
    );
    expect(github.requests).toHaveLength(0);
  });
});

describe('commentMarker', () => {
  it('names the workflow and job, so two jobs keep separate comments', () => {
    expect(commentMarker({ GITHUB_WORKFLOW: 'Usage', GITHUB_JOB: 'report' })).toBe(MARKER);
    expect(commentMarker({})).toBe('<!-- genesys-usage-report -->');
  });

  it('cannot be closed early by the workflow name', () => {
    const marker = commentMarker({ GITHUB_WORKFLOW: 'a --> <b>', GITHUB_JOB: 'x--y' });
    expect(marker.slice(4, -3)).not.toMatch(/--|>|</);
    expect(marker.endsWith(' -->')).toBe(true);
  });
});

describe('buildCommentBody', () => {
  it('leaves a body under the limit alone', () => {
    expect(buildCommentBody('hello', '<!-- m -->')).toBe('<!-- m -->\nhello');
  });

  it('cuts to the limit exactly at most, with the note', () => {
    const body = buildCommentBody('x'.repeat(200), '<!-- m -->', 180);
    expect(body.length).toBeLessThanOrEqual(180);
    expect(body.startsWith('<!-- m -->\nxxx')).toBe(true);
    expect(body).toContain('Truncated');
  });

  it('never splits an emoji in two', () => {
    const text = '😀'.repeat(200);
    for (let limit = 150; limit < 170; limit++) {
      const body = buildCommentBody(text, '<!-- m -->', limit);
      expect(body.length).toBeLessThanOrEqual(limit);
      expect(body).not.toMatch(/[\ud800-\udbff](?![\udc00-\udfff])/);
    }
  });

  it('closes a code block that the cut left open', () => {
    const markdown = `## Chart\n\n\`\`\`mermaid\nxychart-beta\n${'  bar [1, 2, 3]\n'.repeat(100)}\`\`\`\n`;
    const body = buildCommentBody(markdown, '<!-- m -->', 600);
    expect(body.length).toBeLessThanOrEqual(600);
    expect((body.match(/^```/gm) ?? []).length % 2).toBe(0);
  });
});
