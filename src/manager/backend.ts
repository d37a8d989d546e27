import type { TaskCall } from '../task/task-call.js';
import type { RunningTaskInfo } from './close-report.js';
import type { EngineMode } from './engine.js';
import type { Inbox } from './inbox.js';
import type { TaskLedger } from './task-ledger.js';
import type { TaskRecord } from './task-record.js';

/**
 * What the ProcessManager drives: the local TaskEngine (worker threads or processes on this machine), or the
 * RedisBackend (BullMQ queues shared by hosts). The manager owns the public API, the close sequence and the
 * reader; a backend owns where tasks wait and run.
 */
export interface Backend {
  readonly inbox: Inbox;
  readonly ledger: TaskLedger;
  mode: EngineMode;
  /** Called whenever something a waiter may care about changed. */
  onProgress: () => void;
  /** Nothing queued, nothing running, nothing on its way. */
  readonly idle: boolean;
  readonly taskNames: ReadonlySet<string> | undefined;
  readonly bootFailure: Error | undefined;
  add(call: TaskCall, priority: number, settle?: TaskRecord['settle'], timeout?: number): number;
  cancel(id: number): boolean;
  queuedCounts(): number[];
  running(): RunningTaskInfo[];
  messageTaken(): void;
  releaseBackPressure(): void;
  /** Close steps, in the order the manager calls them (see ProcessManager.#close). */
  takeQueued(): void | Promise<void>;
  cancelInFlight(): void | Promise<void>;
  terminate(): Promise<void>;
  closeWorkers(): Promise<void>;
}
