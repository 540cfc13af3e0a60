/** Runs a command and measures its wall time and peak memory (max RSS), as the benchmarks report them. */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';

export interface Measured {
  wallMs: number;
  peakRssMb: number;
  /** User + system CPU seconds (GNU time only; else NaN): above the wall time means more than one core. */
  cpuS: number;
  code: number | null;
  stdout: string;
}

const GNU_TIME = '/usr/bin/time';

/**
 * GNU time reports the child's max RSS from the kernel (getrusage), so it covers the whole process
 * life; without it, VmHWM (the same peak) is read from /proc until the process ends.
 */
export async function measure(
  command: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; stdoutFile?: string } = {},
): Promise<Measured> {
  const useTime = existsSync(GNU_TIME);
  const report = path.join(mkdtempSync(path.join(tmpdir(), 'bench-time-')), 'time.txt');
  const [cmd, argv] = useTime
    ? [GNU_TIME, ['-f', '%e %M %U %S', '-o', report, command, ...args]]
    : [command, args];
  const started = process.hrtime.bigint();
  const child = spawn(cmd, argv, {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['ignore', options.stdoutFile ? 'pipe' : 'pipe', 'pipe'],
  });
  let stdout = '';
  let peakKb = 0;
  let cpuS = NaN;
  const poll = useTime
    ? undefined
    : setInterval(() => {
        try {
          const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
          const hwm = /VmHWM:\s+(\d+)/.exec(status);
          if (hwm) peakKb = Math.max(peakKb, Number(hwm[1]));
        } catch {
          // The process has ended.
        }
      }, 10);
  if (options.stdoutFile) {
    const { createWriteStream } = await import('node:fs');
    child.stdout?.pipe(createWriteStream(options.stdoutFile));
  } else {
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
  }
  child.stderr?.on('data', () => undefined);
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (poll) clearInterval(poll);
  if (useTime) {
    const [, maxRss, user, sys] = readFileSync(report, 'utf8').trim().split('\n').pop()!.split(' ');
    peakKb = Number(maxRss);
    cpuS = Number(user) + Number(sys);
  }
  return { wallMs, peakRssMb: Math.round(peakKb / 102.4) / 10, cpuS, code, stdout };
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  baseline: number | null;
  ratio: number | null;
  goal: string;
  met: boolean | null;
  /** Lowest and highest of the runs (of the ratio, for a ratio; else of the value). */
  spread?: { min: number; max: number };
  /** os.loadavg() (1, 5, 15 minutes) when the runs began and when they ended. */
  load?: { start: number[]; end: number[] };
  note?: string;
}

export const round3 = (n: number) => Math.round(n * 1000) / 1000;

export function loadNow(): number[] {
  return loadavg().map((n) => Math.round(n * 100) / 100);
}

export function result(
  name: string,
  value: number,
  unit: string,
  baseline: number | null,
  goal: { max?: number; maxRatio?: number; text?: string } = {},
): BenchResult {
  const ratio = baseline ? Math.round((value / baseline) * 1000) / 1000 : null;
  let met: boolean | null = null;
  let text = goal.text ?? 'none (reported for reference)';
  if (goal.maxRatio !== undefined && ratio !== null) {
    met = ratio <= goal.maxRatio;
    text = `ratio <= ${Math.round(goal.maxRatio * 1000) / 1000}`;
  } else if (goal.max !== undefined) {
    met = value <= goal.max;
    text = `<= ${goal.max} ${unit}`;
  }
  return {
    name,
    value: Math.round(value * 1000) / 1000,
    unit,
    baseline: baseline === null ? null : Math.round(baseline * 1000) / 1000,
    ratio,
    goal: text,
    met,
  };
}
