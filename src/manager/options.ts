import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ResourceLimits } from 'node:worker_threads';
import { assertLevelCount } from '../queue/priority-lanes.js';
import type { WorkerConsole } from '../worker/worker-log.js';

export interface ProcessManagerOptions {
  /**
   * The task module(s) that workers import; their `defineTask` exports are the tasks. A `URL`, a `file:` URL
   * string, or a path (relative to the current directory).
   * @example tasks: new URL('./tasks.js', import.meta.url)
   */
  readonly tasks: URL | string | readonly (URL | string)[];
  /**
   * Worker threads. Default: `os.availableParallelism() * 2`. Bounds: 1 to 1024. Fixed for the manager's life; a
   * thread that dies is replaced in the same slot.
   * @example workers: 4
   */
  readonly workers?: number;
  /**
   * Priority levels, 0 the most urgent. Default 2, bounds 1 to 128. `schedule()` without a priority uses 1 (0
   * when there is a single level).
   */
  readonly priorityLevels?: number;
  /**
   * A folder for `worker-<n>.log`, `tasks.jsonl`, `summary.json` and `not-run.jsonl` (DESIGN section 4).
   * Created if missing; files are appended to. Default: no logs.
   * @example logDirectory: `logs/${Date.now()}`
   */
  readonly logDirectory?: string;
  /**
   * Default true: the first task that fails (not one awaited through `run()`) closes the manager with `kill`
   * and `messages()` throws its TaskError. With false, failures are counted and logged, and work goes on.
   */
  readonly failFast?: boolean;
  /**
   * Messages the inbox holds before workers must wait in `ctx.send()`. Default 10,000; bounds 1 to 10,000,000.
   * Each worker may run ahead by its send window, `ceil(highWaterMark / workers)` capped at 4,096.
   */
  readonly inboxHighWaterMark?: number;
  /**
   * How long `close('cancel')` lets aborted tasks finish before their threads are terminated, in ms.
   * Default 5000; 0 terminates at once.
   */
  readonly cancelGracePeriod?: number;
  /**
   * Default false. When true, the first SIGINT/SIGTERM closes with `cancel`, the second with `kill`, and the
   * process then exits with 130 (SIGINT) or 143 (SIGTERM).
   */
  readonly handleSignals?: boolean;
  /** Per-thread V8 limits (Node's `worker_threads` `resourceLimits`); a thread over them fails its task. */
  readonly resourceLimits?: ResourceLimits;
  /**
   * Upper bound on tasks queued inside one worker ahead of the one it runs. Default 32, bounds 0 to 1024. The
   * manager prefetches only as many as fit in about 50 ms of measured task time, so tasks longer than that go one
   * at a time; a worker with nothing left takes back half of what a busy one holds. A task more urgent than what a
   * worker holds is still sent to it at once, and runs there right after the task running now.
   */
  readonly maxPrefetch?: number;
  /**
   * Where tasks' `console` output (and `ctx.log`) goes besides the log directory. Default `'inherit'`: the
   * process's stdout and stderr, as with any worker thread. `'stderr'` keeps stdout clean for machine-readable
   * output; `'silent'` prints nothing (the log directory still has it).
   */
  readonly workerConsole?: WorkerConsole;
  /**
   * Default `'thread'`: workers are worker threads (fast; a native crash takes the process down). `'process'`:
   * each worker is a child process speaking the same frames over a pipe, so a crash, `process.abort()` or a
   * signal costs one child, which is replaced. `resourceLimits.maxOldGenerationSizeMb` becomes the child's
   * `--max-old-space-size`.
   */
  readonly isolation?: 'thread' | 'process';
  /**
   * A timeout for every task, in ms, from the moment it starts at its worker; a `timeout` given to `schedule()`
   * or `run()` overrides it. Default: none. A task past its time has its `ctx.signal` aborted and fails with a
   * TaskError (code `ETIMEDOUT`); if it has not stopped `cancelGracePeriod` ms later, its worker is replaced.
   */
  readonly taskTimeout?: number;
  /**
   * Run on BullMQ over Redis instead of local threads only: scheduled tasks go to a queue on this server, the
   * `workers` local threads (0 allowed: none) and every `tasklane worker` on any host take them. Default: none
   * (local only). The server must use `maxmemory-policy noeviction`. See docs/scaling-out.md.
   * @example redis: 'redis://127.0.0.1:6379/0', queue: 'crawl'
   */
  readonly redis?: string;
  /**
   * With `redis`: the BullMQ queue (and key prefix) this run uses. Default `'tasklane'`. One manager per queue at
   * a time; hosts started with the same name share its work.
   */
  readonly queue?: string;
  /**
   * With `redis`: how long a host's claim on a running task lasts, in ms, renewed while it runs. A task whose host
   * died runs again elsewhere once its claim lapses. Default 30,000; bounds 1,000 to 3,600,000.
   */
  readonly lockDuration?: number;
}

/** Where a manager or host finds its Redis queue. */
export interface RedisSettings {
  readonly url: string;
  readonly queue: string;
  readonly lockDuration: number;
}

/** Per-call options of `schedule()` and `run()`. */
export interface ScheduleOptions {
  /** This task's timeout in ms (see `ProcessManagerOptions.taskTimeout`). */
  readonly timeout?: number;
}

/** Options with every default filled in and every bound checked. */
export interface ResolvedOptions {
  readonly taskModules: string[];
  readonly workers: number;
  readonly priorityLevels: number;
  readonly logDirectory: string | undefined;
  readonly failFast: boolean;
  readonly inboxHighWaterMark: number;
  readonly sendWindow: number;
  readonly cancelGracePeriod: number;
  readonly handleSignals: boolean;
  readonly resourceLimits: ResourceLimits | undefined;
  readonly maxPrefetch: number;
  readonly workerConsole: WorkerConsole;
  readonly isolation: 'thread' | 'process';
  readonly taskTimeout: number | undefined;
  readonly redis: RedisSettings | undefined;
}

/**
 * The most messages a worker may have unacknowledged. A worker that sends without pause flushes every half window
 * and waits at a full one, so the window must cover the manager's answer: a wake-up of the main thread costs tens of
 * µs on a busy 2-core VM. With 1,024, 2 workers sending a million messages (the suite's messages benchmark)
 * waited on acknowledgements: 2.50M/s, against 2.84M/s with 4,096 (medians of 6 runs, alternating in one process).
 * Larger delays the reader's first message from a tight send loop (half a window) for little more.
 */
const MAX_SEND_WINDOW = 4096;

/** `maxPrefetch` when not given (see ProcessManagerOptions.maxPrefetch). */
export const DEFAULT_MAX_PREFETCH = 32;

export function resolveOptions(options: ProcessManagerOptions): ResolvedOptions {
  if (typeof options !== 'object' || options === null) throw new TypeError('ProcessManager: options are required, at least { tasks }');
  const redis = redisSettings(options);
  const workers = integer('workers', options.workers ?? availableParallelism() * 2, redis ? 0 : 1, 1024);
  const priorityLevels = options.priorityLevels ?? 2;
  assertLevelCount(priorityLevels);
  const inboxHighWaterMark = integer('inboxHighWaterMark', options.inboxHighWaterMark ?? 10_000, 1, 10_000_000);
  return {
    taskModules: moduleUrls(options.tasks),
    workers,
    priorityLevels,
    logDirectory: options.logDirectory === undefined ? undefined : resolve(String(options.logDirectory)),
    failFast: options.failFast ?? true,
    inboxHighWaterMark,
    sendWindow: Math.min(MAX_SEND_WINDOW, Math.ceil(inboxHighWaterMark / Math.max(workers, 1))),
    cancelGracePeriod: integer('cancelGracePeriod', options.cancelGracePeriod ?? 5000, 0, 24 * 3600 * 1000),
    handleSignals: options.handleSignals ?? false,
    resourceLimits: options.resourceLimits,
    maxPrefetch: integer('maxPrefetch', options.maxPrefetch ?? DEFAULT_MAX_PREFETCH, 0, 1024),
    taskTimeout: options.taskTimeout === undefined ? undefined : checkTimeout('taskTimeout', options.taskTimeout),
    isolation: oneOf('isolation', options.isolation ?? 'thread', ['thread', 'process'] as const),
    workerConsole: oneOf('workerConsole', options.workerConsole ?? 'inherit', ['inherit', 'stderr', 'silent'] as const),
    redis,
  };
}

function redisSettings(options: ProcessManagerOptions): RedisSettings | undefined {
  if (options.redis === undefined) {
    if (options.queue !== undefined || options.lockDuration !== undefined) throw new TypeError('ProcessManager: `queue` and `lockDuration` need `redis`');
    return undefined;
  }
  if (typeof options.redis !== 'string' || !/^rediss?:\/\//.test(options.redis)) {
    throw new TypeError(`ProcessManager: redis must be a redis:// or rediss:// URL, got ${String(options.redis)}`);
  }
  const queue = options.queue ?? 'tasklane';
  if (typeof queue !== 'string' || !/^[A-Za-z0-9_.-]{1,100}$/.test(queue)) {
    throw new TypeError(`ProcessManager: queue must be 1 to 100 letters, digits, '_', '.' or '-', got ${String(queue)}`);
  }
  return { url: options.redis, queue, lockDuration: integer('lockDuration', options.lockDuration ?? 30_000, 1000, 3_600_000) };
}

function integer(name: string, value: unknown, min: number, max: number): number {
  if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${String(value)}`);
  }
  return value as number;
}

/** A timeout in ms: a positive integer up to 2^31 - 1 (the largest delay a Node timer takes). */
export function checkTimeout(name: string, value: unknown): number {
  return integer(name, value, 1, 2 ** 31 - 1);
}

function oneOf<T extends string>(name: string, value: unknown, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) {
    throw new RangeError(`ProcessManager: ${name} must be one of ${allowed.map((a) => `'${a}'`).join(', ')}, got ${String(value)}`);
  }
  return value as T;
}

function moduleUrls(tasks: ProcessManagerOptions['tasks']): string[] {
  const list = Array.isArray(tasks) ? tasks : [tasks];
  if (list.length === 0 || tasks === undefined) throw new TypeError('ProcessManager: `tasks` must name at least one task module');
  return list.map((entry: unknown) => {
    if (entry instanceof URL) return entry.href;
    if (typeof entry !== 'string' || entry.length === 0) {
      throw new TypeError(`ProcessManager: a task module must be a URL or a path, got ${typeof entry}`);
    }
    return /^[a-z][a-z0-9+.-]*:/i.test(entry) && !/^[a-z]:[\\/]/i.test(entry) ? new URL(entry).href : pathToFileURL(resolve(entry)).href;
  });
}
