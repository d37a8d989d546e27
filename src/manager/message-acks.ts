import type { Inbox } from './inbox.js';
import type { WorkerLink } from './worker-link.js';

/**
 * Back-pressure on ctx.send(): a worker may have at most `sendWindow` messages unacknowledged, and the manager
 * acknowledges a batch's messages only while the inbox is under its high-water mark. Past it, the
 * acknowledgements are held per link, and released once the reader has taken the inbox back under the mark, or
 * when nobody need read any more (a join without a reader, cancel, kill).
 */
export class MessageAcks {
  readonly #inbox: Inbox;
  readonly #highWaterMark: number;
  /** Held over all links: the reader's check per message is O(1) while there are none. */
  #held = 0;
  #backPressure = true;

  constructor(inbox: Inbox, highWaterMark: number) {
    this.#inbox = inbox;
    this.#highWaterMark = highWaterMark;
  }

  /** Acknowledges what a batch from `link` carried, or holds its messages' acknowledgement back. */
  ack(link: WorkerLink, messages: number, spawns: number): void {
    link.ackSpawns(spawns);
    if (this.#backPressure && this.#inbox.length > this.#highWaterMark) {
      link.deferredAcks += messages;
      this.#held += messages;
    } else link.ackMessages(messages);
  }

  /** The reader took a message. */
  messageTaken(links: readonly (WorkerLink | undefined)[]): void {
    if (this.#held > 0 && this.#inbox.length < this.#highWaterMark) this.#release(links);
  }

  /** Stops acknowledging by the high-water mark from now on. */
  releaseBackPressure(links: readonly (WorkerLink | undefined)[]): void {
    this.#backPressure = false;
    this.#release(links);
  }

  #release(links: readonly (WorkerLink | undefined)[]): void {
    this.#held = 0;
    for (const link of links) {
      if (!link || link.deferredAcks === 0) continue;
      link.ackMessages(link.deferredAcks);
      link.deferredAcks = 0;
      link.flush();
    }
  }
}
