import { after } from 'node:test';
import { ProcessManager, type ProcessManagerOptions, type TaskCall } from 'tasklane';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { isStarted, nextMatching, within } from '../manager/helpers.js';
import { RedisServer } from './redis-server.js';

export const REDIS_TASKS = new URL('../fixtures/redis-tasks.js', import.meta.url);

let server: Promise<RedisServer> | undefined;
let queues = 0;

// Registered when a test file imports this module, so at the file's top level: it runs after all its tests.
after(async () => {
  if (server) await (await server).stop();
});

/** One redis-server per test file, started on first use and stopped by PID when the file's tests end. */
export function sharedServer(): Promise<RedisServer> {
  server ??= RedisServer.start();
  return server;
}

/** A queue name no other test in this process uses. */
export function freshQueue(): string {
  return `test-${process.pid}-${++queues}`;
}

/** A manager on the Redis backend (2 local threads unless told), always closed with kill when `fn` ends. */
export async function withRedisManager<T>(
  options: Partial<ProcessManagerOptions>,
  fn: (manager: ProcessManager, server: RedisServer, queue: string) => Promise<T>,
): Promise<T> {
  const redis = await sharedServer();
  const queue = freshQueue();
  const manager = new ProcessManager({ tasks: REDIS_TASKS, workers: 2, redis: redis.url, queue, workerConsole: 'silent', ...options });
  try {
    return await fn(manager, redis, queue);
  } finally {
    await within(manager.close('kill'), 20_000, 'close(kill) in cleanup');
  }
}

const CLI = fileURLToPath(new URL('../../bin/tasklane.js', import.meta.url));

/** A `tasklane worker` process serving `queue`; resolves once it serves. */
export class WorkerProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;
  stderr = '';

  private constructor(child: ChildProcess) {
    this.child = child;
    this.exited = once(child, 'exit').then(([code]) => code as number | null);
    child.stderr!.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
  }

  static async start(url: string, queue: string, workers = 1, lockDuration = 30_000): Promise<WorkerProcess> {
    const args = [CLI, 'worker', '--redis', url, '--queue', queue, '--tasks', fileURLToPath(REDIS_TASKS), '-w', String(workers), '--lock-duration', String(lockDuration)];
    const worker = new WorkerProcess(spawn(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] }));
    try {
      await within(
        new Promise<void>((resolve, reject) => {
          worker.child.stderr!.on('data', () => worker.stderr.includes(' serves queue ') && resolve());
          void worker.exited.then((code) => reject(new Error(`tasklane worker exited with ${code}: ${worker.stderr}`)));
        }),
        20_000,
        'tasklane worker to serve',
      );
    } catch (error) {
      await worker.stop('SIGKILL');
      throw error;
    }
    return worker;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** Sends `signal` and waits (bounded) for the exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
    return within(this.exited, 20_000, `tasklane worker to exit after ${signal}`);
  }
}

/** Resolves with `check()`'s value once it is truthy: stats() of the Redis backend refresh every 500 ms. Bound it with within(). */
export async function waitFor<T>(check: () => T | undefined | false): Promise<T> {
  for (;;) {
    const value = check();
    if (value) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Schedules `call` (a task that sends `{ started }` first) and waits until it runs; the reader stays open. */
export async function startedTask(manager: ProcessManager, call: TaskCall): Promise<{ id: number; messages: AsyncIterableIterator<unknown> }> {
  const id = manager.schedule(call);
  const messages = manager.messages();
  await nextMatching(messages, isStarted, 20_000);
  return { id, messages };
}
