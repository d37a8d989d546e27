import { assertCarriable } from './carriable.js';

/** A task's numeric id, unique within one ProcessManager, from 1 up. */
export type TaskId = number;

/**
 * A serializable call of a named task: what `hashFile(path)` returns. The type parameter `R` is the task's
 * result type; it exists only for the compiler (`manager.run(call)` returns `Promise<R>`).
 */
export interface TaskCall<R = unknown> {
  readonly name: string;
  readonly args: readonly unknown[];
  /** Phantom: never set, carries the result type. */
  readonly __result?: R;
}

/**
 * The brand of a call whose arguments were checked (by its factory, `chain()`, or a first `assertTaskCall`). A
 * non-enumerable own property, so a call still deep-equals `{ name, args }` and a copy of it is not branded.
 */
const CHECKED = Symbol('tasklane.checkedCall');
const BRAND: PropertyDescriptor = { value: true };

export function markChecked<R>(call: TaskCall<R>): TaskCall<R> {
  // Arguments without objects are checked again faster than a brand is added (defineProperty: ~150 ns); a
  // frozen call cannot take one and is checked each time.
  if (holdsObject(call.args) && Object.isExtensible(call)) Object.defineProperty(call, CHECKED, BRAND);
  return call;
}

function holdsObject(args: readonly unknown[]): boolean {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (typeof arg === 'object' && arg !== null) return true;
  }
  return false;
}

/**
 * Throws a TypeError unless `call` is a `{ name, args }` whose arguments can be carried to a worker.
 * Calls made by a factory are trusted; hand-made ones are checked in full.
 */
export function assertTaskCall(call: unknown, where: string): asserts call is TaskCall {
  if (typeof call === 'object' && call !== null && (call as { [CHECKED]?: true })[CHECKED] === true) return;
  if (typeof call !== 'object' || call === null) {
    throw new TypeError(`${where}: expected a task call such as hashFile(path), got ${call === null ? 'null' : typeof call}`);
  }
  const { name, args } = call as { name?: unknown; args?: unknown };
  if (typeof name !== 'string' || name.length === 0) {
    throw new TypeError(`${where}: a task call needs a non-empty string name, got ${typeof name}`);
  }
  if (!Array.isArray(args)) throw new TypeError(`${where}: task call "${name}" needs an args array, got ${typeof args}`);
  assertCarriable(args, `task "${name}" arguments`, 'args');
  markChecked(call as TaskCall);
}
