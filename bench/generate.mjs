// Generates saved usage results of a given size for the benchmarks (deterministic, no randomness).
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';

/** A legacy `{"results":[...]}` document of `rows` rows over 30 days (about 250 bytes a row). */
export async function writeLegacyResult(file, rows) {
  const out = createWriteStream(file);
  const write = async (text) => {
    if (!out.write(text)) await once(out, 'drain');
  };
  await write('{"results":[');
  for (let i = 0; i < rows; i++) {
    const day = String((i % 30) + 1).padStart(2, '0');
    const requests = 1000 + (i % 977);
    const s429 = i % 13 === 0 ? i % 50 : 0;
    const row = {
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
      date: `2026-10-${day}T00:00:00Z`,
    };
    await write((i ? ',' : '') + JSON.stringify(row));
  }
  await write('],"queryStatus":"Complete"}');
  out.end();
  await once(out, 'finish');
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const [file, rows] = process.argv.slice(2);
  await writeLegacyResult(file, Number(rows));
}
