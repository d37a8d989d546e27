/**
 * What travels between the download tasks (workers) and `tasklane download` (main thread): task arguments and
 * inbox messages. All plain data, as the pool carries it (msgpack).
 */

export type Decompress = 'gzip' | 'brotli';

/** The per-request settings every task gets. */
export interface TransferSettings {
  /** Retries after the first attempt (`--retries`). */
  readonly retries: number;
  /** Connect, response-headers and idle-body timeout in ms (`--timeout`). */
  readonly timeoutMs: number;
}

/** The arguments of `fetchManifest`. */
export interface ManifestJob extends TransferSettings {
  readonly url: string;
  /** The folder (relative to the output folder, POSIX, '' for the root) the manifest's paths are relative to. */
  readonly folder: string;
  /** Manifests that led here, root first (for cycle detection and messages). */
  readonly ancestors: readonly string[];
}

/** A file entry of a manifest, validated and resolved. */
export interface PlannedFile {
  readonly url: string;
  /** Relative to the output folder, POSIX separators, normalized, never escaping. */
  readonly path: string;
  readonly size?: number;
  /** Lower-case hex. */
  readonly sha256?: string;
  readonly decompress?: Decompress;
  /** Where the entry came from, for error messages: the manifest's URL and the field (`files[3]`). */
  readonly manifest: string;
  readonly field: string;
}

export interface PlannedInclude {
  readonly url: string;
  readonly folder: string;
  readonly manifest: string;
  readonly field: string;
}

/** The arguments of `downloadFile` and `decompressFile`. */
export interface FileJob extends TransferSettings {
  readonly file: PlannedFile;
  /** The output folder, absolute and with symbolic links resolved. */
  readonly outDir: string;
  readonly force: boolean;
}

/** Sent by `fetchManifest` once a manifest is valid. */
export interface ManifestMessage {
  readonly t: 'manifest';
  readonly url: string;
  readonly folder: string;
  readonly ancestors: readonly string[];
  readonly name?: string;
  readonly files: PlannedFile[];
  readonly includes: PlannedInclude[];
}

/** A transfer began (after the response headers): `offset` bytes were already in `.part`. */
export interface StartMessage {
  readonly t: 'start';
  readonly key: string;
  readonly offset: number;
  readonly total?: number;
}

/** Bytes of the file now downloaded (absolute, including a resumed prefix); at most every 200 ms per file. */
export interface ProgressMessage {
  readonly t: 'progress';
  readonly key: string;
  readonly done: number;
}

/** An attempt failed and another follows after `delayMs`. `key` is a file's path or `manifest <url>`. */
export interface RetryMessage {
  readonly t: 'retry';
  readonly key: string;
  readonly attempt: number;
  readonly delayMs: number;
  readonly reason: string;
}

/** What one download did; for a file with `decompress`, sent before the decompression step. */
export interface TransferStats {
  readonly bytes: number;
  readonly sha256?: string;
  /** Bytes that were already in `.part` and not downloaded again. */
  readonly resumedFrom: number;
  /** The server ignored the Range request (200 instead of 206): the download started over. */
  readonly restarted: boolean;
  readonly attempts: number;
}

export interface FetchedMessage extends TransferStats {
  readonly t: 'fetched';
  readonly key: string;
}

export type FileStatus = 'downloaded' | 'skipped' | 'failed';

/** The end of one file: downloaded (and decompressed), skipped (already present) or failed. */
export interface FileMessage {
  readonly t: 'file';
  readonly key: string;
  readonly status: FileStatus;
  readonly stats?: TransferStats;
  /** Bytes written to `path` after decompression. */
  readonly decompressedBytes?: number;
  readonly error?: string;
  /** For a checksum or size mismatch: what the manifest says and what arrived. */
  readonly expected?: string;
  readonly actual?: string;
}

export type DownloadMessage = ManifestMessage | StartMessage | ProgressMessage | RetryMessage | FetchedMessage | FileMessage;

export const MANIFEST_PRIORITY = 0;
export const FILE_PRIORITY = 1;

/** Progress messages per file are at least this far apart. */
export const PROGRESS_INTERVAL_MS = 200;

export function manifestKey(url: string): string {
  return `manifest ${url}`;
}
