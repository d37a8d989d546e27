/** Deque: a ring-buffer double-ended queue (src/queue/deque.ts), checked by example and against a plain array. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { Deque } from '../../src/queue/deque.js';
import { allCollected } from './helpers.js';

/** Shifts everything out, checking `length` and `peek()` on the way. */
function shiftAll<T>(deque: Deque<T>): T[] {
  const out: T[] = [];
  while (deque.length > 0) {
    const before = deque.length;
    const head = deque.peek();
    const item = deque.shift() as T;
    assert.equal(item, head, 'peek() showed the item shift() returned');
    assert.equal(deque.length, before - 1);
    out.push(item);
  }
  return out;
}

const range = (from: number, to: number): number[] => Array.from({ length: to - from }, (_, i) => from + i);

describe('Deque', () => {
  it('starts empty: length 0, shift() and peek() give undefined, drain() gives []', () => {
    const deque = new Deque<number>();
    assert.equal(deque.length, 0);
    assert.equal(deque.shift(), undefined);
    assert.equal(deque.peek(), undefined);
    assert.deepEqual(deque.drain(), []);
    assert.equal(deque.length, 0, 'shift() on an empty deque does not make length negative');
  });

  it('keeps FIFO order across many doublings (from capacity 1 to 2^17)', () => {
    const deque = new Deque<number>(1);
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      deque.push(i);
      assert.equal(deque.length, i + 1);
    }
    assert.equal(deque.peek(), 0);
    const out = shiftAll(deque);
    assert.equal(out.length, n);
    for (let i = 0; i < n; i++) if (out[i] !== i) assert.fail(`item ${i} came out as ${out[i]}`);
  });

  it('accepts odd initial capacities (0, 3, 17) and still grows correctly', () => {
    for (const capacity of [0, 1, 3, 17, 64]) {
      const deque = new Deque<number>(capacity);
      for (let i = 0; i < 200; i++) deque.push(i);
      assert.deepEqual(shiftAll(deque), range(0, 200), `initial capacity ${capacity}`);
    }
  });

  it('unshift puts items at the head, in LIFO order among themselves', () => {
    const deque = new Deque<string>(4);
    deque.push('c');
    deque.push('d');
    deque.unshift('b');
    deque.unshift('a');
    assert.equal(deque.peek(), 'a');
    assert.equal(deque.length, 4);
    deque.unshift('z'); // grows while head is not at slot 0
    deque.push('e');
    assert.deepEqual(shiftAll(deque), ['z', 'a', 'b', 'c', 'd', 'e']);
  });

  it('unshift on an empty deque, and many unshifts across growths', () => {
    const deque = new Deque<number>(2);
    deque.unshift(0);
    assert.equal(deque.peek(), 0);
    assert.equal(deque.shift(), 0);
    assert.equal(deque.length, 0);
    for (let i = 0; i < 1000; i++) deque.unshift(i);
    assert.deepEqual(shiftAll(deque), range(0, 1000).reverse());
  });

  it('wraps around the end of the ring: interleaved push and shift at capacity boundaries', () => {
    const capacity = 16;
    const deque = new Deque<number>(capacity);
    const model: number[] = [];
    let next = 0;
    // Walk the head through every slot several times while the length hovers at capacity-1, capacity, capacity+1.
    for (let round = 0; round < 5 * capacity; round++) {
      const target = capacity - 1 + (round % 3);
      while (model.length < target) {
        deque.push(next);
        model.push(next++);
      }
      for (let k = 0; k < 3; k++) {
        assert.equal(deque.shift(), model.shift());
        deque.push(next);
        model.push(next++);
      }
      assert.equal(deque.length, model.length);
      assert.equal(deque.peek(), model[0]);
    }
    assert.deepEqual(deque.drain(), model);
  });

  it('grows correctly when full with the head in the middle of the ring (wrapped contents)', () => {
    for (let offset = 0; offset < 8; offset++) {
      const deque = new Deque<number>(8);
      for (let i = 0; i < offset; i++) deque.push(-1);
      for (let i = 0; i < offset; i++) deque.shift(); // head now at slot `offset`
      for (let i = 0; i < 8; i++) deque.push(i); // full, wrapped unless offset is 0
      deque.push(8); // grows
      deque.unshift(-2);
      assert.deepEqual(deque.drain(), [-2, ...range(0, 9)], `head offset ${offset}`);
    }
  });

  it('drain() empties the deque, returns the items in order, and the deque is reusable', () => {
    const deque = new Deque<number>(4);
    for (let i = 0; i < 6; i++) deque.push(i);
    deque.shift();
    deque.unshift(100);
    assert.deepEqual(deque.drain(), [100, 1, 2, 3, 4, 5]);
    assert.equal(deque.length, 0);
    assert.equal(deque.peek(), undefined);
    assert.deepEqual(deque.drain(), []);
    deque.push(7);
    deque.unshift(6);
    assert.deepEqual(deque.drain(), [6, 7]);
  });

  it('carries undefined and null items like any other (length counts them)', () => {
    const deque = new Deque<number | null | undefined>();
    deque.push(undefined);
    deque.push(null);
    deque.push(0);
    assert.equal(deque.length, 3);
    assert.deepEqual(deque.drain(), [undefined, null, 0]);
  });

  it('does not keep removed items alive (shift, drain, and across a growth)', async () => {
    const deque = new Deque<object>(4);
    const refs: WeakRef<object>[] = [];
    const keep: object[] = [];
    ((): void => {
      for (let i = 0; i < 12; i++) {
        const item = { i };
        refs.push(new WeakRef(item));
        deque.push(item);
      }
      for (let i = 0; i < 5; i++) deque.shift(); // wraps the head past slot 0 of a 16-slot ring
      for (let i = 0; i < 6; i++) {
        const item = { kept: i };
        keep.push(item);
        deque.push(item);
      }
      for (let i = 0; i < 7; i++) deque.shift();
    })();
    assert.equal(deque.length, 6);
    assert.ok(await allCollected(refs), 'every shifted item was collected');
    const drained = new Deque<object>();
    const drainedRefs: WeakRef<object>[] = [];
    ((): void => {
      for (let i = 0; i < 20; i++) {
        const item = { i };
        drainedRefs.push(new WeakRef(item));
        drained.push(item);
      }
      drained.drain();
    })();
    assert.ok(await allCollected(drainedRefs), 'every drained item was collected');
    assert.deepEqual(deque.drain(), keep);
  });

  it('property: behaves like an array under random push / unshift / shift / peek / drain sequences', () => {
    type Op = { op: 'push' | 'unshift'; value: number } | { op: 'shift' | 'peek' | 'drain' } | { op: 'burst'; count: number };
    const op: fc.Arbitrary<Op> = fc.oneof(
      { arbitrary: fc.record({ op: fc.constant('push' as const), value: fc.integer() }), weight: 6 },
      { arbitrary: fc.record({ op: fc.constant('unshift' as const), value: fc.integer() }), weight: 3 },
      { arbitrary: fc.constant({ op: 'shift' as const }), weight: 6 },
      { arbitrary: fc.constant({ op: 'peek' as const }), weight: 1 },
      { arbitrary: fc.constant({ op: 'drain' as const }), weight: 1 },
      // Bursts push past capacity boundaries so that growth happens in every ring position.
      { arbitrary: fc.record({ op: fc.constant('burst' as const), count: fc.integer({ min: 1, max: 40 }) }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.array(op, { maxLength: 300 }), (capacity, ops) => {
        const deque = new Deque<number>(capacity);
        const model: number[] = [];
        let counter = 0;
        for (const step of ops) {
          switch (step.op) {
            case 'push':
              deque.push(step.value);
              model.push(step.value);
              break;
            case 'unshift':
              deque.unshift(step.value);
              model.unshift(step.value);
              break;
            case 'shift':
              assert.equal(deque.shift(), model.shift());
              break;
            case 'peek':
              assert.equal(deque.peek(), model[0]);
              break;
            case 'drain':
              assert.deepEqual(deque.drain(), model.splice(0));
              break;
            case 'burst':
              for (let i = 0; i < step.count; i++) {
                const value = 1_000_000 + counter++;
                deque.push(value);
                model.push(value);
              }
              break;
          }
          assert.equal(deque.length, model.length);
        }
        assert.deepEqual(deque.drain(), model);
        assert.equal(deque.length, 0);
      }),
      { numRuns: 500 },
    );
  });
});
