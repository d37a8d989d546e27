/**
 * The download's progress on stderr: a live area on a terminal (bytes of the known total, speed, ETA, files
 * done, failed and retrying), a plain line every few seconds elsewhere (CI logs), nothing with `--quiet`.
 * The same approach as the CLI's status display (src/cli/progress.ts), with a download's figures.
 */
import type { ChalkInstance } from 'chalk';
import { createLogUpdate } from 'log-update';
import type { ProgressMode } from '../cli/progress.js';
import { formatCount, formatDuration } from '../cli/status-frame.js';
import type { ProgressSnapshot } from './progress-state.js';

export const PLAIN_INTERVAL_MS = 3000;
const LIVE_INTERVAL_MS = 100;

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

function formatEta(seconds: number | undefined): string | undefined {
  if (seconds === undefined || !Number.isFinite(seconds)) return undefined;
  return formatDuration(Math.round(seconds) * 1000).replace(/\.0s$/, 's');
}

function bytesPart(s: ProgressSnapshot): string {
  const total = `${formatBytes(s.bytesTotal)}${s.unknownSizes > 0 ? ` + ${formatCount(s.unknownSizes)} of unknown size` : ''}`;
  const percent = s.bytesTotal > 0 && s.unknownSizes === 0 ? ` (${Math.min(100, Math.floor((s.bytesDone / s.bytesTotal) * 100))}%)` : '';
  return `${formatBytes(s.bytesDone)} of ${total}${percent}`;
}

function filesPart(s: ProgressSnapshot): string {
  return `${formatCount(s.downloaded + s.skipped)} of ${formatCount(s.files)} files done`;
}

/** The live area: three lines, pure so that tests can render one without a terminal. */
export function renderDownloadFrame(s: ProgressSnapshot, c: ChalkInstance): string {
  const eta = formatEta(s.etaSeconds);
  const manifests = s.manifestsRead < s.manifestsPlanned ? `  ${c.dim(`manifests ${s.manifestsRead} of ${s.manifestsPlanned} read`)}` : '';
  return [
    `${c.bold(s.label)}  ${c.dim(formatDuration(s.elapsedMs))}${manifests}`,
    `  ${bytesPart(s)}  ${c.cyan(`${formatBytes(Math.round(s.speed))}/s`)}${eta ? `  ETA ${eta}` : ''}`,
    `  ${filesPart(s)}` +
      `${s.skipped > 0 ? `  (${formatCount(s.skipped)} skipped, already present)` : ''}` +
      `  ${s.failed > 0 ? c.red(`${formatCount(s.failed)} failed`) : '0 failed'}` +
      `${s.retrying > 0 ? `  ${c.yellow(`${formatCount(s.retrying)} retrying`)}` : ''}`,
  ].join('\n');
}

/** One line for logs that are not a terminal: no colors, no redraws. */
export function renderDownloadLine(s: ProgressSnapshot): string {
  const eta = formatEta(s.etaSeconds);
  return (
    `${s.label}: ${formatDuration(s.elapsedMs)} elapsed, ${bytesPart(s)}, ${formatBytes(Math.round(s.speed))}/s` +
    `${eta ? `, ETA ${eta}` : ''}, ${filesPart(s)}, ${s.skipped} skipped, ${s.failed} failed, ${s.retrying} retrying, ` +
    `manifests ${s.manifestsRead} of ${s.manifestsPlanned} read`
  );
}

export class DownloadView {
  readonly #mode: ProgressMode;
  readonly #snapshot: () => ProgressSnapshot;
  readonly #colors: ChalkInstance;
  readonly #stream: NodeJS.WriteStream;
  #timer: NodeJS.Timeout | undefined;
  #clear: (() => void) | undefined;
  #restoreWrites: (() => void) | undefined;

  constructor(mode: ProgressMode, snapshot: () => ProgressSnapshot, colors: ChalkInstance, stream: NodeJS.WriteStream = process.stderr) {
    this.#mode = mode;
    this.#snapshot = snapshot;
    this.#colors = colors;
    this.#stream = stream;
  }

  start(): void {
    if (this.#mode === 'plain') {
      this.#timer = setInterval(() => this.#stream.write(`${renderDownloadLine(this.#snapshot())}\n`), PLAIN_INTERVAL_MS);
      this.#timer.unref();
    } else if (this.#mode === 'live') {
      this.#startLive();
    }
  }

  /** Stops redrawing and erases the live area, so the summary takes its place. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clear?.();
    this.#clear = undefined;
    this.#restoreWrites?.();
    this.#restoreWrites = undefined;
  }

  #startLive(): void {
    const stream = this.#stream;
    const write = stream.write.bind(stream);
    // As in src/cli/progress.ts: log-update draws through the original write, everything else first erases
    // the area; a terminal that reports no size would make log-update draw nothing.
    const target = {
      write: (text: string) => write(text),
      get columns() {
        return stream.columns || 80;
      },
      get rows() {
        return stream.rows || 24;
      },
    };
    const update = createLogUpdate(target as unknown as NodeJS.WriteStream, { showCursor: true });
    this.#clear = () => update.clear();
    this.#restoreWrites = eraseBeforeWrites([process.stdout, process.stderr], () => update.clear());
    const draw = (): void => update(renderDownloadFrame(this.#snapshot(), this.#colors));
    draw();
    this.#timer = setInterval(draw, LIVE_INTERVAL_MS);
    this.#timer.unref();
  }
}

function eraseBeforeWrites(streams: NodeJS.WriteStream[], before: () => void): () => void {
  const restores = streams.map((stream) => {
    const original = stream.write;
    stream.write = function (this: NodeJS.WriteStream, ...args: unknown[]) {
      before();
      return (original as (...a: unknown[]) => boolean).apply(this, args);
    } as typeof stream.write;
    return () => (stream.write = original);
  });
  return () => restores.forEach((restore) => restore());
}
