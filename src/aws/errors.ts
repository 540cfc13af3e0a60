/**
 * AWS failures as one line the user can act on: AWS's own error name and message, the call that
 * failed, and for missing credentials how to configure them. Never the error object itself.
 */
import { describeError, UserError } from '../errors.js';

export const NO_CREDENTIALS_MESSAGE =
  'No AWS credentials found. Configure them in an earlier step, e.g. aws-actions/configure-aws-credentials with role-to-assume (OIDC, needs permissions: id-token: write); this action takes no AWS keys as inputs.';

interface ServiceErrorLike {
  name?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function isCredentialsError(error: unknown): boolean {
  const e = error as ServiceErrorLike | undefined;
  return (
    e?.name === 'CredentialsProviderError' ||
    /could not load credentials from any providers/i.test(e?.message ?? '')
  );
}

/** The error's AWS name (`CrawlerRunningException`, `NotFound`...), if it came from an AWS service. */
export function awsErrorName(error: unknown): string | undefined {
  const e = error as ServiceErrorLike | undefined;
  return e && typeof e === 'object' && '$metadata' in e ? e.name : undefined;
}

export function httpStatus(error: unknown): number | undefined {
  return (error as ServiceErrorLike | undefined)?.$metadata?.httpStatusCode;
}

/** `S3 PutObject s3://b/k failed: AccessDenied: Access Denied` as a UserError; bugs stay as they are. */
export function awsFailure(what: string, error: unknown, hint = ''): Error {
  if (error instanceof UserError) return error;
  if (isCredentialsError(error)) return new UserError(NO_CREDENTIALS_MESSAGE);
  const name = awsErrorName(error);
  const code = (error as { code?: unknown } | undefined)?.code;
  // A service answer or a network failure (wrong endpoint, DNS): both are the user's to fix.
  if (name !== undefined || typeof code === 'string') {
    const message = describeError(error);
    const label = name && name !== 'Error' && !message.startsWith(name) ? `${name}: ` : '';
    const status = httpStatus(error);
    return new UserError(
      `${what} failed: ${label}${message || `HTTP ${status ?? '?'}`}${hint ? ` ${hint}` : ''}`,
    );
  }
  return error instanceof Error ? error : new Error(describeError(error));
}

/** Runs one AWS call and turns its failure into `awsFailure`. */
export async function awsCall<T>(what: string, call: () => Promise<T>, hint?: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw awsFailure(what, error, hint);
  }
}
