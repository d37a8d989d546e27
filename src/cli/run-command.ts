import { UsageError } from './exit-codes.js';
import { formatPlain, toJsonText, toJsonValue } from './json-value.js';
import type { CommonOptions } from './options.js';
import { runSession } from './session.js';
import { isTypeScript, parseTaskArgument, resolveTaskModule } from './task-module.js';

export interface RunOptions extends CommonOptions {
  readonly priority?: number;
}

/**
 * `tasklane run <module> <task> [args...]`: runs one task of a module (and everything it spawns), printing its
 * inbox messages as they arrive and then its return value.
 */
export async function runCommand(modulePath: string, taskName: string, rawArgs: string[], options: RunOptions): Promise<number> {
  const tasks = resolveTaskModule(modulePath, options.isolation);
  const args = rawArgs.map(parseTaskArgument);
  if (options.priority !== undefined && options.priority >= options.priorityLevels) {
    throw new UsageError(
      `--priority ${options.priority} is out of range: there are ${options.priorityLevels} priority levels (0 to ${options.priorityLevels - 1})`,
      'lower --priority or raise --priority-levels',
    );
  }
  return runSession({ command: 'run', tasks, options }, async (session) => {
    const names = await session.ready(
      modulePath,
      isTypeScript(modulePath)
        ? `worker processes need a TypeScript loader: NODE_OPTIONS='--import tsx' tasklane run ${modulePath} ... --isolation process, or compile it first`
        : undefined,
    );
    if (session.interrupted) return { failed: false };
    if (!names.includes(taskName)) {
      throw new UsageError(
        `no task named "${taskName}" in ${modulePath}`,
        names.length > 0 ? `its tasks are: ${names.join(', ')}` : 'it exports no tasks: export the result of defineTask(name, fn)',
      );
    }
    session.startProgress();
    let result: { value: unknown } | undefined;
    const root = session.manager
      .run({ name: taskName, args }, ...(options.priority === undefined ? [] : [options.priority]))
      .then(
        (value) => void (result = { value }),
        (error: unknown) => session.taskFailed(error),
      );
    await session.read((message) =>
      session.out.line(options.json ? toJsonText({ type: 'message', message: toJsonValue(message) }) : formatPlain(message), session.stopped),
    );
    await session.close();
    await root;
    if (result && !session.interrupted) {
      if (options.json) await session.out.line(toJsonText({ type: 'result', task: taskName, value: toJsonValue(result.value ?? null) }));
      else if (result.value !== undefined) await session.out.line(formatPlain(result.value));
    }
    return { failed: false };
  });
}
