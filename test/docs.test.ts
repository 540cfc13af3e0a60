/**
 * action.yml, docs/reference.md and the code's defaults must agree, and the published interface
 * (the names users have written into their workflows) must never lose a name.
 */
import { readFileSync } from 'node:fs';
import { DEFAULTS } from '../src/config.js';
import { ROOT } from './support/run-action.js';

const actionYml = readFileSync(`${ROOT}/action.yml`, 'utf8');
const reference = readFileSync(`${ROOT}/docs/reference.md`, 'utf8');

/** Inputs and outputs of the public contract: add names, never rename or drop one. */
const PUBLISHED_INPUTS = [
  'client-id',
  'client-secret',
  'environment',
  'api',
  'interval',
  'granularity',
  'group-by',
  'metrics',
  'results-file',
  'output-dir',
  's3-bucket',
  's3-prefix',
  'compression',
  's3-kms-key-id',
  's3-force-path-style',
  'aws-region',
  'glue-crawler',
  'crawl',
  'athena-database',
  'athena-table',
  'athena-workgroup',
  'athena-catalog',
  'athena-output-location',
  'athena-query',
  'max-429',
  'max-429-rate',
  'max-429-per-group',
  'fail-on-breach',
  'top',
  'summary',
  'pr-comment',
  'github-token',
  'query-timeout',
  'crawler-timeout',
  'athena-timeout',
];
const PUBLISHED_OUTPUTS = [
  'query-id',
  'records',
  'total-requests',
  'total-429',
  'rate-429',
  'breached',
  'breaches',
  'ndjson-path',
  's3-uris',
  'crawler-status',
  'athena-query-execution-id',
  'athena-results-csv',
  'summary-path',
  'report-json',
];

/** `name -> default` of one top-level section of action.yml (two-space keys, four-space fields). */
function section(name: 'inputs' | 'outputs'): Map<string, string | undefined> {
  const body = actionYml.split(new RegExp(`^${name}:\\n`, 'm'))[1]!.split(/^\S/m)[0]!;
  const entries = new Map<string, string | undefined>();
  let current = '';
  for (const line of body.split('\n')) {
    const key = /^ {2}([a-z0-9-]+):\s*$/.exec(line);
    if (key) entries.set((current = key[1]!), undefined);
    const def = /^ {4}default:\s*(.*)$/.exec(line);
    if (def && current) entries.set(current, def[1]!.replace(/^'(.*)'$/, '$1'));
  }
  return entries;
}

/** The first column of the reference's table under a heading. */
function referenceTable(heading: string): string[] {
  const part = reference.split(`## ${heading}\n`)[1]!.split(/^##+ /m)[0]!;
  return [...part.matchAll(/^\|\s*`([a-z0-9-]+)`\s*\|/gm)].map((m) => m[1]!);
}

describe('documentation agrees with the action', () => {
  const inputs = section('inputs');
  const outputs = section('outputs');

  it('declares every published input and output in action.yml', () => {
    for (const name of PUBLISHED_INPUTS) expect([name, inputs.has(name)]).toEqual([name, true]);
    for (const name of PUBLISHED_OUTPUTS) expect([name, outputs.has(name)]).toEqual([name, true]);
  });

  it('lists every action.yml input and output in docs/reference.md', () => {
    expect(referenceTable('Inputs').sort()).toEqual([...inputs.keys()].sort());
    expect(referenceTable('Outputs').sort()).toEqual([...outputs.keys()].sort());
  });

  it('applies the same defaults in code as action.yml declares', () => {
    for (const [name, value] of Object.entries(DEFAULTS))
      expect([name, inputs.get(name)]).toEqual([name, value]);
    for (const [name, value] of inputs) {
      if (value && !value.startsWith('${{'))
        expect([name, (DEFAULTS as Record<string, string>)[name]]).toEqual([name, value]);
    }
  });

  it('runs on node24', () => {
    expect(actionYml).toMatch(/^ {2}using: node24$/m);
    expect(actionYml).toMatch(/^ {2}main: dist\/index\.js$/m);
  });
});
