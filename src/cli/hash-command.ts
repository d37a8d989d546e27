import { statSync } from 'node:fs';
import { UsageError } from './exit-codes.js';
import { hashLine } from './hash-format.js';
import { HashResults, writeChunked, type HashRecord } from './hash-results.js';
import { DIRECTORY_PRIORITY, FILE_PRIORITY, hashFile, walk } from './hash-tasks.js';
import { toJsonText } from './json-value.js';
import type { CommonOptions } from './options.js';
import { runSession, type Session } from './session.js';

/** The hash pipeline's task module, compiled next to this file. */
export const HASH_TASKS = new URL('./hash-tasks.js', import.meta.url);

/**
 * `tasklane hash <path...>`: SHA-256 of every file under the paths, printed as GNU sha256sum prints it, sorted by
 * path. Unreadable files are reported on stderr and make the exit code 1; the rest are still hashed.
 */
export async function hashCommand(paths: string[], options: CommonOptions): Promise<number> {
  assertHashLevels(options);
  return runSession({ command: 'hash', tasks: HASH_TASKS, options }, async (session) => {
    await session.ready('(built-in hash tasks)');
    if (session.interrupted) return { failed: false };
    session.startProgress();
    for (const path of paths) {
      const bytes = Buffer.from(path);
      // Paths given by the user are followed even when they are links (like find -H); entries inside are not.
      if (isDirectory(path)) session.manager.schedule(walk(bytes), DIRECTORY_PRIORITY);
      else session.manager.schedule(hashFile(bytes, false), FILE_PRIORITY);
    }
    const results = new HashResults();
    await session.read((message) => results.add(message));
    await session.close();
    // An interrupted or failed-fast walk saw part of the tree: printing it would pass for a complete listing.
    const complete = !session.interrupted && (session.failures.length === 0 || !options.failFast);
    if (complete) await printResults(session, results.sorted(), options);
    return {
      failed: results.errors > 0,
      lines: [describe(results, session)],
      fields: { files: results.files, bytes: results.bytes, unreadable: results.errors, skipped: results.skipped, complete },
    };
  });
}

export function assertHashLevels(options: CommonOptions): void {
  if (options.priorityLevels < 2) {
    throw new UsageError(
      'hash needs at least 2 priority levels (directories run at 0, files at 1)',
      'leave --priority-levels at its default of 2, or raise it',
    );
  }
}

async function printResults(session: Session, records: HashRecord[], options: CommonOptions): Promise<void> {
  const write = (chunk: Buffer): Promise<void> => session.out.write(chunk, session.stopped);
  if (options.json) {
    await writeChunked(records.map((record) => Buffer.from(`${toJsonText(jsonRecord(record))}\n`)), write);
    return;
  }
  for (const record of records) {
    if ('error' in record) process.stderr.write(`tasklane: ${record.path.toString()}: ${record.error}\n`);
    else if ('skipped' in record && !options.quiet) process.stderr.write(`tasklane: ${record.path.toString()}: skipped, ${record.skipped}\n`);
  }
  await writeChunked(
    records.flatMap((record) => ('digest' in record ? [hashLine(record.digest, record.path)] : [])),
    write,
  );
}

function jsonRecord(record: HashRecord): object {
  const path = record.path.toString();
  if ('digest' in record) return { type: 'file', path, sha256: record.digest, size: record.size };
  if ('error' in record) return { type: 'error', path, error: record.error };
  return { type: 'skipped', path, reason: record.skipped };
}

function describe(results: HashResults, session: Session): string {
  const errors = results.errors > 0 ? session.colors.red(`${results.errors} unreadable`) : '0 unreadable';
  return `hashed ${results.files} files (${(results.bytes / (1024 * 1024)).toFixed(1)} MiB), ${errors}, ${results.skipped} skipped`;
}

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false; // hashFile reports why it cannot be read
  }
}
