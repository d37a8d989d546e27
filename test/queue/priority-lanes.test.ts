/** PriorityLanes (src/queue/priority-lanes.ts): one FIFO lane per level, lowest level first, O(1) cancel. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_PRIORITY_LEVELS, PriorityLanes as Lanes, assertLevelCount } from '../../src/queue/priority-lanes.js';
import { allCollected } from './helpers.js';

interface Entry {
  readonly id: number;
  readonly priority: number;
}

let nextId = 1;
const entry = (priority: number): Entry => ({ id: nextId++, priority });
const ids = (entries: readonly (Entry | undefined)[]): (number | undefined)[] => entries.map((e) => e?.id);

/** The lanes under test, with entries as their own values: push(e), unshift(e), cancelEntry(e), drainAll(). */
class PriorityLanes {
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

function takeAll(lanes: PriorityLanes): Entry[] {
  const out: Entry[] = [];
  for (let e = lanes.take(); e !== undefined; e = lanes.take()) out.push(e);
  return out;
}

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

describe('PriorityLanes: bounds and errors', () => {
  it('levels is the number of lanes', () => {
    assert.equal(new PriorityLanes(1).levels, 1);
    assert.equal(new PriorityLanes(7).levels, 7);
    assert.equal(new PriorityLanes(MAX_PRIORITY_LEVELS).levels, 128);
  });

  it('checkPriority() accepts 0..levels-1 and names the bound and the value otherwise', () => {
    const lanes = new PriorityLanes(3);
    for (const ok of [0, 1, 2]) assert.doesNotThrow(() => lanes.checkPriority(ok));
    const cases: [unknown, string][] = [
      [3, 'got 3'],
      [-1, 'got -1'],
      [1.5, 'got 1.5'],
      [Number.NaN, 'got NaN'],
      [Infinity, 'got Infinity'],
      ['1', 'got "1"'],
      [undefined, 'got undefined'],
      [null, 'got null'],
    ];
    for (const [value, got] of cases) {
      assert.throws(
        () => lanes.checkPriority(value),
        (error: unknown) => {
          assert.ok(error instanceof RangeError, `a RangeError for ${String(value)}`);
          assert.match(error.message, /from 0 to 2\b/, 'names the highest level');
          assert.match(error.message, /priorityLevels is 3/);
          assert.ok(error.message.endsWith(got), `"${error.message}" should end with "${got}"`);
          return true;
        },
      );
    }
  });

  it('push() and unshift() refuse an out-of-range priority and change nothing', () => {
    const lanes = new PriorityLanes(2);
    lanes.push(entry(0));
    assert.throws(() => lanes.push(entry(2)), /from 0 to 1 .*got 2/);
    assert.throws(() => lanes.unshift(entry(-1)), /got -1/);
    assert.equal(lanes.size, 1);
    assert.deepEqual(lanes.counts(), [1, 0]);
  });

  it('assertLevelCount() accepts 1..128 and refuses everything else, naming the bounds and the value', () => {
    for (const ok of [1, 2, 64, 128]) {
      assert.doesNotThrow(() => assertLevelCount(ok));
      assert.doesNotThrow(() => new PriorityLanes(ok));
    }
    for (const bad of [0, -1, 129, 1000, 2.5, Number.NaN, '2', undefined]) {
      const got = typeof bad === 'string' ? JSON.stringify(bad) : String(bad);
      const check = (error: unknown): boolean => {
        assert.ok(error instanceof RangeError);
        assert.equal(error.message, `priorityLevels must be an integer from 1 to 128, got ${got}`);
        return true;
      };
      assert.throws(() => assertLevelCount(bad), check);
      assert.throws(() => new PriorityLanes(bad as number), check);
    }
  });

  it('peekPriority() is the level take() serves next, undefined when empty', () => {
    const lanes = new PriorityLanes(4);
    assert.equal(lanes.peekPriority(), undefined);
    lanes.push(entry(3));
    assert.equal(lanes.peekPriority(), 3);
    lanes.push(entry(1));
    assert.equal(lanes.peekPriority(), 1);
    assert.equal(lanes.take()?.priority, 1);
    assert.equal(lanes.peekPriority(), 3);
    assert.equal(lanes.take()?.priority, 3);
    assert.equal(lanes.peekPriority(), undefined);
  });
});

/**
 * A reference for the lanes: an array per level, with cancelled entries removed at once. The lanes under test
 * cancel lazily; their observable behaviour must be the same.
 */
class ReferenceLanes {
  readonly levels: Entry[][];
  constructor(levels: number) {
    this.levels = Array.from({ length: levels }, () => []);
  }
  get size(): number {
    return this.levels.reduce((n, level) => n + level.length, 0);
  }
  counts(): number[] {
    return this.levels.map((level) => level.length);
  }
  push(e: Entry): void {
    this.levels[e.priority]!.push(e);
  }
  unshift(e: Entry): void {
    this.levels[e.priority]!.unshift(e);
  }
  take(): Entry | undefined {
    return this.levels.find((level) => level.length > 0)?.shift();
  }
  peekPriority(): number | undefined {
    const at = this.levels.findIndex((level) => level.length > 0);
    return at < 0 ? undefined : at;
  }
  /** The k-th live entry (mod size) in take order, removed. */
  removeNth(k: number): Entry | undefined {
    const all = this.levels.flat();
    if (all.length === 0) return undefined;
    const victim = all[k % all.length]!;
    const level = this.levels[victim.priority]!;
    level.splice(level.indexOf(victim), 1);
    return victim;
  }
  drain(): Entry[] {
    return this.levels.flatMap((level) => level.splice(0));
  }
}

describe('PriorityLanes: property', () => {
  it('matches an array-per-level reference under random push / unshift / take / cancel / drain, find() included', () => {
    type Op =
      | { op: 'push' | 'unshift'; priority: number }
      | { op: 'take' | 'peek' | 'drain' }
      | { op: 'cancel'; k: number }
      | { op: 'burst'; priority: number; count: number };
    const opsFor = (levels: number): fc.Arbitrary<Op[]> => {
      const priority = fc.integer({ min: 0, max: levels - 1 });
      return fc.array(
        fc.oneof(
          { arbitrary: fc.record({ op: fc.constant('push' as const), priority }), weight: 8 },
          { arbitrary: fc.record({ op: fc.constant('unshift' as const), priority }), weight: 2 },
          { arbitrary: fc.constant({ op: 'take' as const }), weight: 7 },
          { arbitrary: fc.constant({ op: 'peek' as const }), weight: 1 },
          { arbitrary: fc.record({ op: fc.constant('cancel' as const), k: fc.nat() }), weight: 3 },
          { arbitrary: fc.constant({ op: 'drain' as const }), weight: 1 },
          { arbitrary: fc.record({ op: fc.constant('burst' as const), priority, count: fc.integer({ min: 1, max: 30 }) }), weight: 1 },
        ),
        { maxLength: 200 },
      );
    };
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 6 }).chain((levels) => fc.tuple(fc.constant(levels), opsFor(levels))),
        ([levels, ops]) => {
          const lanes = new PriorityLanes(levels);
          const reference = new ReferenceLanes(levels);
          const unshifted = new Set<Entry>();
          const seen: Entry[] = [];
          const check = (): void => {
            assert.equal(lanes.size, reference.size);
            assert.deepEqual(lanes.counts(), reference.counts());
            assert.equal(lanes.peekPriority(), reference.peekPriority());
            // find(): every live pushed entry, and nothing taken, cancelled, drained or put back
            const live = new Set(reference.levels.flat());
            for (const e of seen) assert.equal(lanes.find(e), live.has(e) && !unshifted.has(e) ? e : undefined, `find(${e.id})`);
          };
          for (const step of ops) {
            switch (step.op) {
              case 'push':
              case 'unshift': {
                const e = entry(step.priority);
                lanes[step.op](e);
                reference[step.op](e);
                seen.push(e);
                if (step.op === 'unshift') unshifted.add(e);
                break;
              }
              case 'burst':
                for (let i = 0; i < step.count; i++) {
                  const e = entry(step.priority);
                  lanes.push(e);
                  reference.push(e);
                  seen.push(e);
                }
                break;
              case 'take':
                assert.equal(lanes.take(), reference.take());
                break;
              case 'peek':
                assert.equal(lanes.peekPriority(), reference.peekPriority());
                break;
              case 'cancel': {
                const victim = reference.removeNth(step.k);
                if (victim) lanes.cancelEntry(victim);
                break;
              }
              case 'drain':
                assert.deepEqual(ids(lanes.drainAll()), ids(reference.drain()));
                break;
            }
            check();
          }
          assert.deepEqual(ids(takeAll(lanes)), ids(reference.drain()));
          check();
        },
      ),
      { numRuns: 500 },
    );
  });
});
