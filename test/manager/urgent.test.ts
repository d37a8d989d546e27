import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ProcessManager } from 'tasklane';
// @ts-expect-error: plain JS fixture module without types
import { awaitGate, holdUntil, record } from '../fixtures/tasks.js';
import { collect, nextMatching, withManager, within } from './helpers.js';

/** A path for a gate file that a fixture task waits for, in a directory removed after `fn`. */
async function withGate(fn: (gate: string) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'tasklane-gate-'));
  try {
    await fn(join(dir, 'open'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Tiny tasks first, so the manager has measured task time and prefetches `maxPrefetch` behind a running task. */
async function warmPrefetch(manager: ProcessManager, count: number): Promise<void> {
  for (let i = 0; i < count; i++) manager.schedule(record(`warm ${i}`), 1);
  await within(collect(manager), 10_000, 'the warm-up tasks');
}

describe('prefetch: urgent tasks and idle workers', () => {
  it('a priority-0 task runs right after the task running now, ahead of the tasks prefetched into that worker', async () => {
    await withGate(async (gate) => {
      await withManager({ workers: 1, priorityLevels: 2, maxPrefetch: 3 }, async (manager) => {
        await warmPrefetch(manager, 20);

        manager.schedule(holdUntil('held', gate), 1);
        for (let i = 1; i <= 8; i++) manager.schedule(record(`q${i}`), 1);
        const messages = manager.messages();
        await nextMatching(messages, (m) => m === 'held');
        // The worker now runs `held` and holds q1..q3: it is at its prefetch depth, q4..q8 wait in the manager.
        manager.schedule(record('urgent'), 0);
        await Promise.resolve(); // the dispatch (a microtask queued by schedule()) has posted the task
        writeFileSync(gate, '');

        const after: unknown[] = [];
        for (;;) {
          const { value, done } = await within(messages.next(), 10_000, 'the rest of the messages');
          if (done) break;
          after.push(value);
        }
        assert.deepEqual(after, ['urgent', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7', 'q8']);
      });
    });
  });

  it('a task prefetched behind a long one is given back to an idle worker', async () => {
    await withGate(async (gate) => {
      await withManager({ workers: 2, priorityLevels: 2, maxPrefetch: 3 }, async (manager) => {
        await warmPrefetch(manager, 40);

        // One dispatch, round robin at depth 4: worker 1 gets the long task and r2, worker 2 gets r1 and r3.
        const long = manager.schedule(awaitGate('long', gate), 1);
        for (let i = 1; i <= 3; i++) manager.schedule(record(`r${i}`), 1);
        const messages = manager.messages();
        const seen = new Set<unknown>();
        // Every r must run while the long task still holds its worker (the gate opens only after).
        await within((async () => {
          while (!['long', 'r1', 'r2', 'r3'].every((m) => seen.has(m))) {
            const { value, done } = await messages.next();
            if (done) throw new Error(`messages() ended early, after: ${[...seen].join(', ')}`);
            seen.add(value);
          }
        })(), 5_000, 'r1, r2 and r3 while the long task still runs');
        assert.equal(manager.stats().running.length, 1);
        assert.equal(manager.stats().running[0]!.id, long);
        writeFileSync(gate, '');
        assert.equal((await within(messages.next(), 10_000, 'the end')).done, true);
        assert.equal(manager.stats().done, 44);
      });
    });
  });
});
