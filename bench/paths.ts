import { mkdirSync } from 'node:fs';
import path from 'node:path';

export const ROOT = path.resolve(new URL('../..', import.meta.url).pathname);
export const DIST = path.join(ROOT, 'dist', 'index.js');
export const OUT = path.join(ROOT, 'bench-out');
mkdirSync(OUT, { recursive: true });

/** The environment of a runner step: inputs as INPUT_*, no GitHub files (off a runner), loopback only. */
export function actionEnv(
  inputs: Record<string, string>,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NO_PROXY: '127.0.0.1,localhost',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  return env;
}
