/** `.env.example` (for @github/local-action) names only real inputs, and runs as shipped. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Env } from '../../src/config.js';
import { loopbackOnly, tempDir } from './helpers.js';

const run = promisify(execFile);

function parseDotenv(text: string): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z_][A-Za-z0-9_.-]*)=(.*)$/.exec(line.trim());
    if (m) vars[m[1] as string] = m[2] as string;
  }
  return vars;
}

const vars = parseDotenv(readFileSync('.env.example', 'utf8'));
const actionInputs = [
  ...(/^inputs:\n([\s\S]*?)^\S/m.exec(readFileSync('action.yml', 'utf8'))?.[1] ?? '').matchAll(
    /^ {2}([a-z0-9-]+):\s*$/gm,
  ),
].map((m) => m[1] as string);

describe('.env.example', () => {
  it('names only inputs that action.yml declares, as INPUT_<NAME> with hyphens kept', () => {
    const names = Object.keys(vars)
      .filter((k) => k.startsWith('INPUT_'))
      .map((k) => k.slice('INPUT_'.length));
    expect(names.length).toBeGreaterThan(30);
    expect(names.filter((n) => n !== n.toUpperCase())).toEqual([]);
    expect(names.filter((n) => !actionInputs.includes(n.toLowerCase()))).toEqual([]);
  });

  it('replays the shipped example through dist/index.js and succeeds', async () => {
    const { dir, remove } = await tempDir();
    try {
      const summaryFile = path.join(dir, 'step-summary.md');
      const outputFile = path.join(dir, 'output');
      await writeFile(summaryFile, '');
      await writeFile(outputFile, '');
      const base: Env = Object.fromEntries(
        Object.entries(process.env).filter(([key]) => !/^(INPUT_|GITHUB_|RUNNER_|ACTIONS_)/.test(key)),
      );
      const env = loopbackOnly({
        ...base,
        ...vars,
        'INPUT_RESULTS-FILE': path.resolve(vars['INPUT_RESULTS-FILE'] ?? ''),
        'INPUT_OUTPUT-DIR': dir,
        GITHUB_STEP_SUMMARY: summaryFile,
        GITHUB_OUTPUT: outputFile,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      });
      const { stdout } = await run(process.execPath, [path.resolve('dist', 'index.js')], { env, cwd: dir });
      expect(stdout).not.toMatch(/^::error/m);
      expect(await readFile(summaryFile, 'utf8')).toMatch(/^## Genesys Cloud API usage: 2026-11-13/);
      expect(await readFile(outputFile, 'utf8')).toMatch(/^records<<ghadelimiter_\S+\n35\n/m);
    } finally {
      await remove();
    }
  });
});
