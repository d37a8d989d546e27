/**
 * Waits on conditions that only change at progress events (a message, a finished task, an exit): `wake()` is
 * called at each, and every waiting `until()` looks at its condition again. No polling; a bounded wait holds one
 * timer, cleared when it returns.
 */
export class ProgressWaits {
  readonly #waiters: Array<() => void> = [];

  /** Something changed. */
  wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  /** Resolves true once `done()` holds, or false when `timeoutMs` passed first. */
  async until(done: () => boolean, timeoutMs?: number): Promise<boolean> {
    let expired = false;
    let timer: NodeJS.Timeout | undefined;
    if (timeoutMs !== undefined) {
      timer = setTimeout(() => {
        expired = true;
        this.wake();
      }, timeoutMs);
    }
    try {
      while (!done()) {
        if (expired) return false;
        await new Promise<void>((resolve) => this.#waiters.push(resolve));
      }
      return true;
    } finally {
      clearTimeout(timer);
    }
  }
}
