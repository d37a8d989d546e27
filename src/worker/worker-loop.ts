import { FrameDecoder } from '../protocol/decode.js';
import { FrameWriter } from '../protocol/encode.js';
import { FrameType, spawn } from '../protocol/frame-type.js';
import { HELLO_TASK_ID, Outcome, type OutcomeCode, type RunPayload } from '../protocol/payloads.js';
import { findUncarriable } from '../task/carriable.js';
import { CHAIN_TASK_NAME, chainStepError, chainSteps } from '../task/chain.js';
import type { TaskCall } from '../task/task-call.js';
import type { TaskFactory } from '../task/define-task.js';
import { serializeError } from '../task/task-error.js';
import type { TaskRegistry } from './task-registry.js';
import type { ManagerConnection } from './manager-connection.js';
import type { WorkerConfig } from './worker-config.js';
import { WorkerTaskContext, type ManagerChannel } from './worker-context.js';
import type { WorkerLog } from './worker-log.js';
import { RefillPolicy } from './refill-policy.js';

interface LocalTask {
  readonly id: number;
  readonly name: string;
  readonly args: readonly unknown[];
  readonly priority: number;
}

/**
 * The task running now. Its AbortController is made only when the task reads `ctx.signal`: creating one costs
 * more than a tiny task (RESEARCH.md-style measurement: 8 to 15 us on Node 20), and most tasks never look.
 */
interface RunningTask extends LocalTask {
  controller: AbortController | undefined;
  /** Set when the task was cancelled before it asked for its signal. */
  abortReason: Error | undefined;
  /** The m and spawn frames this task wrote: reported in its `t` frame. */
  sent: number;
}

/** What ctx.send() returns while the send window is open: one settled promise serves every call. */
const SENT = Promise.resolve();

/**
 * Between tasks the worker takes in what the manager sent meanwhile, so an urgent task lands at the head of the
 * local queue before the next task starts (see manager/urgent-link.ts). A thread polls its port after every task
 * (50 ns). A turn of the event loop (3 µs) runs at least this often (ms) when the worker is a process, whose
 * socket only the event loop reads, or when messages wait for their flush, so a batch of tasks that each send
 * progress delivers it as it goes rather than at the batch's end.
 */
const TURN_EVERY_MS = 0.25;
/** Flush at once past this many buffered bytes, whatever else is going on. */
const FLUSH_BYTES = 256 * 1024;

/**
 * The whole life of one worker thread after its modules are loaded: say hello, then run the tasks the manager
 * sends, one at a time, most urgent first, and answer every task with exactly one `t` frame.
 *
 * Every frame to the manager goes through one FrameWriter and one MessagePort, in order, so a task's messages
 * and spawns always reach the manager before its `t`. Frames are batched: flushed when the local queue runs low,
 * when the worker goes idle, when a send needs acknowledging, or on the next turn of the event loop.
 */
export class WorkerLoop implements ManagerChannel {
  readonly #connection: ManagerConnection;
  readonly #config: WorkerConfig;
  readonly #registry: TaskRegistry;
  readonly #log: WorkerLog;
  readonly #writer = new FrameWriter();
  readonly #decoder = new FrameDecoder();
  /** Tasks received but not started, by priority then arrival. */
  readonly #queue: LocalTask[] = [];
  #running: RunningTask | undefined;
  #busy = false;
  #closing = false;
  #flushScheduled = false;
  /** When a busy worker sends its answers back. */
  readonly #refill = new RefillPolicy();
  /** Messages written and acknowledged so far, for the send window. */
  #messagesSent = 0;
  #messagesAcked = 0;
  /** Messages written since the last flush: see sendMessage. */
  #messagesUnflushed = 0;
  readonly #windowWaiters: Array<{ readonly number: number; readonly resolve: () => void }> = [];
  /** Shared with the manager (threads): see WorkerConfig.runningSlot. */
  readonly #runningSlot: Float64Array | undefined;
  readonly #finished: Promise<void>;
  #resolveFinished!: () => void;

  readonly defaultPriority: number;

  constructor(connection: ManagerConnection, config: WorkerConfig, registry: TaskRegistry, log: WorkerLog) {
    this.#connection = connection;
    this.#config = config;
    this.#registry = registry;
    this.#log = log;
    this.defaultPriority = Math.min(1, config.priorityLevels - 1);
    this.#runningSlot = config.runningSlot && new Float64Array(config.runningSlot);
    this.#finished = new Promise((resolve) => (this.#resolveFinished = resolve));
  }

  /** Runs until the manager sends close; resolves once sessions are closed and the last frame is sent. */
  run(): Promise<void> {
    this.#connection.onData((data) => this.#receive(data));
    this.#writer.write(FrameType.Done, [HELLO_TASK_ID, Outcome.Ok, { tasks: this.#registry.names }, 0]);
    this.#flush();
    this.#log.line(`worker ${this.#config.workerId} ready (thread started)`);
    return this.#finished;
  }

  // ManagerChannel: what a task's ctx calls.

  checkPriority(priority: unknown): asserts priority is number {
    const levels = this.#config.priorityLevels;
    if (!Number.isInteger(priority) || (priority as number) < 0 || (priority as number) >= levels) {
      throw new RangeError(`ctx.schedule(): priority must be an integer from 0 to ${levels - 1}, got ${String(priority)}`);
    }
  }

  checkTaskName(name: string): void {
    if (name !== CHAIN_TASK_NAME && !this.#registry.has(name)) throw new Error(`ctx.schedule(): ${this.#registry.unknownTaskMessage(name)}`);
  }

  checkRunning(taskId: number, method: string): void {
    if (this.#running?.id !== taskId) {
      throw new Error(`${method} called by task ${taskId} after it finished: a task's messages and subtasks must be sent before it returns`);
    }
  }

  spawn(call: TaskCall, priority: number): void {
    this.#write(spawn(priority), [call.name, call.args]);
  }

  sendMessage(message: unknown): Promise<void> {
    this.#write(FrameType.Message, message);
    const number = ++this.#messagesSent;
    const window = this.#config.sendWindow;
    // At most `sendWindow` messages are ever unacknowledged, this one included: the bound the inbox relies on.
    if (number - this.#messagesAcked < window) {
      // A task that sends without pause never lets the turn end: flush every half window, so the manager
      // acknowledges one half while this thread writes the next, instead of both taking turns waiting.
      if (++this.#messagesUnflushed * 2 >= window) this.#flush();
      return SENT;
    }
    this.#flush();
    return new Promise((resolve) => this.#windowWaiters.push({ number, resolve }));
  }

  log(values: unknown[]): void {
    this.#log.print(`#${this.#running?.id ?? '-'}`, values);
  }

  // Frames from the manager.

  #receive(data: Uint8Array): void {
    this.#take(data);
    if (this.#closing && !this.#busy) void this.#finish();
    else this.#pump();
  }

  #take(data: Uint8Array): void {
    this.#decoder.pushTo(data, this.#handle);
  }

  /** Takes every buffer already waiting on the connection, without a turn of the event loop. */
  #takeWaiting(poll: () => Uint8Array | undefined): void {
    for (let data = poll(); data; data = poll()) this.#take(data);
  }

  readonly #handle = (type: number, payload: unknown): void => {
    switch (type) {
      case FrameType.Done:
        if (payload === undefined) this.#closing = true;
        else this.#enqueue(payload as RunPayload);
        return;
      case FrameType.Message:
        this.#acknowledged(payload as number);
        return;
      case FrameType.SpawnAck:
        return; // spawns need no credit: ctx.schedule() never waits
      case FrameType.Cancel:
        this.#cancel(payload as number);
        return;
      case FrameType.Withdraw:
        if (this.#giveBack(payload as number, 'given back for an idle worker')) this.#flush();
        return;
      default:
        throw new Error(`worker ${this.#config.workerId}: unexpected frame type ${type} from the manager`);
    }
  };

  #enqueue([id, name, args, priority]: RunPayload): void {
    const task = { id, name, args, priority };
    let at = this.#queue.length;
    while (at > 0 && this.#queue[at - 1]!.priority > priority) at--;
    this.#queue.splice(at, 0, task);
  }

  #acknowledged(count: number): void {
    this.#messagesAcked += count;
    const window = this.#config.sendWindow;
    while (this.#windowWaiters.length > 0 && this.#windowWaiters[0]!.number - this.#messagesAcked < window) {
      this.#windowWaiters.shift()!.resolve();
    }
  }

  #cancel(id: number): void {
    if (this.#running?.id === id) {
      const reason = new Error(`task ${id} was cancelled`);
      this.#running.abortReason ??= reason;
      this.#running.controller?.abort(reason);
      return;
    }
    if (this.#giveBack(id, 'cancelled before it started')) this.#scheduleFlush();
  }

  /** Answers a task that has not started as not run; false when it is not here (finished: its `t` is on the way). */
  #giveBack(id: number, why: string): boolean {
    const at = this.#queue.findIndex((task) => task.id === id);
    if (at < 0) return false;
    const [task] = this.#queue.splice(at, 1);
    this.#log.line(`not-run #${id} ${task!.name} (${why})`);
    this.#writer.write(FrameType.Done, [id, Outcome.NotRun, null, 0]);
    return true;
  }

  // Running tasks.

  #pump(): void {
    if (this.#busy || this.#queue.length === 0) return;
    this.#busy = true;
    void this.#drain();
  }

  async #drain(): Promise<void> {
    // Read every buffer already waiting first: one batch of tasks in, one batch of answers out. A thread takes
    // them off its port at once (a turn of the event loop would cost an idle pool's latency 3 to 15 µs); a
    // process lets the event loop turn.
    const poll = this.#connection.poll;
    if (poll) this.#takeWaiting(poll);
    else await nextTurn();
    let turnStarted = performance.now();
    while (this.#queue.length > 0) {
      await this.#runTask(this.#queue.shift()!);
      if (this.#writer.frameCount > 0 && this.#refill.shouldFlush(this.#queue.length, performance.now())) {
        this.#flush();
        await nextTurn(); // let the manager's refill in before the queue runs dry
        turnStarted = performance.now();
      } else {
        if (poll) this.#takeWaiting(poll);
        if ((!poll || this.#flushScheduled) && performance.now() - turnStarted >= TURN_EVERY_MS) {
          await nextTurn();
          turnStarted = performance.now();
        }
      }
    }
    this.#busy = false;
    this.#flush();
    if (this.#closing) await this.#finish();
  }

  async #runTask(task: LocalTask): Promise<void> {
    const running: RunningTask = { id: task.id, name: task.name, args: task.args, priority: task.priority, controller: undefined, abortReason: undefined, sent: 0 };
    this.#running = running;
    if (this.#runningSlot) {
      this.#runningSlot[1] = performance.timeOrigin + performance.now(); // epoch ms, to the µs (see urgentLink)
      this.#runningSlot[0] = task.id;
      this.#writer.write(FrameType.Started, task.id);
    } else {
      this.#writer.write(FrameType.Started, task.id);
      this.#flush(); // no shared memory: the manager learns what runs from this frame, at once
    }
    const started = performance.now();
    if (this.#log.enabled) this.#log.line(`start #${task.id} ${task.name} priority ${task.priority}`);
    let outcome: OutcomeCode = Outcome.Ok;
    let value: unknown;
    try {
      value = await this.#execute(task.name, task.args, running);
      const bad = findUncarriable(value, 'return value');
      if (bad) throw new TypeError(`task "${task.name}" returned a value that cannot be sent between threads: ${bad.path} is ${bad.reason}`);
    } catch (error) {
      outcome = Outcome.Failed;
      value = serializeError(error);
    }
    this.#running = undefined;
    if (this.#runningSlot) this.#runningSlot[0] = 0;
    const ms = performance.now() - started;
    this.#refill.taskDone(ms);
    try {
      this.#writer.write(FrameType.Done, [task.id, outcome, value, running.sent]);
    } catch (error) {
      outcome = Outcome.Failed;
      value = serializeError(new Error(`the result of task "${task.name}" could not be encoded: ${(error as Error).message}`));
      this.#writer.write(FrameType.Done, [task.id, outcome, value, running.sent]);
    }
    if (this.#log.enabled) {
      const how = outcome === Outcome.Ok ? 'ok' : `failed: ${(value as { name: string; message: string }).name}: ${(value as { message: string }).message}`;
      this.#log.line(`end #${task.id} ${task.name} ${ms.toFixed(1)}ms ${how}`);
    }
  }

  /** The task's return value (a promise for an async task); a synchronous throw is the task's failure too. */
  #execute(name: string, args: readonly unknown[], running: RunningTask): unknown {
    if (name === CHAIN_TASK_NAME) return this.#executeChain(args, running);
    const now = this.#registry.resolveNow(name);
    if (now) return this.#call(now.factory, now.session, args, running);
    return this.#registry.resolve(name).then(({ factory, session }) => this.#call(factory, session, args, running));
  }

  #call(factory: TaskFactory, session: unknown, args: readonly unknown[], running: RunningTask): unknown {
    const ctx = new WorkerTaskContext(this, running.id, this.#config.workerId, () => signalOf(running), session);
    return factory.run(ctx, ...args);
  }

  async #executeChain(args: readonly unknown[], running: RunningTask): Promise<unknown[]> {
    const results: unknown[] = [];
    const steps = chainSteps(args);
    for (let i = 0; i < steps.length; i++) {
      const [name, stepArgs] = steps[i]!;
      try {
        results.push(await this.#execute(name, stepArgs, running));
      } catch (error) {
        throw chainStepError(i, name, error);
      }
    }
    return results;
  }

  /**
   * An exception escaped every task (thrown from a timer, say) and the process will exit: the running task fails
   * with it, so its error says what happened rather than just an exit code.
   */
  crash(error: unknown): void {
    const running = this.#running;
    if (running) {
      const failure = serializeError(error);
      this.#writer.write(FrameType.Done, [running.id, Outcome.Failed, { ...failure, message: `uncaught exception: ${failure.message}` }, running.sent]);
      this.#running = undefined;
    }
    this.#flush();
  }

  // Writing and closing.

  /** A frame the running task sent (message or spawn): counted for its `t`. */
  #write(type: number, payload: unknown): void {
    this.#writer.write(type, payload);
    if (this.#running) this.#running.sent++;
    if (this.#writer.byteLength >= FLUSH_BYTES) this.#flush();
    else this.#scheduleFlush();
  }

  #scheduleFlush(): void {
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.#flushScheduled = false;
      this.#flush();
    });
  }

  #flush(): void {
    this.#messagesUnflushed = 0;
    this.#refill.flushed(performance.now());
    const bytes = this.#writer.take();
    if (bytes) this.#connection.send(bytes);
  }

  #finishing = false;

  async #finish(): Promise<void> {
    if (this.#finishing) return;
    this.#finishing = true;
    for (const task of this.#queue.splice(0)) this.#writer.write(FrameType.Done, [task.id, Outcome.NotRun, null, 0]);
    for (const error of await this.#registry.closeSessions()) {
      this.#log.line(`closeSession failed: ${error instanceof Error ? error.stack : String(error)}`);
    }
    this.#log.line(`worker ${this.#config.workerId} closed`);
    this.#flush();
    this.#connection.close();
    this.#resolveFinished();
  }
}

function signalOf(running: RunningTask): AbortSignal {
  if (!running.controller) {
    running.controller = new AbortController();
    if (running.abortReason) running.controller.abort(running.abortReason);
  }
  return running.controller.signal;
}

function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
