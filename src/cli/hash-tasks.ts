/**
 * The task module of `tasklane hash`, loaded by the worker threads (dist/cli/hash-tasks.js). Directories are
 * walked at priority 0 so the tree is discovered before the pool settles into hashing, files at priority 1.
 * Paths travel as bytes so that names which are not valid UTF-8 are hashed and printed as they are.
 *
 * Symbolic links: a link to a file is hashed (its target's content, under the link's name, as sha256sum does);
 * a link to a directory is not followed (like `find` without -L), so links cannot lead the walk into a loop.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
// The task API only, not the package index: each worker loads this module, and needs no manager code.
import { defineTask } from '../task/define-task.js';
import type { TaskContext } from '../task/task-context.js';
import { asBuffer, joinPath } from './hash-format.js';

export const DIRECTORY_PRIORITY = 0;
export const FILE_PRIORITY = 1;

/** What the hash tasks send to the manager's inbox: one per path. */
export type HashMessage =
  | { readonly path: Uint8Array; readonly digest: string; readonly size: number }
  | { readonly path: Uint8Array; readonly error: string }
  | { readonly path: Uint8Array; readonly skipped: string };

export const walk = defineTask('walk', async (ctx: TaskContext, dir: Uint8Array): Promise<void> => {
  let entries;
  try {
    entries = await readdir(asBuffer(dir), { withFileTypes: true, encoding: 'buffer' });
  } catch (error) {
    await ctx.send({ path: dir, error: describeError(error) } satisfies HashMessage);
    return;
  }
  for (const entry of entries) {
    const path = joinPath(dir, entry.name as unknown as Buffer);
    if (entry.isDirectory()) ctx.schedule(walk(path), DIRECTORY_PRIORITY);
    else if (entry.isFile() || entry.isSymbolicLink()) ctx.schedule(hashFile(path, false), FILE_PRIORITY);
    else await ctx.send({ path, skipped: 'not a regular file' } satisfies HashMessage);
  }
});

/**
 * Hashes one file. `strict` is `--check` mode, where every listed path must be a readable file; otherwise a
 * link to a directory or a special file (a FIFO would block the reader forever) is reported as skipped.
 */
export const hashFile = defineTask('hashFile', async (ctx: TaskContext, path: Uint8Array, strict: boolean): Promise<void> => {
  const file = asBuffer(path);
  let message: HashMessage;
  try {
    const info = await stat(file);
    if (info.isFile()) {
      message = { path, digest: await sha256(file, ctx.signal), size: info.size };
    } else if (strict) {
      message = { path, error: info.isDirectory() ? 'Is a directory' : 'Not a regular file' };
    } else {
      message = { path, skipped: info.isDirectory() ? 'symbolic link to a directory, not followed' : 'not a regular file' };
    }
  } catch (error) {
    if (ctx.signal.aborted) throw error; // cancelled: let the manager count it as interrupted
    message = { path, error: describeError(error) };
  }
  await ctx.send(message);
});

/** Streams the file through the hash: memory stays at one chunk whatever the file's size. */
async function sha256(file: Buffer, signal: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024, signal })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

/** The C library's wording, as sha256sum prints it, for the errors a walk meets. */
const STRERROR: Record<string, string> = {
  ENOENT: 'No such file or directory',
  EACCES: 'Permission denied',
  EPERM: 'Operation not permitted',
  ELOOP: 'Too many levels of symbolic links',
  EISDIR: 'Is a directory',
  ENOTDIR: 'Not a directory',
  EIO: 'Input/output error',
  ENAMETOOLONG: 'File name too long',
  EMFILE: 'Too many open files',
  ENFILE: 'Too many open files in system',
  ENXIO: 'No such device or address',
  ESTALE: 'Stale file handle',
};

function describeError(error: unknown): string {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && STRERROR[code]) return STRERROR[code];
  return error instanceof Error ? error.message : String(error);
}
