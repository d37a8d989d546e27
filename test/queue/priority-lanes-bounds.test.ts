/** PriorityLanes (src/queue/priority-lanes.ts): bounds, errors, and a property test against a reference model. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_PRIORITY_LEVELS, assertLevelCount } from '../../src/queue/priority-lanes.js';
import { PriorityLanes, entry, ids, takeAll, type Entry } from './lanes-harness.js';

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
