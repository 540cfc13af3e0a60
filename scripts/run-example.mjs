#!/usr/bin/env node
// Runs the bundled action (dist/index.js) locally on a shipped example result, the way a runner
// would: INPUT_* variables, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files. Needs no install and no
// cloud account. Usage: npm run example [-- path/to/result.json [KEY=VALUE ...]]
//   e.g. npm run example -- examples/results/aggregates-pages.json max-429=100
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const resultsFile = args.find((a) => !a.includes('=')) ?? 'examples/results/legacy-daily-by-client.json';
const work = path.join(root, 'genesys-usage-report');
rmSync(work, { recursive: true, force: true });
mkdirSync(work, { recursive: true });
const outputFile = path.join(work, 'github-output.txt');
const summaryFile = path.join(work, 'github-step-summary.md');
writeFileSync(outputFile, '');
writeFileSync(summaryFile, '');

const inputs = {
  'results-file': path.resolve(root, resultsFile),
  interval: '2026-11-13/2026-11-20',
  granularity: 'Day',
  'group-by': 'OauthClientId',
  'output-dir': work,
  'max-429': '5000',
  'max-429-rate': '1%',
  'max-429-per-group': '1000',
  'fail-on-breach': 'false',
  // A local run never comments, even from a shell inside a pull-request job.
  'pr-comment': 'false',
};
for (const pair of args.filter((a) => a.includes('='))) {
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
