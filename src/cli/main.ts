/**
 * The `tasklane` executable (bin/tasklane.js imports this). Turns every ending into an exit code: commander's
 * and our usage errors print one line and a hint (exit 2, no stack); a bug prints its stack (exit 1).
 */
import { CommanderError } from 'commander';
import { ExitCode, UsageError } from './exit-codes.js';
import { buildProgram } from './program.js';

async function main(argv: string[]): Promise<number> {
  let exitCode: number = ExitCode.Ok;
  const program = buildProgram((code) => (exitCode = code));
  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof UsageError) return usage(error.message, error.hint);
    if (error instanceof CommanderError) return commanderEnding(error, argv);
    process.stderr.write(`tasklane: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    return ExitCode.Failed;
  }
}

function commanderEnding(error: CommanderError, argv: string[]): number {
  // --help, `help <command>` and --version end through exitOverride too; `tasklane` alone shows help as an error.
  if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return ExitCode.Ok;
  if (error.code === 'commander.help') return error.exitCode === 0 ? ExitCode.Ok : ExitCode.Usage;
  const [first = error.message, ...rest] = error.message.replace(/^error: /, '').split('\n');
  const suggestion = rest.find((line) => line.startsWith('(Did you mean'));
  const command = ['run', 'hash', 'download'].find((name) => argv.slice(2).includes(name));
  const help = `see: tasklane ${command ? `${command} ` : ''}--help`;
  return usage(first, suggestion ? `${suggestion.replace(/^\((.*)\)$/, '$1')}; ${help}` : help);
}

function usage(message: string, hint: string): number {
  process.stderr.write(`tasklane: error: ${message}\nhint: ${hint}\n`);
  return ExitCode.Usage;
}

process.exitCode = await main(process.argv);
// Everything was closed; should a stray handle keep the loop alive anyway, do not hang a CI job on it.
setTimeout(() => process.exit(), 2000).unref();
