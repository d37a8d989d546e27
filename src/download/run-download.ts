/**
 * `tasklane download <manifest> -o <dir>`: the main thread's side. Manifests are fetched on the pool at
 * priority 0; as each arrives in the inbox, its files are scheduled at priority 1 (chained with their
 * decompression) and its includes at priority 0. The CLI's session gives signal handling, exit codes, the
 * summary and the log directory; this module adds the plan, the progress and the per-file report.
 */
import { mkdirSync, realpathSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { chain, TaskError, type TaskCall } from '../index.js';
import { UsageError } from '../cli/exit-codes.js';
import { toJsonText } from '../cli/json-value.js';
import type { CommonOptions } from '../cli/options.js';
import { progressMode } from '../cli/progress.js';
import { runSession, type CommandResult, type Session } from '../cli/session.js';
import { decompressFile, downloadFile, fetchManifest } from './download-tasks.js';
import { manifestUrl } from './manifest.js';
import { FILE_PRIORITY, MANIFEST_PRIORITY, manifestKey, type DownloadMessage, type FileJob, type ManifestJob, type PlannedFile } from './messages.js';
import { DownloadPlan, type PlanProblem } from './plan.js';
import { DownloadTracker, type FileRecord, type ProgressSnapshot } from './progress-state.js';
import { DownloadView } from './progress-view.js';
import { fileRecordJson, plannedJson, plannedLines, plannedSummary, resultLines } from './report.js';

/** The download pipeline's task module, compiled next to this file. */
export const DOWNLOAD_TASKS = new URL('./download-tasks.js', import.meta.url);

export interface DownloadOptions {
  readonly out: string;
  readonly workers: number;
  readonly retries: number;
  readonly timeout: number;
  readonly force?: boolean;
  readonly failFast?: boolean;
  readonly logDir?: string;
  readonly json?: boolean;
  readonly dryRun?: boolean;
  readonly quiet?: boolean;
  /** Commander's `--no-color`. */
  readonly color: boolean;
  readonly cancelGrace: number;
}

export async function downloadCommand(manifestSpec: string, options: DownloadOptions): Promise<number> {
  const root = rootManifest(manifestSpec);
  const outDir = prepareOutDir(options.out, options.dryRun ?? false);
  const common: CommonOptions = {
    workers: options.workers,
    priorityLevels: 2,
    failFast: options.failFast ?? false,
    json: options.json ?? false,
    quiet: options.quiet ?? false,
    color: options.color,
    cancelGrace: options.cancelGrace,
    isolation: 'thread',
    ...(options.logDir === undefined ? {} : { logDir: options.logDir }),
  };
  return runSession({ command: 'download', tasks: DOWNLOAD_TASKS, options: common }, async (session) => {
    await session.ready('(built-in download tasks)');
    if (session.interrupted) return { failed: false };
    return new DownloadRun(session, options, outDir).run(root.href);
  });
}

class DownloadRun {
  readonly #plan: DownloadPlan;
  readonly #tracker = new DownloadTracker();
  readonly #pending: Promise<unknown>[] = [];
  readonly #startedAt = performance.now();
  #manifestsFailed = 0;
  #problems = 0;

  constructor(
    private readonly session: Session,
    private readonly options: DownloadOptions,
    private readonly outDir: string,
  ) {
    this.#plan = new DownloadPlan({ retries: options.retries, timeoutMs: options.timeout });
  }

  async run(rootUrl: string): Promise<CommandResult> {
    const { session, options } = this;
    const view = new DownloadView(options.dryRun ? 'off' : progressMode(options.quiet ?? false), () => this.#snapshot(), session.colors);
    view.start();
    try {
      this.#scheduleManifest(this.#plan.root(rootUrl));
      await session.read((message) => this.#receive(message as DownloadMessage));
    } finally {
      view.stop();
    }
    await session.close();
    await Promise.all(this.#pending);
    const manifests = { read: this.#plan.manifestsRead, failed: this.#manifestsFailed };
    const failed = this.#tracker.failed > 0 || this.#manifestsFailed > 0 || this.#problems > 0;
    if (options.dryRun) return this.#dryRun(failed, manifests);
    const tracker = this.#tracker;
    return {
      failed,
      lines: [
        ...resultLines(tracker, performance.now() - this.#startedAt, manifests, this.#plan.names),
        ...(this.#problems > 0 ? [`${this.#problems} manifest entries refused (reported above)`] : []),
      ],
      fields: {
        outDir: this.outDir,
        files: tracker.files,
        downloaded: tracker.downloaded,
        skipped: tracker.skipped,
        failedFiles: tracker.failed,
        bytes: tracker.bytesDone,
        bytesTransferred: tracker.bytesTransferred,
        manifests: manifests.read,
        manifestsFailed: manifests.failed,
        refused: this.#problems,
      },
    };
  }

  async #dryRun(failed: boolean, manifests: { read: number; failed: number }): Promise<CommandResult> {
    const files = [...this.#plan.files.values()];
    if (!this.session.interrupted) {
      const lines = this.options.json ? files.map((file) => toJsonText(plannedJson(file))) : plannedLines(files);
      for (const line of lines) await this.session.out.line(line, this.session.stopped);
    }
    const known = files.reduce((sum, file) => sum + (file.size ?? 0), 0);
    return {
      failed,
      lines: [plannedSummary(files, manifests.read)],
      fields: { dryRun: true, outDir: this.outDir, files: files.length, bytes: known, manifests: manifests.read, manifestsFailed: manifests.failed },
    };
  }

  async #receive(message: DownloadMessage): Promise<void> {
    const tracker = this.#tracker;
    switch (message.t) {
      case 'manifest': {
        tracker.settled(manifestKey(message.url));
        const step = this.#plan.add(message);
        for (const problem of step.problems) await this.#problem(problem);
        for (const job of step.manifests) this.#scheduleManifest(job);
        for (const file of step.files) {
          tracker.plan(file);
          if (!this.options.dryRun) this.#scheduleFile(file);
        }
        return;
      }
      case 'start':
        return tracker.start(message.key, message.offset, message.total);
      case 'progress':
        return tracker.progress(message.key, message.done);
      case 'retry':
        return tracker.retry(message.key);
      case 'fetched':
        return tracker.fetched(message.key, message);
      case 'file': {
        const record = tracker.finish(message);
        if (record) await this.#report(record);
        return;
      }
    }
  }

  #scheduleManifest(job: ManifestJob): void {
    const run = this.session.manager.run(fetchManifest(job), MANIFEST_PRIORITY);
    this.#pending.push(
      run.then(
        () => this.#tracker.settled(manifestKey(job.url)),
        async (error: unknown) => {
          this.#tracker.settled(manifestKey(job.url));
          if (!(error instanceof TaskError) || isCancellation(error)) return;
          this.#manifestsFailed++;
          const reason = (error.cause as Error | undefined)?.message ?? error.message;
          if (this.options.json) await this.session.out.line(toJsonText({ type: 'manifest', status: 'failed', url: job.url, error: reason }), this.session.stopped);
          else process.stderr.write(`${this.session.colors.red(`tasklane: ${reason}`)}\n`);
          this.session.taskFailed(error);
        },
      ),
    );
  }

  #scheduleFile(file: PlannedFile): void {
    const job: FileJob = { file, outDir: this.outDir, force: this.options.force ?? false, retries: this.options.retries, timeoutMs: this.options.timeout };
    const call: TaskCall = file.decompress ? chain(downloadFile(job), decompressFile(job)) : downloadFile(job);
    this.#pending.push(this.session.manager.run(call, FILE_PRIORITY).then(undefined, (error: unknown) => this.session.taskFailed(error)));
  }

  async #problem(problem: PlanProblem): Promise<void> {
    this.#problems++;
    const text = `manifest ${problem.manifest}: ${problem.message}`;
    if (this.options.json) {
      const line =
        problem.path === undefined
          ? { type: 'manifest', status: 'failed', url: problem.manifest, error: text }
          : { type: 'file', status: 'failed', path: problem.path, url: null, error: text, manifest: problem.manifest };
      await this.session.out.line(toJsonText(line), this.session.stopped);
    } else {
      process.stderr.write(`${this.session.colors.red(`tasklane: ${text}`)}\n`);
    }
  }

  async #report(record: FileRecord): Promise<void> {
    if (this.options.json) {
      await this.session.out.line(toJsonText(fileRecordJson(record)), this.session.stopped);
    } else if (record.status === 'failed') {
      process.stderr.write(`${this.session.colors.red(`tasklane: ${record.file.path}: ${record.error ?? 'failed'}`)}\n`);
    }
  }

  #snapshot(): ProgressSnapshot {
    return this.#tracker.snapshot({
      label: 'tasklane download',
      elapsedMs: performance.now() - this.#startedAt,
      now: performance.now(),
      manifestsRead: this.#plan.manifestsRead + this.#manifestsFailed,
      manifestsPlanned: this.#plan.manifestsPlanned,
    });
  }
}

/** A task stopped by a close (a signal, fail-fast), not one that failed on its own. */
function isCancellation(error: TaskError): boolean {
  return /^task "[^"]*" \(id \d+\) (was interrupted by close|was not run: |was cancelled )/.test(error.message);
}

/** The manifest argument as a URL; a local one that cannot be read is a usage error, before any worker starts. */
function rootManifest(spec: string): URL {
  let url: URL;
  try {
    url = manifestUrl(spec);
  } catch {
    throw new UsageError(`${spec} is not a valid manifest URL`, 'give a path, a file:// URL or an http(s):// URL');
  }
  if (url.protocol !== 'file:') return url;
  const path = fileURLToPath(url);
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new UsageError(`cannot read manifest ${spec}: no such file`, `give the path of a JSON manifest (relative to ${process.cwd()}), a file:// URL or an http(s):// URL`);
  }
  if (!isFile) throw new UsageError(`manifest ${spec} is not a file`, 'give the path of the JSON manifest itself');
  return url;
}

/** The output folder, created if missing, with links resolved (paths are checked against it). */
function prepareOutDir(out: string, dryRun: boolean): string {
  const path = resolve(out);
  const existing = statSync(path, { throwIfNoEntry: false });
  if (existing && !existing.isDirectory()) throw new UsageError(`the output folder ${out} exists and is not a folder`, 'give -o a folder');
  if (!existing && !dryRun) {
    try {
      mkdirSync(path, { recursive: true });
    } catch (error) {
      throw new UsageError(`cannot create the output folder ${out}: ${(error as Error).message}`, 'give -o a folder you can write to');
    }
  }
  return existing || !dryRun ? realpathSync(path) : path;
}
