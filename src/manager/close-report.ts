import type { TaskCall, TaskId } from '../task/task-call.js';
import type { TaskError } from '../task/task-error.js';

/**
 * `join`: run everything, including what tasks spawn, and deliver every message.
 * `cancel`: start nothing new, abort what runs (then terminate it after the grace period), drop messages.
 * `kill`: terminate the threads now, drop messages.
 */
export type ClosePolicy = 'join' | 'cancel' | 'kill';

export const CLOSE_POLICIES: readonly ClosePolicy[] = ['join', 'cancel', 'kill'];

/** A call that a close left unfinished, with what is needed to schedule it again. */
export interface UnfinishedTask extends TaskCall {
  readonly id: TaskId;
  readonly priority: number;
}

/** What `close()` resolves to: nothing scheduled is silently lost. */
export interface CloseReport {
  /** The policy that finished the close (a `cancel` escalated by a second signal or a failure reads `kill`). */
  readonly policy: ClosePolicy;
  /** Scheduled or spawned calls that never started. */
  readonly notRun: UnfinishedTask[];
  /** Calls that were running and were aborted or terminated. */
  readonly interrupted: UnfinishedTask[];
  /** With `failFast`, the failure that closed the manager. */
  readonly failure?: TaskError;
  /** An error that ended the run outside any task (with `redis`: the connection was lost for good). */
  readonly error?: Error;
  /**
   * Every task failure that no `run()` caller received (with `failFast: false` there may be many): name,
   * arguments and remote stack of each, the first 1,000; `stats().failed` counts them all.
   */
  readonly failures: TaskError[];
}

export interface RunningTaskInfo {
  readonly id: TaskId;
  readonly name: string;
  readonly workerId: number;
  /** With `redis`: the host and thread running it, `hostname/pid/thread`. */
  readonly host?: string;
  /** Epoch milliseconds. */
  readonly startedAt: number;
}

/** `manager.stats()`: counts since the manager was created. */
export interface ManagerStats {
  /** Queued tasks per priority level. */
  readonly queued: number[];
  readonly running: RunningTaskInfo[];
  readonly scheduled: number;
  readonly done: number;
  readonly failed: number;
  /** Cancelled with `cancel(id)`, interrupted by a close, or left not run by one. */
  readonly cancelled: number;
  /** Messages waiting in the inbox for the reader. */
  readonly inbox: number;
}
