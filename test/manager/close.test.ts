import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ProcessManager, TaskError } from 'tasklane';
// @ts-expect-error: plain JS fixture module without types
import { add, echo, hang, spin, tree, treeSize, waitForAbort } from '../fixtures/tasks.js';
import { TASKS, collect, isStarted, nextMatching, withManager, within } from './helpers.js';

describe('close policies', () => {
  it('join runs everything, spawned subtasks included, without a reader, and keeps the messages', async () => {
    await withManager({ priorityLevels: 3 }, async (manager) => {
      manager.schedule(tree(7, 4, 3), 0);
      for (let i = 0; i < 20; i++) manager.schedule(echo(i), 2);
      const report = await within(manager.close('join'), 20_000, 'join');
      assert.deepEqual(report, { policy: 'join', notRun: [], interrupted: [], failures: [] });
      const expected = treeSize(7, 4, 3) + 20;
      assert.equal(manager.stats().done, expected);
      assert.equal((await collect(manager)).length, expected, 'messages are still delivered after join');
      assert.throws(() => manager.schedule(add(1, 2)), /closed with 'join'/);
    });
  });

  it('cancel starts nothing new, aborts what runs, and reports what did not run', async () => {
    await withManager({ workers: 1 }, async (manager) => {
      const running = manager.schedule(waitForAbort());
      const queued = Array.from({ length: 10 }, (_, i) => manager.schedule(add(i, i)));
      const reader = manager.messages();
      await nextMatching(reader, isStarted);
      const report = await within(manager.close('cancel'), 10_000, 'cancel');
      assert.equal(report.policy, 'cancel');
      assert.deepEqual(report.interrupted.map((t) => t.id), [running]);
      assert.deepEqual(report.notRun.map((t) => t.id).sort((a, b) => a - b), queued);
      assert.deepEqual(report.notRun[0], { id: queued[0], priority: 1, name: 'add', args: [0, 0] });
      const stats = manager.stats();
      assert.equal(stats.done + stats.failed + stats.cancelled, stats.scheduled);
      assert.equal((await reader.next()).done, true);
    });
  });

  it('cancel terminates a task that ignores its signal after the grace period', async () => {
    await withManager({ workers: 1, cancelGracePeriod: 100 }, async (manager) => {
      const id = manager.schedule(hang());
      await nextMatching(manager.messages(), isStarted);
      const report = await within(manager.close('cancel'), 5_000, 'cancel with grace');
      assert.deepEqual(report.interrupted.map((t) => t.id), [id]);
    });
  });

  it('kill stops spinning threads at once and reports running and queued tasks', async () => {
    await withManager({ workers: 2 }, async (manager) => {
      const spinning = [manager.schedule(spin()), manager.schedule(spin())];
      const queued = [manager.schedule(add(1, 2)), manager.schedule(add(3, 4))];
      const reader = manager.messages();
      await nextMatching(reader, isStarted);
      await nextMatching(reader, isStarted);
      const running = manager.stats().running;
      assert.deepEqual(running.map((r) => r.name), ['spin', 'spin'], 'a busy thread still shows what it runs');
      assert.ok(running.every((r) => r.startedAt > Date.now() - 60_000 && r.startedAt <= Date.now()));
      const report = await within(manager.close('kill'), 5_000, 'kill');
      assert.equal(report.policy, 'kill');
      assert.deepEqual(report.interrupted.map((t) => t.id).sort(), spinning.sort());
      assert.deepEqual(report.notRun.map((t) => t.id).sort(), queued.sort());
    });
  });

  it('a second close escalates: cancel then kill', async () => {
    await withManager({ workers: 1, cancelGracePeriod: 60_000 }, async (manager) => {
      manager.schedule(hang());
      await nextMatching(manager.messages(), isStarted);
      const cancelling = manager.close('cancel');
      const killing = manager.close('kill');
      assert.equal(cancelling, killing, 'one close, one report');
      const report = await within(killing, 5_000, 'escalated close');
      assert.equal(report.policy, 'kill');
      assert.equal(report.interrupted.length, 1);
    });
  });

  it('run() promises of tasks that never ran reject instead of hanging', async () => {
    await withManager({ workers: 1 }, async (manager) => {
      manager.schedule(waitForAbort());
      const settled = manager.run(add(1, 2)).then(
        () => 'resolved',
        (error: unknown) => error,
      );
      await nextMatching(manager.messages(), isStarted);
      await manager.close('cancel');
      const outcome = await within(settled, 5_000, 'run() to settle');
      assert.ok(outcome instanceof TaskError && /was not run/.test(outcome.message), String(outcome));
    });
  });

  it('cancel(id) removes a queued task and aborts a running one', async () => {
    await withManager({ workers: 1 }, async (manager) => {
      const running = manager.run(waitForAbort());
      const runningId = manager.stats().scheduled;
      const queued = manager.run(add(1, 2));
      const queuedId = runningId + 1;
      await nextMatching(manager.messages(), isStarted);
      assert.equal(manager.cancel(queuedId), true);
      await assert.rejects(queued, /cancelled before it started/);
      assert.equal(manager.cancel(runningId), true);
      await assert.rejects(within(running, 5_000, 'abort'), /cancelled while it ran/);
      assert.equal(manager.cancel(runningId), false, 'finished tasks cannot be cancelled');
      assert.equal(manager.cancel(9999), false);
      assert.equal(manager.stats().cancelled, 2);
      assert.equal(await manager.run(add(2, 2)), 4, 'the worker survives');
    });
  });

  it('Symbol.asyncDispose joins after the reader finished, and cancels otherwise', async () => {
    const finished = new ProcessManager({ tasks: TASKS, workers: 1 });
    finished.schedule(echo(1));
    await collect(finished);
    await finished[Symbol.asyncDispose]();
    assert.equal((await finished.close()).policy, 'join');

    const unfinished = new ProcessManager({ tasks: TASKS, workers: 1 });
    unfinished.schedule(waitForAbort());
    await nextMatching(unfinished.messages(), isStarted);
    await within(unfinished[Symbol.asyncDispose](), 5_000, 'dispose');
    assert.equal((await unfinished.close()).policy, 'cancel');
  });

  it('close() rejects an unknown policy with a clear error', async () => {
    await withManager({}, async (manager) => {
      assert.throws(() => manager.close('later' as never), /policy must be one of 'join', 'cancel', 'kill'/);
    });
  });

  for (const policy of ['join', 'cancel'] as const) it(`closeSession runs in every worker at close('${policy}')`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tasklane-session-'));
    const logFile = join(dir, 'sessions.log');
    process.env.TASKLANE_TEST_SESSION_LOG = logFile;
    try {
      await withManager({ workers: 2 }, async (manager) => {
        await Promise.all(Array.from({ length: 20 }, (_, i) => manager.run(add(i, 1))));
        // @ts-expect-error: plain JS fixture
        const { sessionInfo } = await import('../fixtures/tasks.js');
        await Promise.all(Array.from({ length: 20 }, () => manager.run(sessionInfo())));
        const used = new Set(((await Promise.all(Array.from({ length: 20 }, () => manager.run(sessionInfo())))) as { session: { thread: string } }[]).map((r) => r.session.thread));
        for (let i = 0; i < 200; i++) manager.schedule(add(i, 1)); // a cancel finds some queued, some at the workers
        await manager.close(policy);
        const closed = readFileSync(logFile, 'utf8').trim().split('\n');
        for (const thread of used) assert.ok(closed.includes(thread), `session of thread ${thread} was closed`);
        assert.equal(new Set(closed).size, closed.length, 'each session closed once');
      });
    } finally {
      delete process.env.TASKLANE_TEST_SESSION_LOG;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
