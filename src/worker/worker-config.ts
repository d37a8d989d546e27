import type { WorkerConsole } from './worker-log.js';

/** What the manager tells each worker thread when it starts it. */
export interface WorkerConfig {
  /** The worker slot, from 1. A replacement thread keeps the slot of the one it replaces. */
  readonly workerId: number;
  /** File URLs of the task modules, imported in order. */
  readonly taskModules: readonly string[];
  readonly priorityLevels: number;
  /** Messages a task may have unacknowledged before `ctx.send()` waits. */
  readonly sendWindow: number;
  /** `worker-<n>.log` in the log directory, when there is one. */
  readonly logFile?: string;
  readonly workerConsole: WorkerConsole;
  /**
   * Two Float64 slots shared with the manager: the id of the task running now (0 between tasks) and when it
   * started (epoch ms). Written before a task starts, so that the manager knows what runs without waiting for a
   * batched `n` frame (stats), and which task a dying thread was in (process.exit, an uncaught error, out of
   * memory) even if its `n` frame never left the worker. Threads only: a child process has no shared memory, so it
   * sends each `n` frame at once instead.
   */
  readonly runningSlot?: SharedArrayBuffer;
}
