/**
 * The fault and secret-hygiene suites' common ground: `run()` in-process with the real Genesys and
 * data lake adapters (real SDK clients, loopback fakes), a virtual clock, and the checks every
 * scenario makes: one-line failures, NDJSON on disk intact, no credential anywhere.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runDataLake } from '../../src/aws/index.js';
import type { Env } from '../../src/types.js';
import { queryGenesysUsage } from '../../src/genesys/index.js';
import { run } from '../../src/main.js';
import { type CapturedIO, captureIO } from './capture-io.js';
import { aggregatesRow, type FakeGenesys } from './fake-genesys.js';
import { tempDir, type VirtualClock, virtualClock } from './isolation.js';

/** The test clock: a few weeks after the queried interval. */
export const NOW = new Date('2026-11-21T12:00:00Z');
export const INTERVAL = '2026-11-01/2026-11-07';

/** The inputs of a live query against the fake: a week by day, grouped by client and template. */
export function queryInputs(fake: FakeGenesys, extra: Record<string, string> = {}): Record<string, string> {
  return {
    'client-id': fake.clientId,
    'client-secret': fake.clientSecret,
    environment: fake.url,
    interval: INTERVAL,
    granularity: 'Day',
    'group-by': 'OauthClientId,TemplateUri',
    'pr-comment': 'false',
    ...extra,
  };
}

/** queryInputs() with a fresh output-dir: for runInProcess(). */
export function genesysInputs(fake: FakeGenesys, extra: Record<string, string> = {}): Record<string, string> {
  return queryInputs(fake, { 'output-dir': tempDir('faults-out'), ...extra });
}

/** Pages of aggregates rows: page i holds `sizes[i]` rows dated 2026-11-0(i+2), numbered on across pages. */
export function pagesOf(sizes: number[]): Record<string, unknown>[][] {
  let n = 0;
  return sizes.map((size, page) =>
    Array.from({ length: size }, () => aggregatesRow(++n, { date: `2026-11-0${page + 2}` })),
  );
}

export interface InProcessRun {
  io: CapturedIO;
  clock: VirtualClock;
  outputDir: string;
  /** `<output-dir>/<s3-prefix>`: where the partitions go. */
  ndjsonDir: string;
  /** Whatever reached `console` during the run (the SDKs must print nothing). */
  console: string[];
}

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

/** `run()` with the real adapters, inputs from `inputs`, and nothing that really waits. */
export async function runInProcess(
  inputs: Record<string, string>,
  options: { clock?: VirtualClock; env?: Env } = {},
): Promise<InProcessRun> {
  const io = captureIO();
  const clock = options.clock ?? virtualClock(NOW);
  const printed: string[] = [];
  const saved = CONSOLE_METHODS.map((name) => [name, console[name]] as const);
  for (const name of CONSOLE_METHODS) {
    console[name] = (...args: unknown[]) => void printed.push(args.map(String).join(' '));
  }
  try {
    await run({
      io,
      env: options.env ?? {},
      getInput: (name) => inputs[name] ?? '',
      now: clock.now,
      sleep: clock.sleep,
      queryUsage: queryGenesysUsage,
      dataLake: runDataLake,
      publishComment: async () => {
        throw new Error('pr-comment is off in these tests');
      },
    });
  } finally {
    for (const [name, fn] of saved) console[name] = fn as (typeof console)[typeof name];
  }
  const outputDir = inputs['output-dir'] as string;
  const prefix = (inputs['s3-prefix'] ?? 'genesys-usage').split('/').filter(Boolean);
  return { io, clock, outputDir, ndjsonDir: path.join(outputDir, ...prefix), console: printed };
}

/** Every file under `dir`, recursively (none when it does not exist). */
export function filesUnder(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { recursive: true, withFileTypes: true });
  } catch {
    return [];
  }
  return entries
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

/** A file's text, gunzipped when it ends in .gz (throws on a broken gzip stream). */
export function readText(file: string): string {
  const data = readFileSync(file);
  return (file.endsWith('.gz') ? gunzipSync(data) : data).toString('utf8');
}

export interface Partitions {
  /** Relative to the NDJSON folder. */
  files: string[];
  records: Record<string, unknown>[];
}

/**
 * The partition files under `ndjsonDir`: every one must gunzip, end with a newline and hold one
 * JSON object per line (a broken file throws, naming it).
 */
export function readPartitions(ndjsonDir: string): Partitions {
  const files = filesUnder(ndjsonDir).filter((f) => /\.json(\.gz)?$/.test(f));
  const records: Record<string, unknown>[] = [];
  for (const file of files) {
    const text = readText(file);
    if (text && !text.endsWith('\n')) throw new Error(`${file}: the last line is cut off`);
    for (const [i, line] of text.split('\n').slice(0, -1).entries()) {
      try {
        records.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        throw new Error(`${file}, line ${i + 1}: not JSON: ${line.slice(0, 80)}`);
      }
    }
  }
  return { files: files.map((f) => path.relative(ndjsonDir, f)), records };
}

/** What identifies a row in a record: its day, template, requests and 429s. */
const rowKey = (date: unknown, templateUri: unknown, requests: unknown, status429: unknown) =>
  `${String(date)} ${String(templateUri)} ${String(requests)} ${String(status429)}`;

/**
 * The partitions hold exactly the given API rows (those received before any failure), each once,
 * in partition folders of their day.
 */
export function expectPartitionsHold(ndjsonDir: string, rows: Record<string, unknown>[]): Partitions {
  const partitions = readPartitions(ndjsonDir);
  expect(
    partitions.records.map((r) => rowKey(r.date, r.templateUri, r.requests, r.status429)).sort(),
  ).toEqual(rows.map((r) => rowKey(r.date, r.templateUri, r.requestCount, r.status429)).sort());
  const days = new Set(rows.map((r) => String(r.date)));
  expect(partitions.files.map((f) => f.split(path.sep).slice(0, 2).join('/')).sort()).toEqual(
    [...days].sort().map((d) => `granularity=day/dt=${d}`),
  );
  return partitions;
}

/** The step did not fail: no failure, no error annotation. */
export function expectRecovered(r: InProcessRun): void {
  expect({ failed: r.io.failed, errors: r.io.errors }).toEqual({ failed: undefined, errors: [] });
}

/**
 * The step failed with exactly one line naming the stage and the cause: no newline, no stack frame,
 * not the catch-all "Unexpected error". Returns the line.
 */
export function expectOneLineFailure(r: InProcessRun, stage: RegExp, cause: RegExp): string {
  const line = r.io.failed;
  expect(line).toEqual(expect.any(String));
  const text = line as string;
  expect(text).not.toContain('\n');
  expect(text).not.toMatch(/^Unexpected error/);
  expect(text).not.toMatch(/\n\s+at |\(\S+:\d+:\d+\)/);
  expect(text).toMatch(stage);
  expect(text).toMatch(cause);
  // setFailed is the one error annotation; nothing else was reported as an error.
  expect(r.io.errors).toEqual([]);
  return text;
}

export interface Credential {
  label: string;
  value: string;
}

/** The client secret, the Basic header value, its base64 part alone, and the access token. */
export function credentialsOf(fake: FakeGenesys, secret = fake.clientSecret): Credential[] {
  const basic = Buffer.from(`${fake.clientId}:${secret}`).toString('base64');
  return [
    { label: 'the client secret', value: secret },
    { label: 'the Basic header value', value: `Basic ${basic}` },
    { label: 'the base64 of id:secret', value: basic },
    { label: 'the access token', value: fake.token },
  ];
}

/** `where` names each text; the result lists every credential found, by label (empty: clean). */
export function findCredentials(texts: Record<string, string>, credentials: Credential[]): string[] {
  const found: string[] = [];
  for (const [where, text] of Object.entries(texts)) {
    for (const c of credentials) if (text.includes(c.value)) found.push(`${c.label} in ${where}`);
  }
  return found;
}

/** Every file under `dir` by its relative path, gunzipped where .gz. */
export function filesAsTexts(dir: string, label = 'file'): Record<string, string> {
  return Object.fromEntries(filesUnder(dir).map((f) => [`${label} ${path.relative(dir, f)}`, readText(f)]));
}

/**
 * No credential in the log (every level: info, debug, warnings, errors, the failure message), the
 * group names, the outputs, the job summary, the console, or any file under output-dir.
 */
export function expectNoCredentials(r: InProcessRun, credentials: Credential[]): void {
  const texts: Record<string, string> = {
    'the log, groups, outputs and job summary': r.io.text(),
    console: r.console.join('\n'),
    ...filesAsTexts(r.outputDir),
  };
  expect(findCredentials(texts, credentials)).toEqual([]);
  // Something was checked: the run wrote at least its log.
  expect(r.io.lines.length).toBeGreaterThan(0);
}

/** Replaces Math.random while `fn` runs, e.g. to make the AWS SDK's retry backoff 0 ms. */
export async function withRandom<T>(value: number, fn: () => Promise<T>): Promise<T> {
  const random = Math.random;
  Math.random = () => value;
  try {
    return await fn();
  } finally {
    Math.random = random;
  }
}

/** Sets environment variables (undefined deletes) while `fn` runs, then puts the old values back. */
export async function withProcessEnv<T>(
  vars: Record<string, string | undefined>,
  fn: () => Promise<T>,
): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]));
  const apply = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  apply(vars);
  try {
    return await fn();
  } finally {
    apply(saved);
  }
}
