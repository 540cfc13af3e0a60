/**
 * The bundled action, as a runner starts it, on a pull request from a fork without secrets.
 * Needs a fresh `npm run bundle` (CI checks dist/ is fresh).
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Env } from '../../src/config.js';
import { SKIPPED_OUTPUTS } from '../../src/github/restricted.js';
import { loopbackOnly, tempDir } from './helpers.js';

const run = promisify(execFile);
const DIST = path.resolve('dist', 'index.js');
const FORK_PAYLOAD = path.resolve('test', 'fixtures', 'github', 'pull-request-fork.json');

/** The runner's `name<<delimiter\nvalue\ndelimiter` blocks from GITHUB_OUTPUT. */
function parseOutputs(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const m of text.matchAll(/^([^\n<]+)<<(ghadelimiter_[^\n]+)\n([\s\S]*?)\n\2$/gm)) {
    outputs[m[1] as string] = m[3] as string;
  }
  return outputs;
}

describe('dist/index.js on a fork pull request without secrets', () => {
  it('exits 0 with one warning, a summary that says why, and empty outputs', async () => {
    expect(existsSync(DIST)).toBe(true); // run `npm run bundle` first
    const { dir, remove } = await tempDir();
    try {
      const outputFile = path.join(dir, 'github-output');
      const summaryFile = path.join(dir, 'step-summary.md');
      await writeFile(outputFile, '');
      await writeFile(summaryFile, '');
      // Nothing of the machine's own runner or input variables leaks in.
      const base: Env = Object.fromEntries(
        Object.entries(process.env).filter(([key]) => !/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_)/.test(key)),
      );
      const env = loopbackOnly({
        ...base,
        GITHUB_ACTIONS: 'true',
        GITHUB_EVENT_NAME: 'pull_request',
        GITHUB_EVENT_PATH: FORK_PAYLOAD,
        GITHUB_REPOSITORY: 'acme/genesys-usage-app',
        GITHUB_ACTOR: 'outside-contributor',
        GITHUB_API_URL: 'http://127.0.0.1:9', // never called: nothing may be commented
        GITHUB_OUTPUT: outputFile,
        GITHUB_STEP_SUMMARY: summaryFile,
        RUNNER_TEMP: dir,
        INPUT_INTERVAL: 'P1D',
        'INPUT_CLIENT-ID': '',
        'INPUT_CLIENT-SECRET': '',
        'INPUT_GITHUB-TOKEN': 'ghs-read-only',
        'INPUT_PR-COMMENT': 'true',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      });

      const { stdout } = await run(process.execPath, [DIST], { env, cwd: dir });
      // execFile rejects on a non-zero exit: reaching here means exit code 0.
      const lines = stdout.split(/\r?\n/);
      const warnings = lines.filter((l) => l.startsWith('::warning'));
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(/^::warning title=Genesys usage report skipped::Pull requests from forks/);
      expect(lines.filter((l) => l.startsWith('::error'))).toEqual([]);

      const summary = await readFile(summaryFile, 'utf8');
      expect(summary).toContain('## Genesys Cloud API usage: not queried');
      expect(summary).toContain('<code>outside-contributor/genesys-usage-app</code>');
      expect(summary).toMatch(/no secrets and a read-only token/);
      expect(summary).toContain('`pull_request_target`');

      expect(parseOutputs(await readFile(outputFile, 'utf8'))).toEqual(SKIPPED_OUTPUTS);
    } finally {
      await remove();
    }
  });
});
