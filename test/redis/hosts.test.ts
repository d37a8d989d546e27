import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ProcessManager } from 'tasklane';
// @ts-expect-error: plain JS fixture module without types
import { add, fanOut, hang, hangOnce } from '../fixtures/redis-tasks.js';
import { collect, isStarted, nextMatching, within } from '../manager/helpers.js';
import { freshQueue, REDIS_TASKS, startedTask, waitFor, withRedisManager, WorkerProcess } from './helpers.js';
import { RedisServer } from './redis-server.js';

describe('hosts: tasklane worker processes sharing a run', () => {
  it('two worker processes and a manager without threads share the work; counts stay exact', async () => {
    await withRedisManager({ workers: 0 }, async (manager, server, queue) => {
      const hosts = await Promise.all([WorkerProcess.start(server.url, queue, 1), WorkerProcess.start(server.url, queue, 1)]);
      try {
        manager.schedule(fanOut(200, 5), 0);
        const messages = (await within(collect(manager), 60_000, 'fan-out')) as { i: number; pid: number }[];
        assert.deepEqual(messages.map((m) => m.i).sort((a, b) => a - b), Array.from({ length: 200 }, (_, i) => i));
        const byPid = new Map<number, number>();
        for (const { pid } of messages) byPid.set(pid, (byPid.get(pid) ?? 0) + 1);
        assert.deepEqual([...byPid.keys()].sort(), hosts.map((host) => host.pid).sort(), 'both hosts ran tasks');
        const stats = manager.stats();
        assert.deepEqual([stats.scheduled, stats.done, stats.failed], [201, 201, 0]);
      } finally {
        for (const host of hosts) assert.equal(await host.stop('SIGTERM'), 143);
      }
    });
  });

  it('a worker process SIGKILLed mid-task: its task runs again on the other host, once counted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tasklane-redis-'));
    await withRedisManager({ workers: 0, lockDuration: 1000 }, async (manager, server, queue) => {
      const hosts = await Promise.all([WorkerProcess.start(server.url, queue, 1, 1000), WorkerProcess.start(server.url, queue, 1, 1000)]);
      try {
        const result = manager.run(hangOnce(join(dir, 'marker')));
        const messages = manager.messages();
        const started = (await nextMatching(messages, isStarted, 20_000)) as { pid: number };
        const victim = hosts.find((host) => host.pid === started.pid)!;
        const survivor = hosts.find((host) => host !== victim)!;
        const running = await within(waitFor(() => manager.stats().running[0]), 10_000, 'stats() to show the running task');
        assert.equal(running.name, 'hangOnce');
        assert.match(running.host ?? '', new RegExp(`/${victim.pid}$`), 'stats() names the host that runs it');
        await victim.stop('SIGKILL');
        assert.deepEqual(await within(result, 30_000, 'the rerun'), { rerunBy: survivor.pid });
        assert.equal((await within(messages.next(), 10_000, 'the end of messages')).done, true);
        const stats = manager.stats();
        assert.deepEqual([stats.scheduled, stats.done, stats.failed, stats.cancelled], [1, 1, 0, 0]);
      } finally {
        for (const host of hosts) await host.stop('SIGKILL');
        rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('tasklane worker: a malformed --redis is a usage error (exit 2), naming the option', () => {
    const run = spawnSync(process.execPath, [fileURLToPath(new URL('../../bin/tasklane.js', import.meta.url)), 'worker', '--redis', 'localhost:6379', '--tasks', 'x.js'], { encoding: 'utf8' });
    assert.equal(run.status, 2);
    assert.match(run.stderr, /option '--redis <url>' argument 'localhost:6379' is invalid\. expected a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('tasklane worker exits 1 with a clear message when Redis is unreachable', async () => {
    const server = await RedisServer.start();
    const url = server.url;
    await server.stop();
    await assert.rejects(WorkerProcess.start(url, 'nowhere', 1), /exited with 1: tasklane worker: cannot reach Redis at redis:\/\/127\.0\.0\.1/);
  });
});

describe('Redis trouble: a clear error, never a hang', () => {
  it('unreachable at start: ready() and run() reject naming the server; a task scheduled meanwhile fails once', async () => {
    const server = await RedisServer.start();
    await server.stop();
    const manager = new ProcessManager({ tasks: REDIS_TASKS, workers: 1, redis: server.url, queue: freshQueue() });
    try {
      const early = manager.run(add(2, 2)); // scheduled before the connection failed: on its way to Redis
      await assert.rejects(within(manager.ready(), 20_000, 'ready'), /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/);
      await assert.rejects(within(early, 20_000, 'early run'), /could not finish: cannot reach Redis/);
      const stats = manager.stats();
      assert.deepEqual([stats.scheduled, stats.failed], [1, 1], 'counted once, failed once');
      // Before the failure is known run() rejects, after it run() throws at once: both name the server.
      await assert.rejects(async () => within(manager.run(add(1, 2)), 20_000, 'run'), /cannot reach Redis at redis:\/\/127\.0\.0\.1:\d+/);
    } finally {
      await within(manager.close('kill'), 20_000, 'close');
    }
  });

  it('an eviction policy other than noeviction is refused', async () => {
    const server = await RedisServer.start(['--maxmemory-policy', 'allkeys-lru']);
    const manager = new ProcessManager({ tasks: REDIS_TASKS, workers: 1, redis: server.url, queue: freshQueue() });
    try {
      await assert.rejects(within(manager.ready(), 20_000, 'ready'), /maxmemory-policy allkeys-lru.*noeviction/);
    } finally {
      await within(manager.close('kill'), 20_000, 'close');
      await server.stop();
    }
  });

  it('Redis refusing a command (out of memory under noeviction): a clear error naming the refusal', async () => {
    const server = await RedisServer.start(['--maxmemory', '3mb']);
    const manager = new ProcessManager({ tasks: REDIS_TASKS, workers: 1, redis: server.url, queue: freshQueue(), workerConsole: 'silent' });
    try {
      await within(manager.ready(), 20_000, 'ready');
      const big = 'x'.repeat(64 * 1024);
      for (let i = 0; i < 200; i++) manager.schedule(add(big, i)); // 12.5 MiB of arguments into a 3 MiB server
      await assert.rejects(within(collect(manager), 30_000, 'the reader to fail'), /OOM command not allowed/);
      const report = await within(manager.close('kill'), 30_000, 'close');
      assert.match(report.error?.message ?? report.failure?.message ?? '', /OOM/);
    } finally {
      await within(manager.close('kill'), 30_000, 'close');
      await server.stop();
    }
  });

  it('a second manager on the same queue is refused', async () => {
    await withRedisManager({ workers: 1 }, async (manager, server, queue) => {
      await within(manager.ready(), 20_000, 'first ready');
      const second = new ProcessManager({ tasks: REDIS_TASKS, workers: 1, redis: server.url, queue });
      try {
        await assert.rejects(within(second.ready(), 20_000, 'second ready'), /queue "[^"]+" is in use by another ProcessManager/);
      } finally {
        await within(second.close('kill'), 20_000, 'close second');
      }
    });
  });

  it('Redis restarted mid-run (no persistence): the reader throws a clear error, threads stop', async () => {
    await whileHanging(async (server, messages, manager) => {
      await server.stop();
      await server.restart();
      await assert.rejects(within(drain(messages), 30_000, 'the reader to fail'), /Redis lost the state of queue/);
      const report = await within(manager.close('kill'), 30_000, 'close');
      assert.match(report.error?.message ?? '', /Redis lost the state/);
    });
  });

  it('Redis gone for good mid-run: the reader throws a clear error within the reconnect window', async () => {
    await whileHanging(async (server, messages, manager) => {
      await server.stop();
      await assert.rejects(within(drain(messages), 40_000, 'the reader to fail'), /lost the connection to Redis/);
      const report = await within(manager.close('kill'), 40_000, 'close');
      assert.match(report.error?.message ?? '', /lost the connection to Redis/);
    });
  });
});

async function drain(messages: AsyncIterator<unknown>): Promise<void> {
  for (;;) if ((await messages.next()).done) return;
}

/** A manager on its own server, with one task running that never ends: what the trouble tests break. */
async function whileHanging(fn: (server: RedisServer, messages: AsyncIterator<unknown>, manager: ProcessManager) => Promise<void>): Promise<void> {
  const server = await RedisServer.start();
  const manager = new ProcessManager({ tasks: REDIS_TASKS, workers: 1, redis: server.url, queue: freshQueue(), workerConsole: 'silent' });
  try {
    const { messages } = await startedTask(manager, hang());
    await fn(server, messages, manager);
  } finally {
    await within(manager.close('kill'), 40_000, 'close');
    await server.stop();
  }
}
