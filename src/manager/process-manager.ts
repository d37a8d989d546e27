import { assertTaskCall, type TaskCall, type TaskId } from '../task/task-call.js';
import type { TaskError } from '../task/task-error.js';
import { RedisBackend } from '../redis/redis-backend.js';
import { CLOSE_POLICIES, type ClosePolicy, type CloseReport, type ManagerStats, type UnfinishedTask } from './close-report.js';
import type { Backend } from './backend.js';
import { TaskEngine } from './engine.js';
import { LogDirectory, toJson } from './log-directory.js';
import { checkTimeout, resolveOptions, type ProcessManagerOptions, type ResolvedOptions, type ScheduleOptions } from './options.js';
import { InboxReader } from './inbox-reader.js';
import { ProgressWaits } from './progress-waits.js';
import { handleSignals } from './signals.js';
import type { TaskRecord } from './task-record.js';

const STRENGTH: Record<ClosePolicy, number> = { join: 0, cancel: 1, kill: 2 };
const SECOND_READER = 'messages() already has a reader: the inbox is read by one loop at a time';

/**
 * A pool of worker threads with one FIFO lane per priority level. Tasks are named calls of `defineTask`
 * functions; they may spawn subtasks and send messages to one inbox read through `messages()`.
 *
 * ```ts
 * await using manager = new ProcessManager({ tasks: new URL('./tasks.js', import.meta.url) });
 * manager.schedule(walk('data'), 0);
 * for await (const message of manager.messages()) console.log(message);
 * await manager.close('join');
 * ```
 */
export class ProcessManager {
  readonly #options: ResolvedOptions;
  readonly #engine: Backend;
  readonly #log: LogDirectory | undefined;
  readonly #createdAt = Date.now();
  readonly #defaultPriority: number;
  #uninstallSignals: (() => void) | undefined;
  #policy: ClosePolicy | undefined;
  #closed: Promise<CloseReport> | undefined;
  #failure: TaskError | undefined;
  /** The backend could not go on (Redis lost): the reader throws it and the close report carries it. */
  #fatal: Error | undefined;
  #reading = false;
  #readerFinished = false;
  readonly #waits = new ProgressWaits();

  constructor(options: ProcessManagerOptions) {
    this.#options = resolveOptions(options);
    this.#defaultPriority = Math.min(1, this.#options.priorityLevels - 1);
    this.#log = this.#options.logDirectory === undefined ? undefined : new LogDirectory(this.#options.logDirectory);
    const hooks = { onUnhandledFailure: (error: TaskError) => this.#failed(error), onFatal: (error: Error) => this.#lost(error) };
    this.#engine = this.#options.redis ? new RedisBackend(this.#options, this.#log, hooks) : new TaskEngine(this.#options, this.#log, hooks);
    this.#engine.onProgress = () => this.#progress();
    if (this.#options.handleSignals) {
      this.#uninstallSignals = handleSignals(
        (policy) => this.close(policy),
        (signal, policy) => process.stderr.write(`tasklane: ${signal}: closing with '${policy}'${policy === 'cancel' ? ' (send it again to kill)' : ''}\n`),
      );
    }
  }

  /** Worker threads in the pool. */
  get workers(): number {
    return this.#options.workers;
  }

  get priorityLevels(): number {
    return this.#options.priorityLevels;
  }

  /** The log directory's absolute path, when there is one. */
  get logDirectory(): string | undefined {
    return this.#log?.path;
  }

  /** True once `close()` was called. */
  get closed(): boolean {
    return this.#policy !== undefined;
  }

  /**
   * Queues a call at `priority` (default 1, or 0 with one level) and returns its id. Throws at once for a bad
   * priority, a value that cannot be carried, an unknown task name (once the workers reported theirs), or after
   * `close()`.
   */
  schedule(call: TaskCall, priority: number = this.#defaultPriority, options?: ScheduleOptions): TaskId {
    this.#assertOpen('schedule');
    assertTaskCall(call, 'schedule()');
    return this.#engine.add(call, priority, undefined, this.#timeout(options));
  }

  /**
   * Queues a call and resolves with its return value, or rejects with its TaskError. A failure delivered this
   * way does not trigger `failFast`: the caller handles it. Throws at once like `schedule()`.
   */
  run<R>(call: TaskCall<R>, priority: number = this.#defaultPriority, options?: ScheduleOptions): Promise<R> {
    this.#assertOpen('run');
    assertTaskCall(call, 'run()');
    const timeout = this.#timeout(options);
    let settle!: NonNullable<TaskRecord['settle']>;
    const result = new Promise<R>((resolve, reject) => (settle = { resolve: resolve as (value: unknown) => void, reject }));
    this.#engine.add(call, priority, settle, timeout);
    return result;
  }

  /**
   * The inbox, in arrival order, for one reader at a time. Ends when no task is queued or running and the inbox
   * is empty; iterate again after scheduling more. With `failFast`, throws the first unhandled TaskError.
   */
  messages(): AsyncIterableIterator<unknown> {
    if (this.#reading) throw new Error(SECOND_READER);
    return this.#read();
  }

  /**
   * Resolves with the task names the workers found in the task modules, sorted, once the first worker is up;
   * rejects when no worker could start (a task module that fails to import, say). Waiting is optional:
   * `schedule()` queues work before the workers are up.
   */
  async ready(): Promise<string[]> {
    await this.#waits.until(() => this.#engine.taskNames !== undefined || this.#engine.bootFailure !== undefined || this.#closed !== undefined);
    const names = this.#engine.taskNames;
    if (names) return [...names].sort();
    throw this.#engine.bootFailure ?? new Error('ready(): the manager was closed before any worker started');
  }

  /** Removes a queued task, or aborts a running one's `ctx.signal`. False when the task is finished or unknown. */
  cancel(id: TaskId): boolean {
    return this.#engine.cancel(id);
  }

  stats(): ManagerStats {
    const { scheduled, done, failed, cancelled } = this.#engine.ledger.counts;
    const { inbox } = this.#engine;
    return { queued: this.#engine.queuedCounts(), running: this.#engine.running(), scheduled, done, failed, cancelled, inbox: inbox.length };
  }

  /**
   * Closes the pool with `policy` (default `join`); see `ClosePolicy`. Calling again returns the same report;
   * a stronger policy (join < cancel < kill) escalates a close in progress. No thread outlives the promise.
   */
  close(policy: ClosePolicy = 'join'): Promise<CloseReport> {
    if (!CLOSE_POLICIES.includes(policy)) {
      throw new TypeError(`close(): policy must be one of ${CLOSE_POLICIES.map((p) => `'${p}'`).join(', ')}, got ${String(policy)}`);
    }
    if (this.#policy === undefined || STRENGTH[policy] > STRENGTH[this.#policy]) this.#policy = policy;
    this.#closed ??= this.#close();
    this.#progress();
    return this.#closed;
  }

  /** `await using`: joins when the reader saw the work finish, otherwise cancels. */
  async [Symbol.asyncDispose](): Promise<void> {
    await this.close(this.#readerFinished ? 'join' : 'cancel');
  }

  #read(): InboxReader {
    const engine = this.#engine;
    return new InboxReader(engine.inbox, {
      start: () => {
        if (this.#reading) throw new Error(SECOND_READER);
        this.#reading = true;
        this.#readerFinished = false;
      },
      taken: () => engine.messageTaken(),
      failure: () => this.#failure ?? this.#fatal,
      ended: () => engine.idle || engine.mode === 'cancel' || engine.mode === 'kill',
      stop: (finished) => {
        this.#reading = false;
        if (finished) this.#readerFinished = true;
      },
    });
  }

  async #close(): Promise<CloseReport> {
    const engine = this.#engine;
    // The policy can only grow stronger while we wait (a second signal, a failFast failure): re-read it.
    const policy = (): ClosePolicy => this.#policy!;
    if (policy() === 'join') {
      engine.mode = 'join';
      engine.releaseBackPressure(); // nobody may be reading: back-pressure must not stall the join
      await this.#waits.until(() => engine.idle || policy() !== 'join');
    }
    let terminate = policy() === 'kill';
    if (policy() === 'cancel') {
      await this.#stopAll('cancel');
      await engine.cancelInFlight();
      const settled = await this.#waits.until(() => engine.idle || policy() === 'kill', this.#options.cancelGracePeriod);
      terminate = !settled || policy() === 'kill';
    }
    if (policy() === 'kill') await this.#stopAll('kill');
    if (terminate) await engine.terminate();
    else if (!(await this.#closeWorkersWithin(this.#options.cancelGracePeriod))) await engine.terminate();
    this.#uninstallSignals?.();
    const report = {
      policy: this.#policy!,
      failures: engine.ledger.unhandledFailures,
      ...(this.#failure ? { failure: this.#failure } : {}),
      ...(this.#fatal ? { error: this.#fatal } : {}),
    } as CloseReport;
    // Built on first read: a cancel with a million queued tasks should not wait for a million small objects.
    lazyProperty(report, 'notRun', () => engine.ledger.notRunTasks.map(unfinished));
    lazyProperty(report, 'interrupted', () => engine.ledger.interruptedTasks.map(unfinished));
    await this.#log?.finish(report.notRun.map((task) => ({ id: task.id, priority: task.priority, call: task })), this.#summary(report));
    this.#progress();
    return report;
  }

  /** Cancel and kill: nothing new starts, queued tasks are reported not run, buffered messages are dropped. */
  async #stopAll(mode: 'cancel' | 'kill'): Promise<void> {
    this.#engine.mode = mode;
    await this.#engine.takeQueued();
    this.#engine.inbox.clear();
    this.#engine.releaseBackPressure();
  }

  /** Workers close their sessions and end; false when they did not within `ms`. */
  async #closeWorkersWithin(ms: number): Promise<boolean> {
    let done = false;
    const closing = this.#engine.closeWorkers().then(() => {
      done = true;
      this.#progress();
    });
    await this.#waits.until(() => done, Math.max(ms, 1000));
    if (!done) return false;
    await closing;
    return true;
  }

  #summary(report: CloseReport): object {
    const endedAt = Date.now();
    return {
      policy: report.policy,
      startedAt: new Date(this.#createdAt).toISOString(),
      endedAt: new Date(endedAt).toISOString(),
      durationMs: endedAt - this.#createdAt,
      workers: this.#options.workers,
      priorityLevels: this.#options.priorityLevels,
      ...this.#engine.ledger.counts,
      notRun: report.notRun.length,
      interrupted: report.interrupted.length,
      failure: report.failure ? { message: report.failure.message, task: report.failure.taskName, args: toJson(report.failure.args) } : null,
    };
  }

  #failed(error: TaskError): void {
    if (!this.#options.failFast || this.#failure) return;
    this.#failure = error;
    void this.close('kill');
  }

  #lost(error: Error): void {
    if (this.#fatal) return;
    this.#fatal = error;
    void this.close('kill');
  }

  #timeout(options: ScheduleOptions | undefined): number | undefined {
    return options?.timeout === undefined ? this.#options.taskTimeout : checkTimeout('timeout', options.timeout);
  }

  #assertOpen(method: string): void {
    if (this.#policy === undefined) return;
    const cause = this.#failure ?? this.#fatal;
    const why = this.#failure ? ` after a task failed (${this.#failure.message})` : this.#fatal ? ` after an error (${this.#fatal.message})` : ` with '${this.#policy}'`;
    throw new Error(`${method}(): the manager is closed${why}; create a new ProcessManager`, cause ? { cause } : undefined);
  }

  #progress(): void {
    this.#engine.inbox.notify();
    this.#waits.wake();
  }
}

function unfinished(task: TaskRecord): UnfinishedTask {
  return { id: task.id, priority: task.priority, name: task.name, args: task.args };
}

/** An enumerable property computed once, when first read. */
function lazyProperty<T extends object, K extends keyof T>(target: T, key: K, compute: () => T[K]): void {
  let value: T[K] | undefined;
  Object.defineProperty(target, key, { enumerable: true, configurable: true, get: () => (value ??= compute()) });
}
