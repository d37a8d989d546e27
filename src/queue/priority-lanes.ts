import { Deque } from './deque.js';
import { DrainedIds, IdQueue } from './id-queue.js';

/** Entries put back at the head of a lane (`unshift`): few, and not in id order. */
interface Front<V> {
  readonly ids: Deque<number>;
  readonly values: Deque<V>;
}

/**
 * One FIFO lane per priority level; `take()` serves the lowest non-empty level first (0 is the most urgent).
 * An entry is an id (ids pushed only grow) and a value, kept in parallel arrays: no object per entry.
 *
 *   level 0: [ a0 a1 ]            take() -> a0, a1, then b0 ...
 *   level 1: [ b0 b1 b2 b3 ]
 *   level 2: [ ]
 *
 * Cancelling a queued entry is O(1): its id goes into a set and is counted out at once, and `take()` drops it
 * when it meets it. `find(id)` is a binary search per level. `#lowest` is a lower bound on the first non-empty
 * level, so `take()` does not rescan the urgent empty levels on every call.
 */
export class PriorityLanes<V> {
  readonly #main: IdQueue<V>[];
  readonly #front: (Front<V> | undefined)[];
  /** Live (not cancelled) entries per level. */
  readonly #counts: number[];
  #size = 0;
  #lowest = 0;
  /** Ids of cancelled entries still sitting in the lanes. */
  #cancelled = new Set<number>();
  /** The id and level of the entry the last `take()` returned. */
  takenId = 0;
  takenPriority = 0;

  constructor(levels: number) {
    assertLevelCount(levels);
    this.#main = Array.from({ length: levels }, () => new IdQueue<V>());
    this.#front = new Array<Front<V> | undefined>(levels).fill(undefined);
    this.#counts = new Array<number>(levels).fill(0);
    this.#lowest = levels;
  }

  get levels(): number {
    return this.#main.length;
  }

  /** Live entries over all levels. */
  get size(): number {
    return this.#size;
  }

  /** Live entries per level, a fresh array. */
  counts(): number[] {
    return this.#counts.slice();
  }

  /** Throws a RangeError naming the value unless it is an integer in 0..levels-1. */
  checkPriority(priority: unknown): asserts priority is number {
    assertPriority(priority, this.#main.length);
  }

  /** Queues an entry at the tail of its lane; `id` must be greater than every id pushed before. */
  push(id: number, value: V, priority: number): void {
    this.checkPriority(priority);
    this.#main[priority]!.push(id, value);
    this.#added(priority);
  }

  /** Puts an entry back at the head of its lane (it was handed out but never started). */
  unshift(id: number, value: V, priority: number): void {
    this.checkPriority(priority);
    const front = (this.#front[priority] ??= { ids: new Deque<number>(4), values: new Deque<V>(4) });
    front.ids.unshift(id);
    front.values.unshift(value);
    this.#added(priority);
  }

  /** The next live entry's value from the most urgent non-empty lane (its id: `takenId`), or `undefined`. */
  take(): V | undefined {
    while (this.#size > 0 && this.#lowest < this.#main.length) {
      const level = this.#lowest;
      const front = this.#front[level];
      const main = this.#main[level]!;
      let id: number;
      let value: V | undefined;
      if (front && front.ids.length > 0) {
        id = front.ids.shift()!;
        value = front.values.shift();
      } else if (main.length > 0) {
        id = main.headId()!;
        value = main.shift();
      } else {
        this.#lowest++;
        continue;
      }
      if (this.#cancelled.size > 0 && this.#cancelled.delete(id)) continue;
      this.#counts[level]!--;
      if (--this.#size === 0) this.#reset();
      this.takenId = id;
      this.takenPriority = level;
      return value;
    }
    return undefined;
  }

  /** The level `take()` would serve next, or `undefined` when empty. */
  peekPriority(): number | undefined {
    if (this.#size === 0) return undefined;
    for (let level = this.#lowest; level < this.#counts.length; level++) if (this.#counts[level]! > 0) return level;
    return undefined;
  }

  /** A live entry pushed (not unshifted) under `id`, with its level. */
  find(id: number): { value: V; priority: number } | undefined {
    if (this.#size === 0 || this.#cancelled.has(id)) return undefined;
    for (let level = this.#lowest; level < this.#main.length; level++) {
      if (this.#counts[level] === 0) continue;
      const value = this.#main[level]!.find(id);
      if (value !== undefined) return { value, priority: level };
    }
    return undefined;
  }

  /** Counts a live entry out; `take()` and `drain()` skip it. The caller knows it is queued at `priority`. */
  cancel(id: number, priority: number): void {
    if (this.#cancelled.has(id)) return;
    this.#cancelled.add(id);
    this.#counts[priority]!--;
    if (--this.#size === 0) this.#reset();
  }

  /** Empties every lane and hands the live entries over, most urgent first, without copying them. */
  drain(): DrainedLanes<V> {
    const levels = this.#main.map((main, level): DrainedLevel<V> => {
      const front = this.#front[level];
      this.#front[level] = undefined;
      return { front: front && { ids: front.ids.drain(), values: front.values.drain() }, main: main.drain() };
    });
    const drained = new DrainedLanes<V>(levels, this.#cancelled, this.#size);
    this.#cancelled = new Set();
    this.#counts.fill(0);
    this.#size = 0;
    this.#lowest = this.#main.length;
    return drained;
  }

  #added(priority: number): void {
    this.#counts[priority]!++;
    this.#size++;
    if (priority < this.#lowest) this.#lowest = priority;
  }

  /** With no live entry left, cancelled leftovers are dropped so they do not hold memory. */
  #reset(): void {
    if (this.#cancelled.size === 0) return;
    this.drain();
  }
}

interface DrainedLevel<V> {
  readonly front: { readonly ids: number[]; readonly values: V[] } | undefined;
  readonly main: DrainedIds<V>;
}

/** The live entries of drained lanes, most urgent level first, each level's put-back entries before the rest. */
export class DrainedLanes<V> {
  readonly #levels: readonly DrainedLevel<V>[];
  readonly #cancelled: ReadonlySet<number>;
  /** Live entries. */
  readonly length: number;

  constructor(levels: readonly DrainedLevel<V>[], cancelled: ReadonlySet<number>, length: number) {
    this.#levels = levels;
    this.#cancelled = cancelled;
    this.length = length;
  }

  forEach(each: (id: number, value: V, priority: number) => void): void {
    this.#levels.forEach(({ front, main }, priority) => {
      if (front) front.ids.forEach((id, i) => this.#cancelled.has(id) || each(id, front.values[i]!, priority));
      main.forEach((id, value) => this.#cancelled.has(id) || each(id, value, priority));
    });
  }
}

export const MAX_PRIORITY_LEVELS = 128;

/** Throws a RangeError naming the value unless it is an integer in 0..levels-1. */
export function assertPriority(priority: unknown, levels: number): asserts priority is number {
  if (!Number.isInteger(priority) || (priority as number) < 0 || (priority as number) >= levels) {
    throw new RangeError(`priority must be an integer from 0 to ${levels - 1} (priorityLevels is ${levels}), got ${describe(priority)}`);
  }
}

export function assertLevelCount(levels: unknown): asserts levels is number {
  if (!Number.isInteger(levels) || (levels as number) < 1 || (levels as number) > MAX_PRIORITY_LEVELS) {
    throw new RangeError(`priorityLevels must be an integer from 1 to ${MAX_PRIORITY_LEVELS}, got ${describe(levels)}`);
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
