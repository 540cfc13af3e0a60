/**
 * Bad input: every value is rejected before any network call, with one line that names the input,
 * and no stack trace. Runs `run()` in-process with adapters that record whether they were called.
 */
import { run } from '../src/main.js';
import { captureIO } from './support/capture-io.js';
import { tempDir } from './support/isolation.js';

const fixture = (name: string) => new URL(`./fixtures/${name}`, import.meta.url).pathname;

const NOW = new Date('2026-11-21T10:00:00Z');
const GOOD: Record<string, string> = {
  'client-id': 'client-1',
  'client-secret': 'not-a-real-secret',
  interval: 'P7D',
  'output-dir': '/nonexistent/never-created',
};
const AWS: Record<string, string> = { 's3-bucket': 'usage-lake', 'aws-region': 'eu-west-1' };

async function runWith(inputs: Record<string, string>) {
  const io = captureIO();
  const calls: string[] = [];
  await run({
    io,
    env: {},
    now: () => NOW,
    sleep: async () => undefined,
    getInput: (name) => (inputs[name] ?? '').trim(),
    queryUsage: async () => {
      calls.push('genesys');
      return { queryIds: [] };
    },
    dataLake: async () => {
      calls.push('aws');
      throw new Error('unreachable');
    },
    publishComment: async () => void calls.push('github'),
  });
  return { io, calls };
}

// [input, bad value, extra inputs]
const CASES: [string, string, Record<string, string>?][] = [
  ['client-id', '', {}],
  ['client-secret', '', {}],
  ['interval', '', {}],
  ['interval', 'last-fortnight'],
  ['interval', '2026-11-08/2026-11-01'],
  ['interval', '2026-02-30/2026-03-01'],
  ['interval', '2026-11-01T00:00:00Z/2026-11-01T00:00:00Z'],
  ['interval', 'P99999999999999999999Y'],
  ['interval', '0999-01-01/2026-01-01'],
  ['interval', '2026-11-01T06:00:00Z/P1D'],
  ['interval', '2026-11-21/2026-12-31'],
  ['group-by', 'OauthClientId', { 'usage-client-id': 'def' }],
  ['http-methods', 'OPTIONS'],
  ['user-ids', 'u1', { 'usage-client-id': 'def' }],
  ['organization-ids', 'o1'],
  ['platforms', 'PublicApi', { api: 'legacy' }],
  ['interval', 'P0D'],
  ['interval', '2024-01-01/2024-02-01'],
  ['interval', '2026-11-01/P7X'],
  ['environment', 'mypurecloud.fr'],
  ['environment', 'ftp://gateway.example'],
  ['environment', 'https://user:pass@gateway.example'],
  ['api', 'v3'],
  ['granularity', 'Hour'],
  ['group-by', 'Country'],
  ['group-by', 'Platform', { api: 'legacy' }],
  ['group-by', 'OrganizationId'],
  ['metrics', 'Status404'],
  ['template-uris', 'api/v2/users', { api: 'legacy' }],
  ['http-methods', 'FETCH'],
  ['oauth-client-ids', 'abc', { api: 'legacy' }],
  ['usage-client-id', 'abc', { api: 'legacy' }],
  ['oauth-client-ids', 'abc', { 'usage-client-id': 'def' }],
  ['compression', 'zip'],
  ['s3-bucket', 's3://usage-lake', { 'aws-region': 'eu-west-1' }],
  ['s3-bucket', 'Usage_Lake', { 'aws-region': 'eu-west-1' }],
  ['s3-force-path-style', 'yes', AWS],
  ['s3-expected-bucket-owner', '12345', AWS],
  ['aws-region', 'Europe', AWS],
  ['aws-region', '', { 's3-bucket': 'usage-lake' }],
  ['crawl', 'sometimes', AWS],
  ['glue-crawler', 'usage-crawler', { 'aws-region': 'eu-west-1' }],
  ['athena-output-location', 'usage-results/', { 'athena-database': 'db', 'aws-region': 'eu-west-1' }],
  ['athena-query', 'SELECT * FROM {{tabel}}', { 'athena-database': 'db', 'aws-region': 'eu-west-1' }],
  ['athena-database', 'usage.db', { 'aws-region': 'eu-west-1' }],
  ['athena-table', 'usage"; DROP', { 'athena-database': 'db', 'aws-region': 'eu-west-1' }],
  ['metrics', 'Requests', { 'max-429': '5' }],
  ['metrics', 'Status429', { 'max-429-rate': '1%' }],
  // On a replay the upload's need for an interval is decided from the rows (weekly rows, totals).
  ['interval', '', { 'results-file': fixture('weekly-rows.ndjson'), 'output-dir': tempDir('bad'), ...AWS }],
  ['interval', '', { 'results-file': fixture('legacy-totals.json'), 'output-dir': tempDir('bad'), ...AWS }],
  ['s3-prefix', '../outside'],
  ['s3-prefix', 'usage//daily'],
  ['s3-prefix', 'usage/./daily'],
  ['max-429', '-1'],
  ['max-429', '1e3'],
  ['max-429-rate', '101'],
  ['max-429-rate', 'half'],
  ['max-429-per-group', '2.5'],
  ['fail-on-breach', 'yes'],
  ['top', '0'],
  ['top', 'ten'],
  ['summary', 'off'],
  ['pr-comment', '1'],
  ['query-timeout', 'forever'],
  ['crawler-timeout', '0'],
  ['athena-timeout', '7h'],
];

describe('bad input', () => {
  it('has at least 40 cases', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(40);
  });

  it.each(CASES)(
    "rejects %s = '%s' before any network call, in one line",
    async (input, value, extra = {}) => {
      const inputs = { ...GOOD, ...extra, [input]: value };
      const { io, calls } = await runWith(inputs);
      expect(calls).toEqual([]);
      expect(io.failed).toBeDefined();
      expect(io.failed).toContain(`'${input}'`);
      expect(io.failed).not.toContain('\n');
      expect(io.failed).not.toMatch(/^\s+at /m);
      expect(io.failed).not.toMatch(/^Unexpected error/);
      expect(io.text()).not.toContain('not-a-real-secret');
    },
  );

  it('masks the client secret before anything else', async () => {
    const { io } = await runWith({ ...GOOD, granularity: 'Hour' });
    expect(io.secrets).toEqual(['not-a-real-secret']);
  });
});
