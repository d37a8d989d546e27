import { asBuffer } from './hash-format.js';
import type { HashMessage } from './hash-tasks.js';

export type HashRecord =
  | { readonly path: Buffer; readonly digest: string; readonly size: number }
  | { readonly path: Buffer; readonly error: string }
  | { readonly path: Buffer; readonly skipped: string };

/** Collects the hash tasks' messages; the output is sorted at the end, so it does not depend on scheduling. */
export class HashResults {
  readonly #records: HashRecord[] = [];
  files = 0;
  bytes = 0;
  errors = 0;
  skipped = 0;

  add(message: unknown): void {
    const m = message as HashMessage;
    const record = { ...m, path: asBuffer(m.path) } as HashRecord;
    if ('digest' in record) {
      this.files++;
      this.bytes += record.size;
    } else if ('error' in record) this.errors++;
    else this.skipped++;
    this.#records.push(record);
  }

  /** By path bytes, as `LC_ALL=C sort` orders lines. */
  sorted(): HashRecord[] {
    return this.#records.sort((a, b) => Buffer.compare(a.path, b.path));
  }

  /** The path's digest or error, by path bytes (for --check). */
  byPath(): Map<string, HashRecord> {
    return new Map(this.#records.map((record) => [record.path.toString('latin1'), record]));
  }
}

/** Writes many small buffers as fewer large writes, waiting for the stream as it asks. */
export async function writeChunked(
  lines: Iterable<Buffer>,
  write: (chunk: Buffer) => Promise<void>,
  chunkBytes = 64 * 1024,
): Promise<void> {
  let pending: Buffer[] = [];
  let size = 0;
  for (const line of lines) {
    pending.push(line);
    size += line.length;
    if (size >= chunkBytes) {
      await write(Buffer.concat(pending));
      pending = [];
      size = 0;
    }
  }
  if (pending.length > 0) await write(Buffer.concat(pending));
}
