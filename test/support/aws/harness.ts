/** Shared pieces for the data lake tests: a virtual clock, a recording ActionIO, clients on loopback. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client } from '@aws-sdk/client-s3';
import { createRequire } from 'node:module';
import type { InitializeMiddleware } from '@smithy/types';
import type { ActionIO } from '../../../src/io.js';
import type { StageContext } from '../../../src/main.js';
import type { AwsClients } from '../../../src/aws/clients.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** Time that moves only when the code sleeps: waits take no real time and nothing is timed. */
export function virtualClock(start = new Date('2026-11-21T06:00:00Z')) {
  let t = start.getTime();
  const sleeps: number[] = [];
  return {
    now: () => new Date(t),
    sleep: async (ms: number) => {
      sleeps.push(ms);
      t += ms;
      // Let pending I/O run, as a real sleep would.
      await new Promise((resolve) => setImmediate(resolve));
    },
    sleeps,
    advance: (ms: number) => (t += ms),
  };
}

export interface RecordingIO extends ActionIO {
  lines: string[];
  groups: string[];
  warnings: string[];
  outputs: Record<string, string>;
}

export function recordingIO(): RecordingIO {
  const lines: string[] = [];
  const groups: string[] = [];
  const warnings: string[] = [];
  const outputs: Record<string, string> = {};
  return {
    lines,
    groups,
    warnings,
    outputs,
    info: (m) => void lines.push(m),
    warning: (m) => void warnings.push(m),
    error: (m) => void lines.push(`error: ${m}`),
    debug: () => undefined,
    setSecret: () => undefined,
    setOutput: (name, value) => void (outputs[name] = value),
    setFailed: (m) => void lines.push(`failed: ${m}`),
    group: async (name, fn) => {
      groups.push(name);
      return fn();
    },
    writeJobSummary: async () => false,
  };
}

export function stageContext(clock = virtualClock(), env: Record<string, string> = {}) {
  const io = recordingIO();
  const ctx: StageContext = { io, env, now: clock.now, sleep: clock.sleep };
  return { ctx, io, clock };
}

/** Every command a client sends, as `S3.PutObject`, `Glue.StartCrawler`... */
export function recordCommands(clients: AwsClients): string[] {
  const sent: string[] = [];
  const middleware =
    (service: string): InitializeMiddleware<object, object> =>
    (next, context) =>
    async (args) => {
      sent.push(`${service}.${String(context.commandName).replace(/Command$/, '')}`);
      return next(args);
    };
  const options = { step: 'initialize', name: 'recordCommands' } as const;
  const watch = (service: string, client: S3Client | GlueClient | AthenaClient) =>
    (client.middlewareStack as { add(m: InitializeMiddleware<object, object>, o: typeof options): void }).add(
      middleware(service),
      options,
    );
  watch('S3', clients.s3);
  watch('Glue', clients.glue);
  watch('Athena', clients.athena);
  return sent;
}

export interface Endpoints {
  s3?: string;
  glue?: string;
  athena?: string;
}

/** Real SDK clients pointed at loopback servers. */
export function loopbackClients(endpoints: Endpoints): AwsClients {
  const none = 'http://127.0.0.1:9';
  return {
    s3: new S3Client({
      region: REGION,
      endpoint: endpoints.s3 ?? none,
      forcePathStyle: true,
      credentials: CREDENTIALS,
    }),
    glue: new GlueClient({ region: REGION, endpoint: endpoints.glue ?? none, credentials: CREDENTIALS }),
    athena: new AthenaClient({
      region: REGION,
      endpoint: endpoints.athena ?? none,
      credentials: CREDENTIALS,
    }),
  };
}

export function destroyClients(clients: AwsClients): void {
  clients.s3.destroy();
  clients.glue.destroy();
  clients.athena.destroy();
}

/** Under one folder per test file, removed after its tests. */
let tempRoot: string | undefined;

// Under jest only: the benchmarks (plain node) use the harness too.
if (typeof afterAll === 'function') {
  afterAll(() => {
    if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
    tempRoot = undefined;
  });
}

export function tempDir(label: string): string {
  tempRoot ??= mkdtempSync(path.join(tmpdir(), 'aws-tests-'));
  return mkdtempSync(path.join(tempRoot, `${label}-`));
}

interface S3rverServer {
  run(): Promise<{ port: number }>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverServer;
// s3rver ships no types; a typed require keeps the test files strict.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

/** s3rver on 127.0.0.1, a fresh directory, the given buckets. */
export async function startS3rver(
  buckets: string[],
): Promise<{ endpoint: string; close: () => Promise<void> }> {
  const server = new S3rver({
    address: '127.0.0.1',
    port: 0,
    silent: true,
    directory: tempDir('s3rver'),
    configureBuckets: buckets.map((name) => ({ name })),
  });
  const { port } = await server.run();
  return { endpoint: `http://127.0.0.1:${port}`, close: () => server.close() };
}
