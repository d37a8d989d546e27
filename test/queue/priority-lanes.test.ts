/** PriorityLanes (src/queue/priority-lanes.ts): one FIFO lane per level, lowest level first, O(1) cancel. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_PRIORITY_LEVELS } from '../../src/queue/priority-lanes.js';
import { allCollected } from './helpers.js';
import { PriorityLanes, entry, ids, takeAll, type Entry } from './lanes-harness.js';

describe('PriorityLanes: order', () => {
  it('serves the lowest non-empty level first, FIFO within a level', () => {
    const lanes = new PriorityLanes(3);
    const b0 = entry(1);
    const c0 = entry(2);
    const a0 = entry(0);
    const b1 = entry(1);
    const a1 = entry(0);
    const c1 = entry(2);
    for (const e of [b0, c0, a0, b1, a1, c1]) lanes.push(e);
    assert.equal(lanes.size, 6);
    assert.deepEqual(lanes.counts(), [2, 2, 2]);
    assert.deepEqual(ids(takeAll(lanes)), ids([a0, a1, b0, b1, c0, c1]));
    assert.equal(lanes.size, 0);
    assert.deepEqual(lanes.counts(), [0, 0, 0]);
    assert.equal(lanes.take(), undefined);
  });

  it('an urgent entry pushed after a less urgent one was taken is served next', () => {
    const lanes = new PriorityLanes(4);
    const late = [entry(3), entry(3)];
    for (const e of late) lanes.push(e);
    assert.equal(lanes.take(), late[0]);
    const urgent = entry(0);
    lanes.push(urgent);
    const middle = entry(2);
    lanes.push(middle);
    assert.equal(lanes.peekPriority(), 0);
    assert.deepEqual(ids(takeAll(lanes)), ids([urgent, middle, late[1]]));
  });

  it('keeps order over thousands of entries on every one of 128 levels', () => {
    const lanes = new PriorityLanes(MAX_PRIORITY_LEVELS);
    const pushed: Entry[] = [];
    for (let i = 0; i < 20_000; i++) {
      const e = entry((i * 37) % MAX_PRIORITY_LEVELS);
      pushed.push(e);
      lanes.push(e);
    }
    const expected = [...pushed].sort((a, b) => a.priority - b.priority || a.id - b.id);
    assert.deepEqual(ids(takeAll(lanes)), ids(expected));
  });

  it('unshift puts an entry back at the head of its own lane, not ahead of more urgent lanes', () => {
    const lanes = new PriorityLanes(3);
    const a = entry(0);
    const b = entry(1);
    const c = entry(1);
    lanes.push(a);
    lanes.push(b);
    lanes.push(c);
    const back = entry(1);
    lanes.unshift(back);
    assert.deepEqual(lanes.counts(), [1, 3, 0]);
    assert.equal(lanes.size, 4);
    assert.deepEqual(ids(takeAll(lanes)), ids([a, back, b, c]));
  });

  it('unshift into an empty, less urgent lane than the last taken one is still served', () => {
    const lanes = new PriorityLanes(3);
    const first = entry(2);
    lanes.push(first);
    assert.equal(lanes.take(), first);
    const returned = entry(0);
    lanes.unshift(returned);
    assert.equal(lanes.peekPriority(), 0);
    assert.equal(lanes.take(), returned);
    assert.equal(lanes.take(), undefined);
  });

  it('a single level is a plain FIFO', () => {
    const lanes = new PriorityLanes(1);
    const entries = Array.from({ length: 100 }, () => entry(0));
    for (const e of entries) lanes.push(e);
    assert.deepEqual(ids(takeAll(lanes)), ids(entries));
    assert.throws(() => lanes.push(entry(1)), RangeError);
  });
});

describe('PriorityLanes: cancel', () => {
  it('counts a cancelled entry out at once, and take() skips it', () => {
    const lanes = new PriorityLanes(2);
    const [a, b, c, d] = [entry(0), entry(0), entry(1), entry(1)];
    for (const e of [a, b, c, d]) lanes.push(e);
    lanes.cancelEntry(b);
    assert.equal(lanes.size, 3);
    assert.deepEqual(lanes.counts(), [1, 2]);
    lanes.cancelEntry(c);
    assert.equal(lanes.size, 2);
    assert.deepEqual(lanes.counts(), [1, 1]);
    assert.deepEqual(ids(takeAll(lanes)), ids([a, d]));
    assert.equal(lanes.size, 0);
    assert.deepEqual(lanes.counts(), [0, 0]);
  });

  it('cancelling the same entry twice counts it out once', () => {
    const lanes = new PriorityLanes(2);
    const [a, b] = [entry(1), entry(1)];
    lanes.push(a);
    lanes.push(b);
    lanes.cancelEntry(a);
    lanes.cancelEntry(a);
    assert.equal(lanes.size, 1);
    assert.deepEqual(lanes.counts(), [0, 1]);
    assert.equal(lanes.take(), b);
  });

  it('when only cancelled entries are left, take() is undefined and size stays 0', () => {
    const lanes = new PriorityLanes(3);
    const entries = [entry(0), entry(1), entry(2), entry(1)];
    for (const e of entries) lanes.push(e);
    for (const e of entries) lanes.cancelEntry(e);
    assert.equal(lanes.size, 0);
    assert.deepEqual(lanes.counts(), [0, 0, 0]);
    assert.equal(lanes.peekPriority(), undefined);
    assert.equal(lanes.take(), undefined);
    assert.equal(lanes.take(), undefined);
    // Cancelled leftovers do not come back after new pushes.
    const fresh = entry(2);
    lanes.push(fresh);
    assert.deepEqual(ids(takeAll(lanes)), ids([fresh]));
  });

  it('cancelled entries are not kept alive once take() finds nothing live', async () => {
    const lanes = new PriorityLanes(3);
    const refs: WeakRef<object>[] = [];
    ((): void => {
      for (let i = 0; i < 30; i++) {
        const e = entry(i % 3);
        refs.push(new WeakRef(e));
        lanes.push(e);
        lanes.cancelEntry(e);
      }
    })();
    assert.equal(lanes.take(), undefined);
    assert.ok(await allCollected(refs), 'the cancelled entries were collected');
  });

  it('cancelling the whole most urgent lane makes peekPriority() and take() move to the next', () => {
    const lanes = new PriorityLanes(3);
    const urgent = [entry(0), entry(0)];
    const later = entry(2);
    for (const e of [...urgent, later]) lanes.push(e);
    for (const e of urgent) lanes.cancelEntry(e);
    assert.equal(lanes.peekPriority(), 2);
    assert.equal(lanes.take(), later);
  });

  it('drain() returns only live entries, most urgent first and FIFO within a level, and empties the lanes', () => {
    const lanes = new PriorityLanes(3);
    const e = [entry(2), entry(0), entry(1), entry(0), entry(2), entry(1)];
    for (const x of e) lanes.push(x);
    const back = entry(1);
    lanes.unshift(back);
    lanes.cancelEntry(e[3]!);
    lanes.cancelEntry(e[4]!);
    assert.deepEqual(ids(lanes.drainAll()), ids([e[1], back, e[2], e[5], e[0]]));
    assert.equal(lanes.size, 0);
    assert.deepEqual(lanes.counts(), [0, 0, 0]);
    assert.equal(lanes.take(), undefined);
    assert.equal(lanes.peekPriority(), undefined);
    assert.deepEqual(lanes.drainAll(), []);
    // Usable after a drain.
    const again = [entry(1), entry(0)];
    for (const x of again) lanes.push(x);
    assert.deepEqual(ids(takeAll(lanes)), ids([again[1], again[0]]));
  });

  it('counts() is a copy: changing it does not change the lanes', () => {
    const lanes = new PriorityLanes(2);
    lanes.push(entry(0));
    const counts = lanes.counts();
    counts[0] = 99;
    assert.deepEqual(lanes.counts(), [1, 0]);
  });
});

describe('PriorityLanes: find', () => {
  it('finds a live pushed entry and its level by id, across chunks and levels, and nothing else', () => {
    const lanes = new PriorityLanes(3);
    const pushed = Array.from({ length: 5000 }, (_, i) => entry(i % 3));
    for (const e of pushed) lanes.push(e);
    for (const e of [pushed[0]!, pushed[1]!, pushed[2500]!, pushed[4999]!]) assert.equal(lanes.find(e), e);
    assert.equal(lanes.find({ id: pushed[4999]!.id + 1, priority: 0 }), undefined, 'an id never pushed');
    const taken = lanes.take()!;
    assert.equal(lanes.find(taken), undefined, 'taken');
    lanes.cancelEntry(pushed[2500]!);
    assert.equal(lanes.find(pushed[2500]!), undefined, 'cancelled');
    const back = entry(1);
    lanes.unshift(back);
    assert.equal(lanes.find(back), undefined, 'put back at the head: not searched (its owner has it)');
    lanes.drainAll();
    assert.equal(lanes.find(pushed[4999]!), undefined, 'drained');
  });

  it('drops cancelled leftovers and their ids once nothing live is left', () => {
    const lanes = new PriorityLanes(2);
    const [a, b] = [entry(0), entry(1)];
    lanes.push(a);
    lanes.push(b);
    lanes.cancelEntry(a);
    lanes.cancelEntry(b);
    assert.deepEqual(lanes.drainAll(), []);
    // The same ids are not remembered as cancelled: had they been, these entries would be skipped.
    lanes.unshift(a);
    assert.equal(lanes.take(), a);
  });
});
