/** `.env.example` (for @github/local-action) names only real inputs, and runs as shipped. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from '../support/isolation.js';
import { runAction } from '../support/run-action.js';

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
    // A clean environment: nothing of the machine's own runner or input variables leaks in.
    const run = await runAction(
      {},
      {
        ...vars,
        'INPUT_RESULTS-FILE': path.resolve(vars['INPUT_RESULTS-FILE'] ?? ''),
        'INPUT_OUTPUT-DIR': tempDir('env-example'),
      },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).not.toMatch(/^::error/m);
    expect(run.summary).toMatch(/^## Genesys Cloud API usage: 2026-11-13/);
    expect(run.outputs.records).toBe('35');
  });
});
