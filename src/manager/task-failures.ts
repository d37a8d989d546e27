import { deserializeError, TaskError, type SerializedError } from '../task/task-error.js';
import type { TaskRecord } from './task-record.js';

/** The TaskError of a task whose worker reported an exception. */
export function remoteFailure(task: TaskRecord, error: SerializedError): TaskError {
  const what = error.name && error.name !== 'Error' ? `${error.name}: ${error.message}` : error.message;
  return new TaskError(`task "${task.name}" (id ${task.id}) failed on worker ${task.workerId}: ${what}`, {
    taskName: task.name,
    args: task.args,
    taskId: task.id,
    workerId: task.workerId,
    remoteStack: error.stack ?? `${error.name}: ${error.message}`,
    cause: deserializeError(error),
  });
}

/** The TaskError of a task that failed in the manager (its worker died, it was cancelled, it could not start). */
export function localFailure(task: TaskRecord, reason: string, cause?: Error): TaskError {
  return new TaskError(`task "${task.name}" (id ${task.id}) ${reason}`, {
    taskName: task.name,
    args: task.args,
    taskId: task.id,
    workerId: task.workerId,
    remoteStack: cause?.stack ?? '',
    ...(cause ? { cause } : {}),
  });
}

/** The TaskError of a task that ran past its timeout; `graceMs` when its worker had to be stopped. */
export function timeoutFailure(task: TaskRecord, graceMs?: number): TaskError {
  const recycled = graceMs === undefined ? '' : ` and did not stop within ${graceMs} ms of its abort, so its worker was replaced`;
  const error = localFailure(task, `timed out after ${task.timeout} ms${recycled}`);
  (error as { code?: string }).code = 'ETIMEDOUT';
  return error;
}
