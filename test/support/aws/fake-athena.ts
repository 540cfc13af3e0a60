/**
 * An Athena stand-in: queries that queue, run, fail, never end (until StopQueryExecution), and
 * results served in pages with the header row first, as Athena does for a SELECT. States advance
 * per GetQueryExecution poll. `execute` computes the result (e.g. DuckDB over the uploaded data).
 */
import { AwsFakeError, epochSeconds, type JsonFake, startJsonFake } from './json-fake.js';

export interface QueryResult {
  columns: string[];
  /** A missing value (undefined) is a SQL NULL. */
  rows: (string | undefined)[][];
}

export interface AthenaScript {
  queuedPolls?: number;
  /** Infinity: runs until stopped. */
  runningPolls?: number;
  outcome?: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  reason?: string;
  /** Largest page the fake serves, whatever MaxResults asks. */
  pageSize?: number;
  dataScannedInBytes?: number;
  execute?: (sql: string, database: string) => Promise<QueryResult> | QueryResult;
}

export interface Execution {
  id: string;
  token: string;
  sql: string;
  database: string;
  catalog: string;
  workgroup: string;
  outputLocation?: string;
  state: 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  queued: number;
  running: number;
  stopped: boolean;
  result?: QueryResult;
}

export interface AthenaFake extends JsonFake {
  executions: Execution[];
}

export async function startAthenaFake(script: AthenaScript = {}): Promise<AthenaFake> {
  const executions: Execution[] = [];
  const byId = (id: unknown): Execution => {
    const execution = executions.find((e) => e.id === id);
    if (!execution)
      throw new AwsFakeError('InvalidRequestException', `QueryExecution ${String(id)} was not found`);
    return execution;
  };

  const fake = await startJsonFake('AmazonAthena', async (operation, body) => {
    switch (operation) {
      case 'StartQueryExecution': {
        const token = String(body.ClientRequestToken ?? '');
        if (token.length < 32 || token.length > 128) {
          throw new AwsFakeError(
            'InvalidRequestException',
            'ClientRequestToken must be 32 to 128 characters',
          );
        }
        // Idempotent like Athena: the same token gives the same execution.
        const same = executions.find((e) => e.token === token);
        if (same) return { QueryExecutionId: same.id };
        const context = (body.QueryExecutionContext ?? {}) as Record<string, string>;
        const execution: Execution = {
          id: `qe-${executions.length + 1}-${token.slice(0, 8)}`,
          token,
          sql: String(body.QueryString),
          database: context.Database ?? '',
          catalog: context.Catalog ?? '',
          workgroup: String(body.WorkGroup ?? 'primary'),
          outputLocation: (body.ResultConfiguration as Record<string, string> | undefined)?.OutputLocation,
          state: 'QUEUED',
          queued: script.queuedPolls ?? 0,
          running: script.runningPolls ?? 0,
          stopped: false,
        };
        executions.push(execution);
        return { QueryExecutionId: execution.id };
      }
      case 'GetQueryExecution': {
        const e = byId(body.QueryExecutionId);
        if (e.state === 'QUEUED') {
          if (e.queued-- <= 0) e.state = 'RUNNING';
        }
        if (e.state === 'RUNNING' && e.running-- <= 0) {
          e.state = script.outcome ?? 'SUCCEEDED';
          if (e.state === 'SUCCEEDED' && script.execute) e.result = await script.execute(e.sql, e.database);
        }
        const failed = e.state === 'FAILED' || e.state === 'CANCELLED';
        return {
          QueryExecution: {
            QueryExecutionId: e.id,
            Query: e.sql,
            StatementType: 'DML',
            WorkGroup: e.workgroup,
            QueryExecutionContext: { Database: e.database, Catalog: e.catalog },
            ResultConfiguration: { OutputLocation: `${e.outputLocation ?? 's3://results/'}${e.id}.csv` },
            Status: {
              State: e.state,
              SubmissionDateTime: epochSeconds(new Date('2026-11-21T00:00:00Z')),
              ...(failed
                ? {
                    StateChangeReason: e.stopped ? 'Query cancelled by user' : (script.reason ?? 'failed'),
                    AthenaError: {
                      ErrorCategory: 2,
                      ErrorType: 1301,
                      Retryable: false,
                      ErrorMessage: script.reason,
                    },
                  }
                : {}),
            },
            Statistics: {
              EngineExecutionTimeInMillis: 830,
              DataScannedInBytes: script.dataScannedInBytes ?? 12_345,
              TotalExecutionTimeInMillis: 1020,
              QueryQueueTimeInMillis: 90,
            },
          },
        };
      }
      case 'GetQueryResults': {
        const e = byId(body.QueryExecutionId);
        if (e.state !== 'SUCCEEDED') {
          throw new AwsFakeError(
            'InvalidRequestException',
            `Query has not yet finished. Current state: ${e.state}`,
          );
        }
        const result = e.result ?? { columns: ['x'], rows: [] };
        // Row 0 is the header: Athena counts it as a row of the first page.
        const all = [result.columns, ...result.rows];
        const offset = Number(body.NextToken ?? 0);
        const size = Math.min(Number(body.MaxResults ?? 1000), script.pageSize ?? 1000);
        const page = all.slice(offset, offset + size);
        const next = offset + size < all.length ? String(offset + size) : undefined;
        return {
          ResultSet: {
            Rows: page.map((values) => ({
              Data: values.map((v) => (v === undefined ? {} : { VarCharValue: v })),
            })),
            ResultSetMetadata: {
              ColumnInfo: result.columns.map((name) => ({ Name: name, Label: name, Type: 'varchar' })),
            },
          },
          ...(next ? { NextToken: next } : {}),
          UpdateCount: 0,
        };
      }
      case 'StopQueryExecution': {
        const e = byId(body.QueryExecutionId);
        if (e.state === 'QUEUED' || e.state === 'RUNNING') e.state = 'CANCELLED';
        e.stopped = true;
        return {};
      }
      default:
        throw new AwsFakeError('InvalidRequestException', `The fake does not know ${operation}`);
    }
  });
  return Object.assign(fake, { executions });
}
