/** The bundled action end to end on a saved result: no Genesys or AWS account. */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ROOT, runAction } from './support/run-action.js';
import { RECORD_FIELDS } from '../src/records.js';

const EXAMPLE = path.join(ROOT, 'examples/results/legacy-daily-by-client.json');
const BASE = {
  'results-file': EXAMPLE,
  interval: '2026-11-13/2026-11-19',
  granularity: 'Day',
  'group-by': 'OAuthClientId',
};

describe('dist/index.js on a saved result', () => {
  it('passes the gate, writes partitions, summary, report and every output', async () => {
    const run = await runAction({ ...BASE, 'max-429': '5000', 'max-429-per-group': '2500' });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.outputs).toEqual({
      'query-id': '',
      records: '35',
      'total-requests': '1180655',
      'total-429': '2251',
      'rate-429': '0.1907',
      breached: 'false',
      breaches: '[]',
      'ndjson-path': path.join(run.workDir, 'genesys-usage-report', 'genesys-usage'),
      's3-uris': '[]',
      'crawler-status': 'SKIPPED',
      'athena-query-execution-id': '',
      'athena-results-csv': '',
      'summary-path': path.join(run.workDir, 'genesys-usage-report', 'summary.md'),
      'report-json': path.join(run.workDir, 'genesys-usage-report', 'report.json'),
    });
    const days = readdirSync(path.join(run.outputs['ndjson-path']!, 'granularity=day'));
    expect(days).toEqual(['13', '14', '15', '16', '17', '18', '19'].map((d) => `dt=2026-11-${d}`));
    const [file] = readdirSync(path.join(run.outputs['ndjson-path']!, 'granularity=day', 'dt=2026-11-17'));
    expect(file).toMatch(/^legacy\.by-oauthclientid\.[0-9a-f]{8}\.json\.gz$/);
    const lines = gunzipSync(
      readFileSync(path.join(run.outputs['ndjson-path']!, 'granularity=day', 'dt=2026-11-17', file!)),
    )
      .toString()
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(5);
    expect(Object.keys(lines[0])).toEqual(RECORD_FIELDS);
    expect(lines[0]).toMatchObject({
      date: '2026-11-17',
      api: 'legacy',
      interval: '2026-11-13T00:00:00Z/2026-11-20T00:00:00Z',
    });

    const summary = readFileSync(run.outputs['summary-path']!, 'utf8');
    expect(run.summary.trimEnd()).toBe(summary.trimEnd());
    expect(summary).toContain('✅ No 429 threshold breached');
    expect(summary).toContain('Agent desktop &lt;beta&gt; &#124; EU');
    const report = JSON.parse(readFileSync(run.outputs['report-json']!, 'utf8'));
    expect(report.totals.status429).toBe(2251);
    expect(report.files).toHaveLength(7);
    expect(run.stdout).toContain('::group::Replay');
  });

  it('fails on a breach with one line per breach', async () => {
    const run = await runAction({ ...BASE, 'max-429': '100', 'max-429-per-group': '1000' });
    expect(run.code).toBe(1);
    expect(run.outputs.breached).toBe('true');
    expect(JSON.parse(run.outputs.breaches!)).toEqual([
      { threshold: 'max-429', limit: 100, value: 2251 },
      {
        threshold: 'max-429-per-group',
        limit: 1000,
        value: 2209,
        group: { clientId: 'a91d7c40-2e3f-4a5b-8c6d-7e8f9a0b1c2d', clientName: 'Nightly reporting' },
      },
    ]);
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('max-429 breached: total 429s 2251 &gt; limit 100'.replace('&gt;', '>'));
    expect(errors[0]).toContain('%0Amax-429-per-group breached for Nightly reporting');
    // The data is on disk even though the step failed.
    expect(existsSync(run.outputs['summary-path']!)).toBe(true);
  });

  it('only warns on a breach with fail-on-breach false', async () => {
    const run = await runAction({ ...BASE, 'max-429-rate': '0.1%', 'fail-on-breach': 'false' });
    expect(run.code).toBe(0);
    // Workflow commands encode % as %25.
    expect(run.stdout).toContain(
      '::warning title=Threshold breached::max-429-rate breached: 429 rate 0.1907%25 > limit 0.1%25',
    );
    expect(run.outputs.breached).toBe('true');
  });

  it('rejects a bad input with one line and no stack trace, before doing anything', async () => {
    const run = await runAction({ ...BASE, granularity: 'Hourly' });
    expect(run.code).toBe(1);
    const errors = run.stdout.split('\n').filter((l) => l.startsWith('::error'));
    expect(errors).toEqual([
      "::error::Input 'granularity' has an invalid value 'Hourly': expected one of Day, Week, Month.",
    ]);
    expect(run.stdout).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(run.workDir, 'genesys-usage-report'))).toBe(false);
  });

  it('writes plain .json partitions with compression none and no job summary with summary false', async () => {
    const run = await runAction({ ...BASE, compression: 'none', summary: 'false' });
    expect(run.code).toBe(0);
    expect(run.summary).toBe('');
    const dir = path.join(run.outputs['ndjson-path']!, 'granularity=day', 'dt=2026-11-13');
    expect(readdirSync(dir)[0]).toMatch(/\.json$/);
  });
});
