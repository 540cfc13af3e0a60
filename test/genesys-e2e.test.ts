/**
 * The bundled action (`node dist/index.js`, run `npm run bundle` first) against the loopback fake
 * Genesys Cloud: inputs through INPUT_* variables, outputs through GITHUB_OUTPUT, files on disk.
 * Real time: the first status check comes after about 1 s.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { aggregatesRow, FakeGenesys } from './support/fake-genesys.js';
import { filesUnder, readText } from './support/fault-run.js';
import { loopbackOnly } from './support/isolation.js';
import { ROOT, runAction } from './support/run-action.js';

process.env = loopbackOnly(process.env);

let fake: FakeGenesys;
beforeEach(async () => {
  fake = await FakeGenesys.start();
});
afterEach(async () => {
  await fake.close();
});

/** `YYYY-MM-DD` of `n` days before today (UTC, real time: the bundled action reads the real clock). */
function daysAgo(n: number): string {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

const describeIfBundled = existsSync(path.join(ROOT, 'dist', 'index.js')) ? describe : describe.skip;

describeIfBundled('dist/index.js against the fake Genesys Cloud', () => {
  it('queries, writes NDJSON and sets the outputs without leaking a credential', async () => {
    // Dated yesterday (real time): inside P7D, so the fake serves them.
    const date = daysAgo(1);
    const pages = [[aggregatesRow(1, { date }), aggregatesRow(2, { date })], [aggregatesRow(3, { date })]];
    fake.addJob({ statuses: ['Succeeded'], pages });

    // A clean environment, HOME the run's folder: no ~/.genesyscloudjavascript/config of the machine.
    const run = await runAction(
      {
        'client-id': fake.clientId,
        'client-secret': fake.clientSecret,
        environment: fake.url,
        interval: 'P7D',
        granularity: 'Day',
        'group-by': 'OauthClientId',
        'output-dir': 'out', // under the run's working folder
        'pr-comment': 'false',
      },
      { GITHUB_EVENT_NAME: 'push' },
    );
    const { code, stdout, stderr, outputs } = run;
    const outputDir = path.join(run.workDir, 'out');

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('Job job-1: Succeeded');
    expect(stdout).toContain('Job job-1: page 2, 1 rows (3 so far), last page');

    expect(outputs['query-id']).toBe('job-1');
    expect(outputs.records).toBe('3');
    expect(outputs['total-requests']).toBe(String(101 + 102 + 103));

    const ndjson = filesUnder(outputDir).filter(
      (f) => /\.json(\.gz)?$/.test(f) && !f.endsWith('report.json'),
    );
    expect(ndjson.length).toBeGreaterThan(0);
    const records = ndjson
      .flatMap((f) => readText(f).split('\n').filter(Boolean))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(records).toHaveLength(3);
    expect(records.every((r) => r.queryId === 'job-1' && r.api === 'aggregates')).toBe(true);
    expect(records.map((r) => r.templateUri).sort()).toEqual([
      'api/v2/things/1',
      'api/v2/things/2',
      'api/v2/things/3',
    ]);

    // Credentials appear only in the runner's own masking commands, nowhere else.
    const logs = [stdout, stderr]
      .join('\n')
      .split('\n')
      .filter((line) => !line.startsWith('::add-mask::'))
      .join('\n');
    expect(stdout).toContain(`::add-mask::${fake.token}`);
    const everything = [logs];
    // Everything the run wrote: GITHUB_OUTPUT, the job summary, the output dir, HOME.
    for (const f of filesUnder(run.workDir)) everything.push(readText(f));
    const all = everything.join('\n');
    for (const secret of [fake.clientSecret, fake.token, fake.basicCredentials]) {
      expect(all).not.toContain(secret);
    }
  });

  it('fails the step with one line when the login is refused', async () => {
    const { code, stdout, stderr } = await runAction({
      'client-id': fake.clientId,
      'client-secret': 'not-the-secret-81d3e0',
      environment: fake.url,
      interval: 'P1D',
      'output-dir': 'out',
      'pr-comment': 'false',
      summary: 'false',
    });
    expect(code).toBe(1);
    const errors = stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toEqual([
      expect.stringContaining(
        `failed for client ${fake.clientId}: HTTP 401 (invalid_client): authentication failed.`,
      ),
    ]);
    const logs = [stdout, stderr]
      .join('\n')
      .split('\n')
      .filter((l) => !l.startsWith('::add-mask::'))
      .join('\n');
    expect(logs).not.toContain('not-the-secret-81d3e0');
    expect(logs).not.toContain(Buffer.from(`${fake.clientId}:not-the-secret-81d3e0`).toString('base64'));
  });
});
