import { hostname } from 'node:os';
import type { Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { TaskEngine } from '../manager/engine.js';
import { MAX_PRIORITY_LEVELS } from '../queue/priority-lanes.js';
import type { LogDirectory } from '../manager/log-directory.js';
import type { RedisSettings, ResolvedOptions } from '../manager/options.js';
import { serializeError, type TaskError } from '../task/task-error.js';
import { assertNoEviction, bullConnection, closeBull, closeConnection, connectRedis, quietBull } from './connection.js';
import { decodeJob, RemoteOutcome, type FailureDetail, type JobCall, type JobData, type RemoteOutcomeCode } from './entries.js';
import { RedisForwarder, type RemoteOrigin, type RunLimits } from './forwarder.js';
import { QueueKeys } from './keys.js';
import { finishCall, withScripts, type ScriptedRedis } from './scripts.js';
import { redisLibraries, type RedisLibraries } from './libraries.js';

/**
 * Jobs a host holds per thread (BullMQ concurrency = threads x this): each job costs a few round trips to Redis
 * besides its run, so a thread needs several in hand to stay busy. It bounds priority inversion: a more urgent
 * task that arrives waits behind at most this many per thread. Measured with benchmarks/redis.js (5,000 no-ops,
 * 2 threads, noisy machine): 2 gave 1,300 to 2,000 tasks/s, 8 about 2,400, 32 about 3,500.
 */
const HOST_PREFETCH = 8;

/** Until a host has read the run's state: the ProcessManager's default inboxHighWaterMark. */
const DEFAULT_HIGH_WATER_MARK = 10_000;

/** How many times a task whose host died runs again before it counts as failed. */
const MAX_STALLED_RUNS = 5;

type RunState = 'open' | 'cancel' | 'kill';

/**
 * Runs a queue's tasks on this machine's worker threads: a BullMQ Worker takes jobs, a local TaskEngine runs them
 * (the same frames, sessions and logs as without Redis), and what tasks spawn and send goes back to Redis through
 * the RedisForwarder. A task's outcome is recorded by the FINISH script only after its spawns and messages are
 * stored, which keeps the termination invariant across hosts. Used by `tasklane worker` and by a manager with
 * `redis` and `workers > 0`.
 */
export class RedisTaskHost {
  readonly label: string;
  readonly engine: TaskEngine;
  readonly #keys: QueueKeys;
  readonly #redis: ScriptedRedis;
  readonly #subscriber: Redis;
  readonly #queue: Queue<JobData>;
  readonly #forwarder: RedisForwarder;
  readonly #origins = new Map<number, RemoteOrigin>();
  /** Run id -> the local id running it, for `cancel <id>` from the manager. */
  readonly #local = new Map<number, number>();
  readonly #cancelled = new Set<number>();
  #worker: Worker<JobData> | undefined;
  #state: RunState = 'open';
  /** The manager's priority levels (a spawn beyond them fails its task, as locally) and inbox high-water mark. */
  #limits: RunLimits = { levels: MAX_PRIORITY_LEVELS, highWaterMark: DEFAULT_HIGH_WATER_MARK };
  #stopping = false;

  private constructor(settings: RedisSettings, options: ResolvedOptions, log: LogDirectory | undefined, redis: Redis, subscriber: Redis, label: string, { Queue }: RedisLibraries) {
    this.label = label;
    this.#keys = new QueueKeys(settings.queue);
    this.#redis = withScripts(redis);
    this.#subscriber = subscriber;
    this.#queue = quietBull(new Queue<JobData, unknown, string, JobData>(settings.queue, { connection: bullConnection(settings.url) }));
    this.#forwarder = new RedisForwarder(this.#redis, this.#queue, this.#keys, (local) => this.#origins.get(local.id), () => this.#limits);
    this.engine = new TaskEngine(options, log, {
      onUnhandledFailure: () => {}, // every task here has a settle: failures go to the FINISH script
      forward: this.#forwarder,
    });
  }

  /**
   * Connects, starts the threads (with every priority level, since one host serves managers of any level
   * count), waits for them to load the task modules, then takes jobs.
   */
  static async start(settings: RedisSettings, managerOptions: ResolvedOptions, log?: LogDirectory, label = `${hostname()}/${process.pid}`): Promise<RedisTaskHost> {
    const options = { ...managerOptions, priorityLevels: MAX_PRIORITY_LEVELS };
    const redis = await connectRedis(settings.url, 'host');
    const subscriber = await connectRedis(settings.url, 'host-control').catch((error: Error) => {
      closeConnection(redis);
      throw error;
    });
    let host: RedisTaskHost | undefined;
    try {
      await assertNoEviction(redis, settings.url);
      const libraries = await redisLibraries();
      host = new RedisTaskHost(settings, options, log, redis, subscriber, label, libraries);
      await host.#listen();
      const names = await host.#ready();
      await redis.hset(host.#keys.hosts, label, JSON.stringify({ names, threads: options.workers, pid: process.pid, hostname: hostname() }));
      host.#worker = new libraries.Worker<JobData>(settings.queue, (job) => host!.#process(job), {
        connection: bullConnection(settings.url),
        concurrency: options.workers * HOST_PREFETCH,
        lockDuration: settings.lockDuration,
        stalledInterval: settings.lockDuration,
        maxStalledCount: MAX_STALLED_RUNS,
      });
      quietBull(host.#worker);
      await host.#worker.waitUntilReady(); // its connections up and BullMQ's scripts loaded: it takes jobs at once
      return host;
    } catch (error) {
      if (host) await host.stop(true);
      else {
        closeConnection(redis);
        closeConnection(subscriber);
      }
      throw error;
    }
  }

  /**
   * Stops taking jobs. Graceful: running tasks finish and are recorded. Forced: threads are terminated and their
   * jobs are left to run again elsewhere once their lock lapses (at-least-once).
   */
  async stop(force = false): Promise<void> {
    this.#stopping = true;
    const worker = this.#worker;
    const closing = worker ? closeBull(worker, () => worker.close(force)) : undefined;
    if (force) await this.engine.terminate();
    await closing;
    if (!force) await this.engine.closeWorkers();
    if (this.#redis.status === 'ready') await this.#redis.hdel(this.#keys.hosts, this.label).catch(() => {});
    await closeBull(this.#queue);
    closeConnection(this.#subscriber);
    closeConnection(this.#redis);
  }

  async #ready(): Promise<string[]> {
    while (!this.engine.taskNames && !this.engine.bootFailure) {
      await new Promise<void>((resolve) => (this.engine.onProgress = resolve));
    }
    this.engine.onProgress = () => {};
    if (this.engine.bootFailure) throw this.engine.bootFailure;
    return [...this.engine.taskNames!].sort();
  }

  async #listen(): Promise<void> {
    this.#subscriber.on('message', (_channel: string, text: string) => {
      if (text === 'state') void this.#readState();
      else if (text.startsWith('cancel ')) this.#cancel(Number(text.slice(7)));
    });
    await this.#subscriber.subscribe(this.#keys.control);
    await this.#readState();
  }

  async #readState(): Promise<void> {
    const [state, levels, highWaterMark] = ((await this.#redis.get(this.#keys.state).catch(() => null)) ?? 'open').split(' ');
    this.#state = state as RunState;
    this.#limits = { levels: Number(levels) || MAX_PRIORITY_LEVELS, highWaterMark: Number(highWaterMark) || DEFAULT_HIGH_WATER_MARK };
    if (state !== 'open') this.engine.cancelInFlight();
  }

  #cancel(id: number): void {
    const local = this.#local.get(id);
    if (local === undefined) return;
    this.#cancelled.add(id);
    this.engine.cancel(local);
  }

  async #process(job: Job<JobData>): Promise<void> {
    const call = decodeJob(job.data);
    if (this.#state !== 'open') {
      await finishCall(this.#redis, this.#keys, call, RemoteOutcome.NotRun, { failure: { reason: `was not run: the manager closed with '${this.#state}'`, remoteStack: '' } });
      return;
    }
    void this.#redis.hset(this.#keys.running, String(call.id), JSON.stringify([call.name, this.label, Date.now()])).catch(() => {});
    const { ok, value, origin } = await this.#run(call);
    const worker = `${this.label}/${origin.workerId}`;
    if (this.#stopping && this.#state === 'open' && !ok) {
      throw new Error(`host ${this.label} stopped: the task runs again elsewhere`); // left to BullMQ's stalled check
    }
    await this.#forwarder.stored();
    const { startedAt } = origin;
    if (ok) await finishCall(this.#redis, this.#keys, call, RemoteOutcome.Ok, { worker, startedAt, value: call.reply ? value : undefined });
    else await finishCall(this.#redis, this.#keys, call, this.#failureKind(call.id, origin), { worker, startedAt, failure: failureDetail(value as TaskError) });
  }

  async #run(call: JobCall): Promise<{ ok: boolean; value: unknown; origin: RemoteOrigin }> {
    const origin: RemoteOrigin = { id: call.id, spawned: 0, workerId: 0, startedAt: 0 };
    let localId: number | undefined;
    try {
      const result = await new Promise<{ ok: boolean; value: unknown }>((resolve) => {
        const settle = { resolve: (value: unknown) => resolve({ ok: true, value }), reject: (error: Error) => resolve({ ok: false, value: error }) };
        localId = this.engine.add({ name: call.name, args: call.args }, call.priority, settle, call.timeout);
        this.#origins.set(localId, origin);
        this.#local.set(call.id, localId);
      });
      return { ...result, origin };
    } catch (error) {
      return { ok: false, value: error, origin }; // refused at once: unknown name, bad priority
    } finally {
      if (localId !== undefined) this.#origins.delete(localId);
      this.#local.delete(call.id);
    }
  }

  #failureKind(id: number, origin: RemoteOrigin): RemoteOutcomeCode {
    const started = origin.startedAt > 0;
    if (this.#state !== 'open') return started ? RemoteOutcome.Interrupted : RemoteOutcome.NotRun;
    if (this.#cancelled.delete(id)) return RemoteOutcome.Cancelled;
    return RemoteOutcome.Failed;
  }

}

/** The part of a TaskError the manager rebuilds its own from: the reason after `task "x" (id n) `. */
function failureDetail(error: TaskError | Error): FailureDetail {
  const prefix = /^task "[^"]*" \(id \d+\) /;
  const taskError = error as Partial<TaskError>;
  const code = (error as { code?: unknown }).code;
  return {
    reason: prefix.test(error.message) ? error.message.replace(prefix, '') : `failed: ${error.message}`,
    remoteStack: taskError.remoteStack || error.stack || '',
    ...(error.cause !== undefined ? { cause: serializeError(error.cause) } : {}),
    ...(typeof code === 'string' ? { code } : {}),
  };
}
