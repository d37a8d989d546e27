import { isTaskFactory, type TaskFactory } from '../task/define-task.js';

/** A task module as a worker loaded it, with its per-worker session (created on first use). */
interface LoadedModule {
  readonly url: string;
  readonly createSession?: () => unknown;
  readonly closeSession?: (session: unknown) => unknown;
  session?: Promise<unknown>;
  /** Set once `session` has resolved: what it resolved to, for `resolveNow()`. */
  made?: { readonly session: unknown };
}

interface RegisteredTask {
  readonly factory: TaskFactory;
  readonly module: LoadedModule;
}

/**
 * The tasks a worker can run: every `defineTask` export of its task modules, found by name, and each module's
 * `createSession()` result, made once per worker on first use and closed with `closeSession()` at the end.
 */
export class TaskRegistry {
  readonly #tasks = new Map<string, RegisteredTask>();
  readonly #modules: LoadedModule[] = [];

  static async load(urls: readonly string[]): Promise<TaskRegistry> {
    const registry = new TaskRegistry();
    for (const url of urls) {
      let exports: Record<string, unknown>;
      try {
        exports = (await import(url)) as Record<string, unknown>;
      } catch (cause) {
        throw new Error(`could not load task module ${url}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
      }
      registry.#add(url, exports);
    }
    return registry;
  }

  /** Every task name, sorted. */
  get names(): string[] {
    return [...this.#tasks.keys()].sort();
  }

  has(name: string): boolean {
    return this.#tasks.has(name);
  }

  /** The task and its session; throws an Error naming the known tasks when there is no such task. */
  async resolve(name: string): Promise<{ factory: TaskFactory; session: unknown }> {
    const task = this.#tasks.get(name);
    if (!task) throw new Error(this.unknownTaskMessage(name));
    return { factory: task.factory, session: await this.#session(task.module) };
  }

  /**
   * The same without waiting, when nothing is left to wait for: the module has no session, or its session is
   * made. `undefined` while it is being made (or failed to be: `resolve()` then gives the error). Saves a task
   * the microtask turns of `resolve()` before its first line. Throws like `resolve()` for an unknown name.
   */
  resolveNow(name: string): { factory: TaskFactory; session: unknown } | undefined {
    const task = this.#tasks.get(name);
    if (!task) throw new Error(this.unknownTaskMessage(name));
    const { module } = task;
    if (!module.createSession) return { factory: task.factory, session: undefined };
    return module.made && { factory: task.factory, session: module.made.session };
  }

  unknownTaskMessage(name: string): string {
    const known = this.names;
    return `no task named "${name}" in the task modules (known: ${known.length ? known.join(', ') : 'none'})`;
  }

  /** Closes every session that was created; returns the errors it met, so one bad close does not stop the rest. */
  async closeSessions(): Promise<unknown[]> {
    const errors: unknown[] = [];
    for (const module of this.#modules) {
      if (!module.session || !module.closeSession) continue;
      try {
        await module.closeSession(await module.session);
      } catch (error) {
        errors.push(error);
      }
    }
    return errors;
  }

  #add(url: string, exports: Record<string, unknown>): void {
    const createSession = exports.createSession;
    const closeSession = exports.closeSession;
    const module: LoadedModule = {
      url,
      ...(typeof createSession === 'function' ? { createSession: createSession as () => unknown } : {}),
      ...(typeof closeSession === 'function' ? { closeSession: closeSession as (session: unknown) => unknown } : {}),
    };
    this.#modules.push(module);
    for (const value of Object.values(exports)) {
      if (!isTaskFactory(value)) continue;
      const existing = this.#tasks.get(value.taskName);
      if (existing && existing.factory !== value) {
        throw new Error(`task "${value.taskName}" is defined twice: in ${existing.module.url} and in ${url}`);
      }
      this.#tasks.set(value.taskName, { factory: value, module });
    }
  }

  #session(module: LoadedModule): Promise<unknown> | undefined {
    if (!module.createSession) return undefined;
    module.session ??= (async () => {
      try {
        const session = await module.createSession!();
        module.made = { session };
        return session;
      } catch (cause) {
        throw new Error(`createSession() of ${module.url} failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
      }
    })();
    return module.session;
  }
}
