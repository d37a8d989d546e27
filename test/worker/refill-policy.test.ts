/** RefillPolicy (src/worker/refill-policy.ts): when a busy worker sends its answers back. Times are given, not read. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REFILL_AFTER_MS, REFILL_AT, RefillPolicy, RUNWAY_MS } from '../../src/worker/refill-policy.js';

/**
 * Runs `queued` tasks of `taskMs` each from a flush at time 0, as the worker loop does (a task ends, then the
 * policy is asked); returns how many tasks were left at each flush.
 */
function flushPoints(queued: number, taskMs: number): number[] {
  const policy = new RefillPolicy();
  policy.flushed(0);
  const points: number[] = [];
  let now = 0;
  for (let left = queued - 1; left >= 0; left--) {
    now += taskMs;
    policy.taskDone(taskMs);
    if (policy.shouldFlush(left, now)) {
      points.push(left);
      policy.flushed(now);
    }
  }
  return points;
}

describe('RefillPolicy', () => {
  it(`always flushes with ${REFILL_AT} tasks or fewer left`, () => {
    const policy = new RefillPolicy();
    policy.flushed(100);
    for (let left = 0; left <= REFILL_AT; left++) assert.equal(policy.shouldFlush(left, 100), true, `${left} left`);
    assert.equal(policy.shouldFlush(REFILL_AT + 1, 100), false, 'nothing done, no time passed');
  });

  it('sends millisecond tasks back once per prefetch, when the tasks left fit in the runway', () => {
    // 33 tasks of 1 ms (a full prefetch): half of them done long before the runway is reached.
    const points = flushPoints(33, 1);
    assert.deepEqual(points.slice(0, 1), [RUNWAY_MS], `first flush with ${RUNWAY_MS} ms of work left, not at half`);
    // After that flush, fewer done than left until the queue is nearly empty.
    assert.ok(points.every((left) => left <= RUNWAY_MS), `flushed at ${points.join(', ')} left`);
    assert.ok(points.length <= 4, `${points.length} flushes for 33 tasks`);
  });

  it('keeps the half-done rule for short tasks, once the last flush is old enough', () => {
    // 100 µs tasks: the runway always holds, so the flush comes when as many are done as left, and 1 ms has passed.
    const points = flushPoints(33, 0.1);
    assert.equal(points[0], 16, `first flush at half (${points.join(', ')})`);
    // Tiny tasks: 33 of 10 µs take 0.33 ms, under REFILL_AFTER_MS, so only the nearly empty queue flushes.
    assert.deepEqual(flushPoints(33, 0.01), Array.from({ length: REFILL_AT + 1 }, (_, i) => REFILL_AT - i)); // REFILL_AT .. 0
    assert.ok(0.01 * 33 < REFILL_AFTER_MS);
  });

  it('waits for as many answers as tasks left, even with the runway reached and the last flush old', () => {
    const policy = new RefillPolicy();
    policy.flushed(0);
    for (let i = 0; i < 3; i++) policy.taskDone(1);
    assert.equal(policy.shouldFlush(4, 50), false, '3 done, 4 left');
    policy.taskDone(1);
    assert.equal(policy.shouldFlush(4, 50), true, '4 done, 4 left, 4 ms of runway');
    policy.flushed(50);
    assert.equal(policy.shouldFlush(4, 60), false, 'the flush started a new count');
  });

  it('follows the recent task time: tasks that get longer are sent back earlier', () => {
    const policy = new RefillPolicy();
    policy.flushed(0);
    for (let i = 0; i < 20; i++) policy.taskDone(0.1);
    assert.equal(policy.shouldFlush(20, 10), true, '20 short tasks left: 2 ms of runway');
    for (let i = 0; i < 30; i++) policy.taskDone(1);
    assert.equal(policy.shouldFlush(20, 20), false, '20 tasks of about 1 ms left: past the runway');
    assert.equal(policy.shouldFlush(RUNWAY_MS + 1, 20), false, `${RUNWAY_MS + 1} of about 1 ms left`);
    assert.equal(policy.shouldFlush(RUNWAY_MS - 1, 20), true, `${RUNWAY_MS - 1} of about 1 ms left`);
  });
});
