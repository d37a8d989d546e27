import { assertTaskCall, markChecked, type TaskCall } from './task-call.js';
import { RESERVED_PREFIX } from './define-task.js';
import { serializeError } from './task-error.js';

export const CHAIN_TASK_NAME = `${RESERVED_PREFIX}chain`;

type ResultsOf<C extends readonly TaskCall[]> = { -readonly [K in keyof C]: C[K] extends TaskCall<infer R> ? R : never };

/**
 * One task call that runs `calls` in order on one worker and resolves with their results, in order. The first
 * failure stops the chain; its error names the step. Subtasks and messages of every step count as the chain's.
 *
 * ```ts
 * manager.schedule(chain(download(url, part), decompress(part)), 1);
 * ```
 */
export function chain<C extends readonly TaskCall[]>(...calls: C): TaskCall<ResultsOf<C>> {
  if (calls.length === 0) throw new TypeError('chain() needs at least one task call');
  const steps = calls.map((call, i) => {
    assertTaskCall(call, `chain() step ${i}`);
    return [call.name, call.args] as const;
  });
  return markChecked<ResultsOf<C>>({ name: CHAIN_TASK_NAME, args: [steps] });
}

/** The steps of a chain call's arguments, as `[name, args]` pairs. */
export function chainSteps(args: readonly unknown[]): Array<readonly [string, readonly unknown[]]> {
  return args[0] as Array<readonly [string, readonly unknown[]]>;
}

/** A chain step's error, renamed so the message says which step failed; the stack stays the step's own. */
export function chainStepError(step: number, name: string, error: unknown): Error {
  const original = serializeError(error);
  const wrapped = new Error(`chain step ${step} ("${name}") failed: ${original.message}`, { cause: error });
  wrapped.name = original.name;
  const frames = original.stack?.split('\n').slice(1).join('\n');
  wrapped.stack = `${wrapped.name}: ${wrapped.message}${frames ? `\n${frames}` : ''}`;
  if (original.code !== undefined) (wrapped as { code?: unknown }).code = original.code;
  return wrapped;
}
