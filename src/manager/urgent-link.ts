import type { WorkerLink } from './worker-link.js';

/**
 * Prefetch lets a worker hold up to `depth` tasks, so it never waits on a round trip; but a task more urgent than
 * the ones a worker holds should not wait in the manager until that worker reports. It may go to one worker past
 * `depth`, where it lands at the head of the local queue (the worker orders its queue by priority and takes in
 * what arrived between tasks: see TURN_EVERY_MS in worker-loop.ts). So it waits for the task running there, not
 * the batch:
 *
 *   manager lanes   p0 ─┐
 *   worker 1 holds      └─> [running p1] [p0] [p1] [p1] ... (depth + 1 at most)
 *
 * A worker qualifies when it is at `depth`, takes no more than one task past it, and the last task sent to it was
 * less urgent than this one (so it holds work this one jumps ahead of). Of those, the one whose running task
 * started last gets it: it was on a core a moment ago. When workers outnumber cores, a busy worker is off its
 * core for milliseconds at a time, and the task must not wait for that: picking the one whose task started first
 * (the first to finish if all ran) picked exactly those, 2 to 9 ms waits at 4 workers on 2 cores; the one that
 * reported last still often did (its report can be milliseconds old). The cost: with every worker on a core, it
 * waits for the task that started last, so up to one task's time rather than the shortest remainder.
 */
export function urgentLink(links: readonly (WorkerLink | undefined)[], depth: number, priority: number): WorkerLink | undefined {
  let best: WorkerLink | undefined;
  let bestStart = Number.NEGATIVE_INFINITY;
  for (const link of links) {
    if (!link?.ready || link.closeSent || link.inFlight.size !== depth) continue;
    if (link.lastSentPriority <= priority) continue;
    const startedAt = link.runningNow()?.startedAt ?? 0;
    if (!best || startedAt > bestStart) {
      best = link;
      bestStart = startedAt;
    }
  }
  return best;
}
