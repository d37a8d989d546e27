import { CHAIN_TASK_NAME } from '../task/chain.js';
import type { TaskCall } from '../task/task-call.js';
import { localFailure } from './task-failures.js';
import type { TaskLedger } from './task-ledger.js';
import { createRecord, type TaskRecord } from './task-record.js';

/** Throws when the workers reported their task names and `name` is not one of them (chains are always known). */
export function assertKnownTask(names: ReadonlySet<string> | undefined, name: string): void {
  if (names && name !== CHAIN_TASK_NAME && !names.has(name)) {
    throw new Error(`no task named "${name}" in the task modules (known: ${[...names].sort().join(', ') || 'none'})`);
  }
}

/**
 * Creates a task's record and opens it in the ledger. When no worker could start (`bootFailure`), the task fails
 * at once and the result is undefined: it is counted and reported, never queued.
 */
export function admitTask(
  ledger: TaskLedger,
  id: number,
  call: TaskCall,
  priority: number,
  settle: TaskRecord['settle'],
  timeout: number | undefined,
  bootFailure: Error | undefined,
): TaskRecord | undefined {
  const task = createRecord(id, call, priority);
  if (settle) task.settle = settle;
  if (timeout !== undefined) task.timeout = timeout;
  ledger.open(task);
  if (!bootFailure) return task;
  ledger.failed(task, localFailure(task, `could not run: ${bootFailure.message}`, bootFailure));
  return undefined;
}
