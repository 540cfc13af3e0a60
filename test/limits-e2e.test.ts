/**
 * The bundled action (dist/index.js) on hostile and oversized data: every GitHub limit holds in the
 * unit GitHub counts, and no value from the data notifies, hides or injects anything. Checked in the
 * written job summary, the comment body the fake GitHub API received, and the GITHUB_OUTPUT file.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { type ActionRun, runAction } from './support/run-action.js';
import { FakeGitHub } from './support/fake-github.js';
import { tempDir } from './support/isolation.js';

const TOKEN = 'ghs-actions';
const PR = 12;
const JOB_SUMMARY_LIMIT_BYTES = 1_048_576;
const COMMENT_LIMIT_CHARS = 65_536;
const OUTPUT_LIMIT_BYTES = 1_000_000;

let github: FakeGitHub;
let dir: string;
let payload: string;

beforeAll(async () => {
  github = await new FakeGitHub({
    tokens: { [TOKEN]: { login: 'github-actions[bot]', installation: true } },
  }).start();
  dir = tempDir('limits-e2e');
  payload = path.join(dir, 'pull_request.json');
  writeFileSync(
    payload,
    JSON.stringify({ number: PR, pull_request: { number: PR, head: { repo: { full_name: 'acme/app' } } } }),
  );
});

afterAll(async () => {
  await github.stop();
});

interface Group {
  id: string;
  name: string;
  requests: number;
  status429: number;
}

/** Legacy usage rows as NDJSON, one day, one row per client. */
function writeRows(name: string, groups: Iterable<Group>): string {
  const file = path.join(dir, name);
  const lines: string[] = [];
  for (const g of groups) {
    lines.push(
      JSON.stringify({
        clientId: g.id,
        clientName: g.name,
        requests: g.requests,
        status200: g.requests - g.status429,
        status400: g.status429,
        status429: g.status429,
        date: '2026-11-13T00:00:00Z',
      }),
    );
  }
  writeFileSync(file, lines.join('\n') + '\n');
  return file;
}

function* breachingGroups(count: number, name: (i: number) => string): Generator<Group> {
  for (let i = 0; i < count; i++) {
    yield { id: `client-${i}`, name: name(i), requests: 1_000 + i, status429: 2 + (i % 997) };
  }
}

async function runOnPullRequest(
  resultsFile: string,
  inputs: Record<string, string> = {},
): Promise<ActionRun> {
  return runAction(
    {
      'results-file': resultsFile,
      interval: '2026-11-13/P1D',
      granularity: 'Day',
      'group-by': 'OAuthClientId',
      'max-429-per-group': '1',
      'github-token': TOKEN,
      ...inputs,
    },
    {
      GITHUB_EVENT_NAME: 'pull_request',
      GITHUB_EVENT_PATH: payload,
      GITHUB_REPOSITORY: 'acme/app',
      GITHUB_API_URL: github.url,
      GITHUB_WORKFLOW: 'Usage',
      GITHUB_JOB: 'report',
    },
  );
}

/** The body of the comment on the pull request (the run updates one sticky comment). */
function commentBody(): string {
  const comments = github.commentsOn(PR);
  expect(comments).toHaveLength(1);
  return comments[0]!.body;
}

function annotations(run: ActionRun): string[] {
  return run.stdout.split('\n').filter((l) => /^::(warning|error)/.test(l));
}

/** Every limit GitHub sets, in GitHub's unit. */
function expectWithinLimits(run: ActionRun, body: string): void {
  expect(Buffer.byteLength(run.summary, 'utf8')).toBeLessThanOrEqual(JOB_SUMMARY_LIMIT_BYTES);
  expect(body.length).toBeLessThanOrEqual(COMMENT_LIMIT_CHARS);
  const outputFile = readFileSync(path.join(run.workDir, 'github-output'), 'utf8');
  expect(Object.keys(run.outputs).length).toBeGreaterThanOrEqual(14);
  for (const value of Object.values(run.outputs)) {
    expect(Buffer.byteLength(value, 'utf8')).toBeLessThan(OUTPUT_LIMIT_BYTES);
  }
  expect(Buffer.byteLength(outputFile, 'utf8')).toBeLessThan(50 * OUTPUT_LIMIT_BYTES);
  // A handful of annotations per step; each of a few KB at most.
  expect(annotations(run).length).toBeLessThanOrEqual(7);
  for (const line of annotations(run)) expect(line.length).toBeLessThan(10_000);
}

/** The breaches output: the worst first, as many as fit, and the total; report.json keeps every one. */
function expectBreachesOutput(run: ActionRun, count: number): void {
  const breaches = JSON.parse(run.outputs.breaches!) as Record<string, unknown>[];
  expect(breaches.length).toBeGreaterThan(1000);
  const note = breaches[breaches.length - 1]!;
  expect(note).toMatchObject({ truncated: true, total: count, shown: breaches.length - 1 });
  expect(breaches[0]).toMatchObject({ threshold: 'max-429-per-group', value: 998 });
  expect(report(run).breaches).toHaveLength(count);
}

function report(run: ActionRun): { breaches: unknown[]; groupCount: number } {
  return JSON.parse(readFileSync(run.outputs['report-json']!, 'utf8'));
}

beforeEach(() => {
  github.comments.splice(0);
});

it('keeps every limit with 20,000 breaching groups, warning 5 times and once with the total', async () => {
  const file = writeRows(
    'groups-20000.ndjson',
    breachingGroups(20_000, (i) => `Client ${i}`),
  );
  const run = await runOnPullRequest(file, { 'fail-on-breach': 'false' });
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  const body = commentBody();
  expectWithinLimits(run, body);
  expectBreachesOutput(run, 20_000);

  const warnings = annotations(run).filter((l) => l.startsWith('::warning title=Threshold breached'));
  expect(warnings).toHaveLength(6);
  expect(warnings[5]).toContain('and 19995 more breaches (20000 in all)');
  for (const text of [run.summary, body]) {
    expect(text).toContain('❌ **20000 threshold breaches**');
    expect(text).toMatch(/… and \d+ more \(see report\.json\)/);
  }
});

// One run of 200,000 groups (the slowest case) checks the failure as well as the report.
it(
  'keeps every limit with 200,000 breaching groups and fails with a message of a few KB',
  async () => {
    const file = writeRows(
      'groups-200000.ndjson',
      breachingGroups(200_000, (i) => `Client ${i}`),
    );
    const run = await runOnPullRequest(file);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(1);
    const body = commentBody();
    expectWithinLimits(run, body);
    expectBreachesOutput(run, 200_000);
    const errors = annotations(run);
    expect(errors).toHaveLength(1);
    expect(errors[0]!.startsWith('::error::max-429-per-group breached for Client')).toBe(true);
    expect(errors[0]!.length).toBeLessThan(4_500);
    expect(errors[0]).toContain('199995 more breaches (200000 in all)');
    expect(run.summary).toContain('❌ **200000 threshold breaches**');
    expect(body).toContain('❌ **200000 threshold breaches**');
  },
  // The replay of 200,000 rows takes a few seconds alone; shared test machines are slower.
  120_000,
);

it('shortens multi-byte names of 200,000 characters everywhere but report.json', async () => {
  const names = ['名', '😀', 'é', 'ß'].map((c) => c.repeat(200_000 / c.length));
  const file = writeRows(
    'long-names.ndjson',
    names.map((name, i) => ({ id: `long-${i}`, name, requests: 100, status429: 50 + i })),
  );
  const run = await runOnPullRequest(file, { 'fail-on-breach': 'false' });
  expect(run.code).toBe(0);
  const body = commentBody();
  expectWithinLimits(run, body);
  // Shortened in the tables and the breach list, with no broken character.
  for (const text of [run.summary, body]) {
    expect(text).toContain(`${'名'.repeat(99)}…`);
    expect(text).not.toContain('名'.repeat(101));
    expect(text).not.toMatch(/\uFFFD|[\uD800-\uDBFF](?![\uDC00-\uDFFF])/);
  }
  expect(run.summary.length).toBeLessThan(60_000);
  // The whole names are in report.json and in the breaches output.
  const groups = (report(run).breaches as { group: { clientName: string } }[]).map((b) => b.group.clientName);
  expect(groups.sort()).toEqual([...names].sort());
  expect(Buffer.byteLength(run.outputs.breaches!)).toBeGreaterThan(4 * 200_000);
});

describe('hostile names', () => {
  const HOSTILE = [
    '@octocat please look @acme/security-team',
    'Billing\u202Egnp.exe',
    'line one\u2028line two\nline three',
    'see https://evil.example and www.evil.example #12',
    '=HYPERLINK("http://evil","x")',
    '<img src=x onerror=alert(1)> | `x`',
    'name\n::error::injected\n::add-mask::abc',
    'x ##[warning]injected',
    'zero\u200Bwidth\u200Djoiner\uFEFF',
  ];
  let run: ActionRun;
  let body: string;

  beforeAll(async () => {
    const file = writeRows(
      'hostile.ndjson',
      HOSTILE.map((name, i) => ({ id: `c${i}`, name, requests: 1000, status429: 10 + i })),
    );
    run = await runOnPullRequest(file, { 'fail-on-breach': 'false' });
    body = commentBody();
  });

  it('runs and keeps within the limits', () => {
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expectWithinLimits(run, body);
  });

  it('neither mentions, links, hides nor injects in the summary and the comment', () => {
    for (const text of [run.summary, body]) {
      // The Markdown GitHub sees splits every @, # and :// with an empty comment.
      const pieces = text.split('<!-- -->');
      for (const piece of pieces) {
        expect(piece).not.toMatch(/(^|[^\w])@(octocat|acme)/);
        expect(piece).not.toMatch(/https?:\/\/evil|www\.evil/);
        expect(piece).not.toMatch(/&#35;12/);
      }
      expect(text).toContain('@<!-- -->octocat please look @<!-- -->acme/security-team');
      expect(text).not.toMatch(/\u202E|\u2028|\u200B|\u200D|\uFEFF/);
      expect(text).toContain('Billing&#92;u202Egnp.exe');
      expect(text).not.toContain('<img');
      expect(text).not.toMatch(/^::/m);
    }
  });

  it('writes no workflow command from the data into the log', () => {
    const lines = run.stdout.split('\n');
    expect(lines.filter((l) => /^\s*::(error|add-mask)/.test(l))).toEqual([]);
    expect(run.stdout).not.toContain('##[warning]injected');
    expect(run.stdout).not.toMatch(/[\u202E\u2028\u200B]/);
    // A value's line breaks and invisible characters are written out: one breach, one line.
    const warnings = lines.filter((l) => l.startsWith('::warning')).join('\n');
    expect(warnings).toContain('for name\\n::error::injected\\n::add-mask::abc (c6)');
    expect(warnings).toContain('for zero\\u200Bwidth\\u200Djoiner\\uFEFF (c8)');
    expect(warnings).not.toContain('%0A');
  });

  it('keeps the true values in report.json and the outputs, with invisible characters escaped', () => {
    const raw = readFileSync(run.outputs['report-json']!, 'utf8');
    expect(raw).not.toMatch(/[\u202E\u2028\u200B]/);
    const names = (JSON.parse(raw).breaches as { group: { clientName: string } }[]).map(
      (b) => b.group.clientName,
    );
    expect(names.sort()).toEqual([...HOSTILE].sort());
    expect(run.outputs.breaches).not.toMatch(/[\u202E\u2028\u200B]/);
    const fromOutput = (JSON.parse(run.outputs.breaches!) as { group: { clientName: string } }[]).map(
      (b) => b.group.clientName,
    );
    expect(fromOutput.sort()).toEqual([...HOSTILE].sort());
  });
});
