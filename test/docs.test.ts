/** action.yml, the README and the code's defaults must agree, and cover the whole contract. */
import { readFileSync } from 'node:fs';
import { DEFAULTS } from '../src/config.js';
import { ROOT } from './support/run-action.js';

const actionYml = readFileSync(`${ROOT}/action.yml`, 'utf8');
const readme = readFileSync(`${ROOT}/README.md`, 'utf8');
const contract = readFileSync(`${ROOT}/../shared/CONTRACT.md`, 'utf8').toString();

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

/** The first column of the README table under a heading. */
function readmeTable(heading: string): string[] {
  const part = readme.split(`## ${heading}\n`)[1]!.split(/^##+ /m)[0]!;
  return [...part.matchAll(/^\|\s*`([a-z0-9-]+)`\s*\|/gm)].map((m) => m[1]!);
}

function contractTable(heading: string): string[] {
  const part = contract.split(`## ${heading}\n`)[1]!.split(/^## /m)[0]!;
  return [...part.matchAll(/^\|\s*`([a-z0-9-]+)`\s*\|/gm)].map((m) => m[1]!);
}

describe('documentation agrees with the action', () => {
  const inputs = section('inputs');
  const outputs = section('outputs');

  it('declares every contract input and output in action.yml', () => {
    for (const name of contractTable('Inputs')) expect(inputs.has(name)).toBe(true);
    for (const name of contractTable('Outputs')) expect(outputs.has(name)).toBe(true);
  });

  it('lists every action.yml input and output in the README', () => {
    expect(readmeTable('Inputs').sort()).toEqual([...inputs.keys()].sort());
    expect(readmeTable('Outputs').sort()).toEqual([...outputs.keys()].sort());
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
