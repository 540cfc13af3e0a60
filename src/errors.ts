/**
 * An error the user can fix (bad input, missing credentials, a failed remote job). Its message is
 * the whole story: the top-level handler prints it as one line, without a stack trace.
 */
export class UserError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UserError';
  }
}

/** One line naming the input, the value and what is accepted. */
export function inputError(input: string, value: string, accepted: string): UserError {
  return new UserError(`Input '${input}' has an invalid value '${value}': ${accepted}.`);
}

/** A message safe to log: never the error object itself (an axios error holds request headers). */
export function describeError(error: unknown): string {
  // Duck-typed: errors from another realm (Node's own, under a test VM) are not `instanceof Error`.
  if (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as { message?: unknown }).message === 'string'
  ) {
    return (error as { message: string }).message;
  }
  if (typeof error === 'string') return error;
  return 'unknown error';
}
