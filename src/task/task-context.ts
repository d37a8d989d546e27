import type { TaskCall, TaskId } from './task-call.js';

/**
 * What a running task gets as its first argument. In a worker it talks to the manager; `NullManager` gives the
 * same shape in-process.
 */
export interface TaskContext<S = unknown> {
  /**
   * Queues a subtask at `priority` (default 1; 0 is the most urgent). Throws at once for a bad priority, an
   * unknown task name or arguments that cannot be carried, which fails the calling task unless it catches.
   * The manager counts the subtask before it counts this task as finished.
   */
  schedule(call: TaskCall, priority?: number): void;
  /**
   * Sends `message` to the manager's inbox. Throws at once for a value that cannot be carried. The promise
   * resolves when the manager holds the message or the worker is within its send window (its share of the
   * inbox high-water mark); awaiting it is how a task slows down for a slow reader.
   */
  send(message: unknown): Promise<void>;
  /** Aborted when the task is cancelled (`manager.cancel(id)`, `close('cancel')`) or times out. */
  readonly signal: AbortSignal;
  /** What the task module's `createSession()` returned in this worker (undefined without one). */
  readonly session: S;
  readonly taskId: TaskId;
  /** The worker slot running this task, from 1; 0 in-process. */
  readonly workerId: number;
  /** Writes a line to the worker's log (the log directory) and to the console. */
  log(...values: unknown[]): void;
}
