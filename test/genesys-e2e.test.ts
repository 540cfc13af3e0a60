/**
 * The bundled action (`node dist/index.js`, run `npm run bundle` first) against the loopback fake
 * Genesys Cloud: inputs through INPUT_* variables, outputs through GITHUB_OUTPUT, files on disk.
 * Real time: the first status check comes after about 1 s.
 */
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { aggregatesRow, FakeGenesys, loopbackOnly } from './support/fake-genesys.js';

loopbackOnly();

const DIST = path.resolve('dist/index.js');

let fake: FakeGenesys;
let dir: string;
beforeEach(async () => {
  fake = await FakeGenesys.start();
  dir = await mkdtemp(path.join(tmpdir(), 'genesys-e2e-'));
});
afterEach(async () => {
  await fake.close();
  await rm(dir, { recursive: true, force: true });
});

function runAction(
  env: Record<string, string>,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DIST], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** `name<<DELIMITER\nvalue\nDELIMITER` blocks, as @actions/core writes them. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const re = /^([^\n<]+)<<(\S+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(re)) outputs[m[1] as string] = m[3] as string;
  return outputs;
}

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

const describeIfBundled = existsSync(DIST) ? describe : describe.skip;

describeIfBundled('dist/index.js against the fake Genesys Cloud', () => {
  it('queries, writes NDJSON and sets the outputs without leaking a credential', async () => {
    const pages = [[aggregatesRow(1), aggregatesRow(2)], [aggregatesRow(3)]];
    fake.addJob({ statuses: ['Succeeded'], pages });
    const outputFile = path.join(dir, 'github-output');
    const summaryFile = path.join(dir, 'step-summary.md');
    await writeFile(outputFile, '');
    await writeFile(summaryFile, '');
    const outputDir = path.join(dir, 'out');

    const { code, stdout, stderr } = await runAction({
      PATH: process.env.PATH ?? '',
      HOME: dir, // no ~/.genesyscloudjavascript/config of the machine
      NO_PROXY: '127.0.0.1,localhost',
      GITHUB_OUTPUT: outputFile,
      GITHUB_STEP_SUMMARY: summaryFile,
      GITHUB_EVENT_NAME: 'push',
      RUNNER_TEMP: dir,
      'INPUT_CLIENT-ID': fake.clientId,
      'INPUT_CLIENT-SECRET': fake.clientSecret,
      INPUT_ENVIRONMENT: fake.url,
      INPUT_INTERVAL: 'P7D',
      INPUT_GRANULARITY: 'Day',
      'INPUT_GROUP-BY': 'OauthClientId',
      'INPUT_OUTPUT-DIR': outputDir,
      'INPUT_PR-COMMENT': 'false',
    });

    expect({ code, stderr }).toEqual({ code: 0, stderr: '' });
    expect(stdout).toContain('Job job-1: Succeeded');
    expect(stdout).toContain('Job job-1: page 2, 1 rows (3 so far), last page');

    const outputs = parseOutputs(await readFile(outputFile, 'utf8'));
    expect(outputs['query-id']).toBe('job-1');
    expect(outputs.records).toBe('3');
    expect(outputs['total-requests']).toBe(String(101 + 102 + 103));

    const ndjson = (await filesUnder(outputDir)).filter(
      (f) => /\.json(\.gz)?$/.test(f) && !f.endsWith('report.json'),
    );
    expect(ndjson.length).toBeGreaterThan(0);
    const records = ndjson
      .flatMap((f) => {
        const raw = readFileSyncMaybeGz(f);
        return raw.split('\n').filter(Boolean);
      })
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
    for (const f of await filesUnder(dir)) everything.push(readFileSyncMaybeGz(f));
    const all = everything.join('\n');
    for (const secret of [fake.clientSecret, fake.token, fake.basicCredentials]) {
      expect(all).not.toContain(secret);
    }
  });

  it('fails the step with one line when the login is refused', async () => {
    const outputFile = path.join(dir, 'github-output');
    await writeFile(outputFile, '');
    const { code, stdout, stderr } = await runAction({
      PATH: process.env.PATH ?? '',
      HOME: dir,
      NO_PROXY: '127.0.0.1,localhost',
      GITHUB_OUTPUT: outputFile,
      'INPUT_CLIENT-ID': fake.clientId,
      'INPUT_CLIENT-SECRET': 'not-the-secret-81d3e0',
      INPUT_ENVIRONMENT: fake.url,
      INPUT_INTERVAL: 'P1D',
      'INPUT_OUTPUT-DIR': path.join(dir, 'out'),
      'INPUT_PR-COMMENT': 'false',
      INPUT_SUMMARY: 'false',
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

function readFileSyncMaybeGz(file: string): string {
  const data = readFileSync(file);
  return file.endsWith('.gz') ? gunzipSync(data).toString('utf8') : data.toString('utf8');
}
