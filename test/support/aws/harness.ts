/** Shared pieces for the data lake tests: SDK clients on loopback, what they send, s3rver. */
import { AthenaClient } from '@aws-sdk/client-athena';
import { GlueClient } from '@aws-sdk/client-glue';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { createRequire } from 'node:module';
import type { InitializeMiddleware } from '@smithy/types';
import type { AwsClients } from '../../../src/aws/clients.js';
import { tempDir } from '../isolation.js';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

export const REGION = 'us-east-1';
export const CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

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

/** A real S3 client for s3rver (or a proxy in front of it) at `endpoint`: path-style, test credentials. */
export function loopbackS3(endpoint: string, overrides: S3ClientConfig = {}): S3Client {
  return new S3Client({
    region: REGION,
    endpoint,
    forcePathStyle: true,
    credentials: CREDENTIALS,
    ...overrides,
  });
}

/** Real SDK clients pointed at loopback servers. */
export function loopbackClients(endpoints: Endpoints): AwsClients {
  const none = 'http://127.0.0.1:9';
  return {
    s3: loopbackS3(endpoints.s3 ?? none),
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
