import type { TaskCall } from '../task/task-call.js';

/**
 * Where a task is in its life. Every scheduled task ends in exactly one of the final states, so nothing is lost:
 *
 *   queued ──> sent ──> running ──> done | failed | cancelled | interrupted
 *     │          │ (worker died before start: back to queued)
 *     └──────────┴──> cancelled (cancel(id)) | not-run (close)
 */
export type TaskState = 'queued' | 'sent' | 'running';

/** One task, from its dispatch (or an earlier lookup by id) until its outcome is known; see QueuedTasks. */
export interface TaskRecord {
  readonly id: number;
  readonly name: string;
  readonly args: readonly unknown[];
  readonly priority: number;
  /** Cancelled while queued. */
  cancelled: boolean;
  state: TaskState;
  /** The worker slot it was sent to (0 while queued). */
  workerId: number;
  /** Epoch ms when its worker said it started (0 before). */
  startedAt: number;
  /** `cancel(id)` or a cancel close asked it to stop: a failure then counts as cancelled. */
  cancelRequested: boolean;
  /** Asked back from its worker for an idle one (see withdrawForIdle); cleared when it is queued again. */
  withdrawing: boolean;
  /** Its timeout in ms, if it has one; `timedOut` once it ran past it. */
  timeout: number | undefined;
  timedOut: boolean;
  /** Set when the task spawned at a priority or name the manager refuses: the task then fails. */
  spawnError: string | undefined;
  /** The promise of `run()`, when it was scheduled that way. */
  settle: { resolve(value: unknown): void; reject(error: Error): void } | undefined;
}

/**
 * "Not started yet", as a double: `startedAt` later holds `Date.now()`, which is not a small integer. Starting
 * from the integer 0 would make V8 change the field's representation at the first start and migrate every record
 * queued before it, one by one (measured: 1 s for a million queued tasks at the first cancel). -0 is falsy.
 */
const NOT_STARTED = -0;

/** Every field is set, even when undefined, so all records share one shape and property reads stay fast. */
export function createRecord(id: number, call: TaskCall, priority: number): TaskRecord {
  return {
    id,
    name: call.name,
    args: call.args,
    priority,
    cancelled: false,
    state: 'queued',
    workerId: 0,
    startedAt: NOT_STARTED,
    cancelRequested: false,
    withdrawing: false,
    timeout: undefined,
    timedOut: false,
    spawnError: undefined,
    settle: undefined,
  };
}

export function callOf(record: TaskRecord): TaskCall {
  return { name: record.name, args: record.args };
}
