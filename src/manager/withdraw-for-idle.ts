import type { TaskRecord } from './task-record.js';
import type { WorkerLink } from './worker-link.js';

/**
 * Prefetched work must not wait at a busy worker while another has none. Called when nothing is queued: if a
 * worker is idle, every worker that holds tasks it has not started is asked for the newer half of them back
 * (`w` frames). A worker returns each it has not started by then as "not run", and the engine queues it again at
 * the head of its lane, for the idle worker; one that started meanwhile just runs where it is.
 *
 *   worker 1  [running: a 3 s download] [small] [small]     worker 2  (idle)
 *                                                 └── w ──> back to the lanes ──> worker 2
 *
 * A worker with an answer still due is left alone until it comes (TaskRecord.withdrawing), so repeated dispatches
 * while the idle worker waits for the tasks do not halve the busy one's queue again and again.
 */
export function withdrawForIdle(links: readonly (WorkerLink | undefined)[]): void {
  if (!links.some((link) => link?.ready && !link.closeSent && link.inFlight.size === 0)) return;
  for (const link of links) {
    if (!link?.ready || link.closeSent || link.inFlight.size < 2) continue;
    const running = link.runningNow()?.task;
    const waiting: TaskRecord[] = [];
    let answerDue = false;
    for (const task of link.inFlight.values()) {
      if (task.withdrawing) answerDue = true;
      else if (task !== running && task.state === 'sent') waiting.push(task);
    }
    if (answerDue) continue;
    for (const task of waiting.slice(Math.floor(waiting.length / 2))) {
      task.withdrawing = true;
      link.sendWithdraw(task.id);
    }
  }
}

/**
 * The index of the link with the fewest tasks in flight (0 when none is up): dispatch rounds start there, so a
 * task given back goes to the idle worker rather than straight back to the one that returned it.
 */
export function leastLoaded(links: readonly (WorkerLink | undefined)[]): number {
  let best = 0;
  for (let i = 1; i < links.length; i++) if ((links[i]?.inFlight.size ?? Infinity) < (links[best]?.inFlight.size ?? Infinity)) best = i;
  return best;
}
