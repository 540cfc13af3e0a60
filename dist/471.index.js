export const id = 471;
export const ids = [471];
export const modules = {

/***/ 2459:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   J9: () => (/* binding */ jsonBody),
/* harmony export */   JM: () => (/* binding */ submitForId),
/* harmony export */   Ng: () => (/* binding */ connect),
/* harmony export */   kw: () => (/* binding */ describeJson)
/* harmony export */ });
/* unused harmony exports gatewaySettings, loginBase, httpTimeout, requestTimeoutMs, createGenesysClient, bodyOf, login */
/* harmony import */ var purecloud_platform_client_v2__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4232);
/* harmony import */ var purecloud_platform_client_v2__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(purecloud_platform_client_v2__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _duration_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(7607);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(3916);
/* harmony import */ var _retry_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6428);
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
(purecloud_platform_client_v2__WEBPACK_IMPORTED_MODULE_0___default().ApiClient).config.live_reload_config = false;
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
    const client = new (purecloud_platform_client_v2__WEBPACK_IMPORTED_MODULE_0___default().ApiClientClass)();
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
    const usage = new (purecloud_platform_client_v2__WEBPACK_IMPORTED_MODULE_0___default().UsageApi)(client);
    const organizations = new (purecloud_platform_client_v2__WEBPACK_IMPORTED_MODULE_0___default().OrganizationApi)(client);
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
        deadlineName: `query-timeout (${(0,_duration_js__WEBPACK_IMPORTED_MODULE_1__/* .formatDuration */ .a)(config.queryTimeoutMs)})`,
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
        throw new _retry_js__WEBPACK_IMPORTED_MODULE_3__/* .NotJsonError */ .wq(body);
    return body;
}
/**
 * Submits a query and returns the id it was given (`idField` of the answer). A cut-off answer is not
 * retried: the job may exist, and a second submit would start another one.
 */
async function submitForId(what, idField, call, rc) {
    const submitted = bodyOf(await (0,_retry_js__WEBPACK_IMPORTED_MODULE_3__/* .withRetry */ .bD)(what, call, rc));
    const id = submitted?.[idField];
    if (typeof id !== 'string' || !id) {
        const missing = idField === 'id' ? 'job id' : 'execution id';
        throw (0,_retry_js__WEBPACK_IMPORTED_MODULE_3__/* .genesysError */ .Dp)(`${what} failed: ${typeof submitted === 'string' ? 'the answer was not JSON' : `the answer held no ${missing}`}.`);
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
        const auth = await (0,_retry_js__WEBPACK_IMPORTED_MODULE_3__/* .withRetry */ .bD)('Login', () => client.loginClientCredentialsGrant(clientId, clientSecret), options.retry);
        token = auth.accessToken;
    }
    catch (error) {
        const where = loginBase(options.environment);
        if (error instanceof _retry_js__WEBPACK_IMPORTED_MODULE_3__/* .GenesysRequestError */ .u2) {
            throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`Login to Genesys Cloud (${where}) failed for client ${clientId}${error.detail}` +
                (error.failure.status === 401 || error.failure.status === 400
                    ? '. Check client-id, client-secret and environment (the client must be a client-credentials grant in this region).'
                    : ''));
        }
        throw error;
    }
    if (typeof token !== 'string' || !token) {
        throw new _errors_js__WEBPACK_IMPORTED_MODULE_2__/* .UserError */ .yo(`Login to Genesys Cloud failed for client ${clientId}: the answer held no access token.`);
    }
    setSecret(token);
}


/***/ }),

/***/ 5471:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

__webpack_require__.r(__webpack_exports__);
/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   createRateLimitEventsQuery: () => (/* binding */ createRateLimitEventsQuery),
/* harmony export */   queryRateLimitEvents: () => (/* binding */ queryRateLimitEvents)
/* harmony export */ });
/* harmony import */ var purecloud_platform_client_v2__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(4232);
/* harmony import */ var purecloud_platform_client_v2__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(purecloud_platform_client_v2__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var _rate_limit_events_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3949);
/* harmony import */ var _client_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(2459);
/* harmony import */ var _retry_js__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(6428);
/**
 * The near-limit events query: `POST /api/v2/analytics/ratelimits/aggregates/query` through the SDK's
 * `AnalyticsApi.postAnalyticsRatelimitsAggregatesQuery`, one synchronous answer (no job to poll), with
 * the same client setup, login and retry/429 handling as the usage query. A 403 is handed back as
 * `forbidden`, so the run can go on with a warning when no threshold depends on the events.
 */




function createRateLimitEventsQuery(options = {}) {
    return async (config, ctx, body) => {
        const { io } = ctx;
        const { client, rc } = await (0,_client_js__WEBPACK_IMPORTED_MODULE_2__/* .connect */ .Ng)(config, ctx, { random: options.random });
        const analytics = new (purecloud_platform_client_v2__WEBPACK_IMPORTED_MODULE_0___default().AnalyticsApi)(client);
        io.info(`Querying the near-limit events for ${String(body.interval)}`);
        try {
            const answer = await (0,_retry_js__WEBPACK_IMPORTED_MODULE_3__/* .withRetry */ .bD)('Querying the near-limit events', async () => (0,_client_js__WEBPACK_IMPORTED_MODULE_2__/* .jsonBody */ .J9)(await analytics.postAnalyticsRatelimitsAggregatesQuery(body)), rc);
            return { kind: 'answered', body: answer };
        }
        catch (error) {
            if (error instanceof _retry_js__WEBPACK_IMPORTED_MODULE_3__/* .GenesysRequestError */ .u2 && error.failure.status === 403) {
                return {
                    kind: 'forbidden',
                    message: `Genesys Cloud refused the near-limit events (HTTP 403): the OAuth client needs the ${_rate_limit_events_js__WEBPACK_IMPORTED_MODULE_1__/* .RATE_LIMIT_PERMISSION */ .bu} permission.`,
                };
            }
            throw error;
        }
    };
}
const queryRateLimitEvents = createRateLimitEventsQuery();


/***/ }),

/***/ 6428:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   Dp: () => (/* binding */ genesysError),
/* harmony export */   XK: () => (/* binding */ serviceMessage),
/* harmony export */   bD: () => (/* binding */ withRetry),
/* harmony export */   u2: () => (/* binding */ GenesysRequestError),
/* harmony export */   wq: () => (/* binding */ NotJsonError)
/* harmony export */ });
/* unused harmony exports describeFailure, MAX_RETRIES */
/* harmony import */ var _duration_js__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(7607);
/* harmony import */ var _errors_js__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(3916);
/* harmony import */ var _schedule_js__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(681);
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
            retryAfterMs: (0,_schedule_js__WEBPACK_IMPORTED_MODULE_2__/* .parseRetryAfter */ .mu)(header(response.headers, 'retry-after'), nowMs),
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
    return new _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo(`${SERVICE}: ${message}`);
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
class GenesysRequestError extends _errors_js__WEBPACK_IMPORTED_MODULE_1__/* .UserError */ .yo {
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
            waitMs = failure.retryAfterMs ?? (0,_schedule_js__WEBPACK_IMPORTED_MODULE_2__/* .retryDelay */ .a2)(Math.min(throttled, 5), rc.random);
            why = failure.retryAfterMs !== undefined ? 'as Retry-After asks' : 'no Retry-After, backing off';
            throttled++;
        }
        else if ((status === undefined || status === 408 || status >= 500) && retries < MAX_RETRIES) {
            waitMs = (0,_schedule_js__WEBPACK_IMPORTED_MODULE_2__/* .retryDelay */ .a2)(retries, rc.random);
            why = `retry ${retries + 1} of ${MAX_RETRIES}`;
            retries++;
        }
        else {
            throw fail();
        }
        const remaining = rc.deadline - rc.now().getTime();
        if (status === 429 ? waitMs > remaining : remaining <= 0) {
            throw fail(`(waiting ${(0,_duration_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a)(waitMs)} more would pass ${rc.deadlineName})`);
        }
        waitMs = Math.min(waitMs, remaining);
        rc.io.info(`${what}: ${formatFailure(failure)}; waiting ${(0,_duration_js__WEBPACK_IMPORTED_MODULE_0__/* .formatDuration */ .a)(waitMs)} (${why}).`);
        await rc.sleep(waitMs);
    }
}


/***/ }),

/***/ 681:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   a2: () => (/* binding */ retryDelay),
/* harmony export */   mu: () => (/* binding */ parseRetryAfter),
/* harmony export */   qC: () => (/* binding */ nextPollDelay)
/* harmony export */ });
/* unused harmony exports POLL_FIRST_MS, POLL_MAX_MS */
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


/***/ })

};

//# sourceMappingURL=471.index.js.map