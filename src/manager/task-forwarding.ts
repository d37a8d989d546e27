import type { TaskCall } from '../task/task-call.js';
import type { TaskRecord } from './task-record.js';

/**
 * Where a Redis host sends its tasks' spawns and messages (src/redis/task-host.ts). A host's engine writes no
 * tasks.jsonl: its outcomes reach the log directory through the manager, which reads them from the stream.
 */
export interface TaskForwarding {
  /** A task started at its worker (`workerId` and `startedAt` are set). */
  started(task: TaskRecord): void;
  spawn(parent: TaskRecord, priority: number, call: TaskCall): void;
  message(from: TaskRecord, message: unknown): void;
  /** Calls `then` once everything forwarded so far is stored: acknowledgements wait for it. */
  whenStored(then: () => void): void;
}
