/**
 * When a busy worker sends its answers (`t` frames) back, which is also when the manager refills its local queue.
 * Each batch wakes the main thread, which costs far more than the frames in it on a shared VM (the CPU-bound mix
 * of 1 ms tasks, 4 workers on 2 cores: 200 to 300 µs of CPU a batch, over all threads), so a worker sends as few
 * as it can without running dry:
 *
 *   local queue   [done][done][done] ... [done][next][ ][ ][ ]
 *                                              └── runway ──┘  flush here: the refill lands while these run
 *
 * - at most REFILL_AT tasks left: always (the queue is nearly empty);
 * - otherwise only when all of these hold: at least half the batch is done (as many answers waiting as tasks
 *   left), the last flush is REFILL_AFTER_MS old, and the tasks left are at most RUNWAY_MS of work at this
 *   worker's average task time. The runway covers the main thread's wait for a core (milliseconds on a loaded
 *   2-core machine; with the first rule alone, 100 µs tasks ran dry 2 tasks after each flush and waited there).
 *   Short tasks always fit the runway, so for them the half-done rule decides, as before the runway existed; tiny
 *   ones keep large batches through the 1 ms (the main thread's cost is per batch, their bottleneck). Tasks of a
 *   millisecond go back about once per prefetch.
 *
 * A worker also flushes when it goes idle, when a send needs acknowledging, or when messages wait (worker-loop.ts).
 */
export const REFILL_AT = 2;
export const REFILL_AFTER_MS = 1;
export const RUNWAY_MS = 5;

export class RefillPolicy {
  /** `t` frames written since the last flush. */
  #doneUnflushed = 0;
  /** performance.now() at the last flush. */
  #flushedAt = 0;
  /** Moving average of this worker's task times (ms, wall time: what the runway is spent in). */
  #taskMs = Number.NaN;

  /** A task ended after `ms` and its `t` frame was written. */
  taskDone(ms: number): void {
    this.#doneUnflushed++;
    this.#taskMs = Number.isNaN(this.#taskMs) ? ms : this.#taskMs * 0.8 + ms * 0.2;
  }

  /** Everything written so far was sent at `now`. */
  flushed(now: number): void {
    this.#doneUnflushed = 0;
    this.#flushedAt = now;
  }

  /** Whether to send the answers now, after a task, with `left` tasks still in the local queue. */
  shouldFlush(left: number, now: number): boolean {
    if (left <= REFILL_AT) return true;
    return this.#doneUnflushed >= left && now - this.#flushedAt >= REFILL_AFTER_MS && left * this.#taskMs <= RUNWAY_MS;
  }
}
