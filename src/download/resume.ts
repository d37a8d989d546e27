/**
 * Resumable transfers. Bytes go to `<path>.part`; a `.part` left by an interrupted run is continued with a
 * `Range: bytes=<size>-` request, and started over when the server answers 200 instead of 206. A file already
 * at `<path>` with the right size and checksum is not downloaded again.
 */
import { createHash } from 'node:crypto';
import { constants } from 'node:fs';
import { open, truncate } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { openSource, type HttpSession } from './http-session.js';
import type { PlannedFile, TransferStats } from './messages.js';
import { PROGRESS_INTERVAL_MS } from './messages.js';
import { describeFailure, HttpStatusError, withRetries, type BackoffOptions } from './retry.js';
import { hashFileInto, regularFileSize, sha256File, VerificationError } from './verify.js';

export interface TransferHooks {
  readonly session: HttpSession;
  readonly signal: AbortSignal;
  readonly retries: number;
  readonly timeoutMs: number;
  /** The transfer (re)started with `offset` bytes already in `.part`; `total` when known. */
  onStart(offset: number, total: number | undefined): Promise<void>;
  /** Bytes received so far; called at most every PROGRESS_INTERVAL_MS, not awaited. */
  onProgress(done: number): Promise<void>;
  onRetry(attempt: number, delayMs: number, reason: string): Promise<void>;
  readonly backoff?: BackoffOptions;
  readonly progressIntervalMs?: number;
}

/** What the file's entry says it must be. */
export interface Expected {
  readonly size?: number;
  readonly sha256?: string;
}

/**
 * Whether `target` already holds the file, so the download can be skipped. A file with `decompress` holds the
 * decompressed bytes, which the manifest's size and checksum do not describe: it counts as present when no
 * `.part` is pending (tasklane renames a file into place only once it is complete and verified).
 */
export async function alreadyPresent(file: PlannedFile, target: string, part: string, signal: AbortSignal): Promise<boolean> {
  const size = await regularFileSize(target);
  if (size === undefined) return false;
  if (file.decompress) return (await regularFileSize(part)) === undefined;
  if (file.size !== undefined && size !== file.size) return false;
  if (file.sha256 !== undefined) return (await sha256File(target, signal)).digest === file.sha256;
  return true;
}

/** A `.part` that does not fit what the server has: it is emptied and the attempt retried from 0. */
class PartMismatch extends Error {
  readonly code = 'EPARTIAL';
}

const WRITE = constants.O_WRONLY | constants.O_CREAT | constants.O_NOFOLLOW;

/**
 * Downloads `url` into `part`, continuing what is there. Retries what is worth retrying; each attempt starts
 * from the bytes actually on disk, so a connection dropped mid-body costs only the rest. Returns the size and,
 * when `expected.sha256` is set, the digest of the whole `.part`; the caller compares them.
 */
export async function transfer(url: string, part: string, expected: Expected, hooks: TransferHooks): Promise<TransferStats> {
  let resumedFrom: number | undefined;
  let restarted = false;
  let attempts = 0;
  const interval = hooks.progressIntervalMs ?? PROGRESS_INTERVAL_MS;
  const result = await withRetries(
    async (attempt) => {
      attempts = attempt;
      let offset = (await regularFileSize(part)) ?? 0;
      if (expected.size !== undefined && offset > expected.size) {
        await truncate(part, 0); // longer than the file can be: not a prefix of it
        offset = 0;
      }
      resumedFrom ??= offset;
      const hash = expected.sha256 === undefined ? undefined : createHash('sha256');
      const complete = async (size: number): Promise<{ bytes: number; sha256?: string }> => {
        if (hash) await hashFileInto(hash, part, hooks.signal, size);
        await hooks.onStart(size, size);
        return { bytes: size, ...(hash ? { sha256: hash.digest('hex') } : {}) };
      };
      if (offset > 0 && offset === expected.size) return complete(offset);

      const response = await openSource(hooks.session, url, { offset, signal: hooks.signal, timeoutMs: hooks.timeoutMs });
      let append = false;
      if (offset > 0 && response.status === 206) {
        const start = rangeStart(response.contentRange);
        if (start !== offset) {
          await response.discard();
          await truncate(part, 0);
          throw new PartMismatch(`${url}: asked for bytes from ${offset}, the server sent ${response.contentRange ?? 'no Content-Range'}; starting over`);
        }
        append = true;
      } else if (offset > 0 && response.status === 416) {
        await response.discard();
        const total = rangeTotal(response.contentRange);
        if (total === offset) return complete(offset); // the previous run had everything but the rename
        await truncate(part, 0);
        throw new PartMismatch(`${url}: the server has ${total ?? 'an unknown number of'} bytes, .part has ${offset}; starting over`);
      } else if (response.status === 200) {
        if (offset > 0) restarted = true; // the server ignored Range: the body is the whole file
        offset = 0;
      } else {
        await response.discard();
        throw new HttpStatusError(url, response.status, response.statusText, response.retryAfterMs);
      }
      if (hash && append) await hashFileInto(hash, part, hooks.signal, offset);
      const total = expected.size ?? (response.contentLength === undefined ? undefined : offset + response.contentLength);
      await hooks.onStart(offset, total);
      const handle = await open(part, WRITE | (append ? constants.O_APPEND : constants.O_TRUNC), 0o644);
      let done = offset;
      // Progress on a clock, not per chunk: at most one message per interval, and the last bytes of a burst
      // are reported even when the server then stalls.
      let reported = offset;
      const timer = setInterval(() => {
        if (done === reported) return;
        reported = done;
        try {
          hooks.onProgress(done).catch(() => {});
        } catch {
          // a message that cannot be sent is only a missed progress update
        }
      }, interval);
      try {
        await pipeline(
          response.body,
          async function* (source: AsyncIterable<Buffer>) {
            for await (const chunk of source) {
              if (expected.size !== undefined && done + chunk.length > expected.size) {
                throw new VerificationError(
                  `size mismatch for ${url}: the server sent more than the ${expected.size} bytes the manifest gives`,
                  String(expected.size),
                  `more than ${expected.size}`,
                );
              }
              hash?.update(chunk);
              yield chunk;
              done += chunk.length;
            }
          },
          handle.createWriteStream(),
          { signal: hooks.signal },
        );
      } finally {
        clearInterval(timer);
      }
      if (response.contentLength !== undefined && done - offset !== response.contentLength) {
        throw new PartMismatch(`${url}: the connection ended after ${done - offset} of ${response.contentLength} bytes`);
      }
      return { bytes: done, ...(hash ? { sha256: hash.digest('hex') } : {}) };
    },
    {
      retries: hooks.retries,
      signal: hooks.signal,
      onRetry: (attempt, delayMs, error) => hooks.onRetry(attempt, delayMs, describeFailure(error)),
      ...(hooks.backoff ? { backoff: hooks.backoff } : {}),
    },
  ).catch((error: unknown) => {
    throw hooks.signal.aborted || error instanceof HttpStatusError || error instanceof VerificationError ? error : withUrl(error, url);
  });
  return { ...result, resumedFrom: restarted ? 0 : (resumedFrom ?? 0), restarted, attempts };
}

/** A network error as the user needs it: which URL, what happened, the system's code. */
function withUrl(error: unknown, url: string): Error {
  const wrapped = new Error(`${url}: ${describeFailure(error)}`, { cause: error });
  if (error instanceof Error) wrapped.name = error.name;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') (wrapped as { code?: string }).code = code;
  return wrapped;
}

/** The first byte of `Content-Range: bytes <first>-<last>/<total>`. */
export function rangeStart(header: string | undefined): number | undefined {
  const match = header === undefined ? null : /^bytes\s+(\d+)-\d+\/(\d+|\*)$/i.exec(header.trim());
  return match ? Number(match[1]) : undefined;
}

/** The total of `Content-Range: bytes <first>-<last>/<total>`, or of its 416 form where the range is `*`. */
export function rangeTotal(header: string | undefined): number | undefined {
  const match = header === undefined ? null : /^bytes\s+(?:\d+-\d+|\*)\/(\d+)$/i.exec(header.trim());
  return match ? Number(match[1]) : undefined;
}
