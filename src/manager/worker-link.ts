import { FrameDecoder } from '../protocol/decode.js';
import { FrameWriter } from '../protocol/encode.js';
import { FrameType, frameTypeName, isSpawn, spawnPriority } from '../protocol/frame-type.js';
import { HELLO_TASK_ID, Outcome, type DonePayload, type HelloValue, type OutcomeCode, type SpawnPayload } from '../protocol/payloads.js';
import { deserializeError, type SerializedError } from '../task/task-error.js';
import type { TaskRecord } from './task-record.js';
import type { TransportFactory, WorkerConfigBase, WorkerTransport } from './transport/transport.js';

/** What a link reports to its owner, frame by frame, in the order the worker sent them. */
export interface LinkEvents {
  onReady(link: WorkerLink, taskNames: string[]): void;
  onStarted(link: WorkerLink, task: TaskRecord): void;
  onMessage(link: WorkerLink, message: unknown): void;
  onSpawn(link: WorkerLink, priority: number, name: string, args: readonly unknown[]): void;
  onDone(link: WorkerLink, task: TaskRecord, outcome: OutcomeCode, value: unknown): void;
  /** After each batch of frames: `messages` and `spawns` it carried, `completed` tasks. */
  onBatch(link: WorkerLink, messages: number, spawns: number, completed: number): void;
  /** The thread ended: `error` is why (undefined after a requested close). */
  onExit(link: WorkerLink, error: Error | undefined): void;
}

/**
 * The manager's end of one worker: the protocol over one ordered transport (a thread's MessagePort or a child
 * process's pipe) carrying every frame both ways. The link keeps the tasks it sent (`inFlight`, in send order)
 * and checks each `t` against the frames it counted for that task.
 */
export class WorkerLink {
  readonly workerId: number;
  readonly #transport: WorkerTransport;
  readonly #writer = new FrameWriter();
  readonly #decoder = new FrameDecoder();
  readonly #events: LinkEvents;
  /** Tasks sent to this worker and not yet answered, in the order they were sent. */
  readonly inFlight = new Map<number, TaskRecord>();
  /** The task between its `n` and `t` frames, and the frames counted for it so far. */
  current: TaskRecord | undefined;
  #currentSent = 0;
  #bootError: Error | undefined;
  ready = false;
  exited = false;
  closeSent = false;
  /** Message acknowledgements held back while the inbox is over its high-water mark. */
  deferredAcks = 0;
  /** When the last batch arrived, for the task-time estimate (performance.now()). */
  lastBatchAt = 0;
  /** When the worker last went from no task in flight to one (performance.now()). */
  busySince = 0;
  /** The priority of the last task sent (see urgentLink). */
  lastSentPriority = 0;

  constructor(workerId: number, start: TransportFactory, config: WorkerConfigBase, events: LinkEvents) {
    this.workerId = workerId;
    this.#events = events;
    this.#transport = start(config, {
      onData: (chunk) => this.#receive(chunk),
      onExit: (error) => this.#exit(error),
    });
  }

  /** Resolves when the worker has ended. */
  get ended(): Promise<void> {
    return this.#transport.ended;
  }

  /** Sends a task to run. The caller checked that the worker is ready. */
  sendTask(task: TaskRecord): void {
    task.state = 'sent';
    task.workerId = this.workerId;
    this.lastSentPriority = task.priority;
    this.inFlight.set(task.id, task);
    this.#writer.write(FrameType.Done, [task.id, task.name, task.args, task.priority]);
  }

  sendCancel(taskId: number): void {
    this.#writer.write(FrameType.Cancel, taskId);
  }

  sendWithdraw(taskId: number): void {
    this.#writer.write(FrameType.Withdraw, taskId);
  }

  ackMessages(count: number): void {
    if (count > 0) this.#writer.write(FrameType.Message, count);
  }

  ackSpawns(count: number): void {
    if (count > 0) this.#writer.write(FrameType.SpawnAck, count);
  }

  /** Asks the worker to close its sessions and end once its tasks are answered. */
  sendClose(): void {
    if (this.closeSent || this.exited) return;
    this.closeSent = true;
    this.#writer.write(FrameType.Done);
    this.flush();
  }

  /** Posts everything written since the last flush as one buffer. */
  flush(): void {
    const bytes = this.#writer.take();
    if (bytes && !this.exited) this.#transport.send(bytes);
  }

  /**
   * What the worker runs at this moment and since when (epoch ms). A thread tells through shared memory, because
   * a busy thread's `n` frame may not have left it yet; a process sends its `n` frames at once instead. When a
   * worker dies, this is the task it died in.
   */
  runningNow(): { task: TaskRecord; startedAt: number } | undefined {
    if (!this.#transport.seesRunningTask) return this.current && { task: this.current, startedAt: this.current.startedAt };
    const now = this.#transport.runningNow();
    const task = now && this.inFlight.get(now.id);
    return task && { task, startedAt: now!.startedAt };
  }

  #receive(data: Uint8Array): void {
    if (this.exited) return;
    this.#batch.messages = this.#batch.spawns = this.#batch.completed = 0;
    let broken: unknown;
    try {
      // frames are handled as they are decoded; a bad one throws after the good ones before it were handled
      this.#decoder.pushTo(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), this.#onFrame);
    } catch (error) {
      broken = error;
    }
    this.#events.onBatch(this, this.#batch.messages, this.#batch.spawns, this.#batch.completed);
    this.lastBatchAt = performance.now();
    if (broken !== undefined) this.#fail(broken);
  }

  /** What the batch being received carried, counted as its frames are handled. */
  readonly #batch = { messages: 0, spawns: 0, completed: 0 };

  readonly #onFrame = (type: number, payload: unknown): void => {
    if (this.exited) return; // a frame of this batch led to a kill close: the rest is moot
    if (type === FrameType.Message) {
      this.#batch.messages++;
      this.#countForCurrent(type);
      this.#events.onMessage(this, payload);
    } else if (isSpawn(type)) {
      this.#batch.spawns++;
      this.#countForCurrent(type);
      const [name, args] = payload as SpawnPayload;
      this.#events.onSpawn(this, spawnPriority(type), name, args);
    } else if (type === FrameType.Started) {
      this.#started(payload as number);
    } else if (type === FrameType.Done) {
      if (this.#done(payload as DonePayload)) this.#batch.completed++;
    } else {
      throw new Error(`a worker may not send ${frameTypeName(type)} frames`);
    }
  };

  #started(taskId: number): void {
    const task = this.inFlight.get(taskId);
    if (!task || task.state !== 'sent') throw new Error(`started task ${taskId}, which was not sent to it`);
    task.state = 'running';
    task.startedAt = Date.now();
    this.current = task;
    this.#currentSent = 0;
    this.#events.onStarted(this, task);
  }

  /** Returns whether a task finished (the hello frame is not one). */
  #done(payload: DonePayload): boolean {
    const [taskId, outcome, value, sent] = payload;
    if (taskId === HELLO_TASK_ID) {
      if (outcome === Outcome.Failed) {
        // A child process that could not load its modules says why before it exits.
        this.#bootError = deserializeError(value as SerializedError);
        return false;
      }
      this.ready = true;
      this.#events.onReady(this, (value as HelloValue).tasks);
      return false;
    }
    const task = this.inFlight.get(taskId);
    if (!task) throw new Error(`finished task ${taskId}, which was not sent to it`);
    const expected = task === this.current ? this.#currentSent : 0;
    if (sent !== expected) throw new Error(`task ${taskId} reported ${sent} frames sent, the manager counted ${expected}`);
    if (outcome === Outcome.NotRun && task.state !== 'sent') throw new Error(`task ${taskId} reported not run after it started`);
    this.inFlight.delete(taskId);
    if (task === this.current) this.current = undefined;
    this.#events.onDone(this, task, outcome, value);
    return true;
  }

  #countForCurrent(type: number): void {
    if (!this.current) throw new Error(`${frameTypeName(type)} frame while no task was running`);
    this.#currentSent++;
  }

  /** A protocol error: the worker cannot be trusted any more; it is dropped like a dead one. */
  #fail(error: unknown): void {
    const reason = error instanceof Error ? error.message : String(error);
    void this.terminate(new Error(`protocol error from worker ${this.workerId}: ${reason}`, { cause: error }));
  }

  /** Stops the worker now (kill, or a worker that broke the protocol); resolves once it is gone. */
  terminate(reason: Error): Promise<void> {
    return this.#transport.terminate(reason);
  }

  /** Counts the worker as ended now; the caller stops every worker at once (see WorkerTransport.detach). */
  detach(reason: Error): void {
    this.#transport.detach(reason);
  }

  #exit(error: Error | undefined): void {
    if (this.exited) return;
    this.exited = true;
    this.#events.onExit(this, this.#bootError ?? error);
  }
}
