/**
 * Prefetch as many tasks into a worker as fit in this much measured task time. Deep enough that a worker keeps
 * running while the main thread waits for a core (a 2-core machine under load: milliseconds), and that finished
 * work comes back in few batches: each wakes the main thread (see worker/refill-policy.ts). With 10 ms, the
 * CPU-bound mix of 1 ms tasks sent one batch per ~3 tasks and ran 8.0% over its ideal at 2 workers, 8.7% at 4;
 * with 50 ms and the worker's runway rule, one per 15 to 18, 5.4% and 5.9% (medians of 5 alternated rounds, no
 * pool at all 2.4 and 2.9%); with 2 ms it had woken the main thread per task. It does not delay
 * urgent tasks (urgent-link.ts), and at the end of a run an idle worker takes half of what a busy one holds
 * (withdraw-for-idle.ts), so a deep prefetch does not leave one worker with the tail.
 */
export const PREFETCH_BUDGET_MS = 50;

/** What the gauge reads off a worker link. */
interface BatchTimes {
  /** When the link's previous batch of frames arrived (performance.now()). */
  readonly lastBatchAt: number;
  /** When the link last went from no task in flight to one. */
  readonly busySince: number;
}

/**
 * How many tasks each worker may hold: 1 for long tasks, more for short ones, so a worker never waits on a round
 * trip, capped by `maxPrefetch`. Task time is measured from the spacing of a busy worker's batches: an average
 * that includes transport costs.
 */
export class PrefetchGauge {
  readonly #maxPrefetch: number;
  #avgTaskMs = Number.NaN;

  constructor(maxPrefetch: number) {
    this.#maxPrefetch = maxPrefetch;
  }

  depth(): number {
    if (Number.isNaN(this.#avgTaskMs)) return 1;
    return 1 + Math.min(this.#maxPrefetch, Math.floor(PREFETCH_BUDGET_MS / Math.max(this.#avgTaskMs, 1e-3)));
  }

  /** A batch from `link` reported `completed` tasks done. */
  measure(link: BatchTimes, completed: number): void {
    const now = performance.now();
    const since = Math.max(link.lastBatchAt, link.busySince);
    if (since <= 0) return;
    const sample = (now - since) / completed;
    this.#avgTaskMs = Number.isNaN(this.#avgTaskMs) ? sample : this.#avgTaskMs * 0.8 + sample * 0.2;
  }
}
