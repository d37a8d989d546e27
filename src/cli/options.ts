import { availableParallelism } from 'node:os';
import { InvalidArgumentError, Option, type Command } from 'commander';

/** The options every pipeline command shares (issue 3, "Common options"). */
export interface CommonOptions {
  readonly workers: number;
  readonly priorityLevels: number;
  readonly logDir?: string;
  /** Commander's `--no-fail-fast`: true unless the flag is given. */
  readonly failFast: boolean;
  readonly json: boolean;
  readonly quiet: boolean;
  /** Commander's `--no-color`. */
  readonly color: boolean;
  readonly cancelGrace: number;
  readonly isolation: 'thread' | 'process';
  readonly taskTimeout?: number;
}

/** A commander argument parser for an integer in [min, max]; a bad value becomes a usage error (exit 2). */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`expected an integer from ${min} to ${max}.`);
    }
    return n;
  };
}

/** Adds the shared options to a command; the bounds are the library's, checked here so errors are usage errors. */
export function addCommonOptions(command: Command): Command {
  return command
    .addOption(
      new Option('-w, --workers <n>', 'worker threads')
        .argParser(integerIn(1, 1024))
        .default(availableParallelism() * 2, 'twice the CPU count'),
    )
    .addOption(new Option('--priority-levels <n>', 'priority levels, 0 the most urgent').argParser(integerIn(1, 128)).default(2))
    .option('--log-dir <dir>', 'write worker logs, tasks.jsonl, not-run.jsonl and summary.json to <dir>')
    .option('--no-fail-fast', 'keep going after a task fails (exit code 1 at the end)')
    .option('--json', 'machine-readable output: one JSON object per line on stdout')
    .option('-q, --quiet', 'no progress and no summary on stderr (errors are still printed)')
    .option('--no-color', 'no ANSI colors on stderr (NO_COLOR and FORCE_COLOR are respected too)')
    .addOption(
      new Option('--cancel-grace <ms>', 'after a first Ctrl-C, how long running tasks may take to stop')
        .argParser(integerIn(0, 24 * 3600 * 1000))
        .default(5000),
    )
    .addOption(new Option('--task-timeout <ms>', 'fail any task still running after <ms>').argParser(integerIn(1, 2 ** 31 - 1)))
    .addOption(
      new Option('--isolation <mode>', 'workers as threads (fast) or child processes (a crash costs one child)')
        .choices(['thread', 'process'])
        .default('thread'),
    );
}
