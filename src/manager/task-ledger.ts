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

/**
 * Every task from `schedule()` to its one outcome. Each task reaches exactly one of `ok`, `failed`, `cancelled`,
 * `interrupted` or `notRun`, once; the counts therefore add up: done + failed + cancelled + unfinished = scheduled.
 */
export class TaskLedger {
  readonly counts: Counts = { scheduled: 0, done: 0, failed: 0, cancelled: 0 };
  /** Tasks a close left unstarted, and tasks it stopped while they ran. */
  notRunTasks: TaskRecord[] = [];
  readonly interruptedTasks: TaskRecord[] = [];
  /** Failures that no `run()` caller received, the first MAX_KEPT_FAILURES of them. */
  readonly unhandledFailures: TaskError[] = [];
  /** Every task not yet finished, by id: what `cancel(id)` looks up. */
  readonly #open = new Map<number, TaskRecord>();
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

  get(id: number): TaskRecord | undefined {
    return this.#open.get(id);
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
   * A close's not-run tasks in bulk (a million queued must cancel in milliseconds). They stay in the open-task
   * index until `forgetAllExcept()`, which the close calls once: deleting a million Map entries one by one costs
   * more than the rest of the close.
   */
  notRunAll(tasks: TaskRecord[], policy: string): void {
    this.counts.cancelled += tasks.length;
    this.notRunTasks = this.notRunTasks.length === 0 ? tasks : this.notRunTasks.concat(tasks);
    for (const task of tasks) {
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
    this.notRunTasks.push(task);
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
