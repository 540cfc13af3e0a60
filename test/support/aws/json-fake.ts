/**
 * A loopback HTTP server speaking the AWS JSON 1.1 protocol (`X-Amz-Target: <prefix>.<Operation>`,
 * errors as `{"__type": ..., "message": ...}`), so the real SDK clients are exercised end to end.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Thrown by a handler: answered as an AWS error of that type. */
export class AwsFakeError extends Error {
  constructor(
    readonly type: string,
    message: string,
    readonly status = 400,
  ) {
    super(message);
  }
}

export interface FakeCall {
  operation: string;
  body: Record<string, unknown>;
}

export type Handler = (operation: string, body: Record<string, unknown>) => unknown;

export interface JsonFake {
  endpoint: string;
  calls: FakeCall[];
  operations(): string[];
  /**
   * Answers `times` calls of `operation` (default 1; Infinity: all), after letting the next `after`
   * through (default 0), with `error` instead of the handler. They are recorded as calls all the same.
   */
  failNext(operation: string, error: AwsFakeError, options?: { times?: number; after?: number }): void;
  close(): Promise<void>;
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/x-amz-json-1.1',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': `fake-${Date.now()}`,
  });
  res.end(text);
}

export async function startJsonFake(targetPrefix: string, handler: Handler): Promise<JsonFake> {
  const calls: FakeCall[] = [];
  const faults: { operation: string; error: AwsFakeError; skip: number; left: number }[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const target = String(req.headers['x-amz-target'] ?? '');
      const [prefix, operation = ''] = target.split('.');
      const text = await readBody(req);
      if (req.method !== 'POST' || prefix !== targetPrefix) {
        send(res, 400, { __type: 'UnknownOperationException', message: `unexpected target ${target}` });
        return;
      }
      const body = (text ? JSON.parse(text) : {}) as Record<string, unknown>;
      calls.push({ operation, body });
      const fault = faults.find((f) => f.operation === operation && f.left > 0);
      if (fault && fault.skip > 0) fault.skip--;
      else if (fault) {
        fault.left--;
        send(res, fault.error.status, { __type: fault.error.type, message: fault.error.message });
        return;
      }
      try {
        send(res, 200, (await handler(operation, body)) ?? {});
      } catch (error) {
        if (error instanceof AwsFakeError)
          send(res, error.status, { __type: error.type, message: error.message });
        else send(res, 500, { __type: 'InternalServiceException', message: String(error) });
      }
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    calls,
    operations: () => calls.map((c) => c.operation),
    failNext: (operation, error, { times = 1, after = 0 } = {}) =>
      void faults.push({ operation, error, skip: after, left: times }),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

/** Seconds since the epoch, as the JSON protocol carries timestamps. */
export function epochSeconds(date: Date): number {
  return date.getTime() / 1000;
}
