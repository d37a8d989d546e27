/** Entries per chunk: chunks grow with the queue from the first size to the last. */
const FIRST_CHUNK = 16;
const LAST_CHUNK = 1024;

/** A run of entries in two parallel arrays: `ids[i]` and `values[i]` for `start <= i < end`. */
interface Chunk<V> {
  readonly ids: number[];
  readonly values: (V | undefined)[];
  start: number;
  end: number;
}

/**
 * A FIFO of (id, value) pairs whose ids only grow, kept in chunks of parallel arrays: two slots (16 bytes) an
 * entry and no per-entry object, nothing copied as it grows, and `find(id)` by binary search.
 *
 *   chunks: [ 5 8 9 | ... ] [ 12 13 17 ... ] [ 20 21 . . . ]
 *             ^start                                 ^end
 */
export class IdQueue<V> {
  #chunks: Chunk<V>[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  /** The id at the head, or `undefined` when empty. */
  headId(): number | undefined {
    const chunk = this.#chunks[0];
    return chunk && chunk.ids[chunk.start];
  }

  /** Appends an entry; `id` must be greater than every id pushed before. */
  push(id: number, value: V): void {
    let chunk = this.#chunks[this.#chunks.length - 1];
    if (!chunk || chunk.end === chunk.ids.length) {
      const size = Math.min(LAST_CHUNK, Math.max(FIRST_CHUNK, this.#length));
      chunk = { ids: new Array<number>(size), values: new Array<V | undefined>(size), start: 0, end: 0 };
      this.#chunks.push(chunk);
    }
    chunk.ids[chunk.end] = id;
    chunk.values[chunk.end++] = value;
    this.#length++;
  }

  /** Removes the head entry and returns its value (read `headId()` first for its id). */
  shift(): V | undefined {
    const chunk = this.#chunks[0];
    if (!chunk) return undefined;
    const value = chunk.values[chunk.start];
    chunk.values[chunk.start++] = undefined;
    this.#length--;
    if (chunk.start === chunk.end) this.#chunks.shift();
    return value;
  }

  /** The value queued under `id`, or `undefined` when no entry has it. O(log n). */
  find(id: number): V | undefined {
    const chunks = this.#chunks;
    let low = 0;
    let high = chunks.length - 1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      const chunk = chunks[middle]!;
      if (id < chunk.ids[chunk.start]!) high = middle - 1;
      else if (id > chunk.ids[chunk.end - 1]!) low = middle + 1;
      else return findIn(chunk, id);
    }
    return undefined;
  }

  /** Empties the queue and hands its chunks over as they are (nothing copied). */
  drain(): DrainedIds<V> {
    const drained = new DrainedIds(this.#chunks, this.#length);
    this.#chunks = [];
    this.#length = 0;
    return drained;
  }
}

function findIn<V>(chunk: Chunk<V>, id: number): V | undefined {
  let low = chunk.start;
  let high = chunk.end - 1;
  while (low <= high) {
    const middle = (low + high) >> 1;
    const at = chunk.ids[middle]!;
    if (at === id) return chunk.values[middle];
    if (at < id) low = middle + 1;
    else high = middle - 1;
  }
  return undefined;
}

/** The entries of a drained IdQueue, in order. */
export class DrainedIds<V> {
  readonly #chunks: readonly Chunk<V>[];
  readonly length: number;

  constructor(chunks: readonly Chunk<V>[], length: number) {
    this.#chunks = chunks;
    this.length = length;
  }

  forEach(each: (id: number, value: V) => void): void {
    for (const chunk of this.#chunks) for (let i = chunk.start; i < chunk.end; i++) each(chunk.ids[i]!, chunk.values[i]!);
  }
}
