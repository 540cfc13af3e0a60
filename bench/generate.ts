/** Deterministic usage data for the benchmarks. */
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** One legacy row (about 290 bytes of JSON): 5,000 clients, 200 routes, 30 days. */
export function legacyBenchRow(i: number): Record<string, unknown> {
  const requests = 1000 + (i % 977);
  const s429 = i % 13 === 0 ? i % 50 : 0;
  return {
    clientId: `${(i % 5000).toString(16).padStart(8, '0')}-86bb-43eb-9063-38699f8c21af`,
    clientName: `Client ${i % 5000}`,
    organizationId: '',
    userId: '',
    templateUri: `api/v2/route${i % 200}/{id}`,
    httpMethod: i % 3 ? 'GET' : 'POST',
    status200: requests - 10 - s429,
    status300: 0,
    status400: 10 + s429,
    status500: 0,
    status429: s429,
    requests,
    date: `2026-10-${String((i % 30) + 1).padStart(2, '0')}T00:00:00Z`,
  };
}

/** One aggregates row, the API's own shape. */
export function aggregatesBenchRow(i: number): Record<string, unknown> {
  const requests = 1000 + (i % 977);
  const s429 = i % 13 === 0 ? i % 50 : 0;
  return {
    date: `2026-10-${String((i % 30) + 1).padStart(2, '0')}`,
    platform: 'PublicApi',
    httpMethod: i % 3 ? 'GET' : 'POST',
    templateUri: `api/v2/route${i % 200}/{id}`,
    requestCount: requests,
    status200: requests - 10 - s429,
    status300: 0,
    status400: 10 + s429,
    status429: s429,
    status500: 0,
    oauthClient: {
      id: `${(i % 5000).toString(16).padStart(8, '0')}-86bb-43eb-9063-38699f8c21af`,
      name: `Client ${i % 5000}`,
    },
  };
}

/** A legacy `{"results":[...]}` document of `rows` rows, written as a stream. */
export async function writeLegacyResult(file: string, rows: number): Promise<void> {
  const out = createWriteStream(file);
  const write = async (text: string) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('{"results":[');
  for (let i = 0; i < rows; i++) await write((i ? ',' : '') + JSON.stringify(legacyBenchRow(i)));
  await write('],"queryStatus":"Complete"}');
  out.end();
  await once(out, 'finish');
}
