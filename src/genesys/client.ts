/**
 * The Genesys Cloud SDK client for one run: environment or gateway, extended responses (so errors keep
 * their status and Retry-After), and the client-credentials login with the token masked at once.
 */
import platformClient from 'purecloud-platform-client-v2';
import { formatDuration } from '../duration.js';
import type { StageContext } from '../stages.js';
import type { Config, Environment } from '../types.js';
import { UserError } from '../errors.js';
import { type RetryContext, genesysError, GenesysRequestError, NotJsonError, withRetry } from './retry.js';

type ApiClient = InstanceType<typeof platformClient.ApiClientClass>;

/** What the gateway settings of the SDK take (`ApiClient.setGateway`). */
export interface GatewaySettings {
  host: string;
  protocol: string;
  port?: number;
  path_params_login: string;
  path_params_api: string;
}

/** `http://127.0.0.1:8080/genesys/` → login at `/genesys/oauth/token`, API at `/genesys/api/v2/...`. */
export function gatewaySettings(url: URL): GatewaySettings {
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
export function loginBase(environment: Environment): string {
  if (environment.kind === 'region') return `https://login.${environment.host}`;
  const g = gatewaySettings(environment.url);
  return `${g.protocol}://${environment.url.host}${g.path_params_login}`;
}

/** The usage endpoints this action calls. With extended responses they resolve `{status, headers, body}`. */
export interface UsageEndpoints {
  postUsageAggregatesQueryJobs(body: object): Promise<unknown>;
  getUsageAggregatesQueryJob(jobId: string, opts: { pageSize?: number; after?: string }): Promise<unknown>;
  postUsageClientClientIdAggregatesQueryJobs(clientId: string, body: object): Promise<unknown>;
  getUsageClientClientIdAggregatesQueryJob(
    clientId: string,
    jobId: string,
    opts: { pageSize?: number; after?: string },
  ): Promise<unknown>;
  postUsageQuery(body: object): Promise<unknown>;
  getUsageQueryExecutionIdResults(executionId: string): Promise<unknown>;
}

/** `GET /api/v2/organizations/me`: needs no permission. */
export interface OrganizationEndpoints {
  getOrganizationsMe(): Promise<unknown>;
}

export interface GenesysClient {
  client: ApiClient;
  usage: UsageEndpoints;
  organizations: OrganizationEndpoints;
  /**
   * Sets the HTTP timeout of the next request from the time left before the deadline (see
   * `requestTimeoutMs`); `RetryContext.beforeAttempt` calls it before each attempt.
   */
  boundNextRequest: (remainingMs: number) => void;
}

// The SDK builds a default client at import, which watches ~/.genesyscloudjavascript/config: stop that.
platformClient.ApiClient.config.live_reload_config = false;

/**
 * The SDK's per-request HTTP timeout: its own default, 16 s. `minMs` is the shortest timeout a request
 * gets when little or no time is left before query-timeout. Tests lower them (and put them back) to
 * reach an answer slower than the timeout in milliseconds.
 */
export const httpTimeout = { ms: 16_000, minMs: 5000 };

/**
 * A request's HTTP timeout: the SDK's 16 s, cut to the time left before the deadline, so a request that
 * hangs ends at query-timeout instead of up to 16 s after it (and never below `httpTimeout.minMs`).
 */
export function requestTimeoutMs(remainingMs: number): number {
  return Math.min(httpTimeout.ms, Math.max(httpTimeout.minMs, Math.ceil(remainingMs)));
}

export function createGenesysClient(environment: Environment): GenesysClient {
  const client = new platformClient.ApiClientClass();
  client.config.live_reload_config = false;
  // Read when the SDK creates its HTTP client (the typings omit the field); `boundNextRequest` then
  // sets the HTTP client's own timeout before each call.
  (client as unknown as { timeout: number }).timeout = httpTimeout.ms;
  if (environment.kind === 'region') {
    // A gateway from the SDK's config file would silently win over the region: clear it.
    client.setGateway(undefined as unknown as Parameters<ApiClient['setGateway']>[0]);
    client.setEnvironment(environment.host);
  } else {
    client.setGateway(gatewaySettings(environment.url));
  }
  client.setReturnExtendedResponses(true);
  const usage = new platformClient.UsageApi(client) as unknown as UsageEndpoints;
  const organizations = new platformClient.OrganizationApi(client) as unknown as OrganizationEndpoints;
  // The SDK gives axios the HTTP client's `timeout` field on every request (DefaultHttpClient.toAxiosConfig),
  // read synchronously when the call is made (API calls and the login alike): setting it just before a
  // call bounds that call. The calls of a run are sequential, so no other request sees the value.
  const boundNextRequest = (remainingMs: number) =>
    client.getHttpClient().setTimeout(requestTimeoutMs(remainingMs));
  return { client, usage, organizations, boundNextRequest };
}

/**
 * A logged-in client for one run's calls, and the retry context they share: every request bounded by
 * query-timeout, with `hints` naming the likely cause of a status (e.g. the permission a 403 means).
 */
export async function connect(
  config: Config,
  ctx: StageContext,
  options: { random?: () => number; hints?: RetryContext['hints'] } = {},
): Promise<GenesysClient & { rc: RetryContext }> {
  const { io } = ctx;
  const genesys = createGenesysClient(config.environment);
  const rc: RetryContext = {
    io,
    now: ctx.now,
    sleep: ctx.sleep,
    random: options.random ?? Math.random,
    deadline: ctx.now().getTime() + config.queryTimeoutMs,
    deadlineName: `query-timeout (${formatDuration(config.queryTimeoutMs)})`,
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
export function bodyOf(response: unknown): unknown {
  return typeof response === 'object' && response !== null && 'body' in response
    ? (response as { body: unknown }).body
    : response;
}

/**
 * The body of a JSON answer. On a body that is not JSON (cut off, an HTML page) the SDK hands the raw
 * text over as the body: that throws `NotJsonError`, which `withRetry` retries.
 */
export function jsonBody(response: unknown): unknown {
  const body = bodyOf(response);
  if (typeof body === 'string') throw new NotJsonError(body);
  return body;
}

/**
 * Submits a query and returns the id it was given (`idField` of the answer). A cut-off answer is not
 * retried: the job may exist, and a second submit would start another one.
 */
export async function submitForId(
  what: string,
  idField: 'id' | 'executionId',
  call: () => Promise<unknown>,
  rc: RetryContext,
): Promise<string> {
  const submitted = bodyOf(await withRetry(what, call, rc));
  const id = (submitted as Record<string, unknown> | undefined)?.[idField];
  if (typeof id !== 'string' || !id) {
    const missing = idField === 'id' ? 'job id' : 'execution id';
    throw genesysError(
      `${what} failed: ${typeof submitted === 'string' ? 'the answer was not JSON' : `the answer held no ${missing}`}.`,
    );
  }
  return id;
}

/** What kind of JSON value came instead of an object, for a message. */
export function describeJson(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

export interface LoginOptions {
  clientId: string;
  clientSecret: string;
  environment: Environment;
  setSecret: (secret: string) => void;
  retry: RetryContext;
}

/** Client-credentials login. A failure is one line: client id, HTTP status, the service's description. */
export async function login(client: ApiClient, options: LoginOptions): Promise<void> {
  const { clientId, clientSecret, setSecret } = options;
  // The Basic header value is as good as the secret: mask it in case anything ever prints it.
  setSecret(Buffer.from(`${clientId}:${clientSecret}`).toString('base64'));
  let token: unknown;
  try {
    const auth = await withRetry(
      'Login',
      () => client.loginClientCredentialsGrant(clientId, clientSecret),
      options.retry,
    );
    token = auth.accessToken;
  } catch (error) {
    const where = loginBase(options.environment);
    if (error instanceof GenesysRequestError) {
      throw new UserError(
        `Login to Genesys Cloud (${where}) failed for client ${clientId}${error.detail}` +
          (error.failure.status === 401 || error.failure.status === 400
            ? '. Check client-id, client-secret and environment (the client must be a client-credentials grant in this region).'
            : ''),
      );
    }
    throw error;
  }
  if (typeof token !== 'string' || !token) {
    throw new UserError(
      `Login to Genesys Cloud failed for client ${clientId}: the answer held no access token.`,
    );
  }
  setSecret(token);
}
