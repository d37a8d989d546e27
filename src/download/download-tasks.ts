/**
 * The task module of `tasklane download`, loaded by every worker (dist/download/download-tasks.js). The main
 * thread schedules `fetchManifest` at priority 0 and each file at priority 1: `downloadFile`, or
 * `chain(downloadFile, decompressFile)` for a file with `decompress`, so both steps run on one worker in order.
 * Each worker's session is one undici Agent with keep-alive.
 */
import { rename, rm, stat } from 'node:fs/promises';
import { relative } from 'node:path';
// The task API only, not the package index: workers need no manager code.
import { defineTask } from '../task/define-task.js';
import type { TaskContext } from '../task/task-context.js';
import { decompressInto, DecompressError } from './decompress.js';
import { closeHttpSession, createHttpSession, readText, type HttpSession } from './http-session.js';
import { parseManifest } from './manifest.js';
import {
  manifestKey,
  type FileJob,
  type FileMessage,
  type ManifestJob,
  type ManifestMessage,
  type RetryMessage,
  type StartMessage,
  type ProgressMessage,
  type FetchedMessage,
} from './messages.js';
import { alreadyPresent, transfer } from './resume.js';
import { describeFailure, withRetries } from './retry.js';
import { prepareTarget, refuseLink } from './safe-path.js';
import { checkDownload, quarantine, regularFileSize, VerificationError } from './verify.js';

type Ctx = TaskContext<HttpSession>;

/** Called once per worker by tasklane: the worker's HTTP client, reused by all its tasks. */
export function createSession(): Promise<HttpSession> {
  return createHttpSession();
}

export async function closeSession(session: HttpSession): Promise<void> {
  await closeHttpSession(session);
}

/** Fetches, validates and resolves one manifest and sends it to the main thread, which schedules its entries. */
export const fetchManifest = defineTask('fetchManifest', async (ctx: Ctx, job: ManifestJob): Promise<number> => {
  const key = manifestKey(job.url);
  let text: string;
  try {
    text = await withRetries(() => readText(ctx.session, job.url, ctx.signal, job.timeoutMs), {
      retries: job.retries,
      signal: ctx.signal,
      onRetry: (attempt, delayMs, error) => ctx.send({ t: 'retry', key, attempt, delayMs, reason: describeFailure(error) } satisfies RetryMessage),
    });
  } catch (error) {
    if (ctx.signal.aborted) throw error;
    throw withMessage(error, `could not fetch manifest ${job.url}: ${describeFailure(error)}`);
  }
  const manifest = parseManifest(text, job.url, job.folder);
  await ctx.send({
    t: 'manifest',
    url: job.url,
    folder: job.folder,
    ancestors: job.ancestors,
    ...(manifest.name === undefined ? {} : { name: manifest.name }),
    files: manifest.files,
    includes: manifest.includes,
  } satisfies ManifestMessage);
  return manifest.files.length;
});

/**
 * Downloads one file into `<path>.part`, verifies it, and renames it to `<path>` (or leaves it for
 * `decompressFile`). Skips a file already present and correct unless `force`. A failure is sent as a `file`
 * message (for the per-file report) and thrown (so the pool counts it, and `--fail-fast` stops the run).
 */
export const downloadFile = defineTask('downloadFile', async (ctx: Ctx, job: FileJob): Promise<string> => {
  const { file } = job;
  const key = file.path;
  return reportFailures(ctx, key, async () => {
    const target = await prepareTarget(job.outDir, file.path, { manifest: file.manifest, field: `${file.field}.path` });
    const part = `${target}.part`;
    await refuseLink(part, { manifest: file.manifest, field: `${file.field}.path` }, `${file.path}.part`, job.outDir);
    if (!job.force && (await alreadyPresent(file, target, part, ctx.signal))) {
      await ctx.send({ t: 'file', key, status: 'skipped' } satisfies FileMessage);
      return 'skipped';
    }
    if (job.force) await rm(part, { force: true });
    const stats = await transfer(file.url, part, file, {
      session: ctx.session,
      signal: ctx.signal,
      retries: job.retries,
      timeoutMs: job.timeoutMs,
      onStart: (offset, total) => ctx.send({ t: 'start', key, offset, ...(total === undefined ? {} : { total }) } satisfies StartMessage),
      onProgress: (done) => ctx.send({ t: 'progress', key, done } satisfies ProgressMessage),
      onRetry: (attempt, delayMs, reason) => ctx.send({ t: 'retry', key, attempt, delayMs, reason } satisfies RetryMessage),
    }).catch(async (error: unknown) => {
      if (error instanceof VerificationError) await quarantine(part, target);
      throw error;
    });
    try {
      checkDownload(file.url, file, { size: stats.bytes, ...(stats.sha256 ? { sha256: stats.sha256 } : {}) }, `${relative(job.outDir, part)}.bad`);
    } catch (error) {
      await quarantine(part, target);
      throw error;
    }
    if (file.decompress) {
      await ctx.send({ t: 'fetched', key, ...stats } satisfies FetchedMessage);
      return 'fetched';
    }
    await rename(part, target);
    await ctx.send({ t: 'file', key, status: 'downloaded', stats } satisfies FileMessage);
    return 'downloaded';
  });
});

/**
 * The second step of a file with `decompress`: `<path>.part` (verified) through gunzip or brotli into
 * `<path>.unpacking`, renamed to `<path>`; then `.part` is removed. Nothing to do when the download was skipped.
 */
export const decompressFile = defineTask('decompressFile', async (ctx: Ctx, job: FileJob): Promise<string> => {
  const { file } = job;
  const key = file.path;
  return reportFailures(ctx, key, async () => {
    const origin = { manifest: file.manifest, field: `${file.field}.path` };
    const target = await prepareTarget(job.outDir, file.path, origin);
    const part = `${target}.part`;
    if (!file.decompress || (await regularFileSize(part)) === undefined) return 'skipped';
    const unpacking = `${target}.unpacking`;
    await refuseLink(unpacking, origin, `${file.path}.unpacking`, job.outDir);
    try {
      await decompressInto(part, unpacking, file.decompress, ctx.signal, file.url);
    } catch (error) {
      await rm(unpacking, { force: true });
      if (error instanceof DecompressError) {
        const bad = await quarantine(part, target);
        throw withMessage(error, `${error.message} (the downloaded bytes are in ${relative(job.outDir, bad)})`);
      }
      throw error;
    }
    const { size } = await stat(unpacking);
    await rename(unpacking, target);
    await rm(part, { force: true });
    await ctx.send({ t: 'file', key, status: 'downloaded', decompressedBytes: size } satisfies FileMessage);
    return 'decompressed';
  });
});

async function reportFailures<T>(ctx: Ctx, key: string, body: () => Promise<T>): Promise<T> {
  try {
    return await body();
  } catch (error) {
    if (ctx.signal.aborted) throw error; // cancelled: the pool counts it as interrupted, the .part stays
    const details = error instanceof VerificationError ? { expected: error.expected, actual: error.actual } : {};
    await ctx.send({ t: 'file', key, status: 'failed', error: describeFailure(error), ...details } satisfies FileMessage);
    throw error;
  }
}

function withMessage(error: unknown, message: string): Error {
  const wrapped = new Error(message, { cause: error });
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') (wrapped as { code?: string }).code = code;
  if (error instanceof Error) wrapped.name = error.name;
  return wrapped;
}
