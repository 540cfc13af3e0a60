/**
 * SIGTERM (a cancelled job) and SIGINT (Ctrl-C) end the run cleanly: the handler tidies up
 * synchronously (a signal handler cannot wait), then the process exits with the signal's usual code.
 */
export function watchSignals(
  onSignal: (signal: NodeJS.Signals) => void,
  exit: (code: number) => void = (code) => process.exit(code),
): () => void {
  const handler = (signal: NodeJS.Signals) => {
    try {
      onSignal(signal);
    } finally {
      exit(signal === 'SIGINT' ? 130 : 143);
    }
  };
  process.once('SIGTERM', handler);
  process.once('SIGINT', handler);
  return () => {
    process.off('SIGTERM', handler);
    process.off('SIGINT', handler);
  };
}
