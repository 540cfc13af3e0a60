/**
 * The organisation the credentials belong to, read once per live run (`GET /api/v2/organizations/me`,
 * which needs no permission): it fills `organizationId` of rows that carry none and goes into the object
 * names, so two organisations writing the same bucket and prefix never replace each other's objects.
 */
import type { Organization } from '../types.js';
import { describeJson, jsonBody, type OrganizationEndpoints } from './client.js';
import { genesysError, type RetryContext, withRetry } from './retry.js';

/** Longest organisation name kept: it is shown, never used as a key. */
const MAX_NAME = 200;

/** The answer's id and name, checked: the id must be a plain identifier (it goes into S3 keys). */
export function organizationOf(body: unknown): Organization {
  const what = 'Reading the organisation (GET /api/v2/organizations/me)';
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw genesysError(`${what} failed: the answer is not an organisation (${describeJson(body)}).`);
  }
  const { id, name } = body as Record<string, unknown>;
  if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,64}$/.test(id)) {
    throw genesysError(`${what} failed: the answer holds no organisation id of letters, digits and '-'.`);
  }
  // Control characters could forge log lines (a newline, then '::'): they become spaces.
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is removed
  const controls = /[\u0000-\u001f\u007f]+/g;
  const cleanName = typeof name === 'string' ? name.replace(controls, ' ').trim().slice(0, MAX_NAME) : '';
  return { id, name: cleanName };
}

export async function readOrganization(
  organizations: OrganizationEndpoints,
  rc: RetryContext,
): Promise<Organization> {
  const body = await withRetry(
    'Reading the organisation',
    async () => jsonBody(await organizations.getOrganizationsMe()),
    rc,
  );
  return organizationOf(body);
}
