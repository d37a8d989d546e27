/** Shared helpers for the queue tests (not a test file itself). */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** A full garbage collection, without starting node with --expose-gc. */
export function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** True when none of the objects behind `refs` survives a full collection (after a turn, as WeakRefs need). */
export async function allCollected(refs: readonly WeakRef<object>[]): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    await new Promise((resolve) => setImmediate(resolve));
    collectGarbage();
    if (refs.every((ref) => ref.deref() === undefined)) return true;
  }
  return false;
}
