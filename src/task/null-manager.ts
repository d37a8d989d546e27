import { CHAIN_TASK_NAME, chainStepError, chainSteps } from './chain.js';
import { lookupTask } from './define-task.js';
import { assertCarriable } from './carriable.js';
import { assertTaskCall, type TaskCall } from './task-call.js';
import type { TaskContext } from './task-context.js';

/**
 * A stand-in for the manager, so a task runs in-process (tests, one-off scripts): `send` checks the message and
 * keeps it in `sent`, `schedule` throws because nothing can run subtasks here.
 *
 * ```ts
 * const ctx = new NullManager();
 * const digest = await hashFile.run(ctx, 'a.txt');   // or: await ctx.run(hashFile('a.txt'))
 * ```
 */
export class NullManager<S = undefined> implements TaskContext<S> {
  readonly taskId = 0;
  readonly workerId = 0;
  readonly session: S;
  readonly signal: AbortSignal;
  /** Every message a task sent through this context, in order. */
  readonly sent: unknown[] = [];

  constructor(options: { session?: S; signal?: AbortSignal } = {}) {
    this.session = options.session as S;
    this.signal = options.signal ?? new AbortController().signal;
  }

  schedule(call: TaskCall): void {
    const name = typeof call === 'object' && call !== null ? `"${call.name}"` : 'a task';
    throw new Error(`NullManager cannot schedule ${name}: no tasks can be scheduled in-process; use a ProcessManager`);
  }

  send(message: unknown): Promise<void> {
    assertCarriable(message, 'a message', 'message');
    this.sent.push(message);
    return Promise.resolve();
  }

  log(...values: unknown[]): void {
    console.log(...values);
  }

  /** Runs a call of a task defined in this thread, with this context. */
  async run<R>(call: TaskCall<R>): Promise<R> {
    assertTaskCall(call, 'NullManager.run()');
    if (call.name === CHAIN_TASK_NAME) {
      const results: unknown[] = [];
      for (const [step, [name, args]] of chainSteps(call.args).entries()) {
        try {
          results.push(await this.run({ name, args }));
        } catch (error) {
          throw chainStepError(step, name, error);
        }
      }
      return results as R;
    }
    const task = lookupTask(call.name);
    if (!task) throw new Error(`NullManager.run(): no task named "${call.name}" is defined in this thread; import its module first`);
    return (await task.run(this, ...call.args)) as R;
  }
}
