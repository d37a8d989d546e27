import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProcessManager, TaskError } from 'tasklane';
// @ts-expect-error: plain JS fixture module without types
import { add, lateSend, sessionInfo, eatMemory, exitThread, returnFunction, sendFunction, spawnAt, spawnUnknown, throwFromTimer } from '../fixtures/tasks.js';
import { collect, withManager, within } from './helpers.js';

async function failureOf(promise: Promise<unknown>): Promise<TaskError> {
  const error = await within(promise.then(() => undefined, (e: unknown) => e), 15_000, 'the task to fail');
  assert.ok(error instanceof TaskError, `expected a TaskError, got ${String(error)}`);
  return error;
}

describe('liveness: a dying worker fails its task, is replaced, and the pool goes on', () => {
  it('process.exit in a task', async () => {
    await withManager({ workers: 1 }, async (manager) => {
      const error = await failureOf(manager.run(exitThread(3)));
      assert.match(error.message, /task "exitThread" \(id 1\) failed: worker 1 stopped while running it: .*code:? 3/);
      assert.equal(await within(manager.run(add(2, 2)), 10_000, 'replacement worker'), 4);
    });
  });

  it('an exception thrown from a timer', async () => {
    await withManager({ workers: 1 }, async (manager) => {
      const error = await failureOf(manager.run(throwFromTimer()));
      assert.match(error.message, /task "throwFromTimer" \(id 1\) failed.*: (worker 1 stopped while running it|uncaught exception): thrown from a timer/);
      assert.match(error.remoteStack, /fixtures\/tasks\.js/);
      assert.equal(await within(manager.run(add(2, 3)), 10_000, 'replacement worker'), 5);
    });
  });

  it('running out of memory under resourceLimits', async () => {
    await withManager({ workers: 1, resourceLimits: { maxOldGenerationSizeMb: 24, maxYoungGenerationSizeMb: 8 } }, async (manager) => {
      const error = await failureOf(manager.run(eatMemory()));
      assert.match(error.message, /memory/i);
      assert.equal(await within(manager.run(add(3, 3)), 10_000, 'replacement worker'), 6);
    });
  });

  it('tasks queued behind a dying worker still run, and the counts add up', async () => {
    await withManager({ workers: 2, failFast: false }, async (manager) => {
      for (let i = 0; i < 4; i++) manager.schedule(exitThread(1));
      const results = Array.from({ length: 40 }, (_, i) => manager.run(add(i, 1)));
      assert.deepEqual(await within(Promise.all(results), 20_000, 'all adds'), Array.from({ length: 40 }, (_, i) => i + 1));
      await within(collect(manager), 10_000, 'the reader to end');
      const stats = manager.stats();
      assert.equal(stats.failed, 4);
      assert.equal(stats.done, 40);
    });
  });

  it('a task module that cannot load fails every task with a clear error and never hangs', async () => {
    const manager = new ProcessManager({ tasks: new URL('../fixtures/does-not-exist.js', import.meta.url), workers: 1 });
    try {
      const error = await failureOf(manager.run({ name: 'anything', args: [] }));
      assert.match(error.message, /could not load task module .*does-not-exist\.js/);
      await assert.rejects(manager.ready(), /could not start/);
    } finally {
      await manager.close('kill');
    }
  });
});

describe('values that cannot cross threads are refused where they are passed', () => {
  it('at the call site, naming the task and the path', () => {
    assert.throws(() => add(1, { deep: [() => 1] }), /task "add" arguments cannot be sent between threads: args\[1\]\.deep\[0\] is a function/);
    assert.throws(() => add(Symbol('s'), 1), /args\[0\] is a symbol/);
    class Point {
      x = 1;
    }
    assert.throws(() => add(new Point(), 1), /args\[0\] is an instance of Point/);
  });

  it('in schedule() for hand-made calls', async () => {
    await withManager({}, async (manager) => {
      assert.throws(() => manager.schedule({ name: 'add', args: [new WeakMap()] }), /args\[0\] is an instance of WeakMap/);
      assert.throws(() => manager.schedule({ name: 'add' } as never), /needs an args array/);
      assert.throws(() => manager.schedule(add(1, 2), 2), /priority must be an integer from 0 to 1 \(priorityLevels is 2\), got 2/);
      assert.throws(() => manager.schedule(add(1, 2), 0.5), /got 0\.5/);
      await manager.ready();
      assert.throws(() => manager.schedule({ name: 'nope', args: [] }), /no task named "nope"/);
    });
  });

  it('in a worker: a message, a return value, a spawn at a bad priority or of an unknown task fail that task', async () => {
    await withManager({}, async (manager) => {
      assert.match((await failureOf(manager.run(sendFunction()))).message, /message\.nested\.fn is a function/);
      assert.match((await failureOf(manager.run(returnFunction()))).message, /return value\.callback is a function/);
      assert.match((await failureOf(manager.run(spawnAt(5)))).message, /priority must be an integer from 0 to 1, got 5/);
      assert.match((await failureOf(manager.run(spawnUnknown()))).message, /no task named "noSuchTask"/);
      assert.equal(await manager.run(add(1, 1)), 2);
      await within(collect(manager), 5_000, 'reader ends: nothing is left in flight');
    });
  });

  it('a task that sends after it returned: the late send throws in the worker, the worker lives on', async () => {
    await withManager({ workers: 1 }, async (manager) => {
      const before = (await manager.run(sessionInfo())) as { session: { thread: string } };
      assert.equal(await manager.run(lateSend()), 'returned');
      for (let i = 0; i < 20; i++) assert.equal(await manager.run(add(i, 0)), i);
      const after = (await manager.run(sessionInfo())) as { session: { thread: string } };
      assert.equal(after.session.thread, before.session.thread, 'the same thread: the worker was not dropped');
      assert.deepEqual(await within(collect(manager), 5_000, 'reader'), []);
      assert.equal(manager.stats().failed, 0);
    });
  });
});
