/**
 * An error as it crosses the thread boundary. Plain data, because msgpackr keeps an Error's class and message but
 * not its stack or `code` (RESEARCH.md): we carry those ourselves.
 */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly stack?: string;
  readonly code?: string | number;
  readonly cause?: SerializedError;
}

/** Turns anything thrown into a SerializedError (a thrown string or object is described, never lost). */
export function serializeError(thrown: unknown, depth = 0): SerializedError {
  if (thrown instanceof Error) {
    const code = (thrown as { code?: unknown }).code;
    const cause = (thrown as { cause?: unknown }).cause;
    return {
      name: thrown.name,
      message: thrown.message,
      ...(thrown.stack === undefined ? {} : { stack: thrown.stack }),
      ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
      ...(cause !== undefined && depth < 4 ? { cause: serializeError(cause, depth + 1) } : {}),
    };
  }
  return { name: 'NonError', message: `a non-Error value was thrown: ${describeThrown(thrown)}` };
}

/** Rebuilds an Error from its serialized form, with the remote stack as its own. */
export function deserializeError(data: SerializedError): Error {
  const error = new Error(data.message, data.cause ? { cause: deserializeError(data.cause) } : undefined);
  error.name = data.name;
  error.stack = data.stack ?? `${data.name}: ${data.message}`;
  if (data.code !== undefined) (error as { code?: unknown }).code = data.code;
  return error;
}

function describeThrown(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    const json = JSON.stringify(value);
    if (json !== undefined) return json.length > 200 ? `${json.slice(0, 200)}...` : json;
  } catch {
    // fall through: cyclic or otherwise not JSON
  }
  try {
    return String(value);
  } catch {
    // An object without a usable toString (a null-prototype object, say): describe it by its tag, never throw.
    return Object.prototype.toString.call(value);
  }
}

export interface TaskErrorDetails {
  readonly taskName: string;
  readonly args: readonly unknown[];
  readonly taskId: number;
  /** The worker slot it ran on, from 1; 0 when it never reached a worker. */
  readonly workerId: number;
  /** The stack as the worker saw it (the error's own stack when it is not remote). */
  readonly remoteStack: string;
  readonly cause?: unknown;
}

/**
 * A task failed. `message` names the task and says what happened; `remoteStack` is the stack printed in the
 * worker; `cause` is the original error rebuilt (name, message, stack, `code`).
 */
export class TaskError extends Error {
  readonly taskName: string;
  readonly args: readonly unknown[];
  readonly taskId: number;
  readonly workerId: number;
  readonly remoteStack: string;

  constructor(message: string, details: TaskErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'TaskError';
    this.taskName = details.taskName;
    this.args = details.args;
    this.taskId = details.taskId;
    this.workerId = details.workerId;
    this.remoteStack = details.remoteStack;
  }
}
