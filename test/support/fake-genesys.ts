/**
 * A loopback fake of the Genesys Cloud endpoints this action uses (OAuth client credentials, the
 * organisation, the usage aggregates jobs, the client-scoped jobs, the legacy usage query and the near-limit events), for the
 * real SDK to talk to through its gateway setting: `parseEnvironment(fake.url)`. Jobs follow scripted
 * statuses and pages; one-off faults (429, 5xx, connection resets) can be queued for matching requests.
 *
 * As strict as the service: a query body the service refuses (a groupBy, metric, method or granularity
 * the endpoint does not have, a field its request model lacks, an end more than 90 days after the start
 * counted inclusively, a start more than a year ago, pageSize above 1000) gets a 400, and a job serves
 * only the scripted rows dated inside the days it was asked for. The value lists below are this fake's
 * OWN copy of the SDK models (never imported from src), so a drift in the action shows as a failing test.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  /** Without the gateway prefix and the query string. */
  path: string;
  query: Record<string, string>;
  /** Parsed JSON, or the raw text (the login's form body). */
  body: unknown;
  authorization: string;
}

export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
  /** Sent as is instead of `body` (as JSON unless `headers` say otherwise), e.g. malformed JSON. */
  raw?: string;
  /**
   * Hold the reply this long first (Infinity: until the client gives up). When the client hangs up
   * first, e.g. on its HTTP timeout, nothing is sent. No timer outlives the request.
   */
  delayMs?: number;
}
/** A reply, or `reset`: the socket is destroyed without an answer. */
export type Fault = FakeReply | 'reset';

export interface FakeJob {
  /** Statuses answered by successive status checks; the last one repeats. */
  statuses?: string[];
  /** Entity pages served once the job has succeeded. */
  pages?: unknown[][];
  errorBody?: unknown;
}

export interface FakeLegacyQuery {
  statuses?: string[];
  results?: unknown[];
  /** Extra fields of a Failed answer. */
  failure?: Record<string, unknown>;
}

interface JobState extends Required<Omit<FakeJob, 'errorBody'>> {
  errorBody?: unknown;
  checks: number;
  basePath: string;
}

interface LegacyState extends Required<Omit<FakeLegacyQuery, 'failure'>> {
  failure?: Record<string, unknown>;
  checks: number;
}

/** One near-limit event count, as the rate-limit aggregates serve it (see `FakeGenesys.rateLimitEvents`). */
export interface FakeRateLimitEvent {
  /** `YYYY-MM-DD`: the UTC day it was recorded (at noon). */
  date: string;
  limitName: string;
  entityId: string;
  namespace: string;
  count: number;
}

/** `RateLimitAggregationQuery` as the SDK models it: its fields, and the groupBy and metric enums. */
const RATE_LIMIT_QUERY_FIELDS = [
  'interval',
  'granularity',
  'timeZone',
  'groupBy',
  'filter',
  'metrics',
  'flattenMultivaluedDimensions',
  'views',
  'alternateTimeDimension',
];
const RATE_LIMIT_DIMENSIONS = [
  'correlationId',
  'entityId',
  'limitName',
  'max',
  'namespace',
  'timeUnit',
  'userId',
];
const RATE_LIMIT_METRICS = ['oRateLimitRecorded'];

/** The rows the service would serve for these days: those dated inside them (undated totals too). */
function rowsInside(rows: unknown[], days: DayRange): unknown[] {
  return rows.filter((row) => {
    const date = (row as { date?: unknown } | null)?.date;
    if (typeof date !== 'string') return true;
    const day = Date.parse(`${date.slice(0, 10)}T00:00:00Z`);
    return day >= days.first && day <= days.last;
  });
}

function startOfDay(ms: number): number {
  return Math.floor(ms / DAY) * DAY;
}

/**
 * Why the service would refuse this query body, or the days it asks for. `YYYY-MM-DDThh:mm:ss[.sss]Z`
 * ends, both included.
 */
function checkQuery(body: unknown, endpoint: ServiceEndpoint, now: Date): { error: string } | DayRange {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    return { error: 'body must be an object' };
  const b = body as Record<string, unknown>;
  const known = ['interval', 'granularity', 'groupBy', 'metrics', ...SERVICE_FILTERS[endpoint]];
  if (endpoint !== 'legacy') known.push('sortBy');
  for (const key of Object.keys(b)) {
    if (!known.includes(key)) return { error: `Unrecognized field "${key}"` };
  }
  const list = (field: string, allowed?: string[]): string | undefined => {
    const value = b[field];
    if (value === undefined) return undefined;
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
      return `${field} must be a list of strings`;
    const bad = allowed && value.find((v) => !allowed.includes(v as string));
    return bad === undefined || bad === false
      ? undefined
      : `${field}: '${String(bad)}' is not one of ${allowed!.join(', ')}`;
  };
  const problem =
    list('groupBy', SERVICE_GROUP_BY[endpoint]) ??
    list('metrics', SERVICE_METRICS) ??
    list('httpMethods', SERVICE_HTTP_METHODS) ??
    SERVICE_FILTERS[endpoint].map((f) => list(f)).find(Boolean);
  if (problem) return { error: problem };
  if (b.granularity !== undefined && !SERVICE_GRANULARITIES.includes(b.granularity as string)) {
    return {
      error: `granularity: '${String(b.granularity)}' is not one of ${SERVICE_GRANULARITIES.join(', ')}`,
    };
  }
  const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;
  const [start = '', end = '', ...rest] = typeof b.interval === 'string' ? b.interval.split('/') : [];
  if (rest.length || !instant.test(start) || !instant.test(end)) {
    return {
      error: `interval must be YYYY-MM-DDThh:mm:ssZ/YYYY-MM-DDThh:mm:ssZ, got ${JSON.stringify(b.interval)}`,
    };
  }
  const first = startOfDay(Date.parse(start));
  const last = startOfDay(Date.parse(end));
  if (Number.isNaN(first) || Number.isNaN(last) || Date.parse(end) < Date.parse(start)) {
    return { error: 'interval end must not be before its start' };
  }
  if (endpoint !== 'legacy') {
    if ((last - first) / DAY + 1 > SERVICE_MAX_DAYS) {
      return { error: 'End date cannot be more than 90 days after the start' };
    }
    const yearAgo = new Date(startOfDay(now.getTime()));
    const day = yearAgo.getUTCDate();
    yearAgo.setUTCDate(1);
    yearAgo.setUTCFullYear(yearAgo.getUTCFullYear() - 1);
    const monthEnd = new Date(Date.UTC(yearAgo.getUTCFullYear(), yearAgo.getUTCMonth() + 1, 0)).getUTCDate();
    yearAgo.setUTCDate(Math.min(day, monthEnd));
    if (first < yearAgo.getTime()) return { error: 'Start date cannot be more than a year ago' };
  }
  return { first, last };
}

function badRequest(message: string): FakeReply {
  return { status: 400, body: { message, code: 'bad.request', status: 400 } };
}

export interface FakeGenesysOptions {
  clientId?: string;
  clientSecret?: string;
  token?: string;
  /** A gateway path prefix, e.g. `/genesys`: requests outside it get 404. */
  prefix?: string;
  /** What `GET /api/v2/organizations/me` answers. */
  organization?: { id: string; name: string };
  /** The service's clock, for the one-year limit; the real time unless a test pins it. */
  now?: () => Date;
}

// The service's value lists, copied from the SDK models (OrganizationPublicApiUsageQueryRequest,
// ClientPublicApiUsageQueryRequest, HttpMethodsEnum and the legacy ApiUsageOrganizationQuery).
const SERVICE_METRICS = ['Requests', 'Status200', 'Status300', 'Status400', 'Status429', 'Status500'];
const SERVICE_GRANULARITIES = ['Day', 'Week', 'Month'];
const SERVICE_HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'];
type ServiceEndpoint = 'organization' | 'client' | 'legacy';
const SERVICE_GROUP_BY: Record<ServiceEndpoint, string[]> = {
  organization: ['OauthClientName', 'OauthClientId', 'UserId', 'HttpMethod', 'TemplateUri', 'Platform'],
  client: ['OrganizationId', 'HttpMethod', 'TemplateUri', 'Platform'],
  legacy: ['OAuthClientId', 'OrganizationId', 'UserId', 'TemplateUri', 'HttpMethod'],
};
/** The string-list filters of each request model. */
const SERVICE_FILTERS: Record<ServiceEndpoint, string[]> = {
  organization: ['templateUris', 'httpMethods', 'platforms', 'userIds', 'oauthClientIds'],
  client: ['templateUris', 'httpMethods', 'platforms', 'organizationIds'],
  legacy: [],
};
const SERVICE_MAX_DAYS = 90;
const DAY = 86_400_000;

/** The UTC days a request asked for, both included, as epoch ms at 00:00Z. */
interface DayRange {
  first: number;
  last: number;
}

export class FakeGenesys {
  readonly clientId: string;
  readonly clientSecret: string;
  readonly token: string;
  readonly prefix: string;
  readonly organization: { id: string; name: string };
  private readonly now: () => Date;
  readonly requests: RecordedRequest[] = [];
  private readonly jobScripts: FakeJob[] = [];
  private readonly legacyScripts: FakeLegacyQuery[] = [];
  private readonly jobs = new Map<string, JobState>();
  private readonly legacy = new Map<string, LegacyState>();
  private readonly faults: { match: (r: RecordedRequest) => boolean; fault: Fault }[] = [];
  /** What the near-limit events endpoint holds; each query answers the events inside its interval. */
  readonly rateLimitEvents: FakeRateLimitEvent[] = [];
  /** Answer the near-limit events endpoint with 403, as for a client without the permission. */
  rateLimitForbidden = false;
  private server!: Server;
  url = '';

  private constructor(options: FakeGenesysOptions) {
    this.clientId = options.clientId ?? 'fake-client-id';
    this.clientSecret = options.clientSecret ?? 'fake-client-secret-5f1e9c';
    this.token = options.token ?? 'fake-access-token-7b2d4a';
    this.prefix = (options.prefix ?? '').replace(/\/+$/, '');
    this.organization = options.organization ?? {
      id: '6f0c5e1a-0d3b-4c8e-9a71-2b5d8e4f7a10',
      name: 'Fake Org',
    };
    this.now = options.now ?? (() => new Date());
  }

  static async start(options: FakeGenesysOptions = {}): Promise<FakeGenesys> {
    const fake = new FakeGenesys(options);
    fake.server = createServer((req, res) => {
      fake.handle(req, res).catch((error: unknown) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ message: `fake server error: ${String(error)}`, code: 'fake.error' }));
      });
    });
    await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
    const { port } = fake.server.address() as AddressInfo;
    fake.url = `http://127.0.0.1:${port}${fake.prefix}`;
    return fake;
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** The `Basic ...` value a correct login sends. */
  get basicCredentials(): string {
    return Buffer.from(`${this.clientId}:${this.clientSecret}`).toString('base64');
  }

  /** Scripts the next submitted aggregates job (in order); unscripted jobs succeed at once with no rows. */
  addJob(job: FakeJob): this {
    this.jobScripts.push(job);
    return this;
  }

  addLegacyQuery(query: FakeLegacyQuery): this {
    this.legacyScripts.push(query);
    return this;
  }

  /**
   * Answers the next request that matches with `fault` instead (once per call). `query` matches
   * query parameters, e.g. `{ after: 'p2' }` for the third page of a job.
   */
  fault(
    match: { method?: string; path?: RegExp; query?: Record<string, string>; nth?: number },
    ...faults: Fault[]
  ): this {
    for (const fault of faults) {
      let seen = 0;
      this.faults.push({
        match: (r) => {
          if (match.method && r.method !== match.method) return false;
          if (match.path && !match.path.test(r.path)) return false;
          if (match.query && Object.entries(match.query).some(([k, v]) => r.query[k] !== v)) return false;
          seen++;
          return seen >= (match.nth ?? 1);
        },
        fault,
      });
    }
    return this;
  }

  /** Requests to a path, e.g. every status check of one job. */
  requestsTo(method: string, path: RegExp): RecordedRequest[] {
    return this.requests.filter((r) => r.method === method && path.test(r.path));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    let body: unknown = text;
    if (text && /json/.test(req.headers['content-type'] ?? '')) body = JSON.parse(text);
    if (this.prefix && !url.pathname.startsWith(this.prefix + '/')) {
      return send(res, {
        status: 404,
        body: { message: `outside gateway prefix ${this.prefix}`, code: 'not.found' },
      });
    }
    const request: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname.slice(this.prefix.length),
      query: Object.fromEntries(url.searchParams),
      body,
      authorization: req.headers.authorization ?? '',
    };
    this.requests.push(request);

    const faultIndex = this.faults.findIndex((f) => f.match(request));
    if (faultIndex >= 0) {
      const fault = this.faults.splice(faultIndex, 1)[0]?.fault;
      if (fault === 'reset') {
        req.socket.destroy();
        return;
      }
      if (fault) {
        if (fault.delayMs) await hold(res, fault.delayMs);
        if (res.destroyed || res.writableEnded) return;
        return send(res, fault);
      }
    }
    send(res, this.route(request));
  }

  private route(r: RecordedRequest): FakeReply {
    if (r.method === 'POST' && r.path === '/oauth/token') {
      const ok =
        r.authorization === `Basic ${this.basicCredentials}` && r.body === 'grant_type=client_credentials';
      return ok
        ? { status: 200, body: { access_token: this.token, token_type: 'bearer', expires_in: 86399 } }
        : {
            status: 401,
            body: {
              error: 'invalid_client',
              description: 'authentication failed',
              error_description: 'authentication failed',
            },
          };
    }
    if (!r.path.startsWith('/api/v2/')) return notFound(r);
    if (r.authorization !== `Bearer ${this.token}`) {
      return {
        status: 401,
        body: { message: 'Authentication failed', code: 'authentication.required', status: 401 },
      };
    }

    if (r.path === '/api/v2/organizations/me' && r.method === 'GET') {
      return { status: 200, body: { ...this.organization, selfUri: '/api/v2/organizations/me' } };
    }
    let m = /^(\/api\/v2\/usage(?:\/client\/[^/]+)?\/aggregates\/query\/jobs)$/.exec(r.path);
    if (m && r.method === 'POST') {
      const days = checkQuery(
        r.body,
        r.path.includes('/usage/client/') ? 'client' : 'organization',
        this.now(),
      );
      if ('error' in days) return badRequest(days.error);
      const id = `job-${this.jobs.size + 1}`;
      const script = this.jobScripts.shift() ?? {};
      this.jobs.set(id, {
        statuses: script.statuses ?? ['Succeeded'],
        pages: (script.pages ?? [[]]).map((page) => rowsInside(page, days)),
        errorBody: script.errorBody,
        checks: 0,
        basePath: m[1] as string,
      });
      return { status: 202, body: { id, resultsUri: `${m[1]}/${id}`, selfUri: `${m[1]}/${id}` } };
    }
    m = /^(\/api\/v2\/usage(?:\/client\/[^/]+)?\/aggregates\/query\/jobs)\/([^/]+)$/.exec(r.path);
    if (m && r.method === 'GET') {
      const job = this.jobs.get(m[2] as string);
      if (!job || job.basePath !== m[1]) return notFound(r);
      return this.jobAnswer(m[2] as string, job, r.query);
    }
    if (r.path === '/api/v2/usage/query' && r.method === 'POST') {
      const days = checkQuery(r.body, 'legacy', this.now());
      if ('error' in days) return badRequest(days.error);
      const id = `exec-${this.legacy.size + 1}`;
      const script = this.legacyScripts.shift() ?? {};
      this.legacy.set(id, {
        statuses: script.statuses ?? ['Complete'],
        results: rowsInside(script.results ?? [], days),
        failure: script.failure,
        checks: 0,
      });
      return { status: 202, body: { executionId: id, resultsUri: `/api/v2/usage/query/${id}/results` } };
    }
    if (r.path === '/api/v2/analytics/ratelimits/aggregates/query' && r.method === 'POST') {
      return this.rateLimitAnswer(r.body);
    }
    m = /^\/api\/v2\/usage\/query\/([^/]+)\/results$/.exec(r.path);
    if (m && r.method === 'GET') {
      const query = this.legacy.get(m[1] as string);
      if (!query) return notFound(r);
      const status = pick(query.statuses, query.checks++);
      if (status === 'Complete')
        return { status: 200, body: { queryStatus: status, results: query.results } };
      return { status: 200, body: { queryStatus: status, ...(status === 'Failed' ? query.failure : {}) } };
    }
    return notFound(r);
  }

  /**
   * `POST /api/v2/analytics/ratelimits/aggregates/query`: refuses what the service refuses (a missing or
   * bad interval, unknown fields, groupBy dimensions or metrics), then answers the events in the interval,
   * grouped and bucketed as asked. Granularity: P1D, P7D or P1M here (the service takes any ISO period).
   */
  private rateLimitAnswer(body: unknown): FakeReply {
    if (this.rateLimitForbidden) {
      return {
        status: 403,
        body: {
          message: 'You are missing the following permission(s): analytics:rateLimitAggregate:view',
          code: 'missing.any.permissions',
          status: 403,
        },
      };
    }
    const bad = (message: string): FakeReply => ({
      status: 400,
      body: { message, code: 'bad.request', status: 400 },
    });
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return bad('body must be a query object');
    const q = body as Record<string, unknown>;
    const unknown = Object.keys(q).find((k) => !RATE_LIMIT_QUERY_FIELDS.includes(k));
    if (unknown) return bad(`Unrecognized field "${unknown}"`);
    if (typeof q.interval !== 'string') return bad('interval is required');
    const [from, to, extra] = q.interval.split('/');
    const instant = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
    if (!from || !to || extra !== undefined || !instant.test(from) || !instant.test(to))
      return bad(`interval '${q.interval}' is not an ISO-8601 interval start/end`);
    const start = new Date(from);
    const end = new Date(to);
    if (!(start < end)) return bad('interval start must be before its end');
    if (q.granularity !== undefined && !['P1D', 'P7D', 'P1M'].includes(q.granularity as string))
      return bad(`granularity '${String(q.granularity)}' is not supported by the fake`);
    const groupBy = q.groupBy ?? [];
    if (!Array.isArray(groupBy) || groupBy.some((d) => !RATE_LIMIT_DIMENSIONS.includes(d as string)))
      return bad(`groupBy must be a list of ${RATE_LIMIT_DIMENSIONS.join(', ')}`);
    if (
      !Array.isArray(q.metrics) ||
      !q.metrics.length ||
      q.metrics.some((mt) => !RATE_LIMIT_METRICS.includes(mt as string))
    )
      return bad(`metrics is required: a list of ${RATE_LIMIT_METRICS.join(', ')}`);

    // Bucket starts: the interval's start, stepped by the granularity.
    const step = (d: Date): Date => {
      if (q.granularity === 'P1D') return new Date(d.getTime() + 86_400_000);
      if (q.granularity === 'P7D') return new Date(d.getTime() + 7 * 86_400_000);
      if (q.granularity === 'P1M')
        return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, d.getUTCDate()));
      return end;
    };
    const groups = new Map<string, { group: Record<string, string>; buckets: Map<string, number> }>();
    for (const event of this.rateLimitEvents) {
      const at = new Date(`${event.date}T12:00:00Z`);
      if (at < start || at >= end) continue;
      let bucketStart = start;
      for (let next = step(bucketStart); next <= at; next = step(bucketStart)) bucketStart = next;
      const bucketEnd = step(bucketStart) < end ? step(bucketStart) : end;
      const group: Record<string, string> = {};
      for (const d of groupBy as string[]) {
        const value = (event as unknown as Record<string, unknown>)[d];
        if (typeof value === 'string') group[d] = value;
      }
      const key = JSON.stringify(group);
      const entry = groups.get(key) ?? { group, buckets: new Map<string, number>() };
      groups.set(key, entry);
      const interval = `${bucketStart.toISOString()}/${bucketEnd.toISOString()}`;
      entry.buckets.set(interval, (entry.buckets.get(interval) ?? 0) + event.count);
    }
    if (!groups.size) return { status: 200, body: {} };
    return {
      status: 200,
      body: {
        results: [...groups.values()].map(({ group, buckets }) => ({
          group,
          data: [...buckets.entries()].map(([interval, count]) => ({
            interval,
            metrics: [{ metric: 'oRateLimitRecorded', stats: { count } }],
          })),
        })),
      },
    };
  }

  private jobAnswer(id: string, job: JobState, query: Record<string, string>): FakeReply {
    const pageSize = Number(query.pageSize ?? 100);
    if (!(pageSize >= 1 && pageSize <= 1000)) {
      return { status: 400, body: { message: 'pageSize must be from 1 to 1000', code: 'bad.request' } };
    }
    let index = 0;
    if (query.after) {
      const cursor = /^p(\d+)$/.exec(query.after);
      index = cursor ? Number(cursor[1]) : -1;
      if (index < 1 || index >= job.pages.length) {
        return { status: 400, body: { message: `unknown cursor ${query.after}`, code: 'bad.request' } };
      }
    } else {
      const status = pick(job.statuses, job.checks++);
      if (status !== 'Succeeded') {
        return {
          status: 200,
          body: {
            queryStatus: status,
            ...(job.errorBody && status !== 'Running' && status !== 'Queued'
              ? { errorBody: job.errorBody }
              : {}),
          },
        };
      }
    }
    const next =
      index + 1 < job.pages.length
        ? `${job.basePath}/${id}?pageSize=${pageSize}&after=p${index + 1}`
        : undefined;
    return {
      status: 200,
      body: { queryStatus: 'Succeeded', entities: job.pages[index], ...(next ? { nextUri: next } : {}) },
    };
  }
}

function pick(statuses: string[], i: number): string {
  return statuses[Math.min(i, statuses.length - 1)] ?? 'Succeeded';
}

function notFound(r: RecordedRequest): FakeReply {
  return {
    status: 404,
    body: { message: `no route for ${r.method} ${r.path}`, code: 'not.found', status: 404 },
  };
}

/** Resolves after `ms`, or as soon as the connection closes (the client timed out or the fake closed). */
function hold(res: ServerResponse, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
    res.once('close', done);
    function done() {
      if (timer) clearTimeout(timer);
      res.off('close', done);
      resolve();
    }
  });
}

function send(res: ServerResponse, reply: FakeReply): void {
  const payload = reply.raw ?? (reply.body === undefined ? '' : JSON.stringify(reply.body));
  res.writeHead(reply.status, {
    ...(payload ? { 'content-type': 'application/json' } : {}),
    ...reply.headers,
  });
  res.end(payload);
}

/** Aggregates rows as the API sends them. */
export function aggregatesRow(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    date: '2026-11-02',
    platform: 'PublicApi',
    httpMethod: n % 2 ? 'GET' : 'POST',
    templateUri: `api/v2/things/${n}`,
    requestCount: 100 + n,
    status200: 90 + n,
    status300: 0,
    status400: 10,
    status429: n,
    status500: 0,
    oauthClient: { id: `client-${n % 3}`, name: `Client ${n % 3}` },
    ...extra,
  };
}

/** Client-scoped rows as the API sends them (`ClientPublicApiUsage`): an organisation, no client, no user. */
export function clientRow(n: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const row = aggregatesRow(n);
  delete row.oauthClient;
  return { ...row, organizationId: `org-${n % 2}`, ...extra };
}

/** Legacy rows as the API sends them. */
export function legacyRow(n: number): Record<string, unknown> {
  return {
    clientId: `client-${n}`,
    clientName: `Client ${n}`,
    organizationId: '',
    userId: '',
    templateUri: '',
    httpMethod: '',
    status200: 50,
    status300: 0,
    status400: 5,
    status500: 1,
    status429: 2,
    requests: 56,
    date: '2026-11-02T00:00:00Z',
  };
}
