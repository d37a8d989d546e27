import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Completes `summary.json` in the log directory: the library writes it at close with its counts and times; the
 * CLI adds what only it knows (exit code, command line, the command's results). Also used when a run ends
 * before a manager existed (a usage error), so that a CI job always finds a summary with an exit code.
 */
export function completeLogSummary(directory: string, fields: Record<string, unknown>): void {
  mkdirSync(directory, { recursive: true });
  const file = join(directory, 'summary.json');
  let summary: Record<string, unknown> = {};
  try {
    summary = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
  } catch {
    // No summary yet (the manager never started) or an unreadable one: ours replaces it.
  }
  const complete = { ...summary, ...fields, ...commandLine() };
  writeFileSync(file, `${JSON.stringify(complete, null, 2)}\n`);
}

function commandLine(): Record<string, unknown> {
  return {
    argv: ['tasklane', ...process.argv.slice(2)],
    cwd: process.cwd(),
    node: process.version,
    pid: process.pid,
  };
}
