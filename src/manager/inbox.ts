import { Deque } from '../queue/deque.js';

/**
 * The messages tasks sent, in arrival order, waiting for the one reader. `wait()` parks the reader until
 * something changes (a message, a task finished, a close): no polling.
 */
export class Inbox {
  readonly #messages = new Deque<unknown>();
  #wake: (() => void) | undefined;

  get length(): number {
    return this.#messages.length;
  }

  push(message: unknown): void {
    this.#messages.push(message);
  }

  shift(): unknown {
    return this.#messages.shift();
  }

  /** Drops every buffered message (cancel and kill); returns how many. */
  clear(): number {
    const dropped = this.#messages.length;
    this.#messages.drain();
    return dropped;
  }

  /** Resolves at the next `notify()`. */
  wait(): Promise<void> {
    return new Promise((resolve) => (this.#wake = resolve));
  }

  /** Wakes the waiting reader, if any. */
  notify(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }
}
