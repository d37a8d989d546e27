import type { Queue } from 'bullmq';
import type { Backend } from '../manager/backend.js';
import type { RunningTaskInfo } from '../manager/close-report.js';
import type { EngineHooks, EngineMode } from '../manager/engine.js';
import { Inbox } from '../manager/inbox.js';
import type { LogDirectory } from '../manager/log-directory.js';
import type { RedisSettings, ResolvedOptions } from '../manager/options.js';
import { admitTask, assertKnownTask } from '../manager/task-admission.js';
import { ProgressWaits } from '../manager/progress-waits.js';
import { TaskLedger } from '../manager/task-ledger.js';
import { localFailure } from '../manager/task-failures.js';
import { createRecord, type TaskRecord } from '../manager/task-record.js';
import { assertPriority } from '../queue/priority-lanes.js';
import type { TaskCall } from '../task/task-call.js';
import { assertNoEviction, bullConnection, closeBull, closeConnection, connectRedis, quietBull, watchConnection } from './connection.js';
import { decodeDone, decodeMessage, encodeJob, type JobData } from './entries.js';
import { EventReader, streamIdAtLeast, type StreamEntry } from './event-reader.js';
import { bullPriorityOf, jobIdOf, QueueKeys } from './keys.js';
import { lostRun, QueueClaim } from './queue-claim.js';
import { applyOutcome, finishUnstarted, RemoteView } from './remote-view.js';
import { snapshot, withScripts, type ScriptedRedis } from './scripts.js';
import { RedisTaskHost } from './task-host.js';
import { redisLibraries } from './libraries.js';

/** What a manager needs of Redis once connected. */
interface Connected {
  readonly redis: ScriptedRedis;
  readonly queue: Queue<JobData, unknown, string, JobData>;
  readonly claim: QueueClaim;
  readonly reader: EventReader;
  readonly host: RedisTaskHost | undefined;
}

/**
 * The ProcessManager's backend with `redis`: tasks go to one BullMQ queue (our priority p is BullMQ's p + 1), any
 * number of hosts run them (this process's own `workers` threads among them), and one stream brings back
 * messages and outcomes in order. Ids: the manager numbers what it schedules with odd numbers (so `schedule()`
 * returns at once), Redis numbers spawns with even ones.
 *
 * The run is over when the `open` set is empty and the reader has read the stream up to the entry that was last
 * when it was seen empty (scripts.ts), and nothing the manager scheduled is still on its way to Redis.
 */
export class RedisBackend implements Backend {
  readonly inbox = new Inbox();
  readonly ledger: TaskLedger;
  mode: EngineMode = 'open';
  bootFailure: Error | undefined;
  onProgress: () => void = () => {};
  readonly #waits = new ProgressWaits();
  readonly #options: ResolvedOptions;
  readonly #settings: RedisSettings;
  readonly #keys: QueueKeys;
  readonly #hooks: EngineHooks;
  readonly #connected: Promise<Connected | undefined>;
  #connection: Connected | undefined;
  /** Tasks scheduled here and not finished, by id: their `run()` promises and what `cancel(id)` finds. */
  readonly #scheduled = new Map<number, TaskRecord>();
  #unsent: TaskRecord[] = [];
  #sending: Promise<void> = Promise.resolve();
  #sendsInFlight = 0;
  #nextOrdinal = 0;
  /** Bumped by every schedule: an emptiness seen before it says nothing about the task it added. */
  #epoch = 0;
  #remoteIdle = true;
  #backPressure = true;
  #lost: Error | undefined;
  readonly #view: RemoteView;

  constructor(options: ResolvedOptions, log: LogDirectory | undefined, hooks: EngineHooks) {
    this.#options = options;
    this.#settings = options.redis!;
    this.#keys = new QueueKeys(this.#settings.queue);
    this.#hooks = hooks;
    this.ledger = new TaskLedger(log, hooks.onUnhandledFailure);
    this.#view = new RemoteView(options.priorityLevels, () => this.#progress());
    this.#connected = this.#connect(log).then(
      (connected) => (this.#connection = connected),
      (error: Error) => {
        this.#fail(error);
        return undefined;
      },
    );
  }

  get idle(): boolean {
    return this.#unsent.length === 0 && this.#sendsInFlight === 0 && this.#remoteIdle;
  }

  /** Known once connected and a host (ours or another) registered its task modules' names: ready() waits for it. */
  get taskNames(): ReadonlySet<string> | undefined {
    if (!this.#connection) return undefined;
    return this.#connection.host?.engine.taskNames ?? this.#view.taskNames;
  }

  add(call: TaskCall, priority: number, settle?: TaskRecord['settle'], timeout = this.#options.taskTimeout): number {
    assertPriority(priority, this.#options.priorityLevels);
    assertKnownTask(this.taskNames, call.name);
    const id = 2 * this.#nextOrdinal++ + 1;
    const task = admitTask(this.ledger, id, call, priority, settle, timeout, this.bootFailure);
    if (!task) return id;
    this.#scheduled.set(task.id, task);
    this.#unsent.push(task);
    this.#epoch++;
    this.#remoteIdle = false;
    if (this.#unsent.length === 1) queueMicrotask(() => this.#send());
    return task.id;
  }

  cancel(id: number): boolean {
    const task = this.#scheduled.get(id);
    if (task?.state === 'queued' && this.#unsent.includes(task)) {
      task.cancelled = true; // #send skips it
      this.#scheduled.delete(id);
      this.ledger.cancelled(task, 'was cancelled before it started');
      this.#progress();
      return true;
    }
    if (id % 2 === 1 && !task) return false;
    if (id % 2 === 0 && this.#view.finished(id)) return false;
    void this.#cancelRemote(id);
    return true;
  }

  queuedCounts(): number[] {
    if (this.idle) return new Array<number>(this.#options.priorityLevels).fill(0); // the view may lag behind
    const counts = this.#view.queued.slice();
    for (const task of this.#unsent) if (!task.cancelled) counts[task.priority]!++;
    return counts;
  }

  running(): RunningTaskInfo[] {
    return this.idle ? [] : this.#view.running;
  }

  messageTaken(): void {
    if (this.inbox.length < this.#options.inboxHighWaterMark) this.#connection?.reader.wake();
  }

  releaseBackPressure(): void {
    this.#backPressure = false;
    this.#connection?.reader.wake();
  }

  async takeQueued(): Promise<void> {
    const connection = await this.#connected;
    for (const task of this.#unsent.splice(0)) {
      if (task.cancelled) continue;
      this.#scheduled.delete(task.id);
      this.ledger.notRun(task, this.mode);
    }
    if (!connection || this.#lost) return;
    await this.#safely(async () => {
      await this.#sending;
      await connection.claim.setState(this.mode === 'kill' ? 'kill' : 'cancel');
      await finishUnstarted(connection.redis, connection.queue, this.#keys, this.mode);
    });
  }

  async cancelInFlight(): Promise<void> {
    // Hosts abort what they run when they hear the state change that takeQueued() published.
  }

  /** Kill: local threads end now; tasks other hosts still run are abandoned and reported interrupted. */
  async terminate(): Promise<void> {
    const connection = await this.#connected;
    if (!connection) return;
    await connection.host?.stop(true);
    if (!this.#lost) {
      await this.#safely(() => finishUnstarted(connection.redis, connection.queue, this.#keys, this.mode, true));
      await this.#waits.until(() => this.#remoteIdle, 5000); // the reader takes in the outcomes just written
    }
    await this.#shutDown(connection);
  }

  async closeWorkers(): Promise<void> {
    const connection = await this.#connected;
    if (!connection) return;
    await connection.host?.stop(this.#lost !== undefined);
    await this.#shutDown(connection);
  }

  async #shutDown(connection: Connected): Promise<void> {
    this.#view.stop();
    await connection.reader.stop();
    if (!this.#lost) await this.#safely(() => connection.claim.release(connection.queue));
    else connection.claim.abandon();
    await closeBull(connection.queue);
    closeConnection(connection.redis);
  }

  /** A close step that Redis may fail: the error ends the run (reported) instead of the close. */
  async #safely(step: () => Promise<unknown>): Promise<void> {
    try {
      await step();
    } catch (error) {
      this.#fail(error as Error);
    }
  }

  async #connect(log: LogDirectory | undefined): Promise<Connected> {
    const { url, queue: name } = this.#settings;
    const redis = withScripts(await connectRedis(url, 'manager'));
    const cleanup: Array<() => unknown> = [() => closeConnection(redis)];
    try {
      await assertNoEviction(redis, url);
      const { Queue } = await redisLibraries();
      const queue = quietBull(new Queue<JobData, unknown, string, JobData>(name, { connection: bullConnection(url) }));
      cleanup.push(() => closeBull(queue));
      const claim = await QueueClaim.take(redis, this.#keys, queue, `${this.#options.priorityLevels} ${this.#options.inboxHighWaterMark}`, (error) => this.#fail(error));
      cleanup.push(() => claim.release(queue));
      const readerConnection = await connectRedis(url, 'manager-reader');
      const reader = new EventReader(readerConnection, redis, this.#keys, {
        entry: (entry) => this.#onEntry(entry),
        afterRead: (sawMark, timedOut) => (sawMark || timedOut ? this.#checkIdle() : Promise.resolve()),
        mayRead: () => !this.#backPressure || this.mode !== 'open' || this.inbox.length < this.#options.inboxHighWaterMark,
        onError: (error) => this.#fail(error),
      });
      cleanup.push(() => reader.stop());
      const host = this.#options.workers > 0 ? await RedisTaskHost.start(this.#settings, this.#options, log, `manager/${process.pid}`) : undefined;
      for (const connection of [redis, readerConnection]) watchConnection(connection, url, (error) => this.#fail(error));
      this.#view.start(redis, queue, this.#keys, (error) => this.#fail(error));
      this.#progress();
      return { redis, queue, claim, reader, host };
    } catch (error) {
      for (const undo of cleanup.reverse()) await Promise.resolve(undo()).catch(() => {});
      throw error;
    }
  }

  /** Sends what was scheduled since the last send: ids into `open` first, then the jobs. */
  #send(): void {
    const batch = this.#unsent.filter((task) => !task.cancelled);
    this.#unsent = [];
    if (batch.length === 0) return;
    this.#sendsInFlight++;
    this.#sending = this.#sending
      .then(async () => {
        const connection = await this.#connected;
        if (!connection) return; // #fail settled every scheduled task when the connection failed
        await connection.redis.sadd(this.#keys.open, ...batch.map((task) => String(task.id)));
        await connection.queue.addBulk(
          batch.map((task) => ({
            name: task.name,
            data: encodeJob({ id: task.id, name: task.name, args: task.args, priority: task.priority, reply: task.settle !== undefined, timeout: task.timeout }),
            opts: { jobId: jobIdOf(task.id), priority: bullPriorityOf(task.priority), removeOnComplete: true, removeOnFail: false },
          })),
        );
      })
      .catch((error: Error) => this.#fail(error))
      .finally(() => {
        this.#sendsInFlight--;
        this.#progress();
      });
  }

  #onEntry(entry: StreamEntry): void {
    if (entry.kind === 'm') {
      if (this.mode === 'open' || this.mode === 'join') this.inbox.push(decodeMessage(entry.payload));
      this.#progress();
      return;
    }
    if (entry.kind !== 'd') return;
    const done = decodeDone(entry.payload);
    let task = this.#scheduled.get(done.id);
    if (task) this.#scheduled.delete(done.id);
    else if (done.id % 2 === 1) return; // one of ours that this manager already settled (not run at a close)
    else {
      task = createRecord(done.id, { name: done.name, args: done.args }, done.priority);
      this.ledger.open(task);
      this.#view.finish(done.id);
    }
    applyOutcome(this.ledger, task, done, this.mode);
    this.#progress();
  }

  async #checkIdle(): Promise<void> {
    const connection = this.#connection;
    if (!connection || (this.#remoteIdle && this.#scheduled.size === 0)) return;
    const epoch = this.#epoch;
    const now = await snapshot(connection.redis, this.#keys, connection.claim.token);
    if (!now.owned) return this.#fail(lostRun(this.#keys));
    if (now.open === 0 && epoch === this.#epoch && streamIdAtLeast(connection.reader.lastId, now.lastId)) {
      this.#remoteIdle = true;
      this.#progress();
    }
  }

  async #cancelRemote(id: number): Promise<void> {
    const connection = await this.#connected;
    if (!connection) return;
    await this.#sending;
    const removed = await finishUnstarted(connection.redis, connection.queue, this.#keys, 'cancel', false, id);
    if (!removed) await connection.redis.publish(this.#keys.control, `cancel ${id}`);
  }

  /** Redis failed under us: the run cannot go on (see ProcessManager's fatal path). */
  #fail(error: Error): void {
    if (this.#lost) return;
    this.#lost = error;
    if (!this.#connection) this.bootFailure = error;
    for (const task of [...this.#unsent, ...this.#scheduled.values()]) {
      if (!task.cancelled && this.#scheduled.delete(task.id)) this.ledger.failed(task, localFailure(task, `could not finish: ${error.message}`, error));
    }
    this.#unsent = [];
    this.#remoteIdle = true; // nothing more will come: the run is over, with this error
    this.#hooks.onFatal?.(error);
    this.#progress();
  }

  /** Something changed: the manager's waits and this backend's own. */
  #progress(): void {
    this.#waits.wake();
    this.onProgress();
  }
}
