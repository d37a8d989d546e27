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
}
