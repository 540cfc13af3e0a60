/**
 * A Glue stand-in: crawlers that are busy, slow, failing or fine, and tables and partitions for
 * `crawl: when-needed`. Crawls advance per GetCrawler poll, not per wall-clock second, so tests
 * are fast and never timed; `now` gives crawls their start times (share the test's clock).
 */
import { RECORD_FIELDS } from '../../../src/records.js';
import { AwsFakeError, epochSeconds, type JsonFake, startJsonFake } from './json-fake.js';

export interface CrawlerScript {
  /** Polls for which someone else's crawl is still RUNNING when we arrive. */
  busyPolls?: number;
  /** StartCrawler calls answered with CrawlerRunningException (someone else started a crawl first). */
  startConflicts?: number;
  /** Polls for which our crawl is RUNNING, then one STOPPING; Infinity never ends. */
  runPolls?: number;
  outcome?: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  errorMessage?: string;
  /** false: the crawl goes straight from RUNNING to READY (no STOPPING poll), e.g. to spare real sleeps. */
  stopping?: boolean;
  /** Glue sometimes still answers READY with the old LastCrawl just after StartCrawler. */
  staleReadyPolls?: number;
  /**
   * StartCrawler calls that start the crawl but answer OperationTimeoutException, as if Glue's answer
   * was lost (`failNext('StartCrawler', ...)` answers without starting one).
   */
  timeoutsAfterStarting?: number;
  /** DPU-hours ListCrawls reports for our crawls; absent: none (Glue fills them in late). */
  dpuHours?: number;
  /** Set: the crawler "creates" this table when it succeeds. */
  createsTable?: { database: string; name: string; table: Record<string, unknown> };
}

interface Crawl {
  start: Date;
  polls: number;
  outcome: 'SUCCEEDED' | 'FAILED' | 'CANCELLED';
  errorMessage?: string;
  ours: boolean;
}

interface CrawlerState {
  script: CrawlerScript;
  state: 'READY' | 'RUNNING' | 'STOPPING';
  current?: Crawl;
  last?: Crawl;
  stale: number;
  conflicts: number;
  lostAnswers: number;
  starts: number;
}

export interface GlueFake extends JsonFake {
  /** `db.table` to its Glue Table JSON. */
  tables: Map<string, Record<string, unknown>>;
  /** `db.table` to registered partitions, `granularity/dt` to their PartitionInput. */
  partitions: Map<string, Map<string, Record<string, unknown>>>;
  /** How many crawls StartCrawler began for each crawler. */
  crawlsStarted(name: string): number;
}

export async function startGlueFake(
  crawlers: Record<string, CrawlerScript>,
  now: () => Date,
): Promise<GlueFake> {
  const states = new Map<string, CrawlerState>();
  for (const [name, script] of Object.entries(crawlers)) {
    const previous: Crawl = {
      start: new Date(now().getTime() - 86_400_000),
      polls: 0,
      outcome: 'SUCCEEDED',
      ours: false,
    };
    states.set(name, {
      script,
      state: script.busyPolls ? 'RUNNING' : 'READY',
      current: script.busyPolls
        ? {
            start: new Date(now().getTime() - 30_000),
            polls: script.busyPolls,
            outcome: 'SUCCEEDED',
            ours: false,
          }
        : undefined,
      last: previous,
      stale: 0,
      conflicts: script.startConflicts ?? 0,
      lostAnswers: script.timeoutsAfterStarting ?? 0,
      starts: 0,
    });
  }
  const tables = new Map<string, Record<string, unknown>>();
  const partitions = new Map<string, Map<string, Record<string, unknown>>>();

  const crawlerOf = (name: unknown): CrawlerState => {
    const state = states.get(String(name));
    if (!state)
      throw new AwsFakeError('EntityNotFoundException', `Crawler with name ${String(name)} not found`);
    return state;
  };

  const describe = (name: string, c: CrawlerState) => ({
    Name: name,
    State: c.state,
    DatabaseName: 'genesys',
    // Glue gives the running crawl's age in milliseconds, not its start time.
    ...(c.current && c.state !== 'READY'
      ? { CrawlElapsedTime: now().getTime() - c.current.start.getTime() }
      : {}),
    LastCrawl: c.last && {
      Status: c.last.outcome,
      StartTime: epochSeconds(c.last.start),
      ...(c.last.outcome !== 'SUCCEEDED'
        ? {
            ErrorMessage: c.last.errorMessage ?? 'Internal Service Exception',
            LogGroup: '/aws-glue/crawlers',
            LogStream: name,
          }
        : {}),
    },
  });

  /** One poll passes: the running crawl gets closer to its end. */
  const advance = (c: CrawlerState) => {
    const crawl = c.current;
    if (!crawl) return;
    if (c.stale > 0) return;
    const finish = () => {
      c.state = 'READY';
      c.last = crawl;
      c.current = undefined;
      const created = crawl.ours && crawl.outcome === 'SUCCEEDED' ? c.script.createsTable : undefined;
      if (created) tables.set(`${created.database}.${created.name}`, created.table);
    };
    if (c.state === 'STOPPING') return finish();
    if (crawl.polls <= 0) {
      if (c.script.stopping === false) return finish();
      c.state = 'STOPPING';
      return;
    }
    crawl.polls--;
  };

  const fake = await startJsonFake('AWSGlue', (operation, body) => {
    switch (operation) {
      case 'GetCrawler': {
        const c = crawlerOf(body.Name);
        if (c.stale > 0) {
          // Still the old picture: READY with the previous crawl.
          c.stale--;
          const ready: Record<string, unknown> = { ...describe(String(body.Name), c), State: 'READY' };
          delete ready.CrawlElapsedTime;
          return { Crawler: ready };
        }
        advance(c);
        return { Crawler: describe(String(body.Name), c) };
      }
      case 'StartCrawler': {
        const c = crawlerOf(body.Name);
        if (c.conflicts > 0) {
          c.conflicts--;
          c.state = 'RUNNING';
          c.current = { start: now(), polls: 1, outcome: 'SUCCEEDED', ours: false };
          throw new AwsFakeError(
            'CrawlerRunningException',
            `Crawler with name ${String(body.Name)} has already started`,
          );
        }
        if (c.state !== 'READY') {
          throw new AwsFakeError(
            'CrawlerRunningException',
            `Crawler with name ${String(body.Name)} has already started`,
          );
        }
        c.starts++;
        c.state = 'RUNNING';
        c.stale = c.script.staleReadyPolls ?? 0;
        c.current = {
          start: now(),
          polls: c.script.runPolls ?? 1,
          outcome: c.script.outcome ?? 'SUCCEEDED',
          errorMessage: c.script.errorMessage,
          ours: true,
        };
        if (c.lostAnswers > 0) {
          c.lostAnswers--;
          throw new AwsFakeError('OperationTimeoutException', 'Timed out waiting for crawler state');
        }
        return {};
      }
      case 'GetCrawlerMetrics': {
        const names = (body.CrawlerNameList as string[] | undefined) ?? [...states.keys()];
        return {
          CrawlerMetricsList: names.map((name) => ({
            CrawlerName: name,
            TablesCreated: 1,
            TablesUpdated: 2,
            TablesDeleted: 0,
            LastRuntimeSeconds: 75,
          })),
        };
      }
      case 'ListCrawls': {
        const c = crawlerOf(body.CrawlerName);
        const max = Number(body.MaxResults ?? 20);
        if (!Number.isInteger(max) || max < 1 || max > 1000) {
          throw new AwsFakeError(
            'InvalidInputException',
            `MaxResults ${String(body.MaxResults)} is not 1 to 1000`,
          );
        }
        // Newest first, the finished crawls only.
        const crawls = [c.last].filter((crawl): crawl is Crawl => Boolean(crawl));
        return {
          Crawls: crawls.slice(0, max).map((crawl) => ({
            CrawlId: `crawl-${crawl.start.getTime()}`,
            State:
              crawl.outcome === 'SUCCEEDED' ? 'COMPLETED' : crawl.outcome === 'FAILED' ? 'FAILED' : 'STOPPED',
            StartTime: epochSeconds(crawl.start),
            ...(crawl.ours && c.script.dpuHours !== undefined ? { DPUHour: c.script.dpuHours } : {}),
          })),
        };
      }
      case 'GetTable': {
        const table = tables.get(`${String(body.DatabaseName)}.${String(body.Name)}`);
        if (!table)
          throw new AwsFakeError('EntityNotFoundException', `Table ${String(body.Name)} not found.`);
        return { Table: table };
      }
      case 'BatchCreatePartition': {
        const key = `${String(body.DatabaseName)}.${String(body.TableName)}`;
        if (!tables.has(key)) throw new AwsFakeError('EntityNotFoundException', `Table ${key} not found.`);
        const list = body.PartitionInputList as Record<string, unknown>[] | undefined;
        // Glue's limits: 1 to 100 partitions per call, one value per partition key.
        if (!Array.isArray(list) || list.length < 1 || list.length > 100) {
          throw new AwsFakeError(
            'InvalidInputException',
            `PartitionInputList must hold 1 to 100 partitions, not ${Array.isArray(list) ? list.length : 'none'}`,
          );
        }
        const keys = (tables.get(key)?.PartitionKeys as unknown[] | undefined) ?? [];
        const wrong = list.find((input) => (input.Values as unknown[] | undefined)?.length !== keys.length);
        if (wrong) {
          throw new AwsFakeError(
            'InvalidInputException',
            'The number of partition keys do not match the number of partition values',
          );
        }
        const registered = partitions.get(key) ?? new Map<string, Record<string, unknown>>();
        partitions.set(key, registered);
        const errors: unknown[] = [];
        for (const input of list) {
          const values = input.Values as string[];
          const id = values.join('/');
          if (registered.has(id)) {
            errors.push({
              PartitionValues: values,
              ErrorDetail: { ErrorCode: 'AlreadyExistsException', ErrorMessage: 'Partition already exists.' },
            });
          } else registered.set(id, input);
        }
        return { Errors: errors };
      }
      default:
        throw new AwsFakeError('InvalidInputException', `The fake does not know ${operation}`);
    }
  });
  return Object.assign(fake, {
    tables,
    partitions,
    crawlsStarted: (name: string) => states.get(name)?.starts ?? 0,
  });
}

/** A crawler-made table, as GetTable returns it. */
export function crawlerTable(
  columns = RECORD_FIELDS.map((f) => f.toLowerCase()),
  location = 's3://usage-lake/genesys-usage/',
) {
  return {
    Name: 'genesys_usage',
    DatabaseName: 'genesys',
    PartitionKeys: [
      { Name: 'granularity', Type: 'string' },
      { Name: 'dt', Type: 'string' },
    ],
    StorageDescriptor: {
      Columns: columns.map((name) => ({
        Name: name,
        Type: /^(requests|status\d+)$/.test(name) ? 'int' : 'string',
      })),
      Location: location,
      InputFormat: 'org.apache.hadoop.mapred.TextInputFormat',
      OutputFormat: 'org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat',
      Compressed: true,
      SerdeInfo: {
        SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe',
        Parameters: { paths: 'api,clientid' },
      },
      Parameters: {
        classification: 'json',
        compressionType: 'gzip',
        typeOfData: 'file',
        recordCount: '35',
        sizeKey: '9000',
      },
      StoredAsSubDirectories: false,
    },
    TableType: 'EXTERNAL_TABLE',
  };
}
