/**
 * A loopback proxy in front of s3rver (which cannot inject faults): forwards every request as it came
 * (headers untouched, so SigV4 signatures still verify) and answers chosen ones with an S3 error
 * instead, e.g. `500 InternalError` or `503 SlowDown` for the first N PUTs.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface S3Fault {
  status: number;
  /** S3's error code: `InternalError`, `SlowDown`, `AccessDenied`... */
  code: string;
  message: string;
}

export const INTERNAL_ERROR: S3Fault = {
  status: 500,
  code: 'InternalError',
  message: 'We encountered an internal error. Please try again.',
};
export const SLOW_DOWN: S3Fault = {
  status: 503,
  code: 'SlowDown',
  message: 'Please reduce your request rate.',
};
export const ACCESS_DENIED: S3Fault = { status: 403, code: 'AccessDenied', message: 'Access Denied' };

export interface ProxiedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  /** The fault answered instead of s3rver, if any. */
  fault?: string;
}

export interface S3FaultProxy {
  endpoint: string;
  requests: ProxiedRequest[];
  /**
   * Answers the next `times` requests with `method` (Infinity: all of them) with `fault`; with
   * `urlIncludes`, only those whose path and query contain it (e.g. one object's key).
   */
  failNext(method: string, fault: S3Fault, times?: number, urlIncludes?: string): void;
  /** Drops the faults not used up yet. */
  clearFaults(): void;
  close(): Promise<void>;
}

async function drain(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export async function startS3FaultProxy(target: string): Promise<S3FaultProxy> {
  const upstream = new URL(target);
  const requests: ProxiedRequest[] = [];
  const faults: { method: string; fault: S3Fault; left: number; urlIncludes?: string }[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const body = await drain(req);
      const entry: ProxiedRequest = { method: req.method ?? 'GET', url: req.url ?? '/' };
      requests.push(entry);
      const planned = faults.find(
        (f) =>
          f.method === entry.method &&
          f.left > 0 &&
          (f.urlIncludes === undefined || entry.url.includes(f.urlIncludes)),
      );
      if (planned) {
        planned.left--;
        entry.fault = planned.fault.code;
        const xml =
          '<?xml version="1.0" encoding="UTF-8"?>\n' +
          `<Error><Code>${planned.fault.code}</Code><Message>${planned.fault.message}</Message>` +
          `<RequestId>fault-${requests.length}</RequestId><HostId>s3-fault-proxy</HostId></Error>`;
        res.writeHead(planned.fault.status, {
          'content-type': 'application/xml',
          'content-length': Buffer.byteLength(xml),
          'x-amz-request-id': `fault-${requests.length}`,
        });
        res.end(xml);
        return;
      }
      // `expect` is not signed; the body is already here, so there is nothing to wait for.
      const headers = { ...req.headers };
      delete headers.expect;
      const forward = httpRequest(
        {
          host: upstream.hostname,
          port: upstream.port,
          method: req.method,
          path: req.url,
          headers,
        },
        (answer) => {
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(res);
        },
      );
      forward.on('error', (error) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`s3-fault-proxy: ${error.message}`);
      });
      forward.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    failNext: (method, fault, times = 1, urlIncludes) =>
      void faults.push({ method, fault, left: times, urlIncludes }),
    clearFaults: () => void faults.splice(0),
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
