/** Streaming decompression of a downloaded file (gzip or brotli) with node:zlib: one chunk in memory at a time. */
import { constants, createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip } from 'node:zlib';
import type { Decompress } from './messages.js';
import { CHUNK_BYTES } from './verify.js';

/** The compressed data is not valid: final, the bytes are what the server published. */
export class DecompressError extends Error {
  readonly code = 'EDECOMPRESS';
}

/** Writes the decompressed `source` to `destination` (created or emptied, never through a link). */
export async function decompressInto(source: string, destination: string, format: Decompress, signal: AbortSignal, label = source): Promise<void> {
  const output = await open(destination, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o644);
  const decompressor = format === 'gzip' ? createGunzip() : createBrotliDecompress();
  try {
    await pipeline(createReadStream(source, { highWaterMark: CHUNK_BYTES }), decompressor, output.createWriteStream(), { signal });
  } catch (error) {
    if (signal.aborted) throw error;
    const code = (error as { code?: unknown }).code;
    // zlib's codes are Z_*; brotli's are ERR__ERROR_* (its decoder's error names).
    if (typeof code === 'string' && (code.startsWith('Z_') || code.startsWith('ERR__ERROR_'))) {
      throw new DecompressError(`could not decompress ${label} as ${format}: ${(error as Error).message} (${code})`, { cause: error });
    }
    throw error;
  }
}
