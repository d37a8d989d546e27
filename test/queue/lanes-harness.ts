/** The PriorityLanes tests' harness (not a test file): entries that carry their own id and level, and a wrapper
 * that checks takenId / takenPriority, find() and drain() against them on every call. */
import assert from 'node:assert/strict';
import { PriorityLanes as Lanes } from '../../src/queue/priority-lanes.js';

export interface Entry {
  readonly id: number;
  readonly priority: number;
}

let nextId = 1;
export const entry = (priority: number): Entry => ({ id: nextId++, priority });
export const ids = (entries: readonly (Entry | undefined)[]): (number | undefined)[] => entries.map((e) => e?.id);

/** The lanes under test, with entries as their own values: push(e), unshift(e), cancelEntry(e), drainAll(). */
export class PriorityLanes {
  readonly lanes: Lanes<Entry>;
  constructor(levels: number) {
    this.lanes = new Lanes<Entry>(levels);
  }
  get levels(): number {
    return this.lanes.levels;
  }
  get size(): number {
    return this.lanes.size;
  }
  counts(): number[] {
    return this.lanes.counts();
  }
  peekPriority(): number | undefined {
    return this.lanes.peekPriority();
  }
  checkPriority(priority: unknown): void {
    this.lanes.checkPriority(priority);
  }
  push(e: Entry): void {
    this.lanes.push(e.id, e, e.priority);
  }
  unshift(e: Entry): void {
    this.lanes.unshift(e.id, e, e.priority);
  }
  take(): Entry | undefined {
    const e = this.lanes.take();
    if (e) assert.deepEqual([this.lanes.takenId, this.lanes.takenPriority], [e.id, e.priority], 'takenId and takenPriority');
    return e;
  }
  find(e: Entry): Entry | undefined {
    const found = this.lanes.find(e.id);
    if (found) assert.equal(found.priority, found.value.priority);
    return found?.value;
  }
  cancelEntry(e: Entry): void {
    this.lanes.cancel(e.id, e.priority);
  }
  drainAll(): Entry[] {
    const out: Entry[] = [];
    const drained = this.lanes.drain();
    drained.forEach((id, e, priority) => {
      assert.deepEqual([id, priority], [e.id, e.priority]);
      out.push(e);
    });
    assert.equal(drained.length, out.length);
    return out;
  }
}

export function takeAll(lanes: PriorityLanes): Entry[] {
  const out: Entry[] = [];
  for (let e = lanes.take(); e !== undefined; e = lanes.take()) out.push(e);
  return out;
}
