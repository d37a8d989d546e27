import { assertCarriable } from './carriable.js';
import { markChecked, type TaskCall } from './task-call.js';
import type { TaskContext } from './task-context.js';

/** The brand by which a worker finds task definitions among a module's exports, across copies of tasklane. */
export const TASK_DEFINITION = Symbol.for('tasklane.taskDefinition');

/** Names starting with this are tasklane's own (`chain`). */
export const RESERVED_PREFIX = 'tasklane:';

export type TaskFunction<A extends unknown[], R, S> = (ctx: TaskContext<S>, ...args: A) => R | Promise<R>;

/**
 * A defined task: call it to build a `TaskCall` (nothing runs), or `run(ctx, ...args)` it in-process.
 */
export interface TaskFactory<A extends unknown[] = any[], R = unknown, S = any> {
  (...args: A): TaskCall<R>;
  readonly taskName: string;
  readonly run: TaskFunction<A, R, S>;
  readonly [TASK_DEFINITION]: true;
}

/** Every task defined in this thread, by name: what a worker runs and `NullManager.run()` looks up. */
const definitions = new Map<string, TaskFactory>();

/**
 * Defines a task that workers find by `name`. Export the result from a task module.
 *
 * ```ts
 * export const hashFile = defineTask('hashFile', async (ctx, path: string) => sha256(path));
 * manager.schedule(hashFile('a.txt'));   // a serializable { name: 'hashFile', args: ['a.txt'] }
 * ```
 * Arguments are checked when the call is built: a function, a symbol or a class instance throws a TypeError that
 * names the task and the argument's path.
 */
export function defineTask<A extends unknown[], R, S = any>(
  name: string,
  run: TaskFunction<A, R, S>,
): TaskFactory<A, Awaited<R>, S> {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError('defineTask: the name must be a non-empty string');
  if (name.startsWith(RESERVED_PREFIX)) throw new TypeError(`defineTask: names starting with "${RESERVED_PREFIX}" are reserved, got "${name}"`);
  if (typeof run !== 'function') throw new TypeError(`defineTask("${name}"): the task must be a function`);
  const factory = ((...args: A) => {
    assertCarriable(args, `task "${name}" arguments`, 'args');
    return markChecked<Awaited<R>>({ name, args });
  }) as TaskFactory<A, Awaited<R>, S>;
  Object.defineProperties(factory, {
    taskName: { value: name, enumerable: true },
    run: { value: run, enumerable: true },
    [TASK_DEFINITION]: { value: true },
  });
  // The same module may be evaluated twice (two URLs for one file); the last definition wins, as with exports.
  definitions.set(name, factory as unknown as TaskFactory);
  return factory;
}

export function isTaskFactory(value: unknown): value is TaskFactory {
  return typeof value === 'function' && (value as Partial<TaskFactory>)[TASK_DEFINITION] === true;
}

/** The task defined in this thread under `name`. */
export function lookupTask(name: string): TaskFactory | undefined {
  return definitions.get(name);
}
