/**
 * Checking downloaded bytes: SHA-256 streamed from disk (never a whole file in memory), size and digest
 * comparison, and the quarantine of bytes that failed (`<path>.part.bad`).
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, rename, rm } from 'node:fs/promises';

export const CHUNK_BYTES = 256 * 1024;

/** A size or checksum mismatch: final, never retried. */
export class VerificationError extends Error {
  readonly code = 'EVERIFY';
  readonly expected: string;
  readonly actual: string;

  constructor(message: string, expected: string, actual: string) {
    super(message);
    this.name = 'VerificationError';
    this.expected = expected;
    this.actual = actual;
  }
}

/** Feeds the first `length` bytes of `file` (all of it when undefined) into `hash`. */
export async function hashFileInto(hash: Hash, file: string, signal: AbortSignal, length?: number): Promise<number> {
  if (length === 0) return 0;
  let read = 0;
  const stream = createReadStream(file, { highWaterMark: CHUNK_BYTES, signal, ...(length === undefined ? {} : { end: length - 1 }) });
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    read += (chunk as Buffer).length;
  }
  return read;
}

export async function sha256File(file: string, signal: AbortSignal): Promise<{ digest: string; size: number }> {
  const hash = createHash('sha256');
  const size = await hashFileInto(hash, file, signal);
  return { digest: hash.digest('hex'), size };
}

/** The size and digest of what arrived against what the manifest says; throws a VerificationError. */
export function checkDownload(url: string, expected: { size?: number; sha256?: string }, actual: { size: number; sha256?: string }, kept: string): void {
  if (expected.size !== undefined && actual.size !== expected.size) {
    throw new VerificationError(
      `size mismatch for ${url}: expected ${expected.size} bytes, got ${actual.size} (the bytes are in ${kept})`,
      String(expected.size),
      String(actual.size),
    );
  }
  if (expected.sha256 !== undefined && actual.sha256 !== expected.sha256) {
    throw new VerificationError(
      `sha256 mismatch for ${url}: expected ${expected.sha256}, got ${actual.sha256} (the bytes are in ${kept})`,
      expected.sha256,
      actual.sha256 ?? '',
    );
  }
}

/** Moves failed bytes aside to `<part>.bad` and removes any file at `target`: a mismatch leaves nothing there. */
export async function quarantine(part: string, target: string): Promise<string> {
  const bad = `${part}.bad`;
  await rename(part, bad);
  await rm(target, { force: true });
  return bad;
}

/** True when `file` is a regular file (not a link, not missing); its size otherwise undefined. */
export async function regularFileSize(file: string): Promise<number | undefined> {
  try {
    const info = await lstat(file);
    return info.isFile() ? info.size : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}
