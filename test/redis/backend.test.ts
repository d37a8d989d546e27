import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { ProcessManager, TaskError } from 'tasklane';
// @ts-expect-error: plain JS fixture module without types
import { add, echo, fail, flood, record, sessionInfo, waitForAbort, hang } from '../fixtures/redis-tasks.js';
import { collect, spawnTreeRounds, within } from '../manager/helpers.js';
import { freshQueue, REDIS_TASKS, sharedServer, startedTask, waitFor, withRedisManager, WorkerProcess } from './helpers.js';

describe('the Redis backend: the ProcessManager API over BullMQ', () => {
  it('run() resolves, messages arrive, a failure carries the worker stack and code', async () => {
    await withRedisManager({ failFast: false }, async (manager) => {
      assert.equal(await within(manager.run(add(2, 3)), 20_000, 'run'), 5);
      for (let i = 0; i < 5; i++) manager.schedule(echo(i));
      manager.schedule(fail('boom', 'EBOOM'));
      const messages = await within(collect(manager), 20_000, 'messages');
      assert.deepEqual([...messages].sort(), [0, 1, 2, 3, 4]);
      const report = await manager.close('join');
      assert.equal(report.failures.length, 1);
      const failure = report.failures[0]!;
      assert.ok(failure instanceof TaskError);
      assert.match(failure.message, /task "fail" \(id \d+\) failed on worker \d+: RangeError: boom/);
      assert.match(failure.remoteStack, /RangeError: boom\n\s+at /);
      assert.equal((failure.cause as { code?: string }).code, 'EBOOM');
      assert.deepEqual(failure.args, ['boom', 'EBOOM']);
      const stats = manager.stats();
      assert.deepEqual([stats.scheduled, stats.done, stats.failed], [7, 6, 1]);
    });
  });

  it('messages from one task keep their order, and run() returns values faithfully', async () => {
    await withRedisManager({ workers: 1 }, async (manager) => {
      manager.schedule(flood(2000));
      const messages = await within(collect(manager), 30_000, 'flood');
      assert.deepEqual(messages, Array.from({ length: 2000 }, (_, i) => i));
      const value = { at: new Date(5), big: 2n ** 70n, map: new Map([[1, 'a']]) };
      assert.deepEqual(await within(manager.run(echo(value)), 20_000, 'echo'), value);
    });
  });

  it('back-pressure: a slow reader holds the stream near inboxHighWaterMark, and nothing is lost', async () => {
    await withRedisManager({ workers: 1, inboxHighWaterMark: 20 }, async (manager, server, queue) => {
      const redis = new Redis(server.url);
      try {
        manager.schedule(flood(400));
        const got: unknown[] = [];
        let longest = 0;
        const read = async (): Promise<void> => {
          for await (const message of manager.messages()) {
            got.push(message);
            longest = Math.max(longest, await redis.xlen(`tasklane:${queue}:events`)); // one round trip per message: slow
          }
        };
        await within(read(), 60_000, 'the flood');
        assert.deepEqual(got, Array.from({ length: 400 }, (_, i) => i));
        // Mark 20, the worker's send window 20, one forwarded batch, the task's d entry: far below 400.
        assert.ok(longest <= 80, `the stream held at most ${longest} entries`);
      } finally {
        redis.disconnect();
      }
    });
  });

  it('takes tasks in priority order: every priority-0 task before any priority-1, FIFO within a level', async () => {
    await withRedisManager({ workers: 0, priorityLevels: 3 }, async (manager, server, queue) => {
      const order = [2, 1, 0, 2, 0, 1, 0, 2, 1, 0];
      order.forEach((priority, i) => manager.schedule(record(`${priority}:${i}`), priority));
      const stats = await within(waitFor(() => manager.stats().queued.reduce((a, b) => a + b) === order.length && manager.stats()), 10_000, 'queued in Redis');
      assert.deepEqual(stats.queued, [4, 3, 3]);
      const host = await WorkerProcess.start(server.url, queue, 1);
      try {
        const messages = (await within(collect(manager), 20_000, 'messages')) as string[];
        const expected = [0, 1, 2].flatMap((p) => order.map((q, i) => [q, i] as const).filter(([q]) => q === p).map(([q, i]) => `${q}:${i}`));
        assert.deepEqual(messages, expected);
      } finally {
        assert.equal(await host.stop('SIGTERM'), 143);
      }
    });
  });

  it('spawn trees across priorities: messages() ends exactly when every node ran, counts exact', async () => {
    await withRedisManager({ workers: 2, priorityLevels: 4 }, async (manager) => {
      const total = await spawnTreeRounds(manager, { runs: 3, depth: 6, levels: 4, roundMs: 60_000 }, (stats, total) => assert.equal(stats.scheduled, total));
      assert.ok(total > 100, `the trees are large enough to matter (${total} nodes)`);
    });
  });

  it('sessions: each host thread creates its session once and passes it to every task', async () => {
    await withRedisManager({ workers: 1 }, async (manager) => {
      const first = (await manager.run(sessionInfo())) as { session: { created: number } };
      const second = (await manager.run(sessionInfo())) as { session: { created: number } };
      assert.deepEqual(second.session, first.session);
    });
  });

  it('cancel(id) removes a queued task; close("cancel") returns every queued task as not run', async () => {
    await withRedisManager({ workers: 0 }, async (manager) => {
      const ids = Array.from({ length: 50 }, (_, i) => manager.schedule(add(i, 1)));
      await within(waitFor(() => manager.stats().queued[1] === 50), 10_000, 'queued in Redis');
      assert.equal(manager.cancel(ids[3]!), true);
      await within(waitFor(() => manager.stats().cancelled === 1), 10_000, 'cancelled');
      const report = await within(manager.close('cancel'), 20_000, 'close cancel');
      assert.equal(report.notRun.length, 49);
      assert.deepEqual(new Set(report.notRun.map((task) => task.id)), new Set(ids.filter((_, i) => i !== 3)));
      assert.equal(report.notRun.find((task) => task.id === ids[5])!.args[0], 5);
      const stats = manager.stats();
      assert.equal(stats.cancelled, 50);
      assert.equal(stats.scheduled, 50);
    });
  });

  it('close("cancel") aborts a running task through its signal and reports it interrupted', async () => {
    await withRedisManager({ workers: 1 }, async (manager) => {
      const { id, messages } = await startedTask(manager, waitForAbort());
      const report = await within(manager.close('cancel'), 20_000, 'close cancel');
      await messages.return?.();
      assert.deepEqual(report.interrupted.map((task) => task.id), [id]);
      assert.equal(report.notRun.length, 0);
    });
  });

  it('cancel(id) of a running task aborts its signal on its host; it counts as cancelled', async () => {
    await withRedisManager({ workers: 1 }, async (manager) => {
      const { id, messages } = await startedTask(manager, waitForAbort());
      assert.equal(manager.cancel(id), true);
      assert.equal((await within(messages.next(), 20_000, 'the end of messages')).done, true);
      const stats = manager.stats();
      assert.deepEqual([stats.scheduled, stats.done, stats.failed, stats.cancelled], [1, 0, 0, 1]);
    });
  });

  it('failFast: the first unhandled failure on a host closes with kill and the reader throws it', async () => {
    await withRedisManager({ workers: 1 }, async (manager) => {
      manager.schedule(fail('first', 'E1'));
      await assert.rejects(within(collect(manager), 20_000, 'reader'), (error: Error) => error instanceof TaskError && /RangeError: first/.test(error.message));
      const report = await within(manager.close('kill'), 20_000, 'close');
      assert.match(report.failure?.message ?? '', /first/);
    });
  });

  it('close("kill") stops a task that ignores its signal, at once', async () => {
    await withRedisManager({ workers: 1 }, async (manager) => {
      const { id, messages } = await startedTask(manager, hang());
      const report = await within(manager.close('kill'), 10_000, 'close kill');
      await messages.return?.();
      assert.deepEqual(report.interrupted.map((task) => task.id), [id]);
    });
  });

  it('close("join") cleans the queue: no tasklane or BullMQ keys are left', async () => {
    const server = await sharedServer();
    const queue = freshQueue();
    const manager = new ProcessManager({ tasks: REDIS_TASKS, workers: 1, redis: server.url, queue, workerConsole: 'silent' });
    await within(manager.run(add(1, 1)), 20_000, 'run');
    await within(manager.close('join'), 20_000, 'join');
    const redis = new Redis(server.url);
    try {
      const left = [...(await redis.keys(`tasklane:${queue}:*`)), ...(await redis.keys(`bull:${queue}:*`))];
      assert.deepEqual(left.filter((key) => !key.endsWith(':state')), []);
    } finally {
      redis.disconnect();
    }
  });

  it('a log directory: tasks.jsonl has one line per task with its run id, summary.json the counts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tasklane-redis-logs-'));
    try {
      await withRedisManager({ workers: 1, logDirectory: dir }, async (manager) => {
        const ids = [manager.schedule(add(1, 2)), manager.schedule(add(3, 4)), manager.schedule(echo('hi'))];
        await within(collect(manager), 20_000, 'messages');
        await within(manager.close('join'), 20_000, 'join');
        const lines = readFileSync(join(dir, 'tasks.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as { id: number; outcome: string });
        assert.deepEqual(lines.map((line) => line.id).sort(), [...ids].sort());
        assert.ok(lines.every((line) => line.outcome === 'ok'));
        const summary = JSON.parse(readFileSync(join(dir, 'summary.json'), 'utf8')) as { done: number };
        assert.equal(summary.done, 3);
        assert.ok(readdirSync(dir).some((name) => /^worker-\d+\.log$/.test(name)), 'the local threads write their logs');
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown task name is refused at once once hosts registered their names', async () => {
    await withRedisManager({ workers: 1 }, async (manager) => {
      await within(manager.ready(), 20_000, 'ready');
      assert.throws(() => manager.schedule({ name: 'noSuchTask', args: [] }), /no task named "noSuchTask"/);
    });
  });
});
