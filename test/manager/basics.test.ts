import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskError, chain } from 'tasklane';
// @ts-expect-error: plain JS fixture module without types
import { add, echo, fail, throwValue, record, roundTrip, sessionInfo } from '../fixtures/tasks.js';
import { collect, withManager, within } from './helpers.js';

describe('ProcessManager basics', () => {
  it('run() resolves with the return value', async () => {
    await withManager({}, async (manager) => {
      assert.equal(await manager.run(add(2, 3)), 5);
      assert.deepEqual(await manager.run(chain(add(1, 2), add(3, 4))), [3, 7]);
    });
  });

  it('carries Map, Set, Date, BigInt and typed arrays both ways', async () => {
    await withManager({}, async (manager) => {
      const value = { map: new Map([[1, 'a']]), set: new Set(['x']), date: new Date(5), big: 12345678901234567890n, bytes: new Uint8Array([1, 2]), nothing: undefined };
      assert.deepEqual(await manager.run(roundTrip(value)), value);
    });
  });

  it('messages() yields every message and ends when the work is done', async () => {
    await withManager({}, async (manager) => {
      for (let i = 0; i < 50; i++) manager.schedule(echo(i));
      const messages = await within(collect(manager), 10_000, 'messages to end');
      assert.deepEqual([...messages].sort((a, b) => (a as number) - (b as number)), Array.from({ length: 50 }, (_, i) => i));
      assert.equal(manager.stats().done, 50);
      manager.schedule(echo('again'));
      assert.deepEqual(await within(collect(manager), 10_000, 'second round'), ['again']);
    });
  });

  it('runs tasks in priority order, FIFO within a level, on one worker', async () => {
    await withManager({ workers: 1, priorityLevels: 3 }, async (manager) => {
      const expected: [number, number][] = [];
      for (let i = 0; i < 60; i++) {
        const priority = (i * 7) % 3;
        manager.schedule(record([priority, i]), priority);
        expected.push([priority, i]);
      }
      expected.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
      assert.deepEqual(await within(collect(manager), 10_000, 'messages'), expected);
    });
  });

  it('a failing run() rejects with a TaskError that carries the remote stack and code', async () => {
    await withManager({}, async (manager) => {
      const error = await manager.run(fail('bad input', 'E_BAD')).then(
        () => assert.fail('should reject'),
        (e: unknown) => e,
      );
      assert.ok(error instanceof TaskError);
      assert.equal(error.taskName, 'fail');
      assert.deepEqual(error.args, ['bad input', 'E_BAD']);
      assert.match(error.message, /task "fail" \(id \d+\) failed on worker \d: RangeError: bad input/);
      assert.match(error.remoteStack, /fixtures\/tasks\.js/);
      assert.equal((error.cause as { code?: string }).code, 'E_BAD');
      assert.equal((error.cause as Error).name, 'RangeError');
      // run() failures belong to their caller: failFast did not close the manager.
      assert.equal(await manager.run(add(1, 1)), 2);
    });
  });

  it('a thrown non-Error value is described, not lost', async () => {
    await withManager({}, async (manager) => {
      await assert.rejects(manager.run(throwValue({ reason: 'odd' })), /a non-Error value was thrown: \{"reason":"odd"\}/);
      await assert.rejects(manager.run(throwValue('plain string')), /"plain string"/);
    });
  });

  it('failFast: the reader throws the first failure, after a kill close', async () => {
    await withManager({}, async (manager) => {
      manager.schedule(fail('first failure'));
      await assert.rejects(within(collect(manager), 10_000, 'reader'), (error: unknown) => error instanceof TaskError && /first failure/.test(error.message));
      const report = await manager.close('join');
      assert.equal(report.policy, 'kill');
      assert.match(report.failure?.message ?? '', /first failure/);
      assert.throws(() => manager.schedule(add(1, 2)), /closed after a task failed/);
    });
  });

  it('failFast false: failures are counted and work goes on', async () => {
    await withManager({ failFast: false }, async (manager) => {
      for (let i = 0; i < 5; i++) manager.schedule(fail(`f${i}`));
      for (let i = 0; i < 5; i++) manager.schedule(echo(i));
      const messages = await within(collect(manager), 10_000, 'reader');
      assert.equal(messages.length, 5);
      const stats = manager.stats();
      assert.equal(stats.failed, 5);
      assert.equal(stats.done, 5);
      assert.equal(stats.scheduled, 10);
      const report = await manager.close('join');
      assert.deepEqual(report.failures.map((e) => e.args[0]).sort(), ['f0', 'f1', 'f2', 'f3', 'f4'], 'the report keeps every unhandled failure');
      assert.ok(report.failures.every((e) => e instanceof TaskError && /fixtures\/tasks\.js/.test(e.remoteStack)));
    });
  });

  it('a second concurrent reader is an error', async () => {
    await withManager({}, async (manager) => {
      manager.schedule(echo(1));
      const first = manager.messages();
      await first.next();
      assert.throws(() => manager.messages(), /already has a reader/);
      await first.return?.(undefined);
    });
  });

  it('each worker creates its session once and every task sees it', async () => {
    await withManager({ workers: 2 }, async (manager) => {
      const results = (await Promise.all(Array.from({ length: 40 }, () => manager.run(sessionInfo())))) as { session: { thread: number; created: number }; workerId: number }[];
      const byWorker = new Map<number, Set<string>>();
      for (const { session, workerId } of results) {
        if (!byWorker.has(workerId)) byWorker.set(workerId, new Set());
        byWorker.get(workerId)!.add(JSON.stringify(session));
      }
      for (const sessions of byWorker.values()) assert.equal(sessions.size, 1);
      for (const { session } of results) assert.equal(session.created, 1);
    });
  });

  it('stats() reports queued per priority, running, and counts', async () => {
    await withManager({ workers: 1, priorityLevels: 3 }, async (manager) => {
      manager.schedule(add(1, 1), 0);
      manager.schedule(add(1, 1), 2);
      manager.schedule(add(1, 1), 2);
      const before = manager.stats();
      assert.deepEqual(before.queued, [1, 0, 2]);
      assert.equal(before.scheduled, 3);
      await within(collect(manager), 10_000, 'work to finish');
      const after = manager.stats();
      assert.deepEqual(after.queued, [0, 0, 0]);
      assert.deepEqual(after.running, []);
      assert.equal(after.done, 3);
    });
  });
});
