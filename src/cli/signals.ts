import { ExitCode } from './exit-codes.js';

export type CliSignal = 'SIGINT' | 'SIGTERM';

const SIGNALS: readonly CliSignal[] = ['SIGINT', 'SIGTERM'];

export function exitCodeForSignal(signal: CliSignal): number {
  return signal === 'SIGINT' ? ExitCode.Sigint : ExitCode.Sigterm;
}

/**
 * The CLI's own SIGINT/SIGTERM handling (the manager runs with `handleSignals: false`, so that the summary and
 * the log directory are written before we exit): the first signal cancels, the second kills. A third one exits at
 * once, the escape hatch should closing itself hang.
 */
export class SignalWatch {
  /** The first signal received: it decides the exit code. */
  first: CliSignal | undefined;
  #count = 0;
  readonly #handler = (signal: CliSignal): void => this.#receive(signal);

  constructor(
    private readonly onCancel: (signal: CliSignal) => void,
    private readonly onKill: (signal: CliSignal) => void,
  ) {
    for (const signal of SIGNALS) process.on(signal, this.#handler);
  }

  get received(): boolean {
    return this.first !== undefined;
  }

  get exitCode(): number | undefined {
    return this.first === undefined ? undefined : exitCodeForSignal(this.first);
  }

  uninstall(): void {
    for (const signal of SIGNALS) process.off(signal, this.#handler);
  }

  #receive(signal: CliSignal): void {
    this.#count++;
    this.first ??= signal;
    if (this.#count === 1) this.onCancel(signal);
    else if (this.#count === 2) this.onKill(signal);
    else process.exit(exitCodeForSignal(this.first));
  }
}
