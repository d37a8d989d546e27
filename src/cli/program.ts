import { Command, Option } from 'commander';
import { checkCommand } from './check-command.js';
import { registerDownloadCommand } from './download-command.js';
import { UsageError } from './exit-codes.js';
import { hashCommand } from './hash-command.js';
import { addCommonOptions, integerIn, type CommonOptions } from './options.js';
import { runCommand, type RunOptions } from './run-command.js';
import { recordEarlyUsageError } from './session.js';
import { VERSION } from './version.js';
import { registerWorkerCommand } from './worker-command.js';

/**
 * The commander program. Actions report their exit code through `setExitCode`; commander's own errors are
 * thrown (exitOverride) so that main prints every usage error the same way, one line and a hint.
 */
export function buildProgram(setExitCode: (code: number) => void): Command {
  const program = new Command('tasklane')
    .description('Run priority worker-pool pipelines: your task modules with `run`, or the built-in `hash`.')
    .version(VERSION, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: () => {} })
    .addHelpText(
      'after',
      `
Examples:
  tasklane hash .                       sha256sum-compatible listing of every file under .
  tasklane hash --check SHA256SUMS      verify a list, like sha256sum -c
  tasklane run ./tasks.js walk data     run the task "walk" of tasks.js with the argument "data"
  tasklane worker --redis redis://host:6379 --tasks ./tasks.js   add this machine to a Redis queue

Exit codes: 0 ok, 1 a task or file failed, 2 usage error, 130 SIGINT, 143 SIGTERM.`,
    );

  addCommonOptions(
    program
      .command('run')
      .description('run a task of a task module, with everything it spawns; print its messages, then its result')
      .argument('<module>', 'task module: a .js or .mjs file exporting defineTask() tasks')
      .argument('<task>', 'the task name given to defineTask()')
      .argument('[args...]', 'task arguments, each parsed as JSON if it is valid JSON, else a string (use -- before ones starting with -)')
      .addOption(new Option('-p, --priority <n>', 'priority of the task (default: 1, or 0 with one level)').argParser(integerIn(0, 127))),
  )
    .addHelpText('after', '\nExample:\n  tasklane run ./tasks.js resize \'{"width": 640}\' photos --log-dir logs')
    .action(async (module: string, task: string, args: string[], options: RunOptions) => {
      setExitCode(await early(options, 'run', () => runCommand(module, task, args, options)));
    });

  addCommonOptions(
    program
      .command('hash')
      .description('SHA-256 of every file under the paths, in the format of GNU sha256sum, sorted by path')
      .argument('[paths...]', 'files and directories (symbolic links to directories inside them are not followed)')
      .option('-c, --check <file>', 'verify the checksums listed in <file> (- for stdin), like sha256sum -c'),
  )
    .addHelpText('after', '\nExamples:\n  tasklane hash . > SHA256SUMS\n  tasklane hash --check SHA256SUMS --quiet')
    .action(async (paths: string[], options: CommonOptions & { check?: string }) => {
      if (options.check !== undefined) {
        const list = options.check;
        setExitCode(await early(options, 'hash --check', () => checkCommand(list, paths, options)));
        return;
      }
      if (paths.length === 0) throw new UsageError('hash needs at least one path', 'for example: tasklane hash .');
      setExitCode(await early(options, 'hash', () => hashCommand(paths, options)));
    });

  registerDownloadCommand(program, setExitCode);
  registerWorkerCommand(program, setExitCode);
  return program;
}

/** Runs a command; a usage error found before its session started still lands in --log-dir's summary.json. */
async function early(options: Partial<CommonOptions>, command: string, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (error) {
    if (error instanceof UsageError) recordEarlyUsageError(options, command, error);
    throw error;
  }
}
