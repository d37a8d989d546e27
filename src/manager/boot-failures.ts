/**
 * Decides when workers that die before their hello mean "no worker can ever start" (a task module that fails to
 * import) rather than a passing fault. It is final when every slot failed before any worker came up, or when one
 * slot failed to start 3 times in a row.
 */
export class BootFailures {
  /** Per slot: workers that died before their hello since the slot last had one that came up. */
  readonly #inARow = new Map<number, number>();
  readonly #slots: number;

  constructor(slots: number) {
    this.#slots = slots;
  }

  /** The worker in `slot` said hello: its count starts again. */
  cameUp(slot: number): void {
    this.#inARow.delete(slot);
  }

  /** The worker in `slot` died before its hello; true when that failure is final. */
  isFinal(slot: number, anyWorkerCameUp: boolean): boolean {
    const inARow = (this.#inARow.get(slot) ?? 0) + 1;
    this.#inARow.set(slot, inARow);
    return inARow >= 3 || (!anyWorkerCameUp && this.#inARow.size >= this.#slots);
  }
}
