import { assertCarriable } from '../task/carriable.js';
import { assertTaskCall, type TaskCall } from '../task/task-call.js';
import type { TaskContext } from '../task/task-context.js';

/** What a task's context needs from the worker loop: the one ordered channel to the manager. */
export interface ManagerChannel {
  spawn(call: TaskCall, priority: number): void;
  sendMessage(message: unknown): Promise<void>;
  log(values: unknown[]): void;
  /** Throws a RangeError unless `priority` is a valid level. */
  checkPriority(priority: unknown): asserts priority is number;
  /** Throws unless a task of that name exists in this worker's modules. */
  checkTaskName(name: string): void;
  /** Throws unless task `taskId` is still running: its frames must come before its `t`. */
  checkRunning(taskId: number, method: string): void;
  readonly defaultPriority: number;
}

/** The `ctx` of a task running in a worker. */
export class WorkerTaskContext<S = unknown> implements TaskContext<S> {
  readonly #channel: ManagerChannel;
  readonly #signal: () => AbortSignal;
  readonly taskId: number;
  readonly workerId: number;
  readonly session: S;

  constructor(channel: ManagerChannel, taskId: number, workerId: number, signal: () => AbortSignal, session: S) {
    this.#channel = channel;
    this.taskId = taskId;
    this.workerId = workerId;
    this.#signal = signal;
    this.session = session;
  }

  /** Made on first use (see WorkerLoop): most tasks never look at it. */
  get signal(): AbortSignal {
    return this.#signal();
  }

  schedule(call: TaskCall, priority: number = this.#channel.defaultPriority): void {
    this.#channel.checkRunning(this.taskId, 'ctx.schedule()');
    this.#channel.checkPriority(priority);
    assertTaskCall(call, 'ctx.schedule()');
    this.#channel.checkTaskName(call.name);
    this.#channel.spawn(call, priority);
  }

  send(message: unknown): Promise<void> {
    this.#channel.checkRunning(this.taskId, 'ctx.send()');
    assertCarriable(message, `a message of task ${this.taskId}`, 'message');
    return this.#channel.sendMessage(message);
  }

  log(...values: unknown[]): void {
    this.#channel.log(values);
  }
}
