import { Outcome, type OutcomeCode } from '../protocol/payloads.js';
import { CHAIN_TASK_NAME } from '../task/chain.js';
import type { TaskCall } from '../task/task-call.js';
import type { SerializedError, TaskError } from '../task/task-error.js';
import { admitTask, assertKnownTask } from './task-admission.js';
import { TaskLedger } from './task-ledger.js';
import { TaskTimeouts } from './task-timeouts.js';
import { BootFailures } from './boot-failures.js';
import { PrefetchGauge } from './prefetch-gauge.js';
import type { TaskForwarding } from './task-forwarding.js';
import { Inbox } from './inbox.js';
import { MessageAcks } from './message-acks.js';
import { QueuedTasks } from './queued-tasks.js';
import type { LogDirectory } from './log-directory.js';
import type { ResolvedOptions } from './options.js';
import { localFailure, remoteFailure, timeoutFailure } from './task-failures.js';
import { createRecord, type TaskRecord } from './task-record.js';
import { processTransportFactory } from './transport/process-transport.js';
import { ThreadPool } from './transport/thread-transport.js';
import type { TransportFactory } from './transport/transport.js';
import { urgentLink } from './urgent-link.js';
import { leastLoaded, withdrawForIdle } from './withdraw-for-idle.js';
import { WorkerLink, type LinkEvents } from './worker-link.js';

/** What the engine tells the ProcessManager. */
export interface EngineHooks {
  /** A task failed and no `run()` caller awaits it: failFast decides what happens. */
  onUnhandledFailure(error: TaskError): void;
  /** The backend cannot go on (Redis lost): the manager fails the run with this error. */
  onFatal?(error: Error): void;
  /** Set by a Redis host: what tasks spawn and send goes there instead of the local lanes and inbox. */
  readonly forward?: TaskForwarding;
}

/** The engine's life: open, then one of the close policies. */
export type EngineMode = 'open' | 'join' | 'cancel' | 'kill';

/**
 * The scheduling core: the priority lanes, one WorkerLink per worker slot, dispatch, and the bookkeeping that
 * gives every scheduled task exactly one outcome. It is event-driven: it acts when `schedule()` is called and
 * when a worker's batch of frames arrives, never on a timer.
 *
 * Termination invariant (DESIGN section 2): a task's spawns and messages arrive on its worker's ordered port
 * before its `t`, so they are queued or in the inbox before the task stops counting as in flight; `idle` can
 * therefore never be true while work a task produced is still on its way.
 */
export class TaskEngine implements LinkEvents {
  /** The queued tasks, by priority. */
  readonly lanes: QueuedTasks;
  readonly inbox = new Inbox();
  readonly ledger: TaskLedger;
  readonly #timeouts: TaskTimeouts;
  readonly #options: ResolvedOptions;
  readonly #log: LogDirectory | undefined;
  /** Starts one worker (a thread or a process), and releases what all of them shared. */
  readonly #startTransport: TransportFactory;
  readonly #releaseWorkers: () => Promise<void>;
  readonly #links: (WorkerLink | undefined)[];
  readonly #exitWaiters: Array<() => void> = [];
  #nextId = 1;
  #inFlight = 0;
  #taskNames: Set<string> | undefined;
  readonly #prefetch: PrefetchGauge;
  #dispatchQueued = false;
  #dispatchAtTurnEnd = false;
  /** Set once the workers are asked to close: a worker that ends then is not replaced. */
  #workersClosing = false;
  readonly #bootFailures: BootFailures;
  readonly #forward: TaskForwarding | undefined;
  readonly #acks: MessageAcks;
  mode: EngineMode = 'open';
  /** Set when no worker could start: every later task fails with it. */
  bootFailure: Error | undefined;
  /** Called whenever something a waiter may care about changed (a message, a finished task, an exit). */
  onProgress: () => void = () => {};

  constructor(options: ResolvedOptions, log: LogDirectory | undefined, hooks: EngineHooks) {
    this.#options = options;
    this.#log = log;
    this.#forward = hooks.forward;
    this.#bootFailures = new BootFailures(options.workers);
    this.#prefetch = new PrefetchGauge(options.maxPrefetch);
    this.#acks = new MessageAcks(this.inbox, options.inboxHighWaterMark);
    this.ledger = new TaskLedger(hooks.forward ? undefined : log, hooks.onUnhandledFailure); // see TaskForwarding
    this.#timeouts = new TaskTimeouts(options.cancelGracePeriod, {
      startedAt: (task) => this.#links[task.workerId - 1]?.runningNow()?.task === task ? this.#links[task.workerId - 1]!.runningNow()!.startedAt : undefined,
      abort: (task) => this.#sendCancel(task),
      terminate: (task) => void this.#links[task.workerId - 1]?.terminate(timeoutFailure(task, this.#options.cancelGracePeriod)),
    });
    this.ledger.onFinished = (task) => this.#timeouts.clear(task);
    this.lanes = new QueuedTasks(options.priorityLevels, options.taskTimeout);
    this.ledger.findQueued = (id) => this.lanes.find(id);
    if (options.isolation === 'process') {
      this.#startTransport = processTransportFactory(options);
      this.#releaseWorkers = async () => {};
    } else {
      const threads = new ThreadPool(options);
      this.#startTransport = threads.start;
      this.#releaseWorkers = () => threads.destroy();
    }
    this.#links = Array.from({ length: options.workers }, (_, i) => this.#startLink(i + 1));
  }

  /** True when nothing is queued and no task is at a worker. */
  get idle(): boolean {
    return this.lanes.size === 0 && this.#inFlight === 0;
  }

  /** Task names the workers reported, once the first one is ready. */
  get taskNames(): ReadonlySet<string> | undefined {
    return this.#taskNames;
  }

  get liveWorkers(): number {
    return this.#links.filter((link) => link !== undefined).length;
  }

  /** Queued tasks per priority level. */
  queuedCounts(): number[] {
    return this.lanes.counts();
  }

  /** Queues a checked call; returns its id. Throws for a bad priority or a name the workers do not know. */
  add(call: TaskCall, priority: number, settle?: TaskRecord['settle'], timeout = this.#options.taskTimeout): number {
    this.#check(call.name, priority);
    const id = this.#nextId++;
    if (this.bootFailure) {
      admitTask(this.ledger, id, call, priority, settle, timeout, this.bootFailure); // counted, then failed
      return id;
    }
    this.ledger.openQueued(); // no record until it is dispatched (QueuedTasks)
    this.lanes.push(id, call, priority, settle, timeout);
    this.#queueDispatch();
    return id;
  }

  #check(name: string, priority: number): void {
    this.lanes.checkPriority(priority);
    assertKnownTask(this.#taskNames, name);
  }

  /** `manager.cancel(id)`: true when the task was queued or running and is now being cancelled. */
  cancel(id: number): boolean {
    const task = this.ledger.get(id);
    if (!task) return false;
    if (task.state === 'queued') {
      this.lanes.cancel(task);
      this.ledger.cancelled(task, 'was cancelled before it started');
      this.onProgress();
      return true;
    }
    if (!task.cancelRequested) {
      task.cancelRequested = true;
      this.#sendCancel(task);
    }
    return true;
  }

  #sendCancel(task: TaskRecord): void {
    const link = this.#links[task.workerId - 1];
    link?.sendCancel(task.id);
    link?.flush();
  }

  running(): { id: number; name: string; workerId: number; startedAt: number }[] {
    const out = [];
    for (const link of this.#links) {
      const now = link?.runningNow();
      if (now) out.push({ id: now.task.id, name: now.task.name, workerId: link!.workerId, startedAt: now.startedAt });
    }
    return out;
  }

  /** The reader took a message: held-back acknowledgements go once the inbox is below its mark. */
  messageTaken(): void {
    this.#acks.messageTaken(this.#links);
  }

  /** Stops acknowledging by the high-water mark: nobody need read (a join without a reader, cancel, kill). */
  releaseBackPressure(): void {
    this.#acks.releaseBackPressure(this.#links);
  }

  // Closing: the ProcessManager picks the policy; these are its steps.

  /** Removes every queued task; they are reported as not run. */
  takeQueued(): void {
    this.ledger.notRunAll(this.lanes.drain(), this.mode);
    const inFlight: TaskRecord[] = [];
    for (const link of this.#links) if (link) inFlight.push(...link.inFlight.values());
    this.ledger.forgetAllExcept(inFlight);
  }

  /** Asks workers to drop what waits and abort what runs; the close frame follows once every task has answered. */
  cancelInFlight(): void {
    for (const link of this.#links) {
      if (!link) continue;
      for (const task of link.inFlight.values()) {
        task.cancelRequested = true;
        link.sendCancel(task.id);
      }
      link.flush();
    }
  }

  /** Terminates every thread now. */
  async terminate(): Promise<void> {
    const links = this.#links.filter((link) => link !== undefined);
    for (const link of links) link.detach(new Error(`worker ${link.workerId} was terminated by close('${this.mode}')`));
    await Promise.all([this.#releaseWorkers(), ...links.map((link) => link.ended)]);
  }

  /** Asks every idle worker to close its sessions and end; resolves when all threads have ended. */
  async closeWorkers(): Promise<void> {
    this.#workersClosing = true;
    const links = this.#links.filter((link) => link !== undefined);
    for (const link of links) link.sendClose();
    while (this.liveWorkers > 0) await new Promise<void>((resolve) => this.#exitWaiters.push(resolve));
    await Promise.all(links.map((link) => link.ended));
    await this.#releaseWorkers();
  }

  // LinkEvents: frames from the workers.

  onReady(link: WorkerLink, taskNames: string[]): void {
    this.#bootFailures.cameUp(link.workerId);
    this.#taskNames ??= new Set(taskNames);
    this.#queueDispatch();
    this.onProgress();
  }

  onStarted(_link: WorkerLink, task: TaskRecord): void {
    this.#forward?.started(task);
  }

  onMessage(link: WorkerLink, message: unknown): void {
    if (this.#forward) this.#forward.message(link.current!, message);
    else if (this.mode === 'open' || this.mode === 'join') this.inbox.push(message);
  }

  onSpawn(link: WorkerLink, priority: number, name: string, args: readonly unknown[]): void {
    const parent = link.current!;
    if (this.mode === 'cancel' || this.mode === 'kill') {
      // Closing: nothing new starts, but the spawn is reported as not run rather than forgotten.
      const task = createRecord(this.#nextId++, { name, args }, priority);
      this.ledger.open(task);
      this.ledger.notRun(task, this.mode);
      return;
    }
    try {
      if (!this.#forward) this.add({ name, args }, priority);
      else {
        this.#check(name, priority);
        this.#forward.spawn(parent, priority, { name, args });
      }
    } catch (error) {
      parent.spawnError ??= `spawned "${name}" at priority ${priority}, which the manager refused: ${(error as Error).message}`;
    }
  }

  onDone(_link: WorkerLink, task: TaskRecord, outcome: OutcomeCode, value: unknown): void {
    this.#inFlight--;
    if (outcome === Outcome.NotRun) {
      if (this.mode === 'cancel' || this.mode === 'kill') this.ledger.notRun(task, this.mode);
      else if (task.cancelRequested) this.ledger.cancelled(task, 'was cancelled before it started');
      else this.#requeue(task);
    } else if (task.timedOut) {
      this.ledger.failed(task, timeoutFailure(task));
    } else if (outcome === Outcome.Ok && !task.spawnError) {
      this.ledger.ok(task, value);
    } else {
      const error = outcome === Outcome.Ok ? localFailure(task, `failed: ${task.spawnError}`) : remoteFailure(task, value as SerializedError);
      if (!task.cancelRequested) this.ledger.failed(task, error);
      else if (this.mode === 'cancel' || this.mode === 'kill') this.ledger.interrupted(task, this.mode, error);
      else this.ledger.cancelled(task, 'was cancelled while it ran', error);
    }
  }

  onBatch(link: WorkerLink, messages: number, spawns: number, completed: number): void {
    if (this.#forward) this.#forward.whenStored(() => this.#ackStored(link, messages, spawns));
    else this.#acks.ack(link, messages, spawns);
    if (completed > 0) this.#prefetch.measure(link, completed);
    this.#dispatchThisTurn();
    this.onProgress();
  }

  onExit(link: WorkerLink, error: Error | undefined): void {
    if (this.#links[link.workerId - 1] === link) this.#links[link.workerId - 1] = undefined;
    const closing = this.mode === 'cancel' || this.mode === 'kill';
    // A task whose `t` did not arrive and that was not running had no effect the manager saw: it runs again.
    const running = link.runningNow()?.task;
    for (const task of link.inFlight.values()) {
      this.#inFlight--;
      if (task === running) {
        if (closing) this.ledger.interrupted(task, this.mode);
        else if (task.timedOut) this.ledger.failed(task, timeoutFailure(task, this.#options.cancelGracePeriod));
        else this.ledger.failed(task, localFailure(task, `failed: worker ${link.workerId} stopped while running it: ${error?.message ?? 'it closed'}`, error));
      } else if (closing) {
        this.ledger.notRun(task, this.mode);
      } else {
        this.#requeue(task);
      }
    }
    link.inFlight.clear();
    const unexpected = error ?? (link.closeSent ? undefined : new Error(`worker ${link.workerId} ended without being asked to`));
    if (unexpected && !link.ready && this.mode === 'open' && this.#bootFailures.isFinal(link.workerId, this.#taskNames !== undefined)) this.#bootFailed(link, unexpected);
    else if (unexpected && !closing && !this.#workersClosing && !this.bootFailure) this.#links[link.workerId - 1] = this.#startLink(link.workerId);
    for (const wake of this.#exitWaiters.splice(0)) wake();
    this.#queueDispatch();
    this.onProgress();
  }

  // Dispatch.

  #startLink(workerId: number): WorkerLink {
    return new WorkerLink(
      workerId,
      this.#startTransport,
      {
        workerId,
        taskModules: this.#options.taskModules,
        priorityLevels: this.#options.priorityLevels,
        sendWindow: this.#options.sendWindow,
        workerConsole: this.#options.workerConsole,
        ...(this.#log ? { logFile: this.#log.workerLogFile(workerId) } : {}),
      },
      this,
    );
  }

  /**
   * Refills and acknowledgements wait for the end of this turn of the event loop, so the batches of every worker
   * that arrived in it are answered with one post per worker.
   */
  #dispatchThisTurn(): void {
    if (this.#dispatchAtTurnEnd) return;
    this.#dispatchAtTurnEnd = true;
    setImmediate(() => {
      this.#dispatchAtTurnEnd = false;
      this.#dispatch();
    });
  }

  #queueDispatch(): void {
    if (this.#dispatchQueued) return;
    this.#dispatchQueued = true;
    queueMicrotask(() => this.#dispatch());
  }

  /**
   * Hands queued tasks to ready workers, one per worker per round, up to the prefetch depth, then a more urgent
   * task than the workers hold past it (urgentLink); with nothing left queued, asks busy workers to give back
   * what they hold for an idle one (withdrawForIdle); then flushes.
   */
  #dispatch(): void {
    this.#dispatchQueued = false;
    if (this.mode !== 'cancel' && this.mode !== 'kill') {
      const depth = this.#prefetch.depth();
      const links = this.#links;
      // Rounds start at the worker holding least, so a task given back (withdrawForIdle) goes to the idle one.
      const first = leastLoaded(links);
      let gave = true;
      while (gave && this.lanes.size > 0) {
        gave = false;
        for (let i = 0; i < links.length; i++) {
          const link = links[(first + i) % links.length];
          if (!link?.ready || link.closeSent || link.inFlight.size >= depth) continue;
          const task = this.lanes.take();
          if (!task) break;
          gave = true;
          this.#send(link, task);
        }
      }
      for (let link; this.lanes.size > 0 && (link = urgentLink(links, depth, this.lanes.peekPriority()!)); ) this.#send(link, this.lanes.take()!);
      if (this.lanes.size === 0) withdrawForIdle(links);
    }
    for (const link of this.#links) link?.flush();
  }

  #send(link: WorkerLink, task: TaskRecord): void {
    this.ledger.track(task);
    if (task.name !== CHAIN_TASK_NAME && this.#taskNames && !this.#taskNames.has(task.name)) {
      this.ledger.failed(task, localFailure(task, `could not run: no task of that name in the task modules`));
      return;
    }
    if (link.inFlight.size === 0) link.busySince = performance.now();
    link.sendTask(task);
    this.#timeouts.watch(task);
    this.#inFlight++;
  }

  /** A Redis host acknowledges spawns and messages once Redis holds them (the worker's send window waits). */
  #ackStored(link: WorkerLink, messages: number, spawns: number): void {
    if (this.#links[link.workerId - 1] !== link) return;
    link.ackSpawns(spawns);
    link.ackMessages(messages);
    link.flush();
  }

  #requeue(task: TaskRecord): void {
    this.#timeouts.clear(task);
    task.state = 'queued';
    task.workerId = 0;
    task.withdrawing = false;
    this.lanes.unshift(task);
  }

  #bootFailed(link: WorkerLink, error: Error): void {
    this.bootFailure = new Error(`worker ${link.workerId} could not start: ${error.message}`, { cause: error });
    for (const task of this.lanes.drain()) {
      this.ledger.failed(task, localFailure(task, `could not run: ${this.bootFailure.message}`, error));
    }
  }
}
