/**
 * Runs one Athena query: start it (idempotent per run attempt), poll with backoff until it is done,
 * stop it on timeout, then stream every result page into a CSV file and keep the first rows.
 */
import { createHash } from 'node:crypto';
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type QueryExecution,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { Config, Env } from '../types.js';
import { formatDuration } from '../duration.js';
import { describeError, UserError } from '../errors.js';
import type { ActionIO } from '../io.js';
import { csvLine } from './csv.js';
import { writeFileAtomic } from '../atomic-file.js';
import { awsCall, awsFailure } from './errors.js';
import { type Clock, Poller } from './poll.js';

export type AthenaSettings = NonNullable<Config['athena']>;

/** The query failed, was cancelled or timed out; it has an id, for the output. */
export class AthenaQueryError extends UserError {
  constructor(
    message: string,
    readonly queryExecutionId: string,
  ) {
    super(message);
    this.name = 'AthenaQueryError';
  }
}

export interface AthenaOutcome {
  queryExecutionId: string;
  workgroup: string;
  columns: string[];
  /** The first rows, as Athena returned them (a missing value is a SQL NULL). */
  preview: (string | undefined)[][];
  rowCount: number;
  csvPath: string;
  dataScannedBytes?: number;
  engineMs?: number;
  queueMs?: number;
  totalMs?: number;
}

export interface AthenaOptions {
  clock: Clock;
  io: ActionIO;
  timeoutMs: number;
  clientRequestToken: string;
  csvPath: string;
  previewRows: number;
  /** Told the execution id as soon as the query is started, so any later failure can still name it. */
  onStarted?: (queryExecutionId: string) => void;
}

const RESULTS_PAGE_SIZE = 1000;
const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 5000;

/**
 * The same token for the same query in the same run attempt (Athena then returns the execution it
 * already started instead of a second one); off a runner, `fallback` (e.g. a random id) decides.
 */
export function clientRequestToken(env: Env, sql: string, fallback: string): string {
  const parts = env.GITHUB_RUN_ID
    ? [env.GITHUB_REPOSITORY, env.GITHUB_RUN_ID, env.GITHUB_RUN_ATTEMPT, env.GITHUB_JOB, env.GITHUB_ACTION]
    : ['local', fallback];
  // 64 hex characters: within Athena's 32 to 128.
  return createHash('sha256')
    .update(['genesys-usage-report', ...parts.map((p) => p ?? ''), sql].join('\n'))
    .digest('hex');
}

/** $5 per TB scanned, billed per MB rounded up, 10 MB minimum per query. */
export function athenaCostUsd(bytesScanned: number): number {
  const mb = Math.max(10, Math.ceil(bytesScanned / 2 ** 20));
  return (mb / 2 ** 20) * 5;
}

/** A SELECT's first result row repeats the column labels; other statements have no such row. */
export function isHeaderRow(
  values: (string | undefined)[] | undefined,
  labels: string[],
  statementType: string | undefined,
): boolean {
  return (
    statementType === 'DML' &&
    values !== undefined &&
    values.length === labels.length &&
    values.every((v, i) => v === labels[i])
  );
}

export async function runAthenaQuery(
  athena: AthenaClient,
  settings: AthenaSettings,
  sql: string,
  options: AthenaOptions,
): Promise<AthenaOutcome> {
  const { io } = options;
  const started = await awsCall('Athena StartQueryExecution', () =>
    athena.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        WorkGroup: settings.workgroup,
        QueryExecutionContext: { Database: settings.database, Catalog: settings.catalog },
        ...(settings.outputLocation
          ? { ResultConfiguration: { OutputLocation: settings.outputLocation } }
          : {}),
        ClientRequestToken: options.clientRequestToken,
      }),
    ),
  );
  const id = started.QueryExecutionId;
  if (!id) throw new UserError('Athena StartQueryExecution returned no QueryExecutionId.');
  options.onStarted?.(id);
  io.info(`Query execution ${id} in workgroup ${settings.workgroup}.`);

  const execution = await waitForQuery(athena, id, options);
  const status = execution.Status;
  const stats = execution.Statistics;
  io.info(
    `SUCCEEDED: ${stats?.DataScannedInBytes ?? 0} bytes scanned, engine ${stats?.EngineExecutionTimeInMillis ?? 0} ms.`,
  );
  if (status?.StateChangeReason) io.info(status.StateChangeReason);

  const { columns, preview, rowCount } = await readResults(athena, id, execution.StatementType, options);
  io.info(`${rowCount} result rows written to ${options.csvPath}.`);
  return {
    queryExecutionId: id,
    workgroup: execution.WorkGroup ?? settings.workgroup,
    columns,
    preview,
    rowCount,
    csvPath: options.csvPath,
    dataScannedBytes: stats?.DataScannedInBytes,
    engineMs: stats?.EngineExecutionTimeInMillis,
    queueMs: stats?.QueryQueueTimeInMillis,
    totalMs: stats?.TotalExecutionTimeInMillis,
  };
}

async function waitForQuery(
  athena: AthenaClient,
  id: string,
  options: AthenaOptions,
): Promise<QueryExecution> {
  const poller = new Poller(options.clock, options.timeoutMs, FIRST_POLL_MS, MAX_POLL_MS);
  let lastState = '';
  for (;;) {
    let execution: QueryExecution | undefined;
    try {
      ({ QueryExecution: execution } = await athena.send(
        new GetQueryExecutionCommand({ QueryExecutionId: id }),
      ));
    } catch (error) {
      // Past the SDK's own retries. The query is started and may go on running (and costing): stop it,
      // then fail with its id, so the line and the athena-query-execution-id output name it.
      const stop = await stopQuery(athena, id);
      const failure = awsFailure(
        `Athena GetQueryExecution ${id}`,
        error,
        stop.stopped ? '(the query was stopped)' : `(the query could not be stopped: ${stop.reason})`,
      );
      if (!(failure instanceof UserError)) throw failure;
      throw new AthenaQueryError(
        failure.message.includes(id) ? failure.message : `Athena query ${id}: ${failure.message}`,
        id,
      );
    }
    const state = execution?.Status?.State ?? 'UNKNOWN';
    if (state !== lastState) {
      options.io.info(`Query ${id}: ${state}`);
      lastState = state;
    }
    if (state === 'SUCCEEDED' && execution) return execution;
    if (state === 'FAILED' || state === 'CANCELLED') {
      const reason =
        execution?.Status?.StateChangeReason ??
        execution?.Status?.AthenaError?.ErrorMessage ??
        'no reason given';
      throw new AthenaQueryError(`Athena query ${id} ${state}: ${reason}`, id);
    }
    if (!(await poller.wait())) break;
  }
  // Timed out: stop it, so it costs nothing more, then fail.
  const stop = await stopQuery(athena, id);
  throw new AthenaQueryError(
    `Athena query ${id} did not finish within athena-timeout (${formatDuration(options.timeoutMs)}; last state ${lastState}): ${stop.stopped ? 'stopped it' : `could not stop it (${stop.reason})`}.`,
    id,
  );
}

/** StopQueryExecution. A failure to stop is not thrown: it only changes what the failure line says. */
async function stopQuery(
  athena: AthenaClient,
  id: string,
): Promise<{ stopped: true } | { stopped: false; reason: string }> {
  try {
    await athena.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
    return { stopped: true };
  } catch (error) {
    const failure = awsFailure('StopQueryExecution', error);
    return {
      stopped: false,
      reason: failure.message.replace(/^StopQueryExecution failed: /, '') || describeError(error),
    };
  }
}

/**
 * A file system error's message without its tail (`EISDIR: illegal operation on a directory, open
 * '<path>'` gives `EISDIR: illegal operation on a directory`): the line names the path already.
 */
function fsReason(error: unknown): string {
  const message = describeError(error);
  const syscall = (error as { syscall?: unknown } | undefined)?.syscall;
  if (typeof syscall !== 'string') return message;
  const tail = `, ${syscall}`;
  const at = message.lastIndexOf(tail);
  return at > 0 && /^(?: '[^']*')?$/.test(message.slice(at + tail.length)) ? message.slice(0, at) : message;
}

/**
 * Every result page into the CSV, in order, and the first rows for the preview. The file is written
 * whole or not at all (writeFileAtomic); a failure to write it is one line naming the query and the
 * path, a failure to read a page is the page's own.
 */
async function readResults(
  athena: AthenaClient,
  id: string,
  statementType: string | undefined,
  options: AthenaOptions,
): Promise<{ columns: string[]; preview: (string | undefined)[][]; rowCount: number }> {
  let columns: string[] = [];
  const preview: (string | undefined)[][] = [];
  let rowCount = 0;
  let pageFailure: unknown;
  async function* csvText(): AsyncGenerator<string> {
    let nextToken: string | undefined;
    let firstPage = true;
    do {
      let page;
      try {
        page = await resultsPage(athena, id, nextToken);
      } catch (error) {
        pageFailure = error;
        throw error;
      }
      let rows = (page.ResultSet?.Rows ?? []).map((row) => (row.Data ?? []).map((d) => d.VarCharValue));
      if (firstPage) {
        const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
        columns = info.map((c, i) => c.Name ?? c.Label ?? `_col${i}`);
        const labels = info.map((c, i) => c.Label ?? c.Name ?? `_col${i}`);
        // The header row comes once, on the first page only.
        if (isHeaderRow(rows[0], labels, statementType)) rows = rows.slice(1);
        yield csvLine(columns);
        firstPage = false;
      }
      let chunk = '';
      for (const values of rows) {
        const cells = columns.map((_, i) => values[i]);
        chunk += csvLine(cells);
        if (preview.length < options.previewRows) preview.push(cells);
        rowCount++;
      }
      yield chunk;
      nextToken = page.NextToken;
    } while (nextToken);
  }
  try {
    await writeFileAtomic(options.csvPath, csvText());
  } catch (error) {
    if (error === pageFailure) throw error;
    throw new AthenaQueryError(
      `Athena query ${id} SUCCEEDED, but its results could not be written to ${options.csvPath}: ${fsReason(error)}`,
      id,
    );
  }
  return { columns, preview, rowCount };
}

/** One GetQueryResults page; a failure names the query, for the line and the output. */
async function resultsPage(athena: AthenaClient, id: string, token: string | undefined) {
  try {
    return await athena.send(
      new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: RESULTS_PAGE_SIZE, NextToken: token }),
    );
  } catch (error) {
    const failure = awsFailure(`Athena GetQueryResults ${id}`, error);
    if (!(failure instanceof UserError)) throw failure;
    throw new AthenaQueryError(failure.message, id);
  }
}
