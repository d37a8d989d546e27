/**
 * Progress aggregation on the main thread: the workers' start / progress / retry / file messages folded into
 * totals (bytes done of the known total, files done, failed, retrying) and a smoothed speed for the display.
 */
import type { FileMessage, PlannedFile, TransferStats } from './messages.js';

/** One finished file, for `--json` and the summary. */
export interface FileRecord {
  readonly file: PlannedFile;
  readonly status: FileMessage['status'];
  readonly stats?: TransferStats;
  readonly decompressedBytes?: number;
  readonly error?: string;
  readonly expected?: string;
  readonly actual?: string;
}

/** What the display shows at one moment. */
export interface ProgressSnapshot {
  readonly label: string;
  readonly elapsedMs: number;
  readonly bytesDone: number;
  /** Sum of the sizes known so far (from manifests, then from responses). */
  readonly bytesTotal: number;
  /** Files whose size is not known yet. */
  readonly unknownSizes: number;
  /** Bytes per second, smoothed. */
  readonly speed: number;
  /** Seconds left, once every manifest is read and every size known. */
  readonly etaSeconds: number | undefined;
  readonly files: number;
  readonly downloaded: number;
  readonly skipped: number;
  readonly failed: number;
  readonly retrying: number;
  readonly manifestsRead: number;
  readonly manifestsPlanned: number;
}

/** An exponentially weighted rate: reacts within a few seconds, does not jump with every chunk. */
export class SpeedMeter {
  #rate = 0;
  #pending = 0;
  #last: number | undefined;

  constructor(private readonly timeConstantMs = 3000) {}

  add(bytes: number): void {
    this.#pending += bytes;
  }

  /** The smoothed bytes per second at `now` (ms), folding in what was added since the last call. */
  sample(now: number): number {
    if (this.#last === undefined) {
      this.#last = now;
      return this.#rate;
    }
    const dt = now - this.#last;
    if (dt <= 0) return this.#rate;
    const instant = (this.#pending * 1000) / dt;
    const weight = 1 - Math.exp(-dt / this.timeConstantMs);
    this.#rate = this.#rate === 0 ? instant : this.#rate + weight * (instant - this.#rate);
    this.#pending = 0;
    this.#last = now;
    return this.#rate;
  }
}

interface Entry {
  readonly file: PlannedFile;
  /** The size counted in the total, once known. */
  size: number | undefined;
  done: number;
  finished: boolean;
}

export class DownloadTracker {
  readonly records: FileRecord[] = [];
  readonly #entries = new Map<string, Entry>();
  readonly #fetched = new Map<string, TransferStats>();
  readonly #retrying = new Set<string>();
  readonly #speed = new SpeedMeter();
  bytesDone = 0;
  bytesTotal = 0;
  /** Bytes that crossed the network in this run (not resumed prefixes, not skipped files). */
  bytesTransferred = 0;
  unknownSizes = 0;
  downloaded = 0;
  skipped = 0;
  failed = 0;

  get files(): number {
    return this.#entries.size;
  }

  plan(file: PlannedFile): void {
    this.#entries.set(file.path, { file, size: file.size, done: 0, finished: false });
    if (file.size === undefined) this.unknownSizes++;
    else this.bytesTotal += file.size;
  }

  start(key: string, offset: number, total: number | undefined): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#retrying.delete(key);
    this.#learnSize(entry, total);
    this.bytesDone += offset - entry.done;
    entry.done = offset;
  }

  progress(key: string, done: number): void {
    const entry = this.#entries.get(key);
    if (!entry || entry.finished) return;
    this.#retrying.delete(key);
    this.#advance(entry, done);
  }

  retry(key: string): void {
    this.#retrying.add(key);
  }

  /** The thing behind `key` (a manifest) is no longer waiting for a retry. */
  settled(key: string): void {
    this.#retrying.delete(key);
  }

  /** A file with `decompress` finished its download; it is done once decompressed. */
  fetched(key: string, stats: TransferStats): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#retrying.delete(key);
    this.#fetched.set(key, stats);
    this.#learnSize(entry, stats.bytes);
    this.#advance(entry, stats.bytes);
  }

  /** The end of a file; returns its record (undefined for a key never planned, or finished already). */
  finish(message: FileMessage): FileRecord | undefined {
    const entry = this.#entries.get(message.key);
    if (!entry || entry.finished) return undefined;
    this.#retrying.delete(message.key);
    const stats = message.stats ?? this.#fetched.get(message.key);
    if (message.status === 'failed') {
      this.failed++;
      this.bytesDone -= entry.done;
      if (entry.size === undefined) this.unknownSizes--;
      else this.bytesTotal -= entry.size;
      entry.done = 0;
      entry.size = 0;
    } else if (message.status === 'skipped') {
      this.skipped++;
      if (entry.size === undefined) this.unknownSizes--;
      this.bytesDone += (entry.size ?? 0) - entry.done;
      entry.done = entry.size ?? 0;
    } else {
      this.downloaded++;
      if (stats) {
        this.#learnSize(entry, stats.bytes);
        this.#advance(entry, stats.bytes);
      }
    }
    entry.finished = true;
    const record: FileRecord = {
      file: entry.file,
      status: message.status,
      ...(stats ? { stats } : {}),
      ...(message.decompressedBytes === undefined ? {} : { decompressedBytes: message.decompressedBytes }),
      ...(message.error === undefined ? {} : { error: message.error }),
      ...(message.expected === undefined ? {} : { expected: message.expected, actual: message.actual ?? '' }),
    };
    this.records.push(record);
    return record;
  }

  /** A file that never ran or was refused by the plan still ends as failed. */
  refuse(file: PlannedFile, error: string): FileRecord | undefined {
    if (!this.#entries.has(file.path)) this.plan(file);
    return this.finish({ t: 'file', key: file.path, status: 'failed', error });
  }

  snapshot(input: { label: string; elapsedMs: number; now: number; manifestsRead: number; manifestsPlanned: number }): ProgressSnapshot {
    const speed = this.#speed.sample(input.now);
    const allKnown = input.manifestsRead >= input.manifestsPlanned && this.unknownSizes === 0;
    const left = Math.max(0, this.bytesTotal - this.bytesDone);
    return {
      label: input.label,
      elapsedMs: input.elapsedMs,
      bytesDone: this.bytesDone,
      bytesTotal: this.bytesTotal,
      unknownSizes: this.unknownSizes,
      speed,
      etaSeconds: allKnown && speed > 0 ? left / speed : allKnown && left === 0 ? 0 : undefined,
      files: this.files,
      downloaded: this.downloaded,
      skipped: this.skipped,
      failed: this.failed,
      retrying: this.#retrying.size,
      manifestsRead: input.manifestsRead,
      manifestsPlanned: input.manifestsPlanned,
    };
  }

  #learnSize(entry: Entry, total: number | undefined): void {
    if (entry.size !== undefined || total === undefined) return;
    entry.size = total;
    this.unknownSizes--;
    this.bytesTotal += total;
  }

  #advance(entry: Entry, done: number): void {
    const delta = done - entry.done;
    this.bytesDone += delta;
    entry.done = done;
    if (delta > 0) {
      this.#speed.add(delta);
      this.bytesTransferred += delta;
    }
  }
}
