import type { Inbox } from './inbox.js';

/** What an InboxReader needs from its ProcessManager. */
export interface InboxReaderHooks {
  /** Claims the one reader's place, at the first `next()`; throws when another reader holds it. */
  start(): void;
  /** A message was taken from the inbox (acknowledgements held back may go out). */
  taken(): void;
  /** The error to throw instead of reading on (failFast), if any. */
  failure(): Error | undefined;
  /** True when no message can come any more: nothing queued or running, or the manager cancels or kills. */
  ended(): boolean;
  /** Gives the reader's place back; `finished` when the reader saw the end of the work. */
  stop(finished: boolean): void;
}

interface Waiter {
  resolve(result: IteratorResult<unknown>): void;
  reject(error: unknown): void;
}

const DONE: IteratorResult<unknown> = Object.freeze({ value: undefined, done: true });

/**
 * `manager.messages()`: the inbox in arrival order, as a hand-written async iterator. An async generator costs
 * several promises and microtask turns per message; here a `next()` with a message waiting is one resolved
 * promise. Semantics of the generator it replaced: the reader's place is claimed at the first `next()`;
 * it throws the failFast error (and is then done); it ends when `ended()` holds and the inbox is empty;
 * `return()` and `throw()` give the place back at once, settling pending `next()` calls as done. Calls to
 * `next()` made while one waits are answered in order.
 */
export class InboxReader implements AsyncIterableIterator<unknown> {
  readonly #inbox: Inbox;
  readonly #hooks: InboxReaderHooks;
  #state: 'new' | 'reading' | 'done' = 'new';
  /** `next()` calls waiting for a message or the end, oldest first. */
  readonly #waiting: Waiter[] = [];

  constructor(inbox: Inbox, hooks: InboxReaderHooks) {
    this.#inbox = inbox;
    this.#hooks = hooks;
  }

  [Symbol.asyncIterator](): this {
    return this;
  }

  next(): Promise<IteratorResult<unknown>> {
    if (this.#waiting.length === 0) {
      let result: IteratorResult<unknown> | undefined;
      try {
        result = this.#step();
      } catch (error) {
        return Promise.reject(error);
      }
      if (result) return Promise.resolve(result);
    }
    return new Promise((resolve, reject) => {
      this.#waiting.push({ resolve, reject });
      if (this.#waiting.length === 1) this.#park();
    });
  }

  return(value?: unknown): Promise<IteratorResult<unknown>> {
    this.#close();
    return Promise.resolve({ value, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<unknown>> {
    this.#close();
    return Promise.reject(error);
  }

  /** The next result, or `undefined` when it must wait; throws the failFast error once. */
  #step(): IteratorResult<unknown> | undefined {
    if (this.#state === 'done') return DONE;
    if (this.#state === 'new') {
      this.#state = 'done'; // a start() that throws leaves this reader done, as a generator would be
      this.#hooks.start();
      this.#state = 'reading';
    }
    const failure = this.#hooks.failure();
    if (failure) {
      this.#finish(false);
      throw failure;
    }
    if (this.#inbox.length > 0) {
      const value = this.#inbox.shift();
      this.#hooks.taken();
      return { value, done: false };
    }
    if (this.#hooks.ended()) {
      this.#finish(true);
      return DONE;
    }
    return undefined;
  }

  #park(): void {
    void this.#inbox.wait().then(() => this.#serve());
  }

  /** Answers waiting `next()` calls in order until one has to wait again. */
  #serve(): void {
    while (this.#waiting.length > 0) {
      let result: IteratorResult<unknown> | undefined;
      try {
        result = this.#step();
      } catch (error) {
        this.#waiting.shift()!.reject(error);
        continue;
      }
      if (!result) {
        this.#park();
        return;
      }
      this.#waiting.shift()!.resolve(result);
    }
  }

  #close(): void {
    if (this.#state === 'reading') this.#finish(false);
    this.#state = 'done';
    for (const waiter of this.#waiting.splice(0)) waiter.resolve(DONE);
  }

  #finish(finished: boolean): void {
    this.#state = 'done';
    this.#hooks.stop(finished);
  }
}
