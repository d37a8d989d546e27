import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TaskError } from 'tasklane';
// @ts-expect-error: plain JS fixture module without types
import { add, sessionInfo, spin, waitForAbort } from '../fixtures/tasks.js';
import { withManager, within } from './helpers.js';

async function failureOf(promise: Promise<unknown>): Promise<TaskError> {
  const error = await within(promise.then(() => undefined, (e: unknown) => e), 15_000, 'the task to fail');
  assert.ok(error instanceof TaskError, `expected a TaskError, got ${String(error)}`);
  return error;
}

type Session = { session: { thread: string } };

describe('task timeouts', () => {
  it('a task past its timeout is aborted and fails with ETIMEDOUT; its worker stays', async () => {
    await withManager({ workers: 1 }, async (manager) => {
      const before = (await manager.run(sessionInfo())) as Session;
      const error = await failureOf(manager.run(waitForAbort(), 1, { timeout: 100 }));
      assert.match(error.message, /task "waitForAbort" \(id \d+\) timed out after 100 ms$/);
      assert.equal((error as unknown as { code: string }).code, 'ETIMEDOUT');
      const after = (await manager.run(sessionInfo())) as Session;
      assert.equal(after.session.thread, before.session.thread);
    });
  });

  it('a task that ignores its abort has its worker replaced after the grace period', async () => {
    await withManager({ workers: 1, cancelGracePeriod: 200 }, async (manager) => {
      const before = (await manager.run(sessionInfo())) as Session;
      const error = await failureOf(manager.run(spin(), 1, { timeout: 100 }));
      assert.match(error.message, /timed out after 100 ms and did not stop within 200 ms of its abort, so its worker was replaced/);
      assert.equal(await within(manager.run(add(1, 2)), 10_000, 'the replacement'), 3);
      const after = (await manager.run(sessionInfo())) as Session;
      assert.notEqual(after.session.thread, before.session.thread);
    });
  });

  it('taskTimeout applies to every task; a per-call timeout overrides it; fast tasks are untouched', async () => {
    await withManager({ workers: 2, taskTimeout: 150, failFast: false }, async (manager) => {
      const results = await Promise.all(Array.from({ length: 50 }, (_, i) => manager.run(add(i, 1))));
      assert.equal(results.length, 50);
      assert.match((await failureOf(manager.run(waitForAbort()))).message, /timed out after 150 ms/);
      assert.match((await failureOf(manager.run(waitForAbort(), 1, { timeout: 50 }))).message, /timed out after 50 ms/);
    });
  });

  it('a bad timeout is refused at once', async () => {
    await withManager({}, async (manager) => {
      assert.throws(() => manager.schedule(add(1, 2), 1, { timeout: -5 }), /timeout must be an integer from 1 to 2147483647, got -5/);
      assert.throws(() => manager.schedule(add(1, 2), 1, { timeout: 1.5 }), /got 1\.5/);
    });
  });
});
