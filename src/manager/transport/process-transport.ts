import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Duplex } from 'node:stream';
import type { ResolvedOptions } from '../options.js';
import type { TransportFactory, TransportHandlers, WorkerConfigBase, WorkerTransport } from './transport.js';

/** The child's file descriptor that carries the frames, both ways (a socket pair). */
export const FRAME_FD = 3;
const ENTRY = fileURLToPath(new URL('../../worker/process-entry.js', import.meta.url));

/**
 * Workers as child processes (`isolation: 'process'`): a native crash, `process.abort()` or a signal takes down one
 * child, never the manager. Frames travel on file descriptor 3, a socket pair, so a task's own stdout and stderr
 * stay what they are. The child exits by itself when that pipe closes, so none outlives a SIGKILLed parent.
 */
export function processTransportFactory(options: ResolvedOptions): TransportFactory {
  const execArgv = childExecArgv(process.execArgv);
  const heapMb = options.resourceLimits?.maxOldGenerationSizeMb;
  if (heapMb !== undefined) execArgv.push(`--max-old-space-size=${heapMb}`);
  return (config, handlers) => new ProcessTransport(execArgv, config, handlers);
}

class ProcessTransport implements WorkerTransport {
  readonly seesRunningTask = false;
  readonly ended: Promise<void>;
  readonly #child: ChildProcess;
  readonly #frames: Duplex;
  #handlers: TransportHandlers | undefined;
  #reason: Error | undefined;

  constructor(execArgv: string[], config: WorkerConfigBase, handlers: TransportHandlers) {
    this.#handlers = handlers;
    this.#child = spawn(process.execPath, [...execArgv, ENTRY], {
      stdio: ['ignore', 'inherit', 'inherit', 'pipe'],
      env: { ...process.env, TASKLANE_WORKER_CONFIG: JSON.stringify(config) },
    });
    this.#frames = this.#child.stdio[FRAME_FD] as Duplex;
    this.#frames.on('data', (chunk: Buffer) => this.#handlers?.onData(chunk));
    this.#frames.on('error', () => {}); // a dead child's pipe errors; 'close' of the child says why
    this.ended = new Promise((resolve) => {
      // 'close' comes after the frames pipe is drained, so no frame is lost to an early 'exit'.
      this.#child.on('close', (code, signal) => {
        const cause = this.#reason ?? (code === 0 && signal === null ? undefined : exitError(config.workerId, code, signal));
        this.#end(cause);
        resolve();
      });
      this.#child.on('error', (error) => {
        this.#end(new Error(`worker process ${config.workerId} could not start: ${error.message}`, { cause: error }));
        resolve();
      });
    });
  }

  send(bytes: Uint8Array): void {
    if (this.#handlers) this.#frames.write(bytes);
  }

  async terminate(reason: Error): Promise<void> {
    this.#reason ??= reason;
    this.#end(reason);
    this.#child.kill('SIGKILL');
    await this.ended;
  }

  detach(reason: Error): void {
    void this.terminate(reason);
  }

  runningNow(): undefined {
    return undefined;
  }

  #end(error: Error | undefined): void {
    const handlers = this.#handlers;
    if (!handlers) return;
    this.#handlers = undefined;
    handlers.onExit(error);
  }
}

function exitError(workerId: number, code: number | null, signal: NodeJS.Signals | null): Error {
  return new Error(signal ? `worker process ${workerId} was killed by signal ${signal}` : `worker process ${workerId} exited with code ${code}`);
}

/** Flags a worker process keeps: loaders, conditions, warnings, memory. Never `-e`, `-p`, `--test`, `--inspect`... */
const KEPT_FLAGS = ['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C', '--enable-source-maps', '--no-warnings', '--no-deprecation', '--max-old-space-size', '--stack-size', '--expose-gc', '--disable-warning'];
/** Of those, the ones that may take their value as the next argument. */
const FLAGS_WITH_VALUES = new Set(['--import', '--require', '-r', '--loader', '--experimental-loader', '--conditions', '-C', '--disable-warning']);

/**
 * The parent's Node flags that a worker process should inherit. An allow-list: a child started with the parent's
 * `-e` script or `--test` would run that again (and a script that starts a manager would start one per worker,
 * without end); `--inspect` would fight over the port.
 */
export function childExecArgv(parent: readonly string[]): string[] {
  const kept: string[] = [];
  for (let i = 0; i < parent.length; i++) {
    const arg = parent[i]!;
    const flag = arg.split('=')[0]!;
    if (!KEPT_FLAGS.includes(flag)) continue;
    kept.push(arg);
    if (!arg.includes('=') && FLAGS_WITH_VALUES.has(flag) && i + 1 < parent.length) kept.push(parent[++i]!);
  }
  return kept;
}
