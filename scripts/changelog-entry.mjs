#!/usr/bin/env node
// Prints the CHANGELOG.md entry of one version (the text under `## [X.Y.Z] - date`), the notes of
// its GitHub release. Fails when the entry is missing or empty. Usage: node scripts/changelog-entry.mjs 1.2.3
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const version = (process.argv[2] ?? '').replace(/^v/, '');
if (!/^\d+\.\d+\.\d+$/.test(version)) {
  console.error(`usage: changelog-entry.mjs X.Y.Z (got "${process.argv[2] ?? ''}")`);
  process.exit(2);
}
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const lines = readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8').split(/\r?\n/);
const heading = `## [${version}]`;
const start = lines.findIndex((line) => line === heading || line.startsWith(`${heading} `));
if (start < 0) {
  console.error(`CHANGELOG.md has no "${heading} - YYYY-MM-DD" entry.`);
  process.exit(1);
}
const rest = lines.slice(start + 1);
const end = rest.findIndex((line) => /^## /.test(line) || /^\[[^\]]+\]: /.test(line));
const entry = (end < 0 ? rest : rest.slice(0, end)).join('\n').trim();
if (!entry) {
  console.error(`The CHANGELOG.md entry "${heading}" is empty.`);
  process.exit(1);
}
console.log(entry);
