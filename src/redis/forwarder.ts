import type { Queue } from 'bullmq';
import type { TaskForwarding } from '../manager/task-forwarding.js';
import type { TaskRecord } from '../manager/task-record.js';
import { assertPriority } from '../queue/priority-lanes.js';
import type { TaskCall } from '../task/task-call.js';
import { encodeJob, encodeMessage, type JobData } from './entries.js';
import { bullPriorityOf, jobIdOf, type QueueKeys } from './keys.js';
import { registerSpawns, type ScriptedRedis } from './scripts.js';

/** How often a host that holds back acknowledgements looks at the stream's length again. */
const BACK_PRESSURE_POLL_MS = 50;

interface PendingSpawn {
  readonly key: string;
  readonly priority: number;
  readonly call: TaskCall;
}

/** What the manager of the current run set: its priority levels and inbox high-water mark. */
export interface RunLimits {
  readonly levels: number;
  readonly highWaterMark: number;
}

/** Where a local task came from (its id in the run), how many subtasks it spawned so far, where it started. */
export interface RemoteOrigin {
  readonly id: number;
  spawned: number;
  workerId: number;
  startedAt: number;
}

/**
 * A host's TaskForwarding: what its tasks spawn and send goes to Redis in batches, one per turn of the event loop.
 * Messages become stream entries; spawns get ids from the SPAWN script (the same ids when a parent runs again)
 * and then BullMQ jobs. Writes happen one batch after another, so `stored()` (awaited before a task's finish)
 * covers everything the task produced, and a worker's acknowledgements wait for its batch to be stored.
 */
export class RedisForwarder implements TaskForwarding {
  readonly #redis: ScriptedRedis;
  readonly #queue: Queue<JobData>;
  readonly #keys: QueueKeys;
  readonly #originOf: (local: TaskRecord) => RemoteOrigin | undefined;
  #spawns: PendingSpawn[] = [];
  #messages: Buffer[] = [];
  #callbacks: Array<() => void> = [];
  #flushQueued = false;
  #chain: Promise<void> = Promise.resolve();
  #failure: Error | undefined;

  readonly #run: () => RunLimits;

  constructor(
    redis: ScriptedRedis,
    queue: Queue<JobData>,
    keys: QueueKeys,
    originOf: (local: TaskRecord) => RemoteOrigin | undefined,
    run: () => RunLimits,
  ) {
    this.#run = run;
    this.#redis = redis;
    this.#queue = queue;
    this.#keys = keys;
    this.#originOf = originOf;
  }

  started(task: TaskRecord): void {
    const origin = this.#originOf(task);
    if (!origin) return;
    origin.workerId = task.workerId;
    origin.startedAt = task.startedAt;
  }

  spawn(parent: TaskRecord, priority: number, call: TaskCall): void {
    const origin = this.#originOf(parent);
    if (!origin) throw new Error(`spawn from task ${parent.id}, which this host does not know`);
    assertPriority(priority, this.#run().levels);
    this.#spawns.push({ key: `${origin.id}.${origin.spawned++}`, priority, call });
    this.#queueFlush();
  }

  message(_from: TaskRecord, message: unknown): void {
    this.#messages.push(encodeMessage(message));
    this.#queueFlush();
  }

  whenStored(then: () => void): void {
    this.#callbacks.push(then);
    this.#queueFlush();
  }

  /** Resolves once everything forwarded so far is in Redis; rejects if a write failed. */
  async stored(): Promise<void> {
    if (this.#flushQueued) this.#flush();
    await this.#chain;
    if (this.#failure) throw this.#failure;
  }

  #queueFlush(): void {
    if (this.#flushQueued) return;
    this.#flushQueued = true;
    queueMicrotask(() => this.#flush());
  }

  #flush(): void {
    if (!this.#flushQueued) return;
    this.#flushQueued = false;
    const spawns = this.#spawns;
    const messages = this.#messages;
    const callbacks = this.#callbacks;
    this.#spawns = [];
    this.#messages = [];
    this.#callbacks = [];
    this.#chain = this.#chain
      .then(async () => {
        if (this.#failure) return;
        if (messages.length > 0) await this.#writeMessages(messages);
        if (spawns.length > 0) await this.#writeSpawns(spawns);
        for (const callback of callbacks) callback();
      })
      .catch((error: Error) => {
        this.#failure ??= error;
      });
  }

  async #writeMessages(messages: Buffer[]): Promise<void> {
    const pipeline = this.#redis.pipeline();
    for (const message of messages) pipeline.xadd(this.#keys.events, '*', 'k', 'm', 'p', message);
    pipeline.xlen(this.#keys.events);
    const replies = (await pipeline.exec()) ?? [];
    for (const [error] of replies) if (error) throw error;
    let unread = Number(replies.at(-1)?.[1] ?? 0);
    // The reader trims what it read, so the stream's length is what waits for it.
    // Past the manager's inboxHighWaterMark, acknowledgements wait: ctx.send() then waits too (back-pressure)
    // instead of filling Redis's memory when nobody reads messages().
    while (unread > this.#run().highWaterMark) {
      await new Promise((resolve) => setTimeout(resolve, BACK_PRESSURE_POLL_MS));
      unread = await this.#redis.xlen(this.#keys.events);
    }
  }

  async #writeSpawns(spawns: PendingSpawn[]): Promise<void> {
    const ids = await registerSpawns(this.#redis, this.#keys, spawns.map((spawn) => spawn.key));
    const jobs = [];
    for (let i = 0; i < spawns.length; i++) {
      const { id, done } = ids[i]!;
      if (done) continue; // its parent ran again after the subtask had finished: it does not run twice
      const { call, priority } = spawns[i]!;
      jobs.push({
        name: call.name,
        data: encodeJob({ id, name: call.name, args: call.args, priority, reply: false }),
        opts: { jobId: jobIdOf(id), priority: bullPriorityOf(priority), removeOnComplete: true, removeOnFail: false },
      });
    }
    if (jobs.length > 0) await this.#queue.addBulk(jobs);
  }
}
