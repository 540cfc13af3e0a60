export const id = 254;
export const ids = [254];
export const modules = {

/***/ 873:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  ATHENA_QUERY_PERMISSIONS: () => (/* reexport */ ATHENA_QUERY_PERMISSIONS),
  AWS_ACTIONS_USED: () => (/* reexport */ AWS_ACTIONS_USED),
  DataLakeError: () => (/* reexport */ stages/* DataLakeError */.A),
  KMS_PERMISSIONS: () => (/* reexport */ KMS_PERMISSIONS),
  LAKE_FORMATION_PERMISSIONS: () => (/* reexport */ LAKE_FORMATION_PERMISSIONS),
  createDataLake: () => (/* binding */ createDataLake),
  dataInterval: () => (/* binding */ dataInterval),
  partitionDates: () => (/* binding */ partitionDates),
  runDataLake: () => (/* binding */ runDataLake)
});

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __webpack_require__(7598);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
var external_node_path_default = /*#__PURE__*/__webpack_require__.n(external_node_path_);
// EXTERNAL MODULE: ./src/errors.ts
var src_errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/interval.ts
var src_interval = __webpack_require__(3310);
// EXTERNAL MODULE: ./src/layout.ts
var layout = __webpack_require__(5005);
// EXTERNAL MODULE: ./src/stages.ts
var stages = __webpack_require__(4628);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-athena/dist-cjs/index.js
var dist_cjs = __webpack_require__(2204);
// EXTERNAL MODULE: ./src/duration.ts
var duration = __webpack_require__(7607);
// EXTERNAL MODULE: ./src/escape.ts
var src_escape = __webpack_require__(2988);
;// CONCATENATED MODULE: ./src/aws/csv.ts
/**
 * CSV (RFC 4180 quoting), pure. A null cell is empty, an empty string is `""`, as Athena writes them.
 * A cell a spreadsheet would run as a formula is neutralised as OWASP recommends (escape.ts).
 */

function csvField(cell) {
    if (cell === undefined)
        return '';
    const value = (0,src_escape/* csvNeutral */.it)(cell);
    if (value === '' || /[",\r\n]/.test(value) || /^\s|\s$/.test(value)) {
        return `"${value.replace(/"/g, '""')}"`;
    }
    return value;
}
function csvLine(values) {
    return values.map(csvField).join(',') + '\n';
}

// EXTERNAL MODULE: ./src/atomic-file.ts
var atomic_file = __webpack_require__(3549);
;// CONCATENATED MODULE: ./src/aws/errors.ts
/**
 * AWS failures as one line the user can act on: AWS's own error name and message, the call that
 * failed, and for missing credentials how to configure them. Never the error object itself.
 */

const NO_CREDENTIALS_MESSAGE = 'No AWS credentials found. Configure them in an earlier step, e.g. aws-actions/configure-aws-credentials with role-to-assume (OIDC, needs permissions: id-token: write); this action takes no AWS keys as inputs.';
function isCredentialsError(error) {
    const e = error;
    return (e?.name === 'CredentialsProviderError' ||
        /could not load credentials from any providers/i.test(e?.message ?? ''));
}
/** The error's AWS name (`CrawlerRunningException`, `NotFound`...), if it came from an AWS service. */
function awsErrorName(error) {
    const e = error;
    return e && typeof e === 'object' && '$metadata' in e ? e.name : undefined;
}
function httpStatus(error) {
    return error?.$metadata?.httpStatusCode;
}
/** `S3 PutObject s3://b/k failed: AccessDenied: Access Denied` as a UserError; bugs stay as they are. */
function awsFailure(what, error, hint = '') {
    if (error instanceof src_errors/* UserError */.yo)
        return error;
    if (isCredentialsError(error))
        return new src_errors/* UserError */.yo(NO_CREDENTIALS_MESSAGE);
    const name = awsErrorName(error);
    const code = error?.code;
    // A service answer or a network failure (wrong endpoint, DNS): both are the user's to fix.
    if (name !== undefined || typeof code === 'string') {
        const message = (0,src_errors/* describeError */.Uc)(error);
        const label = name && name !== 'Error' && !message.startsWith(name) ? `${name}: ` : '';
        const status = httpStatus(error);
        return new src_errors/* UserError */.yo(`${what} failed: ${label}${message || `HTTP ${status ?? '?'}`}${hint ? ` ${hint}` : ''}`);
    }
    return error instanceof Error ? error : new Error((0,src_errors/* describeError */.Uc)(error));
}
/** Runs one AWS call and turns its failure into `awsFailure`. */
async function awsCall(what, call, hint) {
    try {
        return await call();
    }
    catch (error) {
        throw awsFailure(what, error, hint);
    }
}

;// CONCATENATED MODULE: ./src/aws/poll.ts
/** Waiting for remote jobs (crawler, Athena) with backoff, on an injectable clock so tests run in ms. */
/** `first`, then times `factor` per attempt, capped at `max`. */
function backoffDelay(attempt, first, max, factor = 1.5) {
    return Math.min(max, Math.round(first * factor ** attempt));
}
class Poller {
    clock;
    firstDelayMs;
    maxDelayMs;
    attempt = 0;
    deadline;
    constructor(clock, timeoutMs, firstDelayMs, maxDelayMs) {
        this.clock = clock;
        this.firstDelayMs = firstDelayMs;
        this.maxDelayMs = maxDelayMs;
        this.deadline = clock.now().getTime() + timeoutMs;
    }
    expired() {
        return this.clock.now().getTime() >= this.deadline;
    }
    /** Sleeps the next delay, never past the deadline; false once the deadline has passed. */
    async wait() {
        const left = this.deadline - this.clock.now().getTime();
        if (left <= 0)
            return false;
        await this.clock.sleep(Math.min(left, backoffDelay(this.attempt++, this.firstDelayMs, this.maxDelayMs)));
        return true;
    }
    /** Polls quickly again, e.g. after a state change. */
    reset() {
        this.attempt = 0;
    }
}
/**
 * Runs `fn` over `items` with at most `limit` at a time; results in input order. After a failure no
 * new item starts, the running ones finish, then the first error is thrown.
 */
async function mapLimit(items, limit, fn) {
    const results = new Array(items.length);
    let next = 0;
    let failed = false;
    const worker = async () => {
        while (!failed && next < items.length) {
            const index = next++;
            try {
                results[index] = await fn(items[index]);
            }
            catch (error) {
                failed = true;
                throw error;
            }
        }
    };
    const settled = await Promise.allSettled(Array.from({ length: Math.min(limit, items.length) }, worker));
    const rejected = settled.find((s) => s.status === 'rejected');
    if (rejected)
        throw rejected.reason;
    return results;
}

;// CONCATENATED MODULE: ./src/aws/athena.ts
/**
 * Runs one Athena query: start it (idempotent per run attempt), poll with backoff until it is done,
 * stop it on timeout, then stream every result page into a CSV file and keep the first rows.
 */








/** The query failed, was cancelled or timed out; it has an id, for the output. */
class AthenaQueryError extends src_errors/* UserError */.yo {
    queryExecutionId;
    constructor(message, queryExecutionId) {
        super(message);
        this.queryExecutionId = queryExecutionId;
        this.name = 'AthenaQueryError';
    }
}
const RESULTS_PAGE_SIZE = 1000;
const FIRST_POLL_MS = 500;
const MAX_POLL_MS = 5000;
/**
 * The same token for the same query in the same run attempt (Athena then returns the execution it
 * already started instead of a second one); off a runner, `fallback` (e.g. a random id) decides.
 */
function clientRequestToken(env, sql, fallback) {
    const parts = env.GITHUB_RUN_ID
        ? [env.GITHUB_REPOSITORY, env.GITHUB_RUN_ID, env.GITHUB_RUN_ATTEMPT, env.GITHUB_JOB, env.GITHUB_ACTION]
        : ['local', fallback];
    // 64 hex characters: within Athena's 32 to 128.
    return (0,external_node_crypto_.createHash)('sha256')
        .update(['genesys-usage-report', ...parts.map((p) => p ?? ''), sql].join('\n'))
        .digest('hex');
}
/** $5 per TB scanned, billed per MB rounded up, 10 MB minimum per query. */
function athenaCostUsd(bytesScanned) {
    const mb = Math.max(10, Math.ceil(bytesScanned / 2 ** 20));
    return (mb / 2 ** 20) * 5;
}
/** A SELECT's first result row repeats the column labels; other statements have no such row. */
function isHeaderRow(values, labels, statementType) {
    return (statementType === 'DML' &&
        values !== undefined &&
        values.length === labels.length &&
        values.every((v, i) => v === labels[i]));
}
async function runAthenaQuery(athena, settings, sql, options) {
    const { io } = options;
    const started = await awsCall('Athena StartQueryExecution', () => athena.send(new dist_cjs/* StartQueryExecutionCommand */.Wjk({
        QueryString: sql,
        WorkGroup: settings.workgroup,
        QueryExecutionContext: { Database: settings.database, Catalog: settings.catalog },
        ...(settings.outputLocation
            ? { ResultConfiguration: { OutputLocation: settings.outputLocation } }
            : {}),
        ClientRequestToken: options.clientRequestToken,
    })));
    const id = started.QueryExecutionId;
    if (!id)
        throw new src_errors/* UserError */.yo('Athena StartQueryExecution returned no QueryExecutionId.');
    options.onStarted?.(id);
    io.info(`Query execution ${id} in workgroup ${settings.workgroup}.`);
    const execution = await waitForQuery(athena, id, options);
    const status = execution.Status;
    const stats = execution.Statistics;
    io.info(`SUCCEEDED: ${stats?.DataScannedInBytes ?? 0} bytes scanned, engine ${stats?.EngineExecutionTimeInMillis ?? 0} ms.`);
    if (status?.StateChangeReason)
        io.info(status.StateChangeReason);
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
async function waitForQuery(athena, id, options) {
    const poller = new Poller(options.clock, options.timeoutMs, FIRST_POLL_MS, MAX_POLL_MS);
    let lastState = '';
    for (;;) {
        let execution;
        try {
            ({ QueryExecution: execution } = await athena.send(new dist_cjs/* GetQueryExecutionCommand */.mRu({ QueryExecutionId: id })));
        }
        catch (error) {
            // Past the SDK's own retries. The query is started and may go on running (and costing): stop it,
            // then fail with its id, so the line and the athena-query-execution-id output name it.
            const stop = await stopQuery(athena, id);
            const failure = awsFailure(`Athena GetQueryExecution ${id}`, error, stop.stopped ? '(the query was stopped)' : `(the query could not be stopped: ${stop.reason})`);
            if (!(failure instanceof src_errors/* UserError */.yo))
                throw failure;
            throw new AthenaQueryError(failure.message.includes(id) ? failure.message : `Athena query ${id}: ${failure.message}`, id);
        }
        const state = execution?.Status?.State ?? 'UNKNOWN';
        if (state !== lastState) {
            options.io.info(`Query ${id}: ${state}`);
            lastState = state;
        }
        if (state === 'SUCCEEDED' && execution)
            return execution;
        if (state === 'FAILED' || state === 'CANCELLED') {
            const reason = execution?.Status?.StateChangeReason ??
                execution?.Status?.AthenaError?.ErrorMessage ??
                'no reason given';
            throw new AthenaQueryError(`Athena query ${id} ${state}: ${reason}`, id);
        }
        if (!(await poller.wait()))
            break;
    }
    // Timed out: stop it, so it costs nothing more, then fail.
    const stop = await stopQuery(athena, id);
    throw new AthenaQueryError(`Athena query ${id} did not finish within athena-timeout (${(0,duration/* formatDuration */.a)(options.timeoutMs)}; last state ${lastState}): ${stop.stopped ? 'stopped it' : `could not stop it (${stop.reason})`}.`, id);
}
/** StopQueryExecution. A failure to stop is not thrown: it only changes what the failure line says. */
async function stopQuery(athena, id) {
    try {
        await athena.send(new dist_cjs/* StopQueryExecutionCommand */.aaO({ QueryExecutionId: id }));
        return { stopped: true };
    }
    catch (error) {
        const failure = awsFailure('StopQueryExecution', error);
        return {
            stopped: false,
            reason: failure.message.replace(/^StopQueryExecution failed: /, '') || (0,src_errors/* describeError */.Uc)(error),
        };
    }
}
/**
 * A file system error's message without its tail (`EISDIR: illegal operation on a directory, open
 * '<path>'` gives `EISDIR: illegal operation on a directory`): the line names the path already.
 */
function fsReason(error) {
    const message = (0,src_errors/* describeError */.Uc)(error);
    const syscall = error?.syscall;
    if (typeof syscall !== 'string')
        return message;
    const tail = `, ${syscall}`;
    const at = message.lastIndexOf(tail);
    return at > 0 && /^(?: '[^']*')?$/.test(message.slice(at + tail.length)) ? message.slice(0, at) : message;
}
/**
 * Every result page into the CSV, in order, and the first rows for the preview. The file is written
 * whole or not at all (writeFileAtomic); a failure to write it is one line naming the query and the
 * path, a failure to read a page is the page's own.
 */
async function readResults(athena, id, statementType, options) {
    let columns = [];
    const preview = [];
    let rowCount = 0;
    let pageFailure;
    async function* csvText() {
        let nextToken;
        let firstPage = true;
        do {
            let page;
            try {
                page = await resultsPage(athena, id, nextToken);
            }
            catch (error) {
                pageFailure = error;
                throw error;
            }
            let rows = (page.ResultSet?.Rows ?? []).map((row) => (row.Data ?? []).map((d) => d.VarCharValue));
            if (firstPage) {
                const info = page.ResultSet?.ResultSetMetadata?.ColumnInfo ?? [];
                columns = info.map((c, i) => c.Name ?? c.Label ?? `_col${i}`);
                const labels = info.map((c, i) => c.Label ?? c.Name ?? `_col${i}`);
                // The header row comes once, on the first page only.
                if (isHeaderRow(rows[0], labels, statementType))
                    rows = rows.slice(1);
                yield csvLine(columns);
                firstPage = false;
            }
            let chunk = '';
            for (const values of rows) {
                const cells = columns.map((_, i) => values[i]);
                chunk += csvLine(cells);
                if (preview.length < options.previewRows)
                    preview.push(cells);
                rowCount++;
            }
            yield chunk;
            nextToken = page.NextToken;
        } while (nextToken);
    }
    try {
        await (0,atomic_file/* writeFileAtomic */.Zf)(options.csvPath, csvText());
    }
    catch (error) {
        if (error === pageFailure)
            throw error;
        throw new AthenaQueryError(`Athena query ${id} SUCCEEDED, but its results could not be written to ${options.csvPath}: ${fsReason(error)}`, id);
    }
    return { columns, preview, rowCount };
}
/** One GetQueryResults page; a failure names the query, for the line and the output. */
async function resultsPage(athena, id, token) {
    try {
        return await athena.send(new dist_cjs/* GetQueryResultsCommand */.sAK({ QueryExecutionId: id, MaxResults: RESULTS_PAGE_SIZE, NextToken: token }));
    }
    catch (error) {
        const failure = awsFailure(`Athena GetQueryResults ${id}`, error);
        if (!(failure instanceof src_errors/* UserError */.yo))
            throw failure;
        throw new AthenaQueryError(failure.message, id);
    }
}

// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-glue/dist-cjs/index.js
var client_glue_dist_cjs = __webpack_require__(6542);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/client-s3/dist-cjs/index.js
var client_s3_dist_cjs = __webpack_require__(3711);
;// CONCATENATED MODULE: ./src/aws/clients.ts
/**
 * The three AWS clients, from the config. Credentials come from the SDK's default chain; endpoints
 * can be redirected with AWS_ENDPOINT_URL_S3 / _GLUE / _ATHENA, which the SDK reads itself.
 */



const USER_AGENT = 'genesys-usage-report-action';
function createAwsClients(config) {
    const region = config.awsRegion;
    return {
        s3: new client_s3_dist_cjs.S3Client({
            region,
            forcePathStyle: config.s3?.forcePathStyle ?? false,
            customUserAgent: USER_AGENT,
        }),
        glue: new client_glue_dist_cjs/* GlueClient */.lPz({ region, customUserAgent: USER_AGENT }),
        athena: new dist_cjs/* AthenaClient */.T7g({ region, customUserAgent: USER_AGENT }),
    };
}
function destroyAwsClients(clients) {
    clients.s3.destroy();
    clients.glue.destroy();
    clients.athena.destroy();
}

// EXTERNAL MODULE: ./src/records.ts
var records = __webpack_require__(4845);
;// CONCATENATED MODULE: ./src/aws/glue.ts
/**
 * The Glue stage: run the crawler and wait for it (Glue has no waiters), or, with `crawl: when-needed`
 * and a table that already fits the records, register the new partitions directly.
 */






const PARTITION_KEYS = ['granularity', 'dt'];
/** Our clock and AWS's may disagree a little; a crawl never starts less than a minute after the last one. */
const CLOCK_SKEW_MS = 60_000;
const glue_FIRST_POLL_MS = 2000;
const glue_MAX_POLL_MS = 15_000;
/** BatchCreatePartition takes at most 100 partitions per call. */
const PARTITION_BATCH = 100;
/** Table statistics the crawler keeps; they do not describe one partition. */
const TABLE_STATS = ['recordCount', 'averageRecordSize', 'sizeKey', 'objectCount'];
/** The crawl ended FAILED or CANCELLED: the message is the crawler's own, `status` is for the output. */
class CrawlerFailedError extends src_errors/* UserError */.yo {
    status;
    constructor(message, status) {
        super(message);
        this.status = status;
        this.name = 'CrawlerFailedError';
    }
}
/**
 * Whether the crawl that `GetCrawler` reports as the last one is ours: it started after the crawl
 * that was last before we started, and not before our start (within the clock skew).
 */
function isOurCrawl(lastStart, ourStart, previousStart) {
    if (!lastStart)
        return false;
    if (previousStart && lastStart.getTime() <= previousStart.getTime())
        return false;
    return lastStart.getTime() >= ourStart.getTime() - CLOCK_SKEW_MS;
}
/**
 * Glue errors that say nothing about the crawler itself (its state is unknown, not bad): a poll that
 * gets one, past the SDK's own retries, counts as a missed poll; a StartCrawler that gets one may or
 * may not have started the crawl.
 */
const TRANSIENT_GLUE_ERRORS = [
    'OperationTimeoutException',
    'ThrottlingException',
    'InternalServiceException',
];
/** StartCrawler is tried again at most this often after transient errors that started no crawl. */
const START_RETRIES = 3;
/**
 * `CrawlElapsedTime` is a duration Glue measures, so no clock skew applies; this only absorbs rounding
 * and latency when judging whether a running crawl began at or after our StartCrawler.
 */
const ELAPSED_SLACK_MS = 5000;
function isTransientGlueError(error) {
    const name = awsErrorName(error);
    return name !== undefined && TRANSIENT_GLUE_ERRORS.includes(name);
}
/**
 * Whether `GetCrawler` (answered at `now`) shows a crawl that began at or after `since`, our first
 * StartCrawler attempt whose outcome we do not know: a running crawl whose `CrawlElapsedTime` reaches
 * back no further than `since`, or a finished one that `isOurCrawl`.
 */
function crawlStartedSince(crawler, since, previousStart, now) {
    if (crawler.State === 'RUNNING' || crawler.State === 'STOPPING') {
        const elapsed = crawler.CrawlElapsedTime;
        if (elapsed === undefined || !Number.isFinite(elapsed))
            return false;
        return now.getTime() - elapsed >= since.getTime() - ELAPSED_SLACK_MS;
    }
    return crawler.State === 'READY' && isOurCrawl(crawler.LastCrawl?.StartTime, since, previousStart);
}
async function runCrawler(glue, name, options) {
    const { io, clock } = options;
    const begin = clock.now().getTime();
    const poller = new Poller(clock, options.timeoutMs, glue_FIRST_POLL_MS, glue_MAX_POLL_MS);
    const limit = `crawler-timeout (${(0,duration/* formatDuration */.a)(options.timeoutMs)})`;
    /** The last state GetCrawler showed, and why the last poll failed if it did. */
    let knownState;
    let missedPoll;
    const timeout = () => new src_errors/* UserError */.yo(`Glue crawler ${name} did not finish within crawler-timeout (${(0,duration/* formatDuration */.a)(options.timeoutMs)}; state ${knownState ?? 'unknown'})${missedPoll ? `, and the last poll failed: ${missedPoll}` : ''}. It goes on running in AWS; the uploaded objects are in place.`);
    /** One GetCrawler; undefined when it failed transiently (a missed poll, logged). */
    const poll = async () => {
        try {
            const { Crawler: crawler } = await glue.send(new client_glue_dist_cjs/* GetCrawlerCommand */.SJI({ Name: name }));
            if (!crawler)
                throw new src_errors/* UserError */.yo(`Glue GetCrawler ${name} returned no crawler.`);
            missedPoll = undefined;
            knownState = crawler.State;
            return crawler;
        }
        catch (error) {
            const failure = awsFailure(`Glue GetCrawler ${name}`, error);
            if (!isTransientGlueError(error))
                throw failure;
            missedPoll = failure.message.replace(/^.*? failed: /, '');
            io.info(`${failure.message}: a missed poll; polling on until ${limit}.`);
            return undefined;
        }
    };
    const waitUntilReady = async () => {
        let crawler = await poll();
        let told = false;
        while (crawler?.State !== 'READY') {
            if (crawler && !told) {
                io.info(`Crawler ${name} is ${crawler.State}: waiting for that crawl to end.`);
                told = true;
            }
            if (!(await poller.wait()))
                throw timeout();
            crawler = await poll();
        }
        return crawler;
    };
    let previousStart = (await waitUntilReady()).LastCrawl?.StartTime;
    /** When our crawl started at the earliest: the StartCrawler call that started it. */
    let ourStart;
    /** The first StartCrawler attempt that failed transiently, since when a crawl may be ours. */
    let uncertainSince;
    let transientFailures = 0;
    /** After a transient StartCrawler failure: whether GetCrawler shows a crawl of ours (then go on with it). */
    const startedAfterAll = async (since) => {
        const crawler = await poll();
        if (!crawler || !crawlStartedSince(crawler, since, previousStart, clock.now()))
            return false;
        io.info(`Crawler ${name} is ${crawler.State} with a crawl begun since our StartCrawler: going on with it.`);
        return true;
    };
    for (;;) {
        const attempt = clock.now();
        ourStart = uncertainSince ?? attempt;
        try {
            await glue.send(new client_glue_dist_cjs/* StartCrawlerCommand */.AkQ({ Name: name }));
            io.info(`Started crawler ${name}.`);
            knownState = undefined;
            break;
        }
        catch (error) {
            if (awsErrorName(error) === 'CrawlerRunningException') {
                // Possibly our own crawl, from an attempt whose answer was lost.
                if (uncertainSince && (await startedAfterAll(uncertainSince)))
                    break;
                io.info(`Crawler ${name} was started elsewhere just now: waiting for that crawl, then starting again.`);
                knownState = 'RUNNING';
                if (!(await poller.wait()))
                    throw timeout();
                previousStart = (await waitUntilReady()).LastCrawl?.StartTime;
                uncertainSince = undefined;
                continue;
            }
            const failure = awsFailure(`Glue StartCrawler ${name}`, error);
            if (!isTransientGlueError(error))
                throw failure;
            uncertainSince ??= attempt;
            transientFailures++;
            io.info(`${failure.message}: checking with GetCrawler whether the crawl started.`);
            if (!(await poller.wait())) {
                throw awsFailure(`Glue StartCrawler ${name}`, error, `(${limit} passed before the crawl was seen to start)`);
            }
            if (await startedAfterAll(uncertainSince))
                break;
            if (transientFailures > START_RETRIES) {
                throw awsFailure(`Glue StartCrawler ${name}`, error, `(${transientFailures} attempts; GetCrawler showed no crawl started)`);
            }
            io.info(`No crawl started: starting crawler ${name} again (retry ${transientFailures} of ${START_RETRIES}).`);
        }
    }
    poller.reset();
    let last;
    let lastState;
    for (;;) {
        const crawler = await poll();
        if (crawler && crawler.State !== lastState)
            io.info(`Crawler ${name}: ${(lastState = crawler.State)}`);
        if (crawler?.State === 'READY' && isOurCrawl(crawler.LastCrawl?.StartTime, ourStart, previousStart)) {
            last = crawler.LastCrawl;
            break;
        }
        if (!(await poller.wait()))
            throw timeout();
    }
    if (last?.Status !== 'SUCCEEDED') {
        const logs = last?.LogGroup || last?.LogStream
            ? ` (CloudWatch Logs: group ${last.LogGroup ?? '?'}, stream ${last.LogStream ?? '?'})`
            : '';
        throw new CrawlerFailedError(`Glue crawler ${name} ${last?.Status ?? 'ended without a status'}: ${last?.ErrorMessage ?? 'no error message'}${logs}. The uploaded objects are in place.`, last?.Status ?? 'FAILED');
    }
    const durationMs = clock.now().getTime() - begin;
    io.info(`Crawler ${name} SUCCEEDED after ${(0,duration/* formatDuration */.a)(durationMs)}.`);
    const dpuHours = last.StartTime ? await crawlDpuHours(glue, name, last.StartTime, io) : undefined;
    return {
        status: 'SUCCEEDED',
        durationMs,
        metrics: await crawlerMetrics(glue, name, io),
        ...(dpuHours !== undefined ? { dpuHours } : {}),
    };
}
/**
 * The DPU-hours Glue recorded for the crawl that started at `start` (ListCrawls), for the cost line.
 * Glue may fill them in only later; a failure or no figure only costs that detail.
 */
async function crawlDpuHours(glue, name, start, io) {
    try {
        const { Crawls: crawls = [] } = await glue.send(new client_glue_dist_cjs/* ListCrawlsCommand */.qHU({ CrawlerName: name, MaxResults: 10 }));
        const ours = crawls.find((c) => c.StartTime && Math.abs(c.StartTime.getTime() - start.getTime()) <= ELAPSED_SLACK_MS);
        const hours = ours?.DPUHour;
        return typeof hours === 'number' && Number.isFinite(hours) && hours >= 0 ? hours : undefined;
    }
    catch (error) {
        io.info(`Could not read the crawl's DPU-hours (ListCrawls): ${(0,src_errors/* describeError */.Uc)(error)}`);
        return undefined;
    }
}
/** Tables created/updated for the summary; a failure here only costs that line. */
async function crawlerMetrics(glue, name, io) {
    try {
        const { CrawlerMetricsList: list } = await glue.send(new client_glue_dist_cjs/* GetCrawlerMetricsCommand */.FDl({ CrawlerNameList: [name] }));
        const m = list?.find((x) => x.CrawlerName === name) ?? list?.[0];
        if (!m)
            return undefined;
        return {
            tablesCreated: m.TablesCreated ?? 0,
            tablesUpdated: m.TablesUpdated ?? 0,
            tablesDeleted: m.TablesDeleted ?? 0,
            ...(typeof m.LastRuntimeSeconds === 'number' ? { runtimeSeconds: m.LastRuntimeSeconds } : {}),
        };
    }
    catch (error) {
        io.warning(`Could not read the crawler's metrics (GetCrawlerMetrics): ${(0,src_errors/* describeError */.Uc)(error)}`);
        return undefined;
    }
}
/** `s3://bucket/prefix/`: the table's location, with a trailing slash. */
function tableLocation(bucket, prefix) {
    return `s3://${bucket}/${prefix ? `${prefix}/` : ''}`;
}
const trimSlash = (s) => s.replace(/\/+$/, '');
/** Whether the table can take our partitions as they are; if not, why the crawler must run. */
function tableFits(table, location) {
    if (!table)
        return { fits: false, reason: 'the table does not exist yet' };
    const keys = (table.PartitionKeys ?? []).map((k) => (k.Name ?? '').toLowerCase());
    if (keys.join(',') !== PARTITION_KEYS.join(',')) {
        return {
            fits: false,
            reason: `the table's partition keys are (${keys.join(', ')}), not (${PARTITION_KEYS.join(', ')})`,
        };
    }
    const sd = table.StorageDescriptor;
    if (!sd)
        return { fits: false, reason: 'the table has no storage descriptor' };
    const have = new Set((sd.Columns ?? []).map((c) => (c.Name ?? '').toLowerCase()));
    const missing = records/* RECORD_FIELDS */.IT.map((f) => f.toLowerCase()).filter((f) => !have.has(f));
    if (missing.length)
        return { fits: false, reason: `the table lacks the columns ${missing.join(', ')}` };
    if (trimSlash(sd.Location ?? '') !== trimSlash(location)) {
        return { fits: false, reason: `the table's location ${sd.Location ?? '(none)'} is not ${location}` };
    }
    return { fits: true };
}
/** Whether Athena projects the table's partitions (`projection.enabled`): then nothing needs registering. */
function isProjected(table) {
    return Object.entries(table?.Parameters ?? {}).some(([key, value]) => key.toLowerCase() === 'projection.enabled' && value.trim().toLowerCase() === 'true');
}
const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;
/**
 * Whether a projected table shows Athena this run's partitions: partitioned by (granularity, dt), its
 * location template (or, without one, its location) where the run wrote, each granularity among the
 * projected values and each date in a fixed date range. A `NOW`-relative range end is taken as covering.
 */
function projectionFits(table, location, files) {
    const keys = (table.PartitionKeys ?? []).map((k) => (k.Name ?? '').toLowerCase());
    if (keys.join(',') !== PARTITION_KEYS.join(',')) {
        return {
            fits: false,
            reason: `its partition keys are (${keys.join(', ')}), not (${PARTITION_KEYS.join(', ')})`,
        };
    }
    const p = Object.fromEntries(Object.entries(table.Parameters ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
    const template = p['storage.location.template'];
    const expected = `${trimSlash(location)}/granularity=\${granularity}/dt=\${dt}`;
    if (template !== undefined
        ? trimSlash(template) !== expected
        : trimSlash(table.StorageDescriptor?.Location ?? '') !== trimSlash(location)) {
        return {
            fits: false,
            reason: `it projects partitions at ${template ?? table.StorageDescriptor?.Location ?? '(no location)'}, not at ${expected}/`,
        };
    }
    if (p['projection.granularity.type']?.trim().toLowerCase() === 'enum') {
        // Athena takes any white space as part of an enum value: ' week' is not 'week'.
        const values = (p['projection.granularity.values'] ?? '').split(',');
        const missing = [...new Set(files.map((f) => f.granularity))].filter((g) => !values.includes(g));
        if (missing.length) {
            return {
                fits: false,
                reason: `its projected granularity values (${values.join(',')}) lack ${missing.join(', ')}`,
            };
        }
    }
    if (p['projection.dt.type']?.trim().toLowerCase() === 'date') {
        const [from = '', to = ''] = (p['projection.dt.range'] ?? '').split(',').map((v) => v.trim());
        const outside = files
            .map((f) => f.dt)
            .filter((dt) => (DATE_ONLY.test(from) && dt < from) || (DATE_ONLY.test(to) && dt > to));
        if (outside.length) {
            return {
                fits: false,
                reason: `its projected dt range (${from},${to}) does not hold ${outside.sort()[0]}`,
            };
        }
    }
    return { fits: true };
}
/** One partition per (granularity, dt), described like the table (its format, SerDe, columns). */
function partitionInputs(sd, location, files) {
    const base = trimSlash(location);
    const parameters = Object.fromEntries(Object.entries(sd.Parameters ?? {}).filter(([key]) => !TABLE_STATS.includes(key)));
    const seen = new Set();
    const inputs = [];
    for (const file of files) {
        const id = `${file.granularity}/${file.dt}`;
        if (seen.has(id))
            continue;
        seen.add(id);
        inputs.push({
            Values: [file.granularity, file.dt],
            StorageDescriptor: {
                ...sd,
                Parameters: parameters,
                Location: `${base}/granularity=${file.granularity}/dt=${file.dt}/`,
            },
        });
    }
    return inputs;
}
/** The table, or undefined when it (or its database) does not exist. */
async function getTable(glue, database, table, 
/** Appended to a failure: what it means for the run. */
hint) {
    try {
        return (await glue.send(new client_glue_dist_cjs/* GetTableCommand */.QuZ({ DatabaseName: database, Name: table }))).Table;
    }
    catch (error) {
        if (awsErrorName(error) === 'EntityNotFoundException')
            return undefined;
        throw awsFailure(`Glue GetTable ${database}.${table}`, error, hint);
    }
}
/** BatchCreatePartition in batches; partitions that exist already are fine, any other error is not. */
async function registerPartitions(glue, database, table, inputs, 
/** Appended to a failure: what it means for the run. */
hint) {
    const result = { created: 0, existed: 0 };
    for (let i = 0; i < inputs.length; i += PARTITION_BATCH) {
        const batch = inputs.slice(i, i + PARTITION_BATCH);
        const { Errors: errors = [] } = await awsCall(`Glue BatchCreatePartition on ${database}.${table}`, () => glue.send(new client_glue_dist_cjs/* BatchCreatePartitionCommand */.Ezo({
            DatabaseName: database,
            TableName: table,
            PartitionInputList: batch,
        })), hint);
        const existed = errors.filter((e) => e.ErrorDetail?.ErrorCode === 'AlreadyExistsException').length;
        const failed = errors.find((e) => e.ErrorDetail?.ErrorCode !== 'AlreadyExistsException');
        if (failed) {
            const values = (failed.PartitionValues ?? []).map((v, k) => `${PARTITION_KEYS[k] ?? k}=${v}`).join('/');
            throw new src_errors/* UserError */.yo(`Glue BatchCreatePartition on ${database}.${table} failed for ${values}: ${failed.ErrorDetail?.ErrorCode ?? 'error'}: ${failed.ErrorDetail?.ErrorMessage ?? 'no message'}${hint ? ` ${hint}` : ''}`);
        }
        result.existed += existed;
        result.created += batch.length - existed;
    }
    return result;
}

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __webpack_require__(3024);
// EXTERNAL MODULE: ./node_modules/@aws-sdk/lib-storage/dist-cjs/index.js
var lib_storage_dist_cjs = __webpack_require__(2358);
;// CONCATENATED MODULE: ./src/aws/coverage.ts
/** S3 user metadata keys (sent as x-amz-meta-*; S3 returns them lower-cased). */
const META_START = 'coverage-start';
const META_END = 'coverage-end';
const META_COMPLETE = 'coverage-complete';
const META_RECORDS = 'records';
function coverageMetadata(coverage, records) {
    return {
        [META_START]: coverage.start.toISOString(),
        [META_END]: coverage.end.toISOString(),
        [META_COMPLETE]: String(coverage.complete),
        [META_RECORDS]: String(records),
    };
}
/** The coverage an existing object declares; undefined when it declares none (or nonsense). */
function readCoverageMetadata(metadata) {
    if (!metadata)
        return undefined;
    const lower = Object.fromEntries(Object.entries(metadata).map(([k, v]) => [k.toLowerCase(), v]));
    const start = new Date(lower[META_START] ?? '');
    const end = new Date(lower[META_END] ?? '');
    const complete = lower[META_COMPLETE];
    if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime()) || start > end)
        return undefined;
    if (complete !== 'true' && complete !== 'false')
        return undefined;
    return { start, end, complete: complete === 'true' };
}
function contains(outer, inner) {
    return outer.start.getTime() <= inner.start.getTime() && outer.end.getTime() >= inner.end.getTime();
}
function span(c) {
    return `${c.start.toISOString()} to ${c.end.toISOString()}`;
}
function decideUpload(ours, existing) {
    if (ours.complete)
        return { upload: true, reason: 'complete bucket' };
    if (existing.kind === 'absent')
        return { upload: true, reason: 'partial bucket, no object yet' };
    // Written by an older version or by hand: assume it is complete, the safe side.
    if (existing.kind === 'undeclared') {
        return { upload: false, reason: 'partial bucket; the existing object declares no coverage' };
    }
    if (contains(ours, existing.coverage)) {
        return {
            upload: true,
            reason: `partial bucket covering at least the existing ${span(existing.coverage)}`,
        };
    }
    return {
        upload: false,
        reason: existing.coverage.complete
            ? 'partial bucket; the existing object is the complete bucket'
            : `partial bucket; the existing object covers ${span(existing.coverage)}, which this one does not contain`,
    };
}

;// CONCATENATED MODULE: ./src/aws/s3-upload.ts
/**
 * Uploads one object per partition file to `<prefix>/<relativePath>`. The key is a pure function of
 * the query's shape and the bucket date, so a re-run replaces its objects; a partly covered bucket
 * goes through the rule in coverage.ts first, and is written conditionally (If-Match/If-None-Match),
 * so a concurrent run cannot slip a different object in between the check and the write.
 */








/** Enough to keep the pipe busy without flooding a runner's connection. */
const UPLOAD_CONCURRENCY = 4;
/** Files above this go up as multipart uploads, one part at a time per file. */
const PART_SIZE = 16 * 1024 * 1024;
/** The key the same partition's object has with the other compression: `.json` and `.json.gz` swapped. */
function otherCompressionKey(key) {
    if (key.endsWith('.json.gz'))
        return key.slice(0, -'.gz'.length);
    if (key.endsWith('.json'))
        return `${key}.gz`;
    throw new Error(`not a partition object key: ${key}`);
}
function objectKey(prefix, relativePath) {
    return prefix ? `${prefix}/${relativePath}` : relativePath;
}
/** No Content-Encoding for .gz: Athena recognises gzip by the extension, and clients must not unzip it. */
function contentType(relativePath) {
    return relativePath.endsWith('.gz') ? 'application/gzip' : 'application/x-ndjson';
}
async function uploadPartitions(s3, settings, files, options) {
    return mapLimit(files, UPLOAD_CONCURRENCY, async (file) => {
        const result = await uploadOne(s3, settings, file, options);
        options.io.info(result.uploaded
            ? `Uploaded ${result.uri} (${file.records} records${result.coverage.complete ? '' : ', partial bucket'})`
            : `Kept ${result.uri}: ${result.reason}`);
        if (result.removed) {
            options.io.info(`Removed ${result.removed}: the same partition with the other compression.`);
        }
        options.onResult?.(result);
        return result;
    });
}
async function uploadOne(s3, settings, file, options) {
    const key = objectKey(settings.prefix, file.relativePath);
    const uri = `s3://${settings.bucket}/${key}`;
    const coverage = (0,layout/* bucketCoverage */.p_)(file.dt, options.granularity, options.interval);
    const otherKey = otherCompressionKey(key);
    const otherUri = `s3://${settings.bucket}/${otherKey}`;
    // One retry: a 412 means another run wrote the key between our check and our write.
    for (let attempt = 0;; attempt++) {
        let condition = {};
        let reason = 'complete bucket';
        /** Whether the other compression's object is there (checked for partial buckets only). */
        let otherExists;
        if (!coverage.complete) {
            const { existing, etag } = await headExisting(s3, settings, key, uri);
            let decision = decideUpload(coverage, existing);
            // Written with the other compression, the bucket's object has the other key: it counts the same.
            const other = await headExisting(s3, settings, otherKey, otherUri);
            otherExists = other.existing.kind !== 'absent';
            if (decision.upload && otherExists) {
                const versus = decideUpload(coverage, other.existing);
                if (!versus.upload)
                    decision = { upload: false, reason: `${versus.reason} (${otherUri})` };
            }
            if (!decision.upload)
                return { file, key, uri, coverage, uploaded: false, reason: decision.reason };
            reason = decision.reason;
            condition = existing.kind === 'absent' ? { IfNoneMatch: '*' } : etag ? { IfMatch: etag } : {};
        }
        try {
            await new lib_storage_dist_cjs/* Upload */._({
                client: s3,
                params: {
                    Bucket: settings.bucket,
                    Key: key,
                    Body: (0,external_node_fs_.createReadStream)(file.path),
                    ContentType: contentType(file.relativePath),
                    Metadata: coverageMetadata(coverage, file.records),
                    ChecksumAlgorithm: 'CRC32',
                    ...(settings.kmsKeyId ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: settings.kmsKeyId } : {}),
                    ...(settings.expectedBucketOwner ? { ExpectedBucketOwner: settings.expectedBucketOwner } : {}),
                    ...condition,
                },
                partSize: PART_SIZE,
                queueSize: 1,
                leavePartsOnError: false,
            }).done();
            const removed = (await removeOther(s3, settings, otherKey, otherUri, otherExists))
                ? otherUri
                : undefined;
            return { file, key, uri, coverage, uploaded: true, reason, ...(removed ? { removed } : {}) };
        }
        catch (error) {
            const status = httpStatus(error);
            const raced = (status === 412 || status === 409) && Object.keys(condition).length > 0;
            if (raced && attempt === 0)
                continue;
            throw awsFailure(`S3 upload of ${uri}`, error);
        }
    }
}
/**
 * Removes the partition's object of the other compression, after ours is in place (so the data is
 * never missing). Whether it is there is asked first (`known` when already asked), so that a run
 * that never switched compression sends no delete. A failure fails the upload: the partition would
 * otherwise hold the rows twice.
 */
async function removeOther(s3, settings, key, uri, known) {
    const exists = known ?? (await headExisting(s3, settings, key, uri)).existing.kind !== 'absent';
    if (!exists)
        return false;
    try {
        await s3.send(new client_s3_dist_cjs.DeleteObjectCommand({
            Bucket: settings.bucket,
            Key: key,
            ...(settings.expectedBucketOwner ? { ExpectedBucketOwner: settings.expectedBucketOwner } : {}),
        }));
        return true;
    }
    catch (error) {
        throw awsFailure(`S3 DeleteObject of ${uri}`, error, '(the same partition with the other compression: until it is removed, Athena counts its rows twice)');
    }
}
async function headExisting(s3, settings, key, uri) {
    try {
        const head = await s3.send(new client_s3_dist_cjs.HeadObjectCommand({
            Bucket: settings.bucket,
            Key: key,
            ...(settings.expectedBucketOwner ? { ExpectedBucketOwner: settings.expectedBucketOwner } : {}),
        }));
        const coverage = readCoverageMetadata(head.Metadata);
        return {
            existing: coverage ? { kind: 'covered', coverage } : { kind: 'undeclared' },
            etag: head.ETag,
        };
    }
    catch (error) {
        if (httpStatus(error) === 404 || awsErrorName(error) === 'NotFound')
            return { existing: { kind: 'absent' } };
        if (httpStatus(error) === 403) {
            throw new src_errors/* UserError */.yo(`S3 HeadObject of ${uri} failed: 403 Forbidden. Checking what a partition holds needs s3:GetObject on the objects and s3:ListBucket on the bucket (see infra/template.yaml); or the bucket is not owned by s3-expected-bucket-owner.`);
        }
        throw awsFailure(`S3 HeadObject of ${uri}`, error);
    }
}

// EXTERNAL MODULE: ./src/summary.ts
var summary = __webpack_require__(8855);
;// CONCATENATED MODULE: ./src/aws/sections.ts
/** The data lake's Markdown sections for the summary, pure. Every value from data or AWS is escaped. */




const MAX_LISTED_OBJECTS = 100;
const MAX_CELL_CHARS = 200;
function formatBytes(bytes) {
    const units = ['B', 'KB', 'MB', 'GB', 'TB'];
    let value = bytes;
    let unit = 0;
    while (value >= 1024 && unit < units.length - 1) {
        value /= 1024;
        unit++;
    }
    return `${unit === 0 ? value : value.toFixed(1)} ${units[unit]}`;
}
function formatUsd(usd) {
    return `$${usd >= 0.01 ? usd.toFixed(2) : usd.toFixed(6)}`;
}
function coverageText(result) {
    if (result.coverage.complete)
        return 'complete';
    const iso = (d) => d
        .toISOString()
        .replace(/T00:00:00\.000Z$/, '')
        .replace('.000Z', 'Z');
    return `partial: ${(0,src_escape/* escapeMarkdown */.FV)(`${iso(result.coverage.start)} to ${iso(result.coverage.end)}`)}`;
}
function s3Section(bucket, prefix, results) {
    const uploaded = results.filter((r) => r.uploaded).length;
    const kept = results.length - uploaded;
    const out = [
        '### S3 upload',
        `Uploaded ${(0,summary/* formatNumber */.ZV)(uploaded)} of ${(0,summary/* formatNumber */.ZV)(results.length)} objects to ${(0,src_escape/* code */.aY)(`s3://${bucket}/${prefix ? `${prefix}/` : ''}`)}.`,
    ];
    const removed = results.filter((r) => r.removed).length;
    if (removed) {
        out.push(`Removed ${(0,summary/* formatNumber */.ZV)(removed)} object${removed === 1 ? '' : 's'} of the other compression from the same partition${removed === 1 ? '' : 's'}, so Athena does not count those rows twice.`);
    }
    if (kept) {
        out.push(`> Kept ${(0,summary/* formatNumber */.ZV)(kept)} existing object${kept === 1 ? '' : 's'}: a partly covered bucket never replaces an object that covers more of it. Its rows are in the local NDJSON.`);
    }
    if (results.length) {
        const listed = results.slice(0, MAX_LISTED_OBJECTS);
        const rows = listed.map((r) => [
            (0,src_escape/* code */.aY)(r.file.relativePath),
            (0,summary/* formatNumber */.ZV)(r.file.records),
            coverageText(r),
            r.uploaded ? 'uploaded' : `kept: ${(0,src_escape/* escapeMarkdown */.FV)(r.reason)}`,
        ]);
        const more = results.length > listed.length ? `\n\n… and ${results.length - listed.length} more (see the log).` : '';
        out.push(`<details><summary>Objects</summary>\n\n${(0,summary/* markdownTable */.Qj)(['Object', 'Records', 'Bucket coverage', 'Result'], ['l', 'r', 'l', 'l'], rows)}${more}\n\n</details>`);
    }
    return out.join('\n\n');
}
/** Glue's crawler price: $0.44 per DPU-hour, billed per second, at least 10 minutes per crawl. */
const CRAWLER_USD_PER_DPU_HOUR = 0.44;
const CRAWLER_MINIMUM_MINUTES = 10;
/** The crawler's cost line: Glue's own DPU-hours when it told them, else the billing rule. */
function crawlerCost(durationMs, runtimeSeconds, dpuHours) {
    const ranMs = runtimeSeconds !== undefined ? runtimeSeconds * 1000 : durationMs;
    const ran = `ran ${(0,duration/* formatDuration */.a)(ranMs)}`;
    const rule = `${formatUsd(CRAWLER_USD_PER_DPU_HOUR)} per DPU-hour, at least ${CRAWLER_MINIMUM_MINUTES} minutes per crawl`;
    if (dpuHours !== undefined) {
        return `${formatUsd(dpuHours * CRAWLER_USD_PER_DPU_HOUR)} (Glue recorded ${dpuHours} DPU-hours; ${ran}; ${rule})`;
    }
    const billedMs = Math.max(ranMs, CRAWLER_MINIMUM_MINUTES * 60_000);
    return `${formatUsd((billedMs / 3_600_000) * CRAWLER_USD_PER_DPU_HOUR)} per DPU the crawl used (${ran}, billed as ${(0,duration/* formatDuration */.a)(billedMs)}: ${rule}; Glue did not report the DPU-hours)`;
}
function glueSection(glue) {
    const out = ['### Glue'];
    if (glue.kind === 'projected') {
        out.push(`Table ${(0,src_escape/* code */.aY)(`${glue.database}.${glue.table}`)} uses partition projection: Athena finds this run's partitions itself, so nothing was registered and no crawler ran (no Glue cost). Status ${(0,src_escape/* code */.aY)('PROJECTED')}.`);
        return out.join('\n\n');
    }
    if (glue.kind === 'registered') {
        out.push(`Table ${(0,src_escape/* code */.aY)(`${glue.database}.${glue.table}`)} already has every column: registered ${(0,summary/* formatNumber */.ZV)(glue.created)} new partition${glue.created === 1 ? '' : 's'} (${(0,summary/* formatNumber */.ZV)(glue.existed)} existed already) without running the crawler. Status ${(0,src_escape/* code */.aY)('PARTITIONS_REGISTERED')}.`);
        return out.join('\n\n');
    }
    const metrics = glue.metrics
        ? ` · tables created ${(0,summary/* formatNumber */.ZV)(glue.metrics.tablesCreated)}, updated ${(0,summary/* formatNumber */.ZV)(glue.metrics.tablesUpdated)}, deleted ${(0,summary/* formatNumber */.ZV)(glue.metrics.tablesDeleted)}`
        : '';
    out.push(`Crawler ${(0,src_escape/* code */.aY)(glue.crawler)}: ${(0,src_escape/* code */.aY)('SUCCEEDED')} in ${(0,src_escape/* escapeMarkdown */.FV)((0,duration/* formatDuration */.a)(glue.durationMs))}${metrics}.`);
    out.push(`Cost: ${(0,src_escape/* escapeMarkdown */.FV)(crawlerCost(glue.durationMs, glue.metrics?.runtimeSeconds, glue.dpuHours))}.`);
    if (glue.why)
        out.push(`Crawled because ${(0,src_escape/* escapeMarkdown */.FV)(glue.why)}.`);
    return out.join('\n\n');
}
function cell(value) {
    if (value === undefined)
        return '<i>null</i>';
    return (0,src_escape/* escapeMarkdown */.FV)(value, MAX_CELL_CHARS) || '<i>empty</i>';
}
const isNumber = (value) => value === undefined || /^-?\d+(\.\d+)?(E-?\d+)?$/i.test(value);
function athenaSection(outcome, sql) {
    const facts = [
        `Query ${(0,src_escape/* code */.aY)(outcome.queryExecutionId)} in workgroup ${(0,src_escape/* code */.aY)(outcome.workgroup)}: ${(0,src_escape/* code */.aY)('SUCCEEDED')}`,
        `${formatBytes(outcome.dataScannedBytes ?? 0)} scanned`,
        `engine ${(0,src_escape/* escapeMarkdown */.FV)((0,duration/* formatDuration */.a)(outcome.engineMs ?? 0))}`,
        `est. cost ${(0,src_escape/* escapeMarkdown */.FV)(formatUsd(athenaCostUsd(outcome.dataScannedBytes ?? 0)))}`,
        `${(0,summary/* formatNumber */.ZV)(outcome.rowCount)} row${outcome.rowCount === 1 ? '' : 's'}`,
    ];
    const out = ['### Athena', facts.join(' · ')];
    if (outcome.columns.length && outcome.preview.length) {
        out.push((0,summary/* markdownTable */.Qj)(outcome.columns.map((c) => (0,src_escape/* escapeMarkdown */.FV)(c)), outcome.columns.map((_, i) => (outcome.preview.every((row) => isNumber(row[i])) ? 'r' : 'l')), outcome.preview.map((row) => row.map(cell))));
    }
    else if (!outcome.rowCount) {
        out.push('The query returned no rows.');
    }
    if (outcome.rowCount > outcome.preview.length) {
        out.push(`First ${(0,summary/* formatNumber */.ZV)(outcome.preview.length)} rows shown; all of them are in the CSV.`);
    }
    out.push(`All rows: ${(0,src_escape/* code */.aY)(outcome.csvPath)}`);
    // <pre> is a raw HTML block: blank lines inside are fine, and the escaped entities are decoded.
    // Tabs as spaces: escapeMarkdown would show them as \t.
    const lines = sql.split(/\r?\n/).map((line) => (0,src_escape/* escapeMarkdown */.FV)(line.replace(/\t/g, '    ')));
    out.push(`<details><summary>SQL</summary>\n\n<pre>${lines.join('\n')}</pre>\n\n</details>`);
    return out.join('\n\n');
}

// EXTERNAL MODULE: ./src/aws/sql.ts
var aws_sql = __webpack_require__(8393);
;// CONCATENATED MODULE: ./src/aws/permissions.ts
/** The calls this code makes itself. Tests check that the commands sent are all listed here. */
const AWS_ACTIONS_USED = [
    { call: 'S3.HeadObject', actions: ['s3:GetObject'], resources: ['source-objects'] },
    // Without ListBucket, S3 answers 403 instead of 404 for a key that does not exist yet.
    { call: 'S3.HeadObject', actions: ['s3:ListBucket'], resources: ['source-bucket'] },
    { call: 'S3.PutObject', actions: ['s3:PutObject'], resources: ['source-objects'] },
    { call: 'S3.CreateMultipartUpload', actions: ['s3:PutObject'], resources: ['source-objects'] },
    { call: 'S3.UploadPart', actions: ['s3:PutObject'], resources: ['source-objects'] },
    { call: 'S3.CompleteMultipartUpload', actions: ['s3:PutObject'], resources: ['source-objects'] },
    // Only when the partition holds an object of the other compression (.json beside .json.gz).
    { call: 'S3.DeleteObject', actions: ['s3:DeleteObject'], resources: ['source-objects'] },
    { call: 'S3.AbortMultipartUpload', actions: ['s3:AbortMultipartUpload'], resources: ['source-objects'] },
    { call: 'Glue.GetCrawler', actions: ['glue:GetCrawler'], resources: ['crawler'], onlyWith: 'glue-crawler' },
    {
        call: 'Glue.StartCrawler',
        actions: ['glue:StartCrawler'],
        resources: ['crawler'],
        onlyWith: 'glue-crawler',
    },
    // The crawl's DPU-hours, for the cost line; best effort.
    { call: 'Glue.ListCrawls', actions: ['glue:ListCrawls'], resources: ['crawler'], onlyWith: 'glue-crawler' },
    {
        call: 'Glue.GetCrawlerMetrics',
        actions: ['glue:GetCrawlerMetrics'],
        resources: ['any'],
        onlyWith: 'glue-crawler',
    },
    { call: 'Glue.GetTable', actions: ['glue:GetTable'], resources: ['catalog', 'database', 'table'] },
    {
        call: 'Glue.BatchCreatePartition',
        actions: ['glue:BatchCreatePartition'],
        resources: ['catalog', 'database', 'table'],
    },
    { call: 'Athena.StartQueryExecution', actions: ['athena:StartQueryExecution'], resources: ['workgroup'] },
    { call: 'Athena.GetQueryExecution', actions: ['athena:GetQueryExecution'], resources: ['workgroup'] },
    { call: 'Athena.GetQueryResults', actions: ['athena:GetQueryResults'], resources: ['workgroup'] },
    { call: 'Athena.StopQueryExecution', actions: ['athena:StopQueryExecution'], resources: ['workgroup'] },
];
/** What Athena does with the caller's credentials while it runs a query and serves its results. */
const ATHENA_QUERY_PERMISSIONS = [
    { call: 'Athena reads the catalog', actions: ['glue:GetDatabase'], resources: ['catalog', 'database'] },
    {
        call: 'Athena reads the catalog',
        actions: ['glue:GetTable', 'glue:GetPartition', 'glue:GetPartitions', 'glue:BatchGetPartition'],
        resources: ['catalog', 'database', 'table'],
    },
    { call: 'Athena reads the data', actions: ['s3:GetObject'], resources: ['source-objects'] },
    {
        call: 'Athena reads the data',
        actions: ['s3:ListBucket', 's3:GetBucketLocation'],
        resources: ['source-bucket'],
    },
    {
        call: 'Athena writes and reads the results',
        actions: ['s3:GetObject', 's3:PutObject', 's3:AbortMultipartUpload', 's3:ListMultipartUploadParts'],
        resources: ['results-objects'],
    },
    {
        call: 'Athena writes and reads the results',
        actions: ['s3:ListBucket', 's3:GetBucketLocation', 's3:ListBucketMultipartUploads'],
        resources: ['results-bucket'],
    },
];
/**
 * Only in accounts where Lake Formation governs the Data Catalog: Athena (and a crawler) then read the
 * data with credentials Lake Formation vends, after the grants on the database and table.
 */
const LAKE_FORMATION_PERMISSIONS = [
    { call: 'Lake Formation vends data access', actions: ['lakeformation:GetDataAccess'], resources: ['any'] },
];
/** Only with `s3-kms-key-id` (or a KMS-encrypted bucket): writing and reading SSE-KMS objects. */
const KMS_PERMISSIONS = [
    { call: 'SSE-KMS', actions: ['kms:GenerateDataKey', 'kms:Decrypt'], resources: ['kms-key'] },
];
/**
 * The permissions one run with this configuration needs: what its stages call (index.ts) and what
 * Athena does for it. Pure, so a workflow's inputs can be checked against a role before it runs.
 */
function permissionsNeeded(config) {
    const calls = (prefix) => AWS_ACTIONS_USED.filter((p) => p.call.startsWith(prefix));
    const needed = [];
    if (config.s3)
        needed.push(...calls('S3.'));
    if (config.s3 && config.glue)
        needed.push(...calls('Glue.').filter((p) => p.onlyWith === 'glue-crawler'));
    // Before the query, the table is read (partition projection?) and, without projection, partitions registered.
    if (config.s3 && config.athena && config.glue?.crawl !== 'always') {
        needed.push(...calls('Glue.').filter((p) => p.onlyWith === undefined));
    }
    if (config.athena)
        needed.push(...calls('Athena.'), ...ATHENA_QUERY_PERMISSIONS);
    if (config.s3?.kmsKeyId)
        needed.push(...KMS_PERMISSIONS);
    return needed;
}

;// CONCATENATED MODULE: ./src/aws/index.ts
/**
 * The data lake stages, after the NDJSON is on disk: upload to S3, Glue (crawl or register
 * partitions), Athena. Each stage is logged in its own group; a failure throws a DataLakeError with
 * AWS's own message (or, for a bug, the stage it happened in) and what was done before it, and leaves
 * the local files and the uploaded objects in place.
 */














const ATHENA_RESULTS_FILE = 'athena-results.csv';
/** Why the step fails rather than query a table that cannot show this run's partitions. */
const STALE_ADVICE = "without a crawler, this run's partitions must be registered before the query, or it would answer from stale data: deploy the table of infra/template.yaml (partition projection), let the role register partitions (glue:GetTable, glue:BatchCreatePartition), or set glue-crawler";
/** Rows of the Athena result shown in the summary (all of them go to the CSV). */
const MAX_PREVIEW_ROWS = 50;
/** The interval the data covers, when the run had none (a replay): from the first to the last bucket. */
function dataInterval(files, granularity) {
    const dates = files.map((f) => f.dt).sort();
    const first = dates[0];
    const last = dates[dates.length - 1];
    if (!first || !last)
        return undefined;
    return { start: new Date(`${first}T00:00:00Z`), end: (0,layout/* bucketBounds */.wi)(last, granularity).end };
}
/**
 * The first and last bucket date (`dt`) of the run: from the partitions written, or, when the run
 * wrote none, every bucket date that can hold part of the interval (a bucket starts at most one
 * bucket length before the interval does).
 */
function partitionDates(files, granularity, interval) {
    const dates = files.map((f) => f.dt).sort();
    const first = dates[0];
    const last = dates[dates.length - 1];
    if (first && last)
        return { first, last };
    if (!granularity)
        return { first: (0,src_interval/* formatDate */.Yq)(interval.start), last: (0,src_interval/* formatDate */.Yq)(interval.start) };
    const earliest = new Date((0,src_interval/* addDuration */.Gw)(interval.start, (0,src_interval/* bucketLength */.$i)(granularity), -1).getTime() + src_interval/* DAY_MS */.sO);
    const lastDay = new Date(Math.max(interval.start.getTime(), interval.end.getTime() - 1));
    return { first: (0,src_interval/* formatDate */.Yq)(earliest), last: (0,src_interval/* formatDate */.Yq)(lastDay) };
}
/**
 * The data lake over the given clients; `runDataLake` makes them from the config and the environment.
 * Every failure is a DataLakeError carrying what was done before it (the objects written, the
 * crawler's status, the Athena execution id), so the outputs still report it.
 */
function createDataLake(makeClients) {
    return async (config, ctx, input) => {
        const result = {
            s3Uris: [],
            crawlerStatus: 'SKIPPED',
            athenaQueryExecutionId: '',
            athenaResultsCsv: '',
            sections: [],
        };
        const progress = { stage: 'AWS client setup' };
        let clients;
        try {
            clients = (makeClients ?? createAwsClients)(config);
            await aws_stages(clients, config, ctx, input, result, progress);
            return result;
        }
        catch (error) {
            if (error instanceof src_errors/* UserError */.yo)
                throw new stages/* DataLakeError */.A(error.message, result);
            // A bug, not the user's to fix: the stack goes to the debug log, the outputs still get `result`.
            const stack = error?.stack;
            if (typeof stack === 'string')
                ctx.io.debug(stack);
            throw new stages/* DataLakeError */.A(`Unexpected error in the ${progress.stage} stage: ${(0,src_errors/* describeError */.Uc)(error)}`, result);
        }
        finally {
            if (clients && !makeClients)
                destroyAwsClients(clients);
        }
    };
}
const runDataLake = createDataLake();
async function aws_stages(clients, config, ctx, input, result, progress) {
    const { io } = ctx;
    const clock = { now: ctx.now, sleep: ctx.sleep };
    if (config.s3) {
        progress.stage = 'S3 upload';
        const s3 = config.s3;
        // One table's partitions under its prefix, with the partial-bucket rule; s3-uris lists each object as
        // it is written (so a failure later still names them), then all of them in partition order.
        const uploadTable = async (group, prefix, files) => {
            const before = [...result.s3Uris];
            const done = await io.group(group, () => uploadPartitions(clients.s3, { ...s3, prefix }, files, {
                granularity: config.granularity,
                interval: config.interval,
                io,
                onResult: (upload) => {
                    if (upload.uploaded)
                        result.s3Uris.push(upload.uri);
                },
            }));
            result.s3Uris = [...before, ...done.filter((u) => u.uploaded).map((u) => u.uri)];
            result.sections.push(s3Section(s3.bucket, prefix, done));
        };
        await uploadTable('Upload to S3', s3.prefix, input.files);
        // Other tables (the near-limit events): the same upload and partial-bucket rule, their own prefix.
        for (const extra of input.extraUploads ?? []) {
            await uploadTable(`Upload to S3: ${extra.label}`, extra.prefix, extra.files);
        }
    }
    // The catalog must show Athena this run's partitions before the query, or it answers from stale data:
    // a crawler, a table with partition projection, or partitions registered here.
    if (config.s3 && (config.glue || config.athena)) {
        progress.stage = 'Glue';
        const s3 = config.s3;
        const crawler = config.glue?.crawler;
        const glueStage = async () => {
            let why;
            const athena = config.athena;
            if (config.glue?.crawl !== 'always' && athena) {
                const location = tableLocation(s3.bucket, s3.prefix);
                const { database, table: name } = athena;
                const staleHint = crawler ? undefined : `(${STALE_ADVICE})`;
                const table = await getTable(clients.glue, database, name, staleHint);
                if (table && isProjected(table)) {
                    const verdict = projectionFits(table, location, input.files);
                    if (!verdict.fits) {
                        throw new src_errors/* UserError */.yo(`Glue table ${database}.${name} uses partition projection, but ${verdict.reason}: Athena would not see this run's data. Fix the table's projection properties (see infra/template.yaml).`);
                    }
                    io.info(`Table ${database}.${name} uses partition projection: Athena finds this run's partitions itself; nothing to register${crawler ? ', and the crawler does not need to run' : ''}.`);
                    return { kind: 'projected', database, table: name };
                }
                const verdict = tableFits(table, location);
                if (verdict.fits && table?.StorageDescriptor) {
                    const inputs = partitionInputs(table.StorageDescriptor, location, input.files);
                    const registered = await registerPartitions(clients.glue, database, name, inputs, staleHint);
                    io.info(`Table ${database}.${name} has every column: registered ${registered.created} partition(s), ${registered.existed} existed already${crawler ? '; the crawler does not need to run' : ''}.`);
                    return { kind: 'registered', database, table: name, ...registered };
                }
                why = verdict.fits ? 'the table has no storage descriptor' : verdict.reason;
                if (!crawler) {
                    throw new src_errors/* UserError */.yo(`Glue table ${database}.${name}: ${why}; ${STALE_ADVICE}.`);
                }
                io.info(`Running the crawler: ${why}.`);
            }
            else if (!crawler) {
                // Unreachable: without a crawler, athena is set; kept for the type checker.
                throw new Error('no crawler and no table to look at');
            }
            else if (config.glue?.crawl === 'when-needed') {
                why = 'athena-database is not set, so the table cannot be looked up (crawl: when-needed)';
                io.info(`Running the crawler: ${why}.`);
            }
            const crawled = await runCrawler(clients.glue, crawler, {
                clock,
                io,
                timeoutMs: config.crawlerTimeoutMs,
            });
            return {
                kind: 'crawled',
                crawler,
                durationMs: crawled.durationMs,
                metrics: crawled.metrics,
                dpuHours: crawled.dpuHours,
                why,
            };
        };
        const summary = await io
            .group(crawler ? 'Glue crawler' : 'Glue Data Catalog', glueStage)
            .catch((error) => {
            // Any failure of the stage (an AWS error, crawler-timeout, the crawl's own, partitions that could
            // not be registered): never SKIPPED. A crawl that ended CANCELLED says so; all else is FAILED.
            result.crawlerStatus =
                error instanceof CrawlerFailedError && error.status === 'CANCELLED' ? 'CANCELLED' : 'FAILED';
            throw error;
        });
        result.crawlerStatus =
            summary.kind === 'registered'
                ? 'PARTITIONS_REGISTERED'
                : summary.kind === 'projected'
                    ? 'PROJECTED'
                    : 'SUCCEEDED';
        result.sections.push(glueSection(summary));
    }
    if (config.athena) {
        progress.stage = 'Athena';
        const athena = config.athena;
        const interval = config.interval ??
            dataInterval(input.files, config.granularity) ??
            { start: ctx.now(), end: ctx.now() };
        const template = athena.query ??
            (0,aws_sql/* builtInQuery */.um)({
                granularity: (0,layout/* partitionGranularity */.V7)(config.granularity),
                api: (input.report.api === 'legacy' ? 'legacy' : 'aggregates'),
                byInterval: Boolean(config.interval),
                dt: partitionDates(input.files, config.granularity, interval),
            });
        const sql = (0,aws_sql/* renderQuery */.no)(template, (0,aws_sql/* queryValues */.R4)(athena.database, athena.table, interval, config.top));
        const csvPath = external_node_path_default().join(config.outputDir, ATHENA_RESULTS_FILE);
        const outcome = await io.group('Athena', () => runAthenaQuery(clients.athena, athena, sql, {
            clock,
            io,
            timeoutMs: config.athenaTimeoutMs,
            clientRequestToken: clientRequestToken(ctx.env, sql, (0,external_node_crypto_.randomUUID)()),
            csvPath,
            previewRows: Math.min(config.top, MAX_PREVIEW_ROWS),
            // Known from here on, so any failure after the start (even a bug) still names the query.
            onStarted: (id) => (result.athenaQueryExecutionId = id),
        }));
        result.athenaQueryExecutionId = outcome.queryExecutionId;
        result.athenaResultsCsv = outcome.csvPath;
        result.sections.push(athenaSection(outcome, sql));
    }
}


/***/ })

};

//# sourceMappingURL=254.index.js.map