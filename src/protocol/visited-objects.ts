/**
 * The objects one walk over a value has met, for walks that must not loop on cycles (the carriable check, the
 * codec's choice of form). Both walk every message, so the usual walk must allocate nothing:
 *
 *   list: [ obj0 | obj1 | ... | obj(count-1) | stale slots, cleared ]   searched linearly while count <= 16
 *   set:  made from the list once a value holds more objects, then used alone
 *
 * One instance is lent out at a time (`borrowVisited`); a walk that starts inside another (a getter that sends a
 * message, say) gets a fresh one.
 */
export class VisitedObjects {
  readonly #list: Array<object | undefined> = [];
  #count = 0;
  #set: Set<object> | undefined;

  /** True when `value` was met before in this walk; otherwise records it. */
  metBefore(value: object): boolean {
    if (this.#set) {
      if (this.#set.has(value)) return true;
      this.#set.add(value);
      return false;
    }
    for (let i = 0; i < this.#count; i++) if (this.#list[i] === value) return true;
    this.#list[this.#count++] = value;
    if (this.#count > 16) this.#set = new Set(this.#list.slice(0, this.#count) as object[]);
    return false;
  }

  /** Forgets every object (without truncating the array: slots are reused), so the values can be collected. */
  clear(): void {
    for (let i = 0; i < this.#count; i++) this.#list[i] = undefined;
    this.#count = 0;
    this.#set = undefined;
  }
}

let spare: VisitedObjects | undefined = new VisitedObjects();

/** An empty VisitedObjects for one walk; give it back with `returnVisited`. */
export function borrowVisited(): VisitedObjects {
  const visited = spare ?? new VisitedObjects();
  spare = undefined;
  return visited;
}

export function returnVisited(visited: VisitedObjects): void {
  visited.clear();
  spare = visited;
}
