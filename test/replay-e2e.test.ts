/** dist/index.js on replays that used to mislabel, corrupt or lose data (issue 11). */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { actionEnvironment, parseOutputFile, ROOT, runAction } from './support/run-action.js';
import { tempDir } from './support/isolation.js';

const EXAMPLE = path.join(ROOT, 'examples/results/legacy-daily-by-client.json');

function files(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath ?? (e as unknown as { path: string }).path, e.name));
}
/** A file where output-dir should be a folder. */
const BLOCKING = (() => {
  const file = path.join(tempDir('blocking'), 'a-file');
  writeFileSync(file, 'not a folder');
  return file;
})();
const errors = (stdout: string) => stdout.split('\n').filter((l) => l.startsWith('::error'));

/** The bundle under a shell (for ulimit), returning when `until` says so or the process ends. */
function spawnAction(
  inputs: Record<string, string>,
  shellPrefix: string,
  onStdout?: (text: string, kill: (signal: NodeJS.Signals) => void) => void,
) {
  const { workDir, outputFile, childEnv: env } = actionEnvironment(inputs);
  const child = spawn(
    'bash',
    ['-c', `${shellPrefix} exec "${process.execPath}" "${path.join(ROOT, 'dist/index.js')}"`],
    {
      env,
      cwd: workDir,
    },
  );
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    onStdout?.(stdout, (signal) => child.kill(signal));
  });
  child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
  return new Promise<{
    code: number | null;
    signal: string | null;
    stdout: string;
    outputs: Record<string, string>;
    workDir: string;
  }>((resolve) =>
    child.on('close', (code, signal) =>
      resolve({ code, signal, stdout, outputs: parseOutputFile(readFileSync(outputFile, 'utf8')), workDir }),
    ),
  );
}

function dailyRows(days: number, perDay: number): string {
  const lines: string[] = [];
  for (let d = 0; d < days; d++) {
    const date = new Date(Date.UTC(2018, 0, 1) + d * 86_400_000).toISOString().slice(0, 10);
    for (let i = 0; i < perDay; i++) {
      lines.push(
        JSON.stringify({ date, requestCount: 10 + i, status429: i % 3, templateUri: `/api/v2/t/${i}` }),
      );
    }
  }
  return lines.join('\n') + '\n';
}

describe('dist/index.js replays', () => {
  it('replays its own .json.gz output into the same output-dir (path with =); stale partitions are cleared', async () => {
    const first = await runAction({ 'results-file': EXAMPLE, 'output-dir': 'out' });
    expect(first.code).toBe(0);
    const dir = first.outputs['ndjson-path']!;
    const own = files(dir).find((f) => f.includes('dt=2026-11-17'))!;
    const outputDir = path.join(first.workDir, 'out');
    const second = await runAction({ 'results-file': own, 'output-dir': outputDir });
    expect(errors(second.stdout)).toEqual([]);
    expect(second.code).toBe(0);
    expect(second.outputs.records).toBe('5');
    expect(second.stdout).toContain('is replaced by this run');
    expect(second.stdout).toMatch(/Removed 6 file\(s\) an earlier run left in /);
    const left = files(outputDir).filter((f) => f.includes('granularity='));
    expect(left).toHaveLength(1);
    expect(gunzipSync(readFileSync(left[0]!)).toString().trimEnd().split('\n')).toHaveLength(5);
  });

  it('reads a UTF-16 LE file with a BOM (PowerShell >) like the UTF-8 one', async () => {
    const dir = tempDir('utf16');
    const file = path.join(dir, 'result.json');
    writeFileSync(
      file,
      Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(readFileSync(EXAMPLE, 'utf8'), 'utf16le')]),
    );
    const run = await runAction({ 'results-file': file });
    expect(run.code).toBe(0);
    expect(run.outputs['total-requests']).toBe('1180655');
    expect(run.stdout).toContain('granularity: Day (inferred from the rows');
  });

  it('an invalid count fails with the line, field and value, and writes no data file', async () => {
    const dir = tempDir('bad-count');
    const file = path.join(dir, 'rows.ndjson');
    writeFileSync(
      file,
      '{"date":"2026-11-01","requestCount":5}\n{"date":"2026-11-02","requestCount":5,"status429":-4990,"token":"s3cr3t"}\n',
    );
    const run = await runAction({ 'results-file': file });
    expect(run.code).toBe(1);
    expect(errors(run.stdout)).toEqual([
      "::error::The usage result's row 2 (line 2) has an invalid 'status429' -4990: expected a whole number from 0 to 9007199254740991 (a JSON number or a string of digits).",
    ]);
    expect(run.stdout).not.toContain('s3cr3t');
    expect(files(path.join(run.workDir, 'genesys-usage-report')).filter((f) => f.includes('.json'))).toEqual(
      [],
    );
  });

  it('with the interval given (one pass), a last row that breaks the rules fails and leaves the last good run as it was', async () => {
    const dir = tempDir('one-pass');
    const outputDir = path.join(dir, 'out');
    const interval = '2018-01-01/2018-01-03';
    const good = path.join(dir, 'good.ndjson');
    writeFileSync(good, dailyRows(3, 2));
    const first = await runAction({ 'results-file': good, 'output-dir': outputDir, interval });
    expect(first.code).toBe(0);
    const snapshot = () =>
      Object.fromEntries(
        files(outputDir).map((f) => [path.relative(outputDir, f), readFileSync(f).toString('hex')]),
      );
    const before = snapshot();
    expect(Object.keys(before).filter((f) => f.includes('granularity=day/'))).toHaveLength(3);
    const bad = path.join(dir, 'bad.ndjson');
    for (const [last, message] of [
      [
        { date: '2018-02-01', requestCount: 1 },
        `::error::Input 'interval' has the value '${interval}', which the rows contradict: row 7 (line 7) is dated 2018-02-01, outside it.`,
      ],
      [{ date: '2018-01-02', requestCount: -1 }, "row 7 (line 7) has an invalid 'requestCount' -1"],
    ] as const) {
      writeFileSync(bad, dailyRows(3, 2) + JSON.stringify(last) + '\n');
      const run = await runAction({ 'results-file': bad, 'output-dir': outputDir, interval });
      expect(run.code).toBe(1);
      expect(errors(run.stdout)).toHaveLength(1);
      expect(errors(run.stdout)[0]).toContain(message);
      // No temporary file, nothing new, nothing removed, nothing changed.
      expect(snapshot()).toEqual(before);
    }
  });

  it('with the interval given and the rest left to the rows, the files get the names the rows decide', async () => {
    const file = path.join(tempDir('named-late'), 'rows.ndjson');
    writeFileSync(file, dailyRows(3, 2));
    const interval = '2018-01-01/2018-01-03';
    const inferred = await runAction({ 'results-file': file, interval });
    const given = await runAction({
      'results-file': file,
      interval,
      granularity: 'Day',
      'group-by': 'TemplateUri',
      api: 'aggregates',
    });
    expect(inferred.code).toBe(0);
    expect(given.code).toBe(0);
    expect(inferred.stdout).toContain('granularity: Day (inferred from the rows');
    expect(inferred.stdout).toContain('group-by: TemplateUri (inferred from the rows)');
    const tree = (run: { workDir: string }) => {
      const root = path.join(run.workDir, 'genesys-usage-report');
      return files(root)
        .map((f) => path.relative(root, f))
        .sort();
    };
    // Written before the shape was known, renamed after: no folder of a provisional name is left.
    expect(tree(inferred)).toEqual(tree(given));
    expect(tree(inferred).filter((f) => f.includes('granularity=day/'))).toHaveLength(3);
    expect(tree(inferred).every((f) => !f.includes('granularity=total'))).toBe(true);
  });

  it('a credentials file is described by its keys, never echoed', async () => {
    const dir = tempDir('creds');
    const file = path.join(dir, 'creds.json');
    writeFileSync(file, JSON.stringify({ access_token: 'eyJhbGciOiJIUzI1NiJ9.secret', expires_in: 86399 }));
    const run = await runAction({ 'results-file': file });
    expect(run.code).toBe(1);
    const [line] = errors(run.stdout);
    expect(line).toContain('keys "access_token", "expires_in"');
    expect(run.stdout).not.toContain('eyJhbGci');
  });

  it('without a Requests count the rate is unknown and max-429-rate cannot be evaluated', async () => {
    const dir = tempDir('no-requests');
    const file = path.join(dir, 'rows.ndjson');
    writeFileSync(file, '{"date":"2026-11-01","status429":3}\n{"date":"2026-11-02","status429":4}\n');
    const run = await runAction({ 'results-file': file, 'max-429-rate': '1' });
    expect(run.code).toBe(1);
    expect(run.outputs['rate-429']).toBe('');
    expect(run.outputs['total-429']).toBe('7');
    expect(errors(run.stdout)[0]).toContain('max-429-rate cannot be evaluated');
    expect(run.summary).toContain('unknown (no Requests count)');
  });

  it.each([
    [
      's3-prefix',
      { 's3-prefix': '../outside' },
      "::error::Input 's3-prefix' has an invalid value '../outside'",
    ],
    ['output-dir', { 'output-dir': BLOCKING }, "::error::Input 'output-dir' has an invalid value"],
    [
      'output-dir',
      { 'output-dir': path.join(BLOCKING, 'below') },
      "::error::Input 'output-dir' has an invalid value",
    ],
  ])('%s problems are one line naming it, before any query', async (_name, extra, start) => {
    const inputs: Record<string, string> = {
      'client-id': 'id',
      'client-secret': 'secret',
      interval: 'P1D',
      // Nothing listens there: a query would fail with another message.
      environment: 'http://127.0.0.1:9',
      ...extra,
    };
    const run = await runAction(inputs, {});
    expect(run.code).toBe(1);
    expect(errors(run.stdout)).toHaveLength(1);
    expect(errors(run.stdout)[0]).toContain(start);
    expect(existsSync(path.join(run.workDir, 'outside'))).toBe(false);
  });

  it('3,000 partitions under ulimit -n 256, past the memory bound: each file complete and readable by gzip', async () => {
    const dir = tempDir('many');
    const file = path.join(dir, 'rows.ndjson');
    // 30 rows a partition: the batch buffers together pass the 16 MiB bound, so they go through the spill file.
    writeFileSync(file, dailyRows(3000, 30));
    const outputDir = path.join(dir, 'out');
    const run = await spawnAction({ 'results-file': file, 'output-dir': outputDir }, 'ulimit -n 256 &&');
    expect(errors(run.stdout)).toEqual([]);
    expect(run.code).toBe(0);
    expect(run.outputs.records).toBe('90000');
    // The log lists the first 100 files, not 3,000 lines.
    expect(run.stdout.split('\n').filter((l) => l.includes('granularity=day/dt='))).toHaveLength(100);
    expect(run.stdout).toContain('... and 2900 more (every file is listed in report.json).');
    const written = files(run.outputs['ndjson-path']!);
    expect(written).toHaveLength(3000);
    expect(files(outputDir).filter((f) => f.endsWith('.partial'))).toEqual([]); // nor the spill file
    for (const f of written.filter((_, i) => i % 500 === 0)) {
      const lines = gunzipSync(readFileSync(f)).toString().trimEnd().split('\n');
      expect(lines.map((l) => JSON.parse(l).requests as number)).toEqual(
        Array.from({ length: 30 }, (_, i) => 10 + i),
      );
      expect(execFileSync('gzip', ['-t', f]).toString()).toBe('');
    }
  });

  it('SIGTERM mid-write removes the unfinished files and says what was kept', async () => {
    const dir = tempDir('sigterm');
    const file = path.join(dir, 'rows.ndjson');
    writeFileSync(file, dailyRows(200, 1500));
    const outputDir = path.join(dir, 'out');
    let sent = false;
    const run = await spawnAction({ 'results-file': file, 'output-dir': outputDir }, '', (text, kill) => {
      if (!sent && text.includes('::group::Replay')) {
        sent = true;
        setTimeout(() => kill('SIGTERM'), 300);
      }
    });
    expect(sent).toBe(true);
    expect(run.code).toBe(143);
    expect(run.stdout).toMatch(
      /::error::Stopped by SIGTERM: removed \d+ unfinished partition file\(s\); kept \d+ complete file\(s\)/,
    );
    const left = files(outputDir);
    expect(left.filter((f) => f.endsWith('.partial'))).toEqual([]);
    for (const f of left.filter((p) => p.endsWith('.json.gz'))) {
      expect(() => gunzipSync(readFileSync(f))).not.toThrow();
    }
  });
});
