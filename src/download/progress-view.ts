/**
 * The download's progress on stderr: a live area on a terminal (bytes of the known total, speed, ETA, files
 * done, failed and retrying), a plain line every few seconds elsewhere (CI logs), nothing with `--quiet`.
 * The CLI's StatusDisplay (src/cli/status-display.ts) shows it, with a download's figures.
 */
import type { ChalkInstance } from 'chalk';
import { StatusDisplay, type ProgressMode } from '../cli/status-display.js';
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
  readonly #display: StatusDisplay;

  constructor(mode: ProgressMode, snapshot: () => ProgressSnapshot, colors: ChalkInstance, stream: NodeJS.WriteStream = process.stderr) {
    this.#display = new StatusDisplay({
      mode,
      live: () => renderDownloadFrame(snapshot(), colors),
      plain: () => renderDownloadLine(snapshot()),
      liveIntervalMs: LIVE_INTERVAL_MS,
      plainIntervalMs: PLAIN_INTERVAL_MS,
      stream,
    });
  }

  start(): void {
    this.#display.start();
  }

  /** Stops redrawing and erases the live area, so the summary takes its place. */
  stop(): void {
    this.#display.stop();
  }
}
