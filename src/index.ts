/** tasklane: a priority worker-pool task runner. DESIGN.md section 1 is the contract for these names. */
export { ProcessManager } from './manager/process-manager.js';
export type { ProcessManagerOptions, ScheduleOptions } from './manager/options.js';
export type { ClosePolicy, CloseReport, ManagerStats, RunningTaskInfo, UnfinishedTask } from './manager/close-report.js';
export { defineTask, isTaskFactory, type TaskFactory, type TaskFunction } from './task/define-task.js';
export { chain } from './task/chain.js';
export type { TaskCall, TaskId } from './task/task-call.js';
export type { TaskContext } from './task/task-context.js';
export { TaskError, type SerializedError } from './task/task-error.js';
export { NullManager } from './task/null-manager.js';
export { findUncarriable } from './task/carriable.js';
