import { readFileSync } from 'node:fs';
import { parseCheckList, type CheckEntry } from './check-list.js';
import { UsageError } from './exit-codes.js';
import { checkName } from './hash-format.js';
import { HashResults, writeChunked, type HashRecord } from './hash-results.js';
import { FILE_PRIORITY, hashFile } from './hash-tasks.js';
import { assertHashLevels, HASH_TASKS } from './hash-command.js';
import { toJsonText } from './json-value.js';
import type { CommonOptions } from './options.js';
import { runSession } from './session.js';

type Status = 'OK' | 'FAILED' | 'FAILED open or read';

/**
 * `tasklane hash --check <list>`: verifies a sha256sum list as `sha256sum -c` does, hashing the listed files in
 * the pool; prints `<path>: OK` / `<path>: FAILED` in list order, the same warnings, and exits 1 on any failure.
 */
export async function checkCommand(listFile: string, paths: string[], options: CommonOptions): Promise<number> {
  assertHashLevels(options);
  if (paths.length > 0) {
    throw new UsageError('--check takes the paths from the list file, not from the command line', `run: tasklane hash --check ${listFile}`);
  }
  const list = parseCheckList(readList(listFile));
  return runSession({ command: 'hash --check', tasks: HASH_TASKS, options }, async (session) => {
    await session.ready('(built-in hash tasks)');
    if (session.interrupted) return { failed: false };
    session.startProgress();
    const unique = new Map(list.entries.map((entry) => [entry.path.toString('latin1'), entry.path]));
    for (const path of unique.values()) session.manager.schedule(hashFile(path, true), FILE_PRIORITY);
    const results = new HashResults();
    await session.read((message) => results.add(message));
    await session.close();
    if (session.interrupted) return { failed: false };
    const found = results.byPath();
    const statuses = list.entries.map((entry) => ({ entry, ...statusOf(entry, found.get(entry.path.toString('latin1'))) }));
    const write = (chunk: Buffer): Promise<void> => session.out.write(chunk, session.stopped);
    if (options.json) {
      const lines = statuses.map(({ entry, status, error }) => ({ type: 'check', path: entry.path.toString(), status, ...(error ? { error } : {}) }));
      await writeChunked(lines.map((line) => Buffer.from(`${toJsonText(line)}\n`)), write);
    } else {
      for (const { entry, error } of statuses) if (error) process.stderr.write(`tasklane: ${entry.path.toString()}: ${error}\n`);
      const shown = statuses.filter(({ status }) => status !== 'OK' || !options.quiet);
      await writeChunked(shown.map(({ entry, status }) => Buffer.concat([checkName(entry.path), Buffer.from(`: ${status}\n`)])), write);
    }
    const count = (status: Status): number => statuses.filter((s) => s.status === status).length;
    const mismatched = count('FAILED');
    const unreadable = count('FAILED open or read');
    warn(list.malformed, 'line is improperly formatted', 'lines are improperly formatted');
    warn(unreadable, 'listed file could not be read', 'listed files could not be read');
    warn(mismatched, 'computed checksum did NOT match', 'computed checksums did NOT match');
    if (list.entries.length === 0) process.stderr.write(`tasklane: ${listFile}: no properly formatted checksum lines found\n`);
    return {
      failed: mismatched > 0 || unreadable > 0 || list.entries.length === 0,
      lines: [`checked ${list.entries.length} listed files: ${count('OK')} OK, ${mismatched} FAILED, ${unreadable} unreadable`],
      fields: { listed: list.entries.length, ok: count('OK'), mismatched, unreadable, improperlyFormatted: list.malformed },
    };
  });
}

function statusOf(entry: CheckEntry, record: HashRecord | undefined): { status: Status; error?: string } {
  if (record && 'digest' in record) return { status: record.digest === entry.expected ? 'OK' : 'FAILED' };
  const error = record && 'error' in record ? record.error : record && 'skipped' in record ? record.skipped : 'could not be hashed (its task failed)';
  return { status: 'FAILED open or read', error };
}

function warn(n: number, one: string, many: string): void {
  if (n > 0) process.stderr.write(`tasklane: WARNING: ${n} ${n === 1 ? one : many}\n`);
}

/** The list file (`-` is stdin); one that cannot be read is a usage error, before any worker starts. */
function readList(file: string): Buffer {
  try {
    return readFileSync(file === '-' ? 0 : file);
  } catch (error) {
    throw new UsageError(`cannot read the checksum list ${file}: ${(error as Error).message}`, 'give --check the file that tasklane hash (or sha256sum) wrote');
  }
}
