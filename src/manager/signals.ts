import type { ClosePolicy, CloseReport } from './close-report.js';

const EXIT_CODES = { SIGINT: 130, SIGTERM: 143 } as const;
type HandledSignal = keyof typeof EXIT_CODES;

/**
 * The signal contract of DESIGN section 3: the first SIGINT or SIGTERM closes with `cancel`, the second with
 * `kill`; once closed, the process exits 130 (SIGINT) or 143 (SIGTERM). Returns the function that uninstalls.
 */
export function handleSignals(
  close: (policy: ClosePolicy) => Promise<CloseReport>,
  onSignal: (signal: HandledSignal, policy: ClosePolicy) => void = () => {},
): () => void {
  let received = 0;
  const handler = (signal: HandledSignal): void => {
    received++;
    const policy: ClosePolicy = received === 1 ? 'cancel' : 'kill';
    onSignal(signal, policy);
    void close(policy).finally(() => process.exit(EXIT_CODES[signal]));
  };
  const signals = Object.keys(EXIT_CODES) as HandledSignal[];
  for (const signal of signals) process.on(signal, handler);
  return () => {
    for (const signal of signals) process.off(signal, handler);
  };
}
