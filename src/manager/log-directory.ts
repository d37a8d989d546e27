import { createWriteStream, mkdirSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { TaskCall } from '../task/task-call.js';
import type { TaskRecord } from './task-record.js';

/** How a task ended, as `tasks.jsonl` and the summary name it. */
export type TaskOutcome = 'ok' | 'failed' | 'cancelled' | 'interrupted';

/**
 * The manager's side of the log directory (DESIGN section 4): `tasks.jsonl`, one line per finished task;
 * `not-run.jsonl`, the calls a close left unstarted; and `summary.json` at close. Workers write their own
 * `worker-<n>.log` files next to these.
 */
export class LogDirectory {
  readonly path: string;
  readonly #tasks: WriteStream;

  constructor(path: string) {
    this.path = path;
    mkdirSync(path, { recursive: true });
    this.#tasks = createWriteStream(join(path, 'tasks.jsonl'), { flags: 'a' });
  }

  workerLogFile(workerId: number): string {
    return join(this.path, `worker-${workerId}.log`);
  }

  taskFinished(task: TaskRecord, outcome: TaskOutcome, error?: Error): void {
    const line = {
      id: task.id,
      name: task.name,
      priority: task.priority,
      worker: task.workerId,
      start: task.startedAt ? new Date(task.startedAt).toISOString() : null,
      end: new Date().toISOString(),
      outcome,
      ...(error ? { error: error.message } : {}),
    };
    this.#tasks.write(`${JSON.stringify(line)}\n`);
  }

  /** Writes `not-run.jsonl` (always, even empty, so a CI job can count on it) and `summary.json`. */
  async finish(notRun: readonly { id: number; priority: number; call: TaskCall }[], summary: object): Promise<void> {
    writeFileSync(
      join(this.path, 'not-run.jsonl'),
      notRun.map((task) => `${JSON.stringify({ id: task.id, priority: task.priority, name: task.call.name, args: toJson(task.call.args) })}\n`).join(''),
    );
    await new Promise<void>((resolve) => this.#tasks.end(resolve));
    writeFileSync(join(this.path, 'summary.json'), `${JSON.stringify(summary, null, 2)}\n`);
  }
}

/** Arguments as JSON can hold them (BigInt as a string, Map and Set as arrays), for the log files. */
export function toJson(value: unknown): unknown {
  try {
    return JSON.parse(
    JSON.stringify(value, (_key, item: unknown) => {
      if (typeof item === 'bigint') return item.toString();
      if (item instanceof Map) return [...item.entries()];
      if (item instanceof Set) return [...item.values()];
      return item;
      }) ?? 'null',
    );
  } catch {
    return String(value); // cyclic: JSON has no way to say it
  }
}
