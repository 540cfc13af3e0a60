/**
 * The values the Genesys Cloud usage endpoints accept, in one place: `config.ts` validates the inputs
 * with them before any call. Pure data, no I/O, so any module may import it.
 *
 * Taken from the SDK's models (purecloud-platform-client-v2):
 * - `OrganizationPublicApiUsageQueryRequest` (POST /api/v2/usage/aggregates/query/jobs): `GroupByEnum`,
 *   `MetricsEnum`, `GranularityEnum`, `HttpMethodsEnum`, filters templateUris, httpMethods, platforms,
 *   userIds, oauthClientIds.
 * - `ClientPublicApiUsageQueryRequest` (POST /api/v2/usage/client/{clientId}/aggregates/query/jobs): groupBy
 *   OrganizationId, HttpMethod, TemplateUri, Platform; filters templateUris, httpMethods, platforms,
 *   organizationIds. Its rows (`ClientPublicApiUsage`) carry organizationId, no oauthClient and no user.
 * - The legacy `POST /api/v2/usage/query` (`ApiUsageOrganizationQuery`): groupBy OAuthClientId,
 *   OrganizationId, UserId, TemplateUri, HttpMethod; no filters.
 * Both aggregates requests: "Start and end are inclusive. Start date cannot be more than a year ago. End date
 * cannot be more than 90 days after the start." The test fake keeps its own copy of these lists, so a change
 * here that the service would refuse shows up as a failing test.
 */
import type { GroupField, Metric } from '../types.js';

/** Which endpoint a query goes to. */
export type Endpoint = 'organization' | 'client' | 'legacy';

export const METRICS: readonly Metric[] = [
  'Requests',
  'Status200',
  'Status300',
  'Status400',
  'Status429',
  'Status500',
];

export const GRANULARITIES = ['Day', 'Week', 'Month'] as const;

/** `HttpMethodsEnum`: no OPTIONS. */
export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD'] as const;

/** Each endpoint's group-by names, keyed by the record field they fill. */
export const GROUP_BY: Record<Endpoint, Partial<Record<GroupField, string>>> = {
  organization: {
    clientId: 'OauthClientId',
    clientName: 'OauthClientName',
    userId: 'UserId',
    httpMethod: 'HttpMethod',
    templateUri: 'TemplateUri',
    platform: 'Platform',
  },
  client: {
    organizationId: 'OrganizationId',
    httpMethod: 'HttpMethod',
    templateUri: 'TemplateUri',
    platform: 'Platform',
  },
  legacy: {
    clientId: 'OAuthClientId',
    organizationId: 'OrganizationId',
    userId: 'UserId',
    templateUri: 'TemplateUri',
    httpMethod: 'HttpMethod',
  },
};

/** The list inputs each endpoint takes as filters, and the request field each one fills. */
export const FILTERS: Record<Endpoint, Record<string, string>> = {
  organization: {
    'template-uris': 'templateUris',
    'http-methods': 'httpMethods',
    platforms: 'platforms',
    'user-ids': 'userIds',
    'oauth-client-ids': 'oauthClientIds',
  },
  client: {
    'template-uris': 'templateUris',
    'http-methods': 'httpMethods',
    platforms: 'platforms',
    'organization-ids': 'organizationIds',
  },
  legacy: {},
};

/** Every filter input of any endpoint. */
export const FILTER_INPUTS = [
  'template-uris',
  'http-methods',
  'platforms',
  'user-ids',
  'oauth-client-ids',
  'organization-ids',
] as const;
export type FilterInput = (typeof FILTER_INPUTS)[number];

/** Days one aggregates job may cover, counted inclusively (start day and end day both count). */
export const MAX_JOB_DAYS = 90;
/** Rows per page of an aggregates job, the most the service serves. */
export const MAX_PAGE_SIZE = 1000;

export function endpointOf(api: 'aggregates' | 'legacy', usageClientId?: string): Endpoint {
  if (api === 'legacy') return 'legacy';
  return usageClientId ? 'client' : 'organization';
}

/** How an endpoint is named in messages. */
export function endpointName(endpoint: Endpoint): string {
  if (endpoint === 'legacy') return "api 'legacy'";
  if (endpoint === 'client') return "the client-scoped endpoint ('usage-client-id')";
  return "api 'aggregates'";
}
