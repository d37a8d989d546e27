/** Tasks waiting in the manager (QueuedTasks): cancel(id), stats(), close('cancel') and the log of a cancelled one. */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { TaskError } from 'tasklane';
// @ts-expect-error: plain JS fixture module without types
import { add, waitForAbort } from '../fixtures/tasks.js';
import { isStarted, nextMatching, withManager, within } from './helpers.js';

describe('queued tasks', () => {
  it('cancel(id), stats() and close(cancel) account for thousands of queued tasks exactly, most urgent first', async () => {
    await withManager({ workers: 1, priorityLevels: 3 }, async (manager) => {
      manager.schedule(waitForAbort(), 0);
      await nextMatching(manager.messages(), isStarted); // the one worker is busy: the rest stays queued
      const queued: { id: number; priority: number; args: number[] }[] = [];
      for (let i = 0; i < 3000; i++) {
        const priority = (i * 7) % 3;
        queued.push({ id: manager.schedule(add(i, 1), priority), priority, args: [i, 1] });
      }
      const outcome = (promise: Promise<unknown>): Promise<unknown> => promise.then(() => 'resolved', (error: unknown) => error);
      const notRun = [outcome(manager.run(add(-1, 1), 2)), outcome(manager.run(add(-2, 1), 0, { timeout: 60_000 }))];
      const cancelledRun = manager.run(add(-3, 1), 1);
      const runIds = [3002, 3003, 3004];
      assert.equal(manager.stats().scheduled, 3004);

      const cancelled = new Set<number>();
      for (const task of queued) {
        if (task.id % 5 !== 0) continue;
        assert.equal(manager.cancel(task.id), true, `cancel(${task.id})`);
        assert.equal(manager.cancel(task.id), false, `a second cancel(${task.id})`);
        cancelled.add(task.id);
      }
      assert.equal(manager.cancel(runIds[2]!), true);
      await assert.rejects(cancelledRun, /cancelled before it started/);
      const live = queued.filter((task) => !cancelled.has(task.id));
      const counts = [0, 1, 2].map((p) => live.filter((task) => task.priority === p).length);
      counts[2]! += 1;
      counts[0]! += 1;
      assert.deepEqual(manager.stats().queued, counts);

      const report = await within(manager.close('cancel'), 10_000, 'close(cancel)');
      const expected = [
        ...[...live, { id: runIds[0]!, priority: 2, args: [-1, 1] }, { id: runIds[1]!, priority: 0, args: [-2, 1] }]
          .sort((a, b) => a.priority - b.priority || a.id - b.id)
          .map((task) => ({ id: task.id, priority: task.priority, name: 'add', args: task.args })),
      ];
      assert.deepEqual(report.notRun, expected);
      assert.equal(report.interrupted.length, 1);
      for (const error of await within(Promise.all(notRun), 5_000, 'not-run run() promises to settle')) {
        assert.ok(error instanceof TaskError && /was not run/.test(error.message), String(error));
      }
      const stats = manager.stats();
      assert.equal(stats.cancelled, cancelled.size + 1 + expected.length + 1);
      assert.equal(stats.done + stats.failed + stats.cancelled, stats.scheduled);
    });
  });

  it('a queued task cancelled by id gets its line in tasks.jsonl, with its name and priority', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tasklane-queued-'));
    try {
      await withManager({ workers: 1, logDirectory: dir }, async (manager) => {
        manager.schedule(waitForAbort(), 0);
        await nextMatching(manager.messages(), isStarted);
        const id = manager.schedule(add(1, 2), 1);
        assert.equal(manager.cancel(id), true);
        await manager.close('kill');
        const lines = readFileSync(join(dir, 'tasks.jsonl'), 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
        const line = lines.find((l) => l.id === id);
        assert.deepEqual({ ...line, end: 'x' }, { id, name: 'add', priority: 1, worker: 0, start: null, end: 'x', outcome: 'cancelled' });
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
