/** Runs the bundled action (`node dist/index.js`) as a runner would, and reads back what it wrote. */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { tempDir } from './isolation.js';

export const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);

/**
 * The Node binary that runs the bundle: `ACTION_NODE` when set (.ci/run points it at Node 24, the
 * runtime action.yml declares), else the one running the tests.
 */
export const ACTION_NODE = process.env.ACTION_NODE || process.execPath;

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  outputs: Record<string, string>;
  summary: string;
  workDir: string;
}

/** Parses the `name<<delimiter` blocks that @actions/core writes to GITHUB_OUTPUT. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const pattern = /^(.+?)<<(ghadelimiter_[^\n]+)\n([\s\S]*?)\n\2$/gm;
  for (const m of text.matchAll(pattern)) outputs[m[1] as string] = m[3] as string;
  return outputs;
}

/**
 * A runner step's environment in a new work folder: `inputs` as INPUT_*, the GitHub files there, `env`
 * added as is (over a clean environment, loopback only).
 */
export function actionEnvironment(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): { workDir: string; outputFile: string; summaryFile: string; childEnv: Record<string, string> } {
  const workDir = tempDir('action-run');
  const outputFile = path.join(workDir, 'github-output');
  const summaryFile = path.join(workDir, 'step-summary.md');
  writeFileSync(outputFile, '');
  writeFileSync(summaryFile, '');
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: workDir,
    RUNNER_TEMP: workDir,
    GITHUB_OUTPUT: outputFile,
    GITHUB_STEP_SUMMARY: summaryFile,
    NO_PROXY: '127.0.0.1,localhost',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...env,
  };
  for (const [name, value] of Object.entries(inputs)) childEnv[`INPUT_${name.toUpperCase()}`] = value;
  return { workDir, outputFile, summaryFile, childEnv };
}

/** `inputs` by their action.yml names; `env` added as is (over a clean environment). */
export async function runAction(
  inputs: Record<string, string>,
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const { workDir, outputFile, summaryFile, childEnv } = actionEnvironment(inputs, env);
  const child = spawn(ACTION_NODE, [path.join(ROOT, 'dist', 'index.js')], {
    env: childEnv,
    cwd: workDir,
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', (error) => reject(new Error(`cannot run ${ACTION_NODE}: ${error.message}`)));
    child.on('close', resolve);
  });
  return {
    code,
    stdout,
    stderr,
    outputs: parseOutputFile(readFileSync(outputFile, 'utf8')),
    summary: readFileSync(summaryFile, 'utf8'),
    workDir,
  };
}
