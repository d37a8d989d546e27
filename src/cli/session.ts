import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { ChalkInstance } from 'chalk';
import { ProcessManager, TaskError, type CloseReport } from '../index.js';
import { stderrColors } from './color.js';
import { ExitCode, UsageError } from './exit-codes.js';
import { toJsonText } from './json-value.js';
import { completeLogSummary } from './log-summary.js';
import type { CommonOptions } from './options.js';
import { Progress, progressMode } from './progress.js';
import { SignalWatch, type CliSignal } from './signals.js';
import { StdoutWriter } from './stdout-writer.js';
import { renderSummary, summaryFields, type RunOutcome } from './summary.js';
import { VERSION } from './version.js';

export interface SessionSpec {
  /** `run`, `hash`, `hash --check`: how the summary names the run. */
  readonly command: string;
  readonly tasks: URL | string;
  readonly options: CommonOptions;
}

/** What a command reports when its body is done. */
export interface CommandResult {
  /** The command's own failures (unreadable files, checksum mismatches): exit code 1. */
  readonly failed: boolean;
  readonly lines?: readonly string[];
  readonly fields?: Record<string, unknown>;
}

/**
 * One run of a pipeline: the manager with the CLI's signal handling, progress display and stdout; then the exit
 * code, the summary on stderr (and stdout with --json) and the completed log directory, in every ending.
 */
export class Session {
  readonly manager: ProcessManager;
  readonly colors: ChalkInstance;
  readonly out: StdoutWriter;
  /** Failures known in full (failFast's, the root task's); others are only counted by the manager. */
  readonly failures: TaskError[] = [];
  /** Settles when the run is told to stop (a signal, a closed stdout): waits on stdout give up then. */
  readonly stopped: Promise<void>;
  readonly #spec: SessionSpec;
  readonly #signals: SignalWatch;
  readonly #progress: Progress;
  readonly #startedAt = performance.now();
  #stop!: () => void;
  #report: CloseReport | undefined;

  constructor(spec: SessionSpec) {
    this.#spec = spec;
    const { options } = spec;
    this.colors = stderrColors(options.color);
    this.stopped = new Promise((resolve) => (this.#stop = resolve));
    if (options.logDir !== undefined) ensureDirectory(options.logDir);
    // Handlers first: a signal landing while the manager starts its worker processes must not kill this process
    // by the default action and leave them behind. Handlers run from the event loop, after this constructor.
    this.#signals = new SignalWatch(
      (signal) => this.#cancel(signal),
      () => void this.manager.close('kill'),
    );
    this.manager = this.#startManager(spec);
    this.out = new StdoutWriter(() => {
      void this.manager.close('kill');
      this.#stop();
    });
    this.#progress = new Progress(progressMode(options.quiet), {
      label: `tasklane ${spec.command}`,
      stats: () => this.manager.stats(),
      colors: this.colors,
      startedAt: this.#startedAt,
    });
  }

  /** The manager; when its options are refused, the signal handlers are removed again. */
  #startManager(spec: SessionSpec): ProcessManager {
    const { options } = spec;
    try {
      return this.#newManager(spec, options);
    } catch (error) {
      this.#signals.uninstall();
      throw error;
    }
  }

  #newManager(spec: SessionSpec, options: SessionSpec['options']): ProcessManager {
    return new ProcessManager({
      tasks: spec.tasks,
      workers: options.workers,
      priorityLevels: options.priorityLevels,
      failFast: options.failFast,
      cancelGracePeriod: options.cancelGrace,
      // stdout carries only results with --json; task output then goes to stderr.
      workerConsole: options.json ? 'stderr' : 'inherit',
      handleSignals: false,
      isolation: options.isolation,
      ...(options.taskTimeout === undefined ? {} : { taskTimeout: options.taskTimeout }),
      ...(options.logDir === undefined ? {} : { logDirectory: options.logDir }),
    });
  }

  /** True once a signal or a closed stdout stopped the run: its output would be incomplete. */
  get interrupted(): boolean {
    return this.#signals.received || this.out.broken;
  }

  /** The task names of the module once a worker is up; a module that cannot load is a usage error. */
  async ready(modulePath: string, hint = `check that the module loads on its own: node ${modulePath}`): Promise<string[]> {
    try {
      return await this.manager.ready();
    } catch (error) {
      if (this.interrupted) return [];
      const reason = (error as Error).message.replace(/^worker \d+ could not start: /, '').replace(/^could not load task module \S+: /, '');
      throw new UsageError(`cannot load task module ${modulePath}: ${reason}`, hint);
    }
  }

  /** Shows progress while the pipeline runs (after the startup checks, so usage errors print cleanly). */
  startProgress(): void {
    this.#progress.start();
  }

  /** Reads the inbox to its end. With failFast a failing task ends it early; the failure is kept, not thrown. */
  async read(onMessage: (message: unknown) => void | Promise<void>): Promise<void> {
    try {
      for await (const message of this.manager.messages()) await onMessage(message);
    } catch (error) {
      if (!(error instanceof TaskError)) throw error;
      this.failures.push(error);
    }
  }

  /**
   * A failure that reached the CLI outside the inbox (the root task, awaited through run()). The library leaves
   * failFast to the caller for those, so this is where it applies. Failures caused by a close are not new news.
   */
  taskFailed(error: unknown): void {
    if (!(error instanceof TaskError) || this.manager.closed) return;
    this.failures.push(error);
    if (this.#spec.options.failFast) void this.manager.close('kill');
  }

  /** Closes the manager (`join` unless a signal or failure chose stronger) and stops the progress display. */
  async close(): Promise<CloseReport> {
    this.#report = await this.manager.close('join');
    this.#progress.stop();
    return this.#report;
  }

  /** The end of every run: exit code, summary on stderr, the --json summary line, summary.json. */
  async finish(result: CommandResult | UsageError): Promise<number> {
    const usage = result instanceof UsageError ? result : undefined;
    if (!this.#report || usage) this.#report = await this.manager.close(usage ? 'kill' : 'join');
    this.#progress.stop();
    const stats = this.manager.stats();
    const exitCode =
      usage !== undefined ? ExitCode.Usage
      : this.#signals.exitCode !== undefined ? this.#signals.exitCode
      : this.out.broken ? ExitCode.BrokenPipe
      : (result as CommandResult).failed || stats.failed > 0 || this.#report.failure ? ExitCode.Failed
      : ExitCode.Ok;
    if (this.#report.failure && !this.failures.includes(this.#report.failure)) this.failures.unshift(this.#report.failure);
    // The report keeps the failures nobody awaited (subtasks, --no-fail-fast): list them too.
    for (const failure of this.#report.failures) if (!this.failures.includes(failure)) this.failures.push(failure);
    const outcome: RunOutcome = {
      command: this.#spec.command,
      stats,
      report: this.#report,
      wallMs: performance.now() - this.#startedAt,
      failures: this.failures,
      signal: this.#signals.first,
      exitCode,
      logDirectory: this.manager.logDirectory,
      lines: usage ? [] : ((result as CommandResult).lines ?? []),
      fields: usage ? { usageError: { message: usage.message, hint: usage.hint } } : ((result as CommandResult).fields ?? {}),
    };
    const fields = { ...summaryFields(outcome), tasklaneVersion: VERSION };
    // --quiet keeps stderr for errors: the summary shows only when tasks failed.
    if (!usage && (!this.#spec.options.quiet || stats.failed > 0)) process.stderr.write(`${renderSummary(outcome, this.colors)}\n`);
    if (!usage && this.#spec.options.json) await this.out.line(toJsonText({ type: 'summary', ...fields }), this.stopped);
    if (this.manager.logDirectory) completeLogSummary(this.manager.logDirectory, fields);
    this.#signals.uninstall();
    return exitCode;
  }

  #cancel(signal: CliSignal): void {
    const queued = this.manager.stats().queued.reduce((a, b) => a + b, 0);
    const again = signal === 'SIGINT' ? 'press Ctrl-C again' : 'send SIGTERM again';
    process.stderr.write(`${this.colors.yellow(`cancelling: ${queued} queued tasks not run, ${again} to kill`)}\n`);
    void this.manager.close('cancel');
    this.#stop();
  }
}

/**
 * Runs a command's body in a session and returns the exit code. A usage error found once the manager exists
 * (an unknown task, a module that does not load) still closes it and completes the log directory, then is
 * rethrown for main to print.
 */
export async function runSession(spec: SessionSpec, body: (session: Session) => Promise<CommandResult>): Promise<number> {
  const session = new Session(spec);
  let result: CommandResult;
  try {
    result = await body(session);
  } catch (error) {
    if (!(error instanceof UsageError)) {
      await session.manager.close('kill');
      throw error;
    }
    await session.finish(error);
    recorded.add(error);
    throw error;
  }
  return session.finish(result);
}

/** Usage errors whose summary.json the session already completed. */
const recorded = new WeakSet<UsageError>();

function ensureDirectory(path: string): void {
  try {
    mkdirSync(resolve(path), { recursive: true });
  } catch (error) {
    throw new UsageError(`cannot create the log directory ${path}: ${(error as Error).message}`, 'give --log-dir a directory you can write to');
  }
}

/** Writes summary.json for a run that ended in a usage error before any manager existed. */
export function recordEarlyUsageError(options: Partial<CommonOptions>, command: string, error: UsageError): void {
  if (options.logDir === undefined || recorded.has(error)) return;
  try {
    completeLogSummary(resolve(options.logDir), {
      command,
      exitCode: ExitCode.Usage,
      usageError: { message: error.message, hint: error.hint },
      tasklaneVersion: VERSION,
    });
  } catch {
    // The log directory itself is the problem; the usage error says so.
  }
}
