import { Deque } from './deque.js';

/** What the lanes need of an entry: its level, and a flag set when it was cancelled while queued. */
export interface LaneEntry {
  readonly priority: number;
  cancelled: boolean;
}

/**
 * One FIFO lane per priority level; `take()` serves the lowest non-empty level first (0 is the most urgent).
 *
 *   level 0: [ a0 a1 ]            take() -> a0, a1, then b0 ...
 *   level 1: [ b0 b1 b2 b3 ]
 *   level 2: [ ]
 *
 * Cancelling a queued entry is O(1): it is flagged and counted out at once, and `take()` drops flagged entries
 * when it meets them. `#lowest` is a lower bound on the first non-empty level, so `take()` does not rescan the
 * urgent empty levels on every call.
 */
export class PriorityLanes<E extends LaneEntry> {
  readonly #lanes: Deque<E>[];
  /** Live (not cancelled) entries per level. */
  readonly #counts: number[];
  #size = 0;
  #lowest = 0;
  /** Cancelled entries still sitting in the lanes. */
  #flagged = 0;

  constructor(levels: number) {
    assertLevelCount(levels);
    this.#lanes = Array.from({ length: levels }, () => new Deque<E>());
    this.#counts = new Array<number>(levels).fill(0);
    this.#lowest = levels;
  }

  get levels(): number {
    return this.#lanes.length;
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
    if (!Number.isInteger(priority) || (priority as number) < 0 || (priority as number) >= this.#lanes.length) {
      throw new RangeError(
        `priority must be an integer from 0 to ${this.#lanes.length - 1} (priorityLevels is ${this.#lanes.length}), got ${describe(priority)}`,
      );
    }
  }

  push(entry: E): void {
    this.#lane(entry.priority).push(entry);
    this.#added(entry.priority);
  }

  /** Puts an entry back at the head of its lane (it was handed out but never started). */
  unshift(entry: E): void {
    this.#lane(entry.priority).unshift(entry);
    this.#added(entry.priority);
  }

  /** The next live entry from the most urgent non-empty lane, or `undefined`. */
  take(): E | undefined {
    while (this.#size > 0) {
      if (this.#lowest >= this.#lanes.length) break;
      const lane = this.#lanes[this.#lowest];
      const entry = lane?.shift();
      if (entry === undefined) {
        this.#lowest++;
        continue;
      }
      if (entry.cancelled) {
        this.#flagged--;
        continue;
      }
      this.#counts[entry.priority]!--;
      this.#size--;
      return entry;
    }
    this.#dropCancelled();
    return undefined;
  }

  /** The level `take()` would serve next, or `undefined` when empty. */
  peekPriority(): number | undefined {
    if (this.#size === 0) return undefined;
    for (let level = this.#lowest; level < this.#counts.length; level++) if (this.#counts[level]! > 0) return level;
    return undefined;
  }

  /** Flags a queued entry as cancelled and counts it out; the caller knows it is queued. */
  cancel(entry: E): void {
    if (entry.cancelled) return;
    entry.cancelled = true;
    this.#flagged++;
    this.#counts[entry.priority]!--;
    this.#size--;
  }

  /** Empties every lane and returns the live entries, most urgent first. */
  drain(): E[] {
    const parts = this.#lanes.filter((lane) => lane.length > 0).map((lane) => lane.drain());
    let out = parts.length === 1 ? parts[0]! : ([] as E[]).concat(...parts);
    if (this.#flagged > 0) out = out.filter((entry) => !entry.cancelled);
    this.#flagged = 0;
    this.#counts.fill(0);
    this.#size = 0;
    this.#lowest = this.#lanes.length;
    return out;
  }

  #lane(priority: number): Deque<E> {
    this.checkPriority(priority);
    return this.#lanes[priority]!;
  }

  #added(priority: number): void {
    this.#counts[priority]!++;
    this.#size++;
    if (priority < this.#lowest) this.#lowest = priority;
  }

  /** With no live entry left, flagged leftovers are dropped so they do not hold memory. */
  #dropCancelled(): void {
    // Only when some are flagged: take() on an empty queue is common (a host with 128 levels, an idle pool).
    if (this.#flagged > 0) for (const lane of this.#lanes) lane.drain();
    this.#flagged = 0;
    this.#lowest = this.#lanes.length;
  }
}

export const MAX_PRIORITY_LEVELS = 128;

export function assertLevelCount(levels: unknown): asserts levels is number {
  if (!Number.isInteger(levels) || (levels as number) < 1 || (levels as number) > MAX_PRIORITY_LEVELS) {
    throw new RangeError(`priorityLevels must be an integer from 1 to ${MAX_PRIORITY_LEVELS}, got ${describe(levels)}`);
  }
}

function describe(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(value);
}
