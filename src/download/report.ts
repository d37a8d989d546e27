/** What `tasklane download` prints: `--json` records, the `--dry-run` listing, and the summary's own lines. */
import type { PlannedFile } from './messages.js';
import type { DownloadTracker, FileRecord } from './progress-state.js';
import { formatBytes } from './progress-view.js';
import { formatDuration } from '../cli/status-frame.js';

/** One `--json` line for a finished file. */
export function fileRecordJson(record: FileRecord): Record<string, unknown> {
  const { file, stats } = record;
  return {
    type: 'file',
    status: record.status,
    path: file.path,
    url: file.url,
    ...(stats ? { bytes: stats.bytes } : record.status === 'skipped' && file.size !== undefined ? { bytes: file.size } : {}),
    ...(file.sha256 ? { sha256: file.sha256 } : stats?.sha256 ? { sha256: stats.sha256 } : {}),
    ...(stats ? { resumedFrom: stats.resumedFrom, restarted: stats.restarted, attempts: stats.attempts } : {}),
    ...(file.decompress ? { decompress: file.decompress } : {}),
    ...(record.decompressedBytes === undefined ? {} : { decompressedBytes: record.decompressedBytes }),
    ...(record.error === undefined ? {} : { error: record.error }),
    ...(record.expected === undefined ? {} : { expected: record.expected, actual: record.actual }),
    manifest: file.manifest,
  };
}

/** The `--dry-run` listing, sorted by path: size, path (and decompression), URL. */
export function plannedLines(files: Iterable<PlannedFile>): string[] {
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return sorted.map((file) => {
    const size = file.size === undefined ? '?' : formatBytes(file.size);
    return `${size.padStart(10)}  ${file.path}${file.decompress ? ` (${file.decompress})` : ''}  ${file.url}`;
  });
}

export function plannedJson(file: PlannedFile): Record<string, unknown> {
  return {
    type: 'file',
    status: 'planned',
    path: file.path,
    url: file.url,
    size: file.size ?? null,
    ...(file.sha256 ? { sha256: file.sha256 } : {}),
    ...(file.decompress ? { decompress: file.decompress } : {}),
    manifest: file.manifest,
  };
}

export function plannedSummary(files: PlannedFile[], manifests: number): string {
  const known = files.reduce((sum, file) => sum + (file.size ?? 0), 0);
  const unknown = files.filter((file) => file.size === undefined).length;
  return (
    `would download ${files.length} files, ${formatBytes(known)}${unknown > 0 ? ` plus ${unknown} of unknown size` : ''}, ` +
    `listed by ${manifests} manifest${manifests === 1 ? '' : 's'}`
  );
}

/** The summary's lines for a real run. */
export function resultLines(tracker: DownloadTracker, wallMs: number, manifests: { read: number; failed: number }, names: string[]): string[] {
  const seconds = wallMs / 1000;
  const speed = seconds > 0 ? tracker.bytesTransferred / seconds : 0;
  const resumed = tracker.records.filter((r) => r.stats && r.stats.resumedFrom > 0);
  const resumedBytes = resumed.reduce((sum, r) => sum + (r.stats?.resumedFrom ?? 0), 0);
  const lines = [
    `downloaded ${tracker.downloaded} files (${formatBytes(tracker.bytesTransferred)} in ${formatDuration(wallMs)}, ${formatBytes(Math.round(speed))}/s), ` +
      `${tracker.skipped} skipped (already present), ${tracker.failed} failed`,
  ];
  if (resumed.length > 0) lines.push(`resumed ${resumed.length} files from their .part (${formatBytes(resumedBytes)} not downloaded again)`);
  const named = names.length > 0 ? ` (${names.slice(0, 3).join(', ')}${names.length > 3 ? ', ...' : ''})` : '';
  lines.push(`manifests: ${manifests.read} read${manifests.failed > 0 ? `, ${manifests.failed} failed` : ''}${named}`);
  return lines;
}
