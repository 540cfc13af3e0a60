/**
 * Secret hygiene beyond the fault scenarios (each of which checks it too): refused logins, a 403,
 * and the bundled action as a child process, failing at the login and at the S3 stage. The client
 * secret, the `Basic <base64(id:secret)>` value, its base64 part and the access token must appear
 * nowhere: log, warnings, errors, failure message, job summary, outputs, any file the run wrote, and
 * for the child process stdout and stderr (except the runner's own `::add-mask::` commands).
 */
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { CREDENTIALS, REGION, startS3rver } from '../support/aws/harness.js';
import { ACCESS_DENIED, type S3FaultProxy, startS3FaultProxy } from '../support/aws/s3-fault-proxy.js';
import { FakeGenesys } from '../support/fake-genesys.js';
import {
  type Credential,
  credentialsOf,
  expectNoCredentials,
  expectOneLineFailure,
  expectPartitionsHold,
  filesAsTexts,
  findCredentials,
  genesysInputs,
  pagesOf,
  queryInputs,
  runInProcess,
} from '../support/fault-run.js';
import { loopbackOnly, tempDir } from '../support/isolation.js';
import { type ActionRun, runAction } from '../support/run-action.js';

process.env = loopbackOnly(process.env);

const LOGIN = { method: 'POST', path: /^\/oauth\/token$/ };
const SUBMIT = { method: 'POST', path: /^\/api\/v2\/usage\/aggregates\/query\/jobs$/ };
/** An OAuth error as Genesys Cloud's login sends it. */
const REFUSED = {
  status: 401,
  body: {
    error: 'invalid_client',
    description: 'client credentials are invalid',
    error_description: 'client credentials are invalid',
  },
};

let fake: FakeGenesys;
beforeEach(async () => {
  fake = await FakeGenesys.start();
});
afterEach(async () => {
  await fake.close();
});

describe('in-process', () => {
  it('a login refused with 401 and a JSON error body: one line, no credential', async () => {
    fake.fault(LOGIN, REFUSED);

    const r = await runInProcess(genesysInputs(fake));

    expectOneLineFailure(
      r,
      new RegExp(`^Login to Genesys Cloud \\(${fake.url}\\) failed for client ${fake.clientId}: `),
      /HTTP 401 \(invalid_client\): client credentials are invalid\. Check client-id, client-secret and environment/,
    );
    expectNoCredentials(r, credentialsOf(fake));
    // Masked before anything could print them: the secret first, then the Basic value.
    expect(r.io.secrets).toEqual([fake.clientSecret, fake.basicCredentials]);
  });

  it('a wrong secret: the secret that was sent shows nowhere either', async () => {
    const wrong = 'wrong-secret-0d5c27e1';

    const r = await runInProcess(genesysInputs(fake, { 'client-secret': wrong }));

    expectOneLineFailure(
      r,
      /^Login to Genesys Cloud /,
      /HTTP 401 \(invalid_client\): authentication failed\./,
    );
    expectNoCredentials(r, [...credentialsOf(fake, wrong), ...credentialsOf(fake)]);
  });

  it('a 403 on the submit: one line naming the permission, no credential', async () => {
    fake.fault(SUBMIT, {
      status: 403,
      body: {
        message: 'You are missing the following permission(s): usage:organization:view',
        code: 'missing.permissions',
        status: 403,
      },
    });

    const r = await runInProcess(genesysInputs(fake));

    expectOneLineFailure(
      r,
      /^Genesys Cloud: Submitting the usage job failed: /,
      /HTTP 403 \(missing\.permissions\): .* The OAuth client needs the usage:organization:view permission/,
    );
    expectNoCredentials(r, credentialsOf(fake));
    // The token existed (and was masked at once) before the 403.
    expect(r.io.secrets).toEqual([fake.clientSecret, fake.basicCredentials, fake.token]);
  });
});

/** What a child run showed, with the runner's own `::add-mask::` commands left out. */
function childTexts(run: ActionRun): Record<string, string> {
  const unmasked = (text: string) =>
    text
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
  return {
    stdout: unmasked(run.stdout),
    stderr: unmasked(run.stderr),
    'the job summary': run.summary,
    outputs: JSON.stringify(run.outputs),
    // The output dir, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY: everything the run wrote.
    ...filesAsTexts(run.workDir),
  };
}

function expectChildClean(run: ActionRun, credentials: Credential[]) {
  expect(findCredentials(childTexts(run), credentials)).toEqual([]);
}

/** The one `::error::` line of a failed child run. */
function errorLine(run: ActionRun): string {
  const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
  expect(errors).toHaveLength(1);
  expect(run.stdout).not.toMatch(/\n\s+at \S+/);
  return errors[0] as string;
}

describe('dist/index.js as a child process', () => {
  it('a login refused with 401: one ::error:: line, no credential in stdout, stderr or any file', async () => {
    fake.fault(LOGIN, REFUSED);

    const run = await runAction(queryInputs(fake));

    expect(run.code).toBe(1);
    expect(errorLine(run)).toMatch(
      /^::error::Login to Genesys Cloud \(http:\/\/127\.0\.0\.1:\d+\) failed for client fake-client-id: HTTP 401 \(invalid_client\): client credentials are invalid\./,
    );
    expectChildClean(run, credentialsOf(fake));
    // The runner was told to mask the secret and the Basic value.
    expect(run.stdout).toContain(`::add-mask::${fake.clientSecret}`);
    expect(run.stdout).toContain(`::add-mask::${fake.basicCredentials}`);
  });

  it("with the SDK's own trace logging on (~/.genesyscloudjavascript/config): still no credential", async () => {
    const home = tempDir('sdk-home');
    await mkdir(path.join(home, '.genesyscloudjavascript'));
    await writeFile(
      path.join(home, '.genesyscloudjavascript', 'config'),
      '[logging]\nlog_level = trace\nlog_to_console = true\nlog_request_body = true\nlog_response_body = true\n',
    );
    fake.fault(SUBMIT, { status: 403, body: { message: 'missing permission', code: 'missing.permissions' } });

    const run = await runAction(queryInputs(fake), { HOME: home });

    expect(run.code).toBe(1);
    expect(errorLine(run)).toMatch(/^::error::Genesys Cloud: Submitting the usage job failed: HTTP 403/);
    // The SDK did log (its request log redacts the Authorization header).
    expect(run.stdout + run.stderr).toContain('=== REQUEST ===');
    expectChildClean(run, credentialsOf(fake));
  });

  describe('failing at the S3 stage', () => {
    const BUCKET = 'usage-lake';
    let s3server: { endpoint: string; close: () => Promise<void> };
    let proxy: S3FaultProxy;
    beforeAll(async () => {
      s3server = await startS3rver([BUCKET]);
      proxy = await startS3FaultProxy(s3server.endpoint);
    });
    afterAll(async () => {
      await proxy.close();
      await s3server.close();
    });

    // Real time: the bundled action's first status check comes after 1 s.
    it('AccessDenied on every PutObject: one ::error:: line, the NDJSON kept, no credential anywhere', async () => {
      const pages = pagesOf([3, 2]);
      fake.addJob({ statuses: ['Succeeded'], pages });
      proxy.failNext('PUT', ACCESS_DENIED, Infinity);

      const run = await runAction(
        queryInputs(fake, { 's3-bucket': BUCKET, 's3-force-path-style': 'true', 'aws-region': REGION }),
        {
          AWS_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
          AWS_ENDPOINT_URL_S3: proxy.endpoint,
          AWS_EC2_METADATA_DISABLED: 'true',
        },
      );

      expect(run.code).toBe(1);
      expect(errorLine(run)).toMatch(
        /^::error::S3 upload of s3:\/\/usage-lake\/genesys-usage\/granularity=day\/dt=2026-11-0[23]\/\S+\.json\.gz failed: AccessDenied: Access Denied$/,
      );
      expect(proxy.requests.filter((r) => r.method === 'PUT').length).toBeGreaterThan(0);
      expectPartitionsHold(run.outputs['ndjson-path']!, pages.flat());
      expectChildClean(run, credentialsOf(fake));
      // All three were handed to the runner to mask; the token only once it existed.
      for (const value of [fake.clientSecret, fake.basicCredentials, fake.token]) {
        expect(run.stdout).toContain(`::add-mask::${value}`);
      }
    });
  });
});
