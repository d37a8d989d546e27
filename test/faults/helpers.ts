import assert from 'node:assert/strict';
import { ProcessManager, TaskError, type ProcessManagerOptions } from 'tasklane';
import { within } from '../manager/helpers.js';

export { within };

export const FAULT_TASKS = new URL('../fixtures/fault-tasks.js', import.meta.url);
export const MODES = ['thread', 'process'] as const;

/** Runs `fn` on a fresh manager, then closes it and checks that every scheduled task is accounted for. */
export async function faultCase(isolation: 'thread' | 'process', options: Partial<ProcessManagerOptions>, fn: (manager: ProcessManager) => Promise<void>): Promise<void> {
  const manager = new ProcessManager({ tasks: FAULT_TASKS, workers: 2, isolation, failFast: false, cancelGracePeriod: 500, ...options });
  try {
    await fn(manager);
  } finally {
    const report = await within(manager.close('kill'), 10_000, 'close');
    const stats = manager.stats();
    // Nothing lost: every task is done, failed or cancelled (which includes not run and interrupted).
    assert.equal(stats.done + stats.failed + stats.cancelled, stats.scheduled, `counts add up: ${JSON.stringify(stats)}`);
    assert.ok(report.notRun.length + report.interrupted.length <= stats.cancelled);
  }
}

export async function failureOf(promise: Promise<unknown>): Promise<TaskError> {
  const error = await within(promise.then(() => undefined, (e: unknown) => e), 15_000, 'the task to fail');
  assert.ok(error instanceof TaskError, `expected a TaskError, got ${String(error)}`);
  return error;
}
