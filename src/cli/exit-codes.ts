/**
 * The CLI's exit codes, as the issue fixes them: CI scripts branch on these, so they are a contract.
 * 141 follows the shell's 128 + SIGPIPE for a reader that went away (`tasklane hash . | head`).
 */
export const ExitCode = {
  Ok: 0,
  Failed: 1,
  Usage: 2,
  BrokenPipe: 141,
  Sigint: 130,
  Sigterm: 143,
} as const;

export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** A mistake in how the CLI was called: reported as one line plus a hint, exit 2, never with a stack. */
export class UsageError extends Error {
  readonly hint: string;

  constructor(message: string, hint: string) {
    super(message);
    this.name = 'UsageError';
    this.hint = hint;
  }
}
