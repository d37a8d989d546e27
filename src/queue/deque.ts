/**
 * A double-ended queue on one power-of-two ring buffer: push and shift at the ends in O(1), amortized over the
 * doublings. `unshift` puts work back at the head (a worker that died returns the tasks it never started).
 *
 *        head                    tail
 *         v                       v
 *   [ . . a b c d e f . . . . . . ]      length = 6, capacity = 16
 *   mask = capacity - 1; slot(i) = (head + i) & mask
 *
 * Invariants: capacity is a power of two; 0 <= length <= capacity; slots outside [head, head + length) hold
 * `undefined`, so a removed item is never kept alive by the queue.
 * The idea is the classic one of Node's internal FixedQueue and piscina's task queues, in a single ring.
 */
export class Deque<T> {
  #items: (T | undefined)[];
  #head = 0;
  #length = 0;

  constructor(initialCapacity = 16) {
    let capacity = 1;
    while (capacity < initialCapacity) capacity *= 2;
    this.#items = new Array<T | undefined>(capacity);
  }

  get length(): number {
    return this.#length;
  }

  push(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#items[(this.#head + this.#length) & (this.#items.length - 1)] = item;
    this.#length++;
  }

  unshift(item: T): void {
    if (this.#length === this.#items.length) this.#grow();
    this.#head = (this.#head - 1) & (this.#items.length - 1);
    this.#items[this.#head] = item;
    this.#length++;
  }

  shift(): T | undefined {
    if (this.#length === 0) return undefined;
    const item = this.#items[this.#head];
    this.#items[this.#head] = undefined;
    this.#head = (this.#head + 1) & (this.#items.length - 1);
    this.#length--;
    return item;
  }

  peek(): T | undefined {
    return this.#length === 0 ? undefined : this.#items[this.#head];
  }

  /** Empties the queue and returns its items in order. O(length), and the ring is dropped, not wiped slot by slot. */
  drain(): T[] {
    const items = this.#items;
    const end = this.#head + this.#length;
    // Native slices (a memory copy), not a loop: a cancel may drain a million entries.
    const out = (end <= items.length ? items.slice(this.#head, end) : items.slice(this.#head).concat(items.slice(0, end - items.length))) as T[];
    this.#items = new Array<T | undefined>(16);
    this.#head = 0;
    this.#length = 0;
    return out;
  }

  #grow(): void {
    const old = this.#items;
    const grown = new Array<T | undefined>(old.length * 2);
    for (let i = 0; i < this.#length; i++) grown[i] = old[(this.#head + i) & (old.length - 1)];
    this.#items = grown;
    this.#head = 0;
  }
}
