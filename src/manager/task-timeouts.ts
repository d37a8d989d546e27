import type { TaskRecord } from './task-record.js';

/** What the timeouts need from the engine. */
export interface TimeoutActions {
  /** When the task started running (epoch ms), or undefined while it waits at its worker. */
  startedAt(task: TaskRecord): number | undefined;
  /** The task ran past its timeout: abort it. */
  abort(task: TaskRecord): void;
  /** The task did not stop within the grace period after its abort: stop its worker. */
  terminate(task: TaskRecord): void;
}

/**
 * Per-task timeouts (`schedule(call, p, { timeout })`, or the `taskTimeout` option). A timer runs only while a
 * task with a timeout is at a worker. It measures from the task's real start, which the engine reads from the
 * worker's shared slot (threads) or its `n` frame (processes), so time spent waiting at the worker does not count.
 *
 *   sent ──timeout──> started? no: wait again
 *                     yes, past its time: abort ──grace──> still running: terminate its worker
 */
export class TaskTimeouts {
  readonly #timers = new Map<number, NodeJS.Timeout>();
  readonly #graceMs: number;
  readonly #actions: TimeoutActions;

  constructor(graceMs: number, actions: TimeoutActions) {
    this.#graceMs = graceMs;
    this.#actions = actions;
  }

  /** Starts watching a task that was just sent to a worker. */
  watch(task: TaskRecord): void {
    if (task.timeout === undefined) return;
    this.#arm(task, task.timeout, () => this.#check(task));
  }

  /** The task reached its outcome (or went back to the queue): no more timers for it. */
  clear(task: TaskRecord): void {
    const timer = this.#timers.get(task.id);
    if (timer === undefined) return;
    clearTimeout(timer);
    this.#timers.delete(task.id);
  }

  #check(task: TaskRecord): void {
    const timeout = task.timeout!;
    const started = this.#actions.startedAt(task);
    if (started === undefined) return this.#arm(task, timeout, () => this.#check(task));
    const left = started + timeout - Date.now();
    if (left > 0) return this.#arm(task, left, () => this.#check(task));
    task.timedOut = true;
    this.#actions.abort(task);
    this.#arm(task, this.#graceMs, () => {
      this.#timers.delete(task.id);
      this.#actions.terminate(task);
    });
  }

  #arm(task: TaskRecord, ms: number, then: () => void): void {
    this.clear(task);
    this.#timers.set(task.id, setTimeout(then, ms));
  }
}
