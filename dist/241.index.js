export const id = 241;
export const ids = [241];
export const modules = {

/***/ 4241:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

// ESM COMPAT FLAG
__webpack_require__.r(__webpack_exports__);

// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  createGenesysUsageQuery: () => (/* binding */ createGenesysUsageQuery),
  queryGenesysUsage: () => (/* binding */ queryGenesysUsage),
  queryRateLimitEvents: () => (/* reexport */ queryRateLimitEvents)
});

// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/interval.ts
var src_interval = __webpack_require__(3310);
// EXTERNAL MODULE: ./src/duration.ts
var duration = __webpack_require__(7607);
// EXTERNAL MODULE: ./node_modules/purecloud-platform-client-v2/dist/node/purecloud-platform-client-v2.js
var purecloud_platform_client_v2 = __webpack_require__(4232);
var purecloud_platform_client_v2_default = /*#__PURE__*/__webpack_require__.n(purecloud_platform_client_v2);
;// CONCATENATED MODULE: ./src/genesys/schedule.ts
/**
 * Pure timing rules for talking to Genesys Cloud: how long to wait between status polls, between
 * retries, and what a `Retry-After` header asks for. Randomness comes in as a function so tests pin it.
 */
const POLL_FIRST_MS = 1000;
const POLL_MAX_MS = 30_000;
const POLL_MIN_FACTOR = 1.5;
const POLL_MAX_FACTOR = 2;
/** Delay before the next status check: 1 s first, then ×1.5 to ×2 (jittered), capped at 30 s. */
function nextPollDelay(previousMs, random = Math.random) {
    if (previousMs === undefined)
        return POLL_FIRST_MS;
    const factor = POLL_MIN_FACTOR + (POLL_MAX_FACTOR - POLL_MIN_FACTOR) * clamp01(random());
    return Math.min(POLL_MAX_MS, Math.round(previousMs * factor));
}
const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 30_000;
/**
 * Delay before retry number `attempt` (0-based) of a failed call: 1 s, 2 s, 4 s, 8 s ... with jitter
 * down to half of that, so several runners that failed together do not retry together.
 */
function retryDelay(attempt, random = Math.random) {
    const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** attempt);
    return Math.round(ceiling * (0.5 + 0.5 * clamp01(random())));
}
/**
 * `Retry-After` in milliseconds: delta-seconds (what Genesys sends) or an HTTP date.
 * Undefined when absent or unreadable.
 */
function parseRetryAfter(value, nowMs) {
    const text = Array.isArray(value) ? value[0] : value;
    if (typeof text === 'number')
        return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
    if (typeof text !== 'string' || !text.trim())
        return undefined;
    const trimmed = text.trim();
    if (/^\d+(\.\d+)?$/.test(trimmed))
        return Math.round(Number(trimmed) * 1000);
    const date = Date.parse(trimmed);
    return Number.isNaN(date) ? undefined : Math.max(0, date - nowMs);
}
function clamp01(n) {
    return Number.isFinite(n) ? Math.min(1, Math.max(0, n)) : 0.5;
}

;// CONCATENATED MODULE: ./src/genesys/retry.ts
/**
 * One retry policy for every Genesys Cloud call (login, submit, poll, page):
 * 429: wait what `Retry-After` says, then go on; 408, 5xx, no response and an answer that is not JSON:
 * a few retries with backoff; any other status: fail at once. Errors are reduced to status, code and the
 * service's message at the first catch, because the SDK's error objects carry the request headers (Basic
 * or Bearer credentials). A call that fails for good names Genesys Cloud, the call and the cause.
 */



const isObj = (v) => typeof v === 'object' && v !== null;
const oneLine = (s, max = 300) => {
    const flat = s.replace(/\s+/g, ' ').trim();
    return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
function header(headers, name) {
    if (!isObj(headers))
        return undefined;
    // AxiosHeaders has get(); plain objects from other clients are indexed (Node lower-cases names).
    const get = headers.get;
    if (typeof get === 'function')
        return get.call(headers, name);
    return headers[name] ?? headers[name.toLowerCase()];
}
/** The service's own explanation: API errors have `message`/`code`, OAuth errors `error_description`/`error`. */
function serviceMessage(body) {
    if (typeof body === 'string')
        return body.trim() ? { message: oneLine(body, 200) } : {};
    if (!isObj(body))
        return {};
    const pick = (...keys) => {
        for (const key of keys) {
            const value = body[key];
            if (typeof value === 'string' && value.trim())
                return oneLine(value);
        }
        return undefined;
    };
    return {
        message: pick('message', 'error_description', 'description', 'error'),
        code: pick('code', 'error'),
    };
}
/** Reduces whatever the SDK rejected with to a Failure. Never keeps a reference to the error itself. */
function describeFailure(error, nowMs) {
    if (typeof error === 'string')
        return { message: oneLine(error) };
    if (!isObj(error))
        return { message: 'unknown error' };
    // With setReturnExtendedResponses(true), API errors are {status, headers, body, error}.
    // The login, and axios errors in general, keep the answer under `response`.
    const response = typeof error.status === 'number' && 'body' in error
        ? { status: error.status, headers: error.headers, body: error.body }
        : isObj(error.response) && typeof error.response.status === 'number'
            ? { status: error.response.status, headers: error.response.headers, body: error.response.data }
            : undefined;
    if (response) {
        const { message, code } = serviceMessage(response.body);
        return {
            status: response.status,
            code: code !== message ? code : undefined,
            message: message ?? `HTTP ${response.status} without a message`,
            retryAfterMs: parseRetryAfter(header(response.headers, 'retry-after'), nowMs),
        };
    }
    const code = typeof error.code === 'string' ? error.code : undefined;
    const message = typeof error.message === 'string' && error.message ? oneLine(error.message) : 'no response';
    return { code, message };
}
function formatFailure(failure) {
    if (failure.status === undefined) {
        return failure.code && !failure.message.includes(failure.code)
            ? `${failure.code} (${failure.message})`
            : failure.message;
    }
    return `HTTP ${failure.status}${failure.code ? ` (${failure.code})` : ''}: ${failure.message}`;
}
/** Every failure line of the query names the service: a workflow may also run Glue or other jobs. */
const SERVICE = 'Genesys Cloud';
/** A UserError whose one line starts with `Genesys Cloud: `. */
function genesysError(message) {
    return new errors/* UserError */.yo(`${SERVICE}: ${message}`);
}
/** `text` then `sentence`, with a full stop between them unless `text` already ends a sentence. */
function appendSentence(text, sentence) {
    if (!sentence)
        return text;
    return `${text}${/[.!?:]$/.test(text) ? ' ' : '. '}${sentence}`;
}
/**
 * A call that failed for good; its message is one line naming the service, the call, the status and
 * the service's reason, e.g. `Genesys Cloud: Reading page 3 of job j failed after 5 attempts: HTTP 500: ...`.
 */
class GenesysRequestError extends errors/* UserError */.yo {
    what;
    failure;
    attempts;
    /** The message after "<what> failed", so a caller (the login) can name the call its own way. */
    detail;
    constructor(what, failure, attempts, 
    /** A parenthetical, e.g. why no retry was made. */
    note, 
    /** Advice for this status, a sentence of its own. */
    hint) {
        const failed = `${formatFailure(failure)}${note ? ` ${note}` : ''}`;
        const detail = `${attempts > 1 ? ` after ${attempts} attempts` : ''}: ${appendSentence(failed, hint)}`;
        super(`${SERVICE}: ${what} failed${detail}`);
        this.what = what;
        this.failure = failure;
        this.attempts = attempts;
        this.detail = detail;
        this.name = 'GenesysRequestError';
    }
}
/**
 * The answer's body was not JSON (the SDK then hands the raw text over as the body): usually a body cut
 * off on the way, so `withRetry` retries it like a lost connection.
 */
class NotJsonError extends Error {
    constructor(text) {
        const excerpt = oneLine(text, 60);
        super(excerpt ? `the answer was not JSON: '${excerpt}'` : 'the answer was empty, not JSON');
        this.name = 'NotJsonError';
    }
}
/** Retries of 408, 5xx, lost connections and non-JSON answers; 429s are not counted here (they say when to come back). */
const MAX_RETRIES = 4;
/** A safety net for a service that answers 429 forever with a tiny Retry-After. */
const MAX_THROTTLED = 100;
async function withRetry(what, call, rc) {
    let retries = 0;
    let throttled = 0;
    for (let attempt = 1;; attempt++) {
        let failure;
        try {
            rc.beforeAttempt?.(rc.deadline - rc.now().getTime());
            return await call();
        }
        catch (error) {
            failure = describeFailure(error, rc.now().getTime());
        }
        const status = failure.status;
        const fail = (note) => new GenesysRequestError(what, failure, attempt, note, status ? rc.hints?.[status] : undefined);
        let waitMs;
        let why;
        if (status === 429 && throttled < MAX_THROTTLED) {
            waitMs = failure.retryAfterMs ?? retryDelay(Math.min(throttled, 5), rc.random);
            why = failure.retryAfterMs !== undefined ? 'as Retry-After asks' : 'no Retry-After, backing off';
            throttled++;
        }
        else if ((status === undefined || status === 408 || status >= 500) && retries < MAX_RETRIES) {
            waitMs = retryDelay(retries, rc.random);
            why = `retry ${retries + 1} of ${MAX_RETRIES}`;
            retries++;
        }
        else {
            throw fail();
        }
        const remaining = rc.deadline - rc.now().getTime();
        if (status === 429 ? waitMs > remaining : remaining <= 0) {
            throw fail(`(waiting ${(0,duration/* formatDuration */.a)(waitMs)} more would pass ${rc.deadlineName})`);
        }
        waitMs = Math.min(waitMs, remaining);
        rc.io.info(`${what}: ${formatFailure(failure)}; waiting ${(0,duration/* formatDuration */.a)(waitMs)} (${why}).`);
        await rc.sleep(waitMs);
    }
}

;// CONCATENATED MODULE: ./src/genesys/client.ts
/**
 * The Genesys Cloud SDK client for one run: environment or gateway, extended responses (so errors keep
 * their status and Retry-After), and the client-credentials login with the token masked at once.
 */




/** `http://127.0.0.1:8080/genesys/` → login at `/genesys/oauth/token`, API at `/genesys/api/v2/...`. */
function gatewaySettings(url) {
    const path = url.pathname.replace(/\/+$/, '');
    return {
        host: url.hostname,
        protocol: url.protocol.replace(/:$/, ''),
        ...(url.port ? { port: Number(url.port) } : {}),
        path_params_login: path,
        path_params_api: path,
    };
}
/** Where the login goes, for messages. */
function loginBase(environment) {
    if (environment.kind === 'region')
        return `https://login.${environment.host}`;
    const g = gatewaySettings(environment.url);
    return `${g.protocol}://${environment.url.host}${g.path_params_login}`;
}
// The SDK builds a default client at import, which watches ~/.genesyscloudjavascript/config: stop that.
(purecloud_platform_client_v2_default()).ApiClient.config.live_reload_config = false;
/**
 * The SDK's per-request HTTP timeout: its own default, 16 s. `minMs` is the shortest timeout a request
 * gets when little or no time is left before query-timeout. Tests lower them (and put them back) to
 * reach an answer slower than the timeout in milliseconds.
 */
const httpTimeout = { ms: 16_000, minMs: 5000 };
/**
 * A request's HTTP timeout: the SDK's 16 s, cut to the time left before the deadline, so a request that
 * hangs ends at query-timeout instead of up to 16 s after it (and never below `httpTimeout.minMs`).
 */
function requestTimeoutMs(remainingMs) {
    return Math.min(httpTimeout.ms, Math.max(httpTimeout.minMs, Math.ceil(remainingMs)));
}
function createGenesysClient(environment) {
    const client = new (purecloud_platform_client_v2_default()).ApiClientClass();
    client.config.live_reload_config = false;
    // Read when the SDK creates its HTTP client (the typings omit the field); `boundNextRequest` then
    // sets the HTTP client's own timeout before each call.
    client.timeout = httpTimeout.ms;
    if (environment.kind === 'region') {
        // A gateway from the SDK's config file would silently win over the region: clear it.
        client.setGateway(undefined);
        client.setEnvironment(environment.host);
    }
    else {
        client.setGateway(gatewaySettings(environment.url));
    }
    client.setReturnExtendedResponses(true);
    const usage = new (purecloud_platform_client_v2_default()).UsageApi(client);
    const organizations = new (purecloud_platform_client_v2_default()).OrganizationApi(client);
    // The SDK gives axios the HTTP client's `timeout` field on every request (DefaultHttpClient.toAxiosConfig),
    // read synchronously when the call is made (API calls and the login alike): setting it just before a
    // call bounds that call. The calls of a run are sequential, so no other request sees the value.
    const boundNextRequest = (remainingMs) => client.getHttpClient().setTimeout(requestTimeoutMs(remainingMs));
    return { client, usage, organizations, boundNextRequest };
}
/**
 * A logged-in client for one run's calls, and the retry context they share: every request bounded by
 * query-timeout, with `hints` naming the likely cause of a status (e.g. the permission a 403 means).
 */
async function connect(config, ctx, options = {}) {
    const { io } = ctx;
    const genesys = createGenesysClient(config.environment);
    const rc = {
        io,
        now: ctx.now,
        sleep: ctx.sleep,
        random: options.random ?? Math.random,
        deadline: ctx.now().getTime() + config.queryTimeoutMs,
        deadlineName: `query-timeout (${(0,duration/* formatDuration */.a)(config.queryTimeoutMs)})`,
        ...(options.hints ? { hints: options.hints } : {}),
        // No request may run past query-timeout by more than httpTimeout.minMs.
        beforeAttempt: genesys.boundNextRequest,
    };
    io.info(`Logging in to ${loginBase(config.environment)} as OAuth client ${config.clientId}`);
    await login(genesys.client, {
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        environment: config.environment,
        setSecret: (s) => io.setSecret(s),
        retry: rc,
    });
    return { ...genesys, rc };
}
/** The response body of an extended response (or the value itself, should extended responses be off). */
function bodyOf(response) {
    return typeof response === 'object' && response !== null && 'body' in response
        ? response.body
        : response;
}
/**
 * The body of a JSON answer. On a body that is not JSON (cut off, an HTML page) the SDK hands the raw
 * text over as the body: that throws `NotJsonError`, which `withRetry` retries.
 */
function jsonBody(response) {
    const body = bodyOf(response);
    if (typeof body === 'string')
        throw new NotJsonError(body);
    return body;
}
/**
 * Submits a query and returns the id it was given (`idField` of the answer). A cut-off answer is not
 * retried: the job may exist, and a second submit would start another one.
 */
async function submitForId(what, idField, call, rc) {
    const submitted = bodyOf(await withRetry(what, call, rc));
    const id = submitted?.[idField];
    if (typeof id !== 'string' || !id) {
        const missing = idField === 'id' ? 'job id' : 'execution id';
        throw genesysError(`${what} failed: ${typeof submitted === 'string' ? 'the answer was not JSON' : `the answer held no ${missing}`}.`);
    }
    return id;
}
/** What kind of JSON value came instead of an object, for a message. */
function describeJson(value) {
    if (value === null)
        return 'null';
    if (Array.isArray(value))
        return 'an array';
    return `a ${typeof value}`;
}
/** Client-credentials login. A failure is one line: client id, HTTP status, the service's description. */
async function login(client, options) {
    const { clientId, clientSecret, setSecret } = options;
    // The Basic header value is as good as the secret: mask it in case anything ever prints it.
    setSecret(Buffer.from(`${clientId}:${clientSecret}`).toString('base64'));
    let token;
    try {
        const auth = await withRetry('Login', () => client.loginClientCredentialsGrant(clientId, clientSecret), options.retry);
        token = auth.accessToken;
    }
    catch (error) {
        const where = loginBase(options.environment);
        if (error instanceof GenesysRequestError) {
            throw new errors/* UserError */.yo(`Login to Genesys Cloud (${where}) failed for client ${clientId}${error.detail}` +
                (error.failure.status === 401 || error.failure.status === 400
                    ? '. Check client-id, client-secret and environment (the client must be a client-credentials grant in this region).'
                    : ''));
        }
        throw error;
    }
    if (typeof token !== 'string' || !token) {
        throw new errors/* UserError */.yo(`Login to Genesys Cloud failed for client ${clientId}: the answer held no access token.`);
    }
    setSecret(token);
}

;// CONCATENATED MODULE: ./src/genesys/poll.ts
/** Waits for a Genesys job to leave its pending states, logging each state change, never past the deadline. */


async function pollUntilFinal(options, rc) {
    let delay;
    let last;
    for (;;) {
        const remaining = rc.deadline - rc.now().getTime();
        if (remaining <= 0)
            throw options.timeoutError(last ?? 'submitted');
        delay = nextPollDelay(delay, rc.random);
        await rc.sleep(Math.min(delay, remaining));
        const value = await options.check();
        const status = options.statusOf(value);
        if (status !== last) {
            rc.io.info(`${options.label}: ${status} (${(0,duration/* formatDuration */.a)(rc.now().getTime() - options.since)})`);
            last = status;
        }
        if (options.isFinal(status))
            return value;
    }
}

// EXTERNAL MODULE: ./src/genesys/models.ts
var models = __webpack_require__(3326);
;// CONCATENATED MODULE: ./src/genesys/aggregates.ts






/**
 * Consecutive whole-day intervals of at most 90 days (counted inclusively) covering `interval`, with no
 * gap and no overlap. Cuts fall on bucket boundaries, so no week or month is split across two jobs:
 * months at the 1st, weeks every 84 days from the start.
 */
function splitInterval(interval, granularity) {
    const chunks = [];
    let start = interval.start;
    while (start < interval.end) {
        const limit = new Date(start.getTime() + models/* MAX_JOB_DAYS */.Fe * src_interval/* DAY_MS */.sO);
        let cut = limit;
        if (granularity === 'Week')
            cut = new Date(start.getTime() + 84 * src_interval/* DAY_MS */.sO);
        if (granularity === 'Month') {
            const monthStart = new Date(Date.UTC(limit.getUTCFullYear(), limit.getUTCMonth(), 1));
            if (monthStart > start)
                cut = monthStart;
        }
        const end = cut < interval.end ? cut : interval.end;
        chunks.push({ start, end });
        start = end;
    }
    return chunks;
}
/**
 * The request's `interval`: Genesys documents both ends as inclusive, so every job ends on the last second
 * of its last day (`genesysInterval`), and the next job starts on the following day at 00:00Z.
 */
function jobInterval(chunk) {
    return (0,src_interval/* genesysInterval */.AZ)(chunk);
}
function aggregatesBody(config, interval) {
    const body = { interval };
    if (config.granularity)
        body.granularity = config.granularity;
    if (config.groupBy.length)
        body.groupBy = config.groupBy.map((g) => g.apiName);
    if (config.metrics.length)
        body.metrics = [...config.metrics];
    // Only the filters this endpoint's request has (config.ts refuses the others before any call).
    const filters = config.filters;
    for (const field of Object.values(models/* FILTERS */.SC[(0,models/* endpointOf */.X5)(config.api, config.usageClientId)])) {
        const values = filters[field];
        if (values?.length)
            body[field] = [...values];
    }
    return body;
}
/** A JSON body (see `jsonBody`) as a job status or page; `what` names the call for the message. */
function jobPage(body, what) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw genesysError(`${what} failed: the answer is not a job status (${describeJson(body)}).`);
    }
    const b = body;
    return {
        queryStatus: typeof b.queryStatus === 'string' ? b.queryStatus : 'Unknown',
        errorBody: b.errorBody,
        nextUri: typeof b.nextUri === 'string' && b.nextUri ? b.nextUri : undefined,
        entities: Array.isArray(b.entities) ? b.entities : [],
    };
}
/** The `after` cursor of a `nextUri` such as `/api/v2/usage/aggregates/query/jobs/ID?pageSize=1000&after=X`. */
function cursorOf(nextUri) {
    try {
        return new URL(nextUri, 'http://genesys.invalid').searchParams.get('after') || undefined;
    }
    catch {
        return undefined;
    }
}
/** Runs one job to the end; returns the number of rows handed on. */
async function runAggregatesJob(options) {
    const { usage, config, rc, onRows } = options;
    const scoped = config.usageClientId;
    const body = aggregatesBody(config, options.interval);
    const jobId = await submitForId('Submitting the usage job', 'id', () => scoped
        ? usage.postUsageClientClientIdAggregatesQueryJobs(scoped, body)
        : usage.postUsageAggregatesQueryJobs(body), rc);
    options.onSubmitted(jobId);
    const since = rc.now().getTime();
    rc.io.info(`Job ${jobId}: submitted for ${options.interval}`);
    const jobPath = scoped
        ? `/api/v2/usage/client/${scoped}/aggregates/query/jobs/${jobId}`
        : `/api/v2/usage/aggregates/query/jobs/${jobId}`;
    // A body that is not JSON is retried like a 5xx (inside withRetry); one that is JSON but not an
    // object fails at once.
    const get = (what, after) => withRetry(what, async () => jsonBody(await (scoped
        ? usage.getUsageClientClientIdAggregatesQueryJob(scoped, jobId, { pageSize: models/* MAX_PAGE_SIZE */.H4, after })
        : usage.getUsageAggregatesQueryJob(jobId, { pageSize: models/* MAX_PAGE_SIZE */.H4, after }))), rc).then((body) => jobPage(body, what));
    let page = await pollUntilFinal({
        label: `Job ${jobId}`,
        check: () => get(`Checking job ${jobId}`),
        statusOf: (p) => p.queryStatus,
        isFinal: (s) => ['succeeded', 'failed', 'cancelled'].includes(s.toLowerCase()),
        since,
        timeoutError: (last) => genesysError(`Job ${jobId} did not finish within ${rc.deadlineName} (last status: ${last}). It may still finish: ` +
            `fetch its results later with GET ${jobPath}?pageSize=${models/* MAX_PAGE_SIZE */.H4} using the same OAuth client, ` +
            `or run again with a longer query-timeout.`),
    }, rc);
    if (page.queryStatus.toLowerCase() !== 'succeeded') {
        const { message, code } = serviceMessage(page.errorBody);
        throw genesysError(`Job ${jobId} ${page.queryStatus.toLowerCase()} after ${(0,duration/* formatDuration */.a)(rc.now().getTime() - since)}: ` +
            `${message ?? 'no reason given'}${code && code !== message ? ` (${code})` : ''}.`);
    }
    let rows = 0;
    const cursors = new Set();
    for (let n = 1;; n++) {
        rows += page.entities.length;
        // Each page goes on before the next is read, so memory stays flat however many rows there are.
        if (page.entities.length)
            await onRows(page.entities, jobId);
        rc.io.info(`Job ${jobId}: page ${n}, ${page.entities.length} rows (${rows} so far)${page.nextUri ? '' : ', last page'}`);
        if (!page.nextUri)
            return rows;
        const after = cursorOf(page.nextUri);
        if (!after)
            throw genesysError(`Job ${jobId}: nextUri '${page.nextUri}' holds no 'after' cursor.`);
        if (cursors.has(after))
            throw genesysError(`Job ${jobId}: page ${n} points back to a page already read.`);
        cursors.add(after);
        page = await get(`Reading page ${n + 1} of job ${jobId}`, after);
    }
}

;// CONCATENATED MODULE: ./src/genesys/legacy.ts




function legacyBody(config, interval) {
    const body = { interval: (0,src_interval/* genesysInterval */.AZ)(interval) };
    if (config.granularity)
        body.granularity = config.granularity;
    if (config.groupBy.length)
        body.groupBy = config.groupBy.map((g) => g.apiName);
    if (config.metrics.length)
        body.metrics = [...config.metrics];
    return body;
}
/** A JSON body (see `jsonBody`) as a query result; `what` names the call for the message. */
function legacyResult(body, what) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw genesysError(`${what} failed: the answer is not a query result (${describeJson(body)}).`);
    }
    const b = body;
    return {
        queryStatus: typeof b.queryStatus === 'string' ? b.queryStatus : 'Unknown',
        results: Array.isArray(b.results) ? b.results : [],
        raw: b,
    };
}
async function runLegacyQuery(options) {
    const { usage, rc } = options;
    const body = legacyBody(options.config, options.interval);
    const executionId = await submitForId('Submitting the usage query', 'executionId', () => usage.postUsageQuery(body), rc);
    options.onSubmitted(executionId);
    const since = rc.now().getTime();
    rc.io.info(`Query ${executionId}: submitted for ${body.interval}`);
    const what = `Checking query ${executionId}`;
    const result = await pollUntilFinal({
        label: `Query ${executionId}`,
        // A body that is not JSON (cut off) is retried like a 5xx, inside withRetry.
        check: () => withRetry(what, async () => jsonBody(await usage.getUsageQueryExecutionIdResults(executionId)), rc).then((body) => legacyResult(body, what)),
        statusOf: (r) => r.queryStatus,
        isFinal: (s) => ['complete', 'failed'].includes(s.toLowerCase()),
        since,
        timeoutError: (last) => genesysError(`Usage query ${executionId} did not finish within ${rc.deadlineName} (last status: ${last}). Fetch its ` +
            `results later with GET /api/v2/usage/query/${executionId}/results using the same OAuth client, or run ` +
            `again with a longer query-timeout.`),
    }, rc);
    if (result.queryStatus.toLowerCase() !== 'complete') {
        const { message } = serviceMessage(result.raw.errorBody ?? result.raw);
        throw genesysError(`Usage query ${executionId} failed: ${message && message !== result.queryStatus ? message : 'no reason given'}.`);
    }
    if (result.results.length)
        await options.onRows(result.results, executionId);
    rc.io.info(`Query ${executionId}: ${result.results.length} rows`);
    return result.results.length;
}

;// CONCATENATED MODULE: ./src/genesys/organization.ts


/** Longest organisation name kept: it is shown, never used as a key. */
const MAX_NAME = 200;
/** The answer's id and name, checked: the id must be a plain identifier (it goes into S3 keys). */
function organizationOf(body) {
    const what = 'Reading the organisation (GET /api/v2/organizations/me)';
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
        throw genesysError(`${what} failed: the answer is not an organisation (${describeJson(body)}).`);
    }
    const { id, name } = body;
    if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(id)) {
        throw genesysError(`${what} failed: the answer holds no organisation id of letters, digits and '-'.`);
    }
    // Control characters could forge log lines (a newline, then '::'): they become spaces.
    // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
    const controls = /[\u0000-\u001f\u007f]+/g;
    const cleanName = typeof name === 'string' ? name.replace(controls, ' ').trim().slice(0, MAX_NAME) : '';
    return { id, name: cleanName };
}
async function readOrganization(organizations, rc) {
    const body = await withRetry('Reading the organisation', async () => jsonBody(await organizations.getOrganizationsMe()), rc);
    return organizationOf(body);
}

// EXTERNAL MODULE: ./src/rate-limit-events.ts
var rate_limit_events = __webpack_require__(3949);
;// CONCATENATED MODULE: ./src/genesys/rate-limits.ts
/**
 * The near-limit events query: `POST /api/v2/analytics/ratelimits/aggregates/query` through the SDK's
 * `AnalyticsApi.postAnalyticsRatelimitsAggregatesQuery`, one synchronous answer (no job to poll), with
 * the same client setup, login and retry/429 handling as the usage query. A 403 is handed back as
 * `forbidden`, so the run can go on with a warning when no threshold depends on the events.
 */




function createRateLimitEventsQuery(options = {}) {
    return async (config, ctx, body) => {
        const { io } = ctx;
        const { client, rc } = await connect(config, ctx, { random: options.random });
        const analytics = new (purecloud_platform_client_v2_default()).AnalyticsApi(client);
        io.info(`Querying the near-limit events for ${String(body.interval)}`);
        try {
            const answer = await withRetry('Querying the near-limit events', async () => jsonBody(await analytics.postAnalyticsRatelimitsAggregatesQuery(body)), rc);
            return { kind: 'answered', body: answer };
        }
        catch (error) {
            if (error instanceof GenesysRequestError && error.failure.status === 403) {
                return {
                    kind: 'forbidden',
                    message: `Genesys Cloud refused the near-limit events (HTTP 403): the OAuth client needs the ${rate_limit_events/* RATE_LIMIT_PERMISSION */.bu} permission.`,
                };
            }
            throw error;
        }
    };
}
const queryRateLimitEvents = createRateLimitEventsQuery();

;// CONCATENATED MODULE: ./src/genesys/index.ts






// The near-limit query shares this module's chunk: one copy of the Genesys client in the bundle.

/**
 * A 401 after a successful login: the token the login just issued was refused. Not a hint for the
 * login itself, whose 401 means wrong credentials.
 */
const TOKEN_REFUSED_HINT = 'The token was refused mid-run: revoked, or the OAuth client deleted or disabled.';
/** The permission a 403 most likely means, per mode. */
function permissionHint(config) {
    if (config.api === 'legacy')
        return 'The OAuth client needs the oauth:client:view or the usage:organization:view permission for api: legacy.';
    if (config.usageClientId)
        return 'The OAuth client needs the usage:client:view permission for the client-scoped endpoint (usage-client-id).';
    return 'The OAuth client needs the usage:organization:view permission for api: aggregates.';
}
function createGenesysUsageQuery(options = {}) {
    return async (config, ctx, onRows, submitted = (_id) => { }, onOrganization = (_organization) => { }) => {
        const interval = config.interval;
        if (!interval)
            throw new errors/* UserError */.yo("Input 'interval' is required to query Genesys Cloud.");
        const { io } = ctx;
        const { usage, organizations, rc: loginRc, } = await connect(config, ctx, { random: options.random, hints: { 403: permissionHint(config) } });
        io.info('Logged in.');
        const rc = { ...loginRc, hints: { ...loginRc.hints, 401: TOKEN_REFUSED_HINT } };
        // Before any row: every record of the run carries it, and the object names depend on it.
        const organization = await readOrganization(organizations, { ...rc, hints: { 401: TOKEN_REFUSED_HINT } });
        io.info(`Organisation: ${organization.name || '(no name)'} (${organization.id})`);
        onOrganization(organization);
        const queryIds = [];
        const onSubmitted = (id) => {
            queryIds.push(id);
            submitted(id);
        };
        let rows = 0;
        if (config.api === 'legacy') {
            rows = await runLegacyQuery({ usage, config, interval, rc, onRows, onSubmitted });
        }
        else {
            const chunks = splitInterval(interval, config.granularity);
            if (chunks.length > 1) {
                io.info(`${(0,src_interval/* describeDays */.tz)(interval)} is longer than the aggregates API's 90 days: ${chunks.length} jobs, one after the other.`);
            }
            for (const chunk of chunks) {
                rows += await runAggregatesJob({
                    usage,
                    config,
                    interval: jobInterval(chunk),
                    rc,
                    onRows,
                    onSubmitted,
                });
            }
        }
        io.info(`${rows} rows from ${queryIds.length === 1 ? 'query' : 'queries'} ${queryIds.join(', ')}.`);
        return { queryIds, organization };
    };
}
const queryGenesysUsage = createGenesysUsageQuery();


/***/ })

};

//# sourceMappingURL=241.index.js.map