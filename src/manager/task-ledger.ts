import type { TaskError } from '../task/task-error.js';
import type { LogDirectory, TaskOutcome } from './log-directory.js';
import { localFailure } from './task-failures.js';
import type { TaskRecord } from './task-record.js';

/** How many unhandled failures the close report keeps; `stats().failed` counts them all. */
export const MAX_KEPT_FAILURES = 1000;

export interface Counts {
  scheduled: number;
  done: number;
  failed: number;
  cancelled: number;
}

/** Tasks a close found queued, handed over in bulk: counted at once, made into records only when read. */
export interface QueuedBatch extends Iterable<TaskRecord> {
  readonly length: number;
  /** The tasks that need settling one by one (a `run()` promise, a timeout). */
  special(): Iterable<TaskRecord>;
}

/**
 * Every task from `schedule()` to its one outcome. Each task reaches exactly one of `ok`, `failed`, `cancelled`,
 * `interrupted` or `notRun`, once; the counts therefore add up: done + failed + cancelled + unfinished = scheduled.
 */
export class TaskLedger {
  readonly counts: Counts = { scheduled: 0, done: 0, failed: 0, cancelled: 0 };
  /** Tasks a close left unstarted, in the order they were reported: single tasks and queued batches. */
  readonly #notRun: (TaskRecord | QueuedBatch)[] = [];
  #notRunList: TaskRecord[] | undefined;
  /** Tasks a close stopped while they ran. */
  readonly interruptedTasks: TaskRecord[] = [];
  /** Failures that no `run()` caller received, the first MAX_KEPT_FAILURES of them. */
  readonly unhandledFailures: TaskError[] = [];
  /**
   * Unfinished tasks that have a record, by id: what `cancel(id)` looks up. Tasks still queued in the engine have
   * none (see QueuedTasks): `get()` asks `findQueued` for them.
   */
  readonly #open = new Map<number, TaskRecord>();
  /** The record of a task still queued, if `id` is one (set by the engine). */
  findQueued: (id: number) => TaskRecord | undefined = () => undefined;
  readonly #log: LogDirectory | undefined;
  readonly #onUnhandledFailure: (error: TaskError) => void;
  /** Called as a task reaches its outcome, before its promise settles (timeouts clear their timers here). */
  onFinished: (task: TaskRecord) => void = () => {};

  constructor(log: LogDirectory | undefined, onUnhandledFailure: (error: TaskError) => void) {
    this.#log = log;
    this.#onUnhandledFailure = onUnhandledFailure;
  }

  open(task: TaskRecord): void {
    this.counts.scheduled++;
    this.#open.set(task.id, task);
  }

  /** A task was queued without a record (QueuedTasks): counted now, tracked once it has one. */
  openQueued(): void {
    this.counts.scheduled++;
  }

  /** A task counted by `openQueued()` got its record (it is being dispatched). */
  track(task: TaskRecord): void {
    this.#open.set(task.id, task);
  }

  get(id: number): TaskRecord | undefined {
    return this.#open.get(id) ?? this.findQueued(id);
  }

  /** Tasks a close left unstarted, oldest report first. */
  get notRunTasks(): TaskRecord[] {
    return (this.#notRunList ??= this.#notRun.flatMap((part) => (Symbol.iterator in part ? [...(part as QueuedBatch)] : [part as TaskRecord])));
  }

  ok(task: TaskRecord, value: unknown): void {
    this.#close(task, 'ok');
    task.settle?.resolve(value);
  }

  /** A failure goes to its `run()` caller, or else is kept for the close report and goes to failFast. */
  failed(task: TaskRecord, error: TaskError): void {
    this.#close(task, 'failed', error);
    if (task.settle) {
      task.settle.reject(error);
      return;
    }
    if (this.unhandledFailures.length < MAX_KEPT_FAILURES) this.unhandledFailures.push(error);
    this.#onUnhandledFailure(error);
  }

  cancelled(task: TaskRecord, how: string, cause?: Error): void {
    this.#close(task, 'cancelled', cause);
    task.settle?.reject(localFailure(task, how, cause));
  }

  interrupted(task: TaskRecord, policy: string, cause?: Error): void {
    this.interruptedTasks.push(task);
    this.#close(task, 'interrupted', cause);
    task.settle?.reject(localFailure(task, `was interrupted by close('${policy}')`, cause));
  }

  /**
   * A close's not-run queued tasks in bulk (a million queued must cancel in milliseconds): counted at once,
   * records made only when `notRunTasks` is read. Those that had a record stay in the open-task index until
   * `forgetAllExcept()`, which the close calls once.
   */
  notRunAll(tasks: QueuedBatch, policy: string): void {
    if (tasks.length === 0) return;
    this.counts.cancelled += tasks.length;
    this.#notRun.push(tasks);
    this.#notRunList = undefined;
    for (const task of tasks.special()) {
      if (task.timeout !== undefined) this.onFinished(task);
      task.settle?.reject(localFailure(task, `was not run: the manager closed with '${policy}'`));
    }
  }

  /** Keeps only `tasks` in the open-task index (what `cancel(id)` can still reach). */
  forgetAllExcept(tasks: Iterable<TaskRecord>): void {
    this.#open.clear();
    for (const task of tasks) this.#open.set(task.id, task);
  }

  notRun(task: TaskRecord, policy: string): void {
    task.state = 'queued';
    this.#notRun.push(task);
    this.#notRunList = undefined;
    this.#open.delete(task.id);
    this.counts.cancelled++;
    this.onFinished(task);
    task.settle?.reject(localFailure(task, `was not run: the manager closed with '${policy}'`));
  }

  #close(task: TaskRecord, outcome: TaskOutcome, error?: Error): void {
    this.#open.delete(task.id);
    if (outcome === 'ok') this.counts.done++;
    else if (outcome === 'failed') this.counts.failed++;
    else this.counts.cancelled++;
    this.onFinished(task);
    this.#log?.taskFinished(task, outcome, error);
  }
}
