#!/usr/bin/env node
// Runs the bundled action (dist/index.js) locally on a shipped example result, the way a runner
// would: INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files. Needs no install and no
// cloud account. Usage: npm run example [-- path/to/result.json [KEY=VALUE ...]]
//   e.g. npm run example -- examples/results/aggregates-pages.json max-429=100
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
// An input is `name=value` with an input's name; anything else (a path may contain `=`, such as
// `granularity=day/dt=2026-11-17/...json.gz`) is the results file.
const isInput = (a) => /^[a-z][a-z0-9-]*=/.test(a) && !existsSync(path.resolve(root, a));
const resultsFile = args.find((a) => !isInput(a)) ?? 'examples/results/legacy-daily-by-client.json';
const work = path.join(root, 'genesys-usage-report');
// Not wiped: the results file may be one of the action's own outputs in there; the action itself
// removes files an earlier run left in its NDJSON folder.
mkdirSync(work, { recursive: true });
const outputFile = path.join(work, 'github-output.txt');
const summaryFile = path.join(work, 'github-step-summary.md');
writeFileSync(outputFile, '');
writeFileSync(summaryFile, '');

const inputs = {
  // No interval, granularity, api or group-by: the rows say what they are, and the run logs what it inferred.
  'results-file': path.resolve(root, resultsFile),
  'output-dir': work,
  'max-429': '5000',
  'max-429-rate': '1%',
  'max-429-per-group': '1000',
  'fail-on-breach': 'false',
  // A local run never comments, even from a shell inside a pull-request job.
  'pr-comment': 'false',
};
for (const pair of args.filter(isInput)) {
  const [key, ...rest] = pair.split('=');
  inputs[key] = rest.join('=');
}
const env = { ...process.env, GITHUB_OUTPUT: outputFile, GITHUB_STEP_SUMMARY: summaryFile };
for (const [key, value] of Object.entries(inputs)) env[`INPUT_${key.toUpperCase()}`] = value;

console.log(`Running dist/index.js on ${resultsFile}\n`);
const result = spawnSync(process.execPath, [path.join(root, 'dist', 'index.js')], { env, stdio: 'inherit' });

console.log('\nOutputs (GITHUB_OUTPUT):');
const outputs = readFileSync(outputFile, 'utf8').split(/\r?\n(?=\S+<<ghadelimiter)/);
for (const block of outputs) {
  const m = /^(\S+)<<(ghadelimiter_[^\n]+)\n([\s\S]*?)\n\2/.exec(block);
  if (m) console.log(`  ${m[1]} = ${m[3]}`);
}
console.log(`\nJob summary: ${summaryFile}`);
console.log(`Open ${path.join(work, 'summary.md')} to read the report.`);
process.exit(result.status ?? 1);
