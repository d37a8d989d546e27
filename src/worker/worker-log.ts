import { closeSync, openSync, writeSync } from 'node:fs';
import { format } from 'node:util';

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug'] as const;

/**
 * A worker's log file, `worker-<n>.log`: task start and end lines, and everything tasks print through `console`
 * or `ctx.log`. Writes are synchronous so that a line written before a crash (`process.exit`, an uncaught error)
 * is on disk; the file is opened in append mode so that a replacement thread continues it.
 */
/** Where a task's `console` output goes besides the log file: see `ProcessManagerOptions.workerConsole`. */
export type WorkerConsole = 'inherit' | 'stderr' | 'silent';

export class WorkerLog {
  readonly #fd: number | undefined;
  readonly #console: WorkerConsole;
  #restoreConsole: (() => void) | undefined;

  constructor(path: string | undefined, consoleMode: WorkerConsole = 'inherit') {
    this.#fd = path === undefined ? undefined : openSync(path, 'a');
    this.#console = consoleMode;
    if (this.#fd !== undefined || consoleMode !== 'inherit') this.#teeConsole();
  }

  get enabled(): boolean {
    return this.#fd !== undefined;
  }

  /** One line, stamped with the time. */
  line(text: string): void {
    if (this.#fd === undefined) return;
    writeSync(this.#fd, `${new Date().toISOString()} ${text}\n`);
  }

  /** `ctx.log(...)`: to the file, and to the console as `console.log` would print it. */
  print(prefix: string, values: unknown[]): void {
    const text = format(...values);
    this.line(`${prefix} ${text}`);
    if (this.#console === 'inherit') originalConsole.log(text);
    else if (this.#console === 'stderr') originalConsole.error(text);
  }

  close(): void {
    this.#restoreConsole?.();
    if (this.#fd !== undefined) closeSync(this.#fd);
  }

  /** Console output of tasks goes to the file as well as to the thread's stdout/stderr. */
  #teeConsole(): void {
    const saved = CONSOLE_METHODS.map((method) => [method, console[method]] as const);
    for (const [method, original] of saved) {
      const target = this.#console === 'stderr' && method !== 'warn' && method !== 'error' ? originalConsole.error : original;
      console[method] = (...values: unknown[]) => {
        if (this.#fd !== undefined) this.line(`[console.${method}] ${format(...values)}`);
        if (this.#console !== 'silent') target.apply(console, values);
      };
    }
    this.#restoreConsole = () => {
      for (const [method, original] of saved) console[method] = original;
    };
  }
}

const originalConsole = { log: console.log.bind(console), error: console.error.bind(console) };
