import { MessageChannel, receiveMessageOnPort } from 'node:worker_threads';
import { Piscina } from 'piscina';
import type { ResolvedOptions } from '../options.js';
import type { RunningNow, TransportFactory, TransportHandlers, WorkerConfigBase, WorkerTransport } from './transport.js';

/**
 * Workers as threads. piscina supervises them (start, resourceLimits, death, terminate); each thread runs one
 * long-lived piscina task (src/worker/entry.ts) that holds the other end of a MessagePort, and every frame
 * travels on that port. Aborting that piscina task makes piscina terminate the thread.
 */
export class ThreadPool {
  readonly #pool: Piscina;

  constructor(options: ResolvedOptions) {
    this.#pool = new Piscina({
      filename: new URL('../../worker/thread-entry.cjs', import.meta.url).href,
      minThreads: options.workers,
      maxThreads: options.workers,
      concurrentTasksPerWorker: 1,
      idleTimeout: Number.POSITIVE_INFINITY,
      // Our workers must hear their port while idle; 'sync' parks them in Atomics.wait (RESEARCH.md).
      atomics: 'disabled',
      ...(options.resourceLimits ? { resourceLimits: options.resourceLimits } : {}),
    });
  }

  readonly start: TransportFactory = (config, handlers) => new ThreadTransport(this.#pool, config, handlers);

  async destroy(): Promise<void> {
    await this.#pool.destroy();
  }
}

export class ThreadTransport implements WorkerTransport {
  readonly seesRunningTask = true;
  readonly ended: Promise<void>;
  readonly #port;
  readonly #abort = new AbortController();
  /** [id of the running task or 0, its start in epoch ms], written by the worker before each task. */
  readonly #slots = new Float64Array(new SharedArrayBuffer(2 * Float64Array.BYTES_PER_ELEMENT));
  #handlers: TransportHandlers | undefined;

  constructor(pool: Piscina, config: WorkerConfigBase, handlers: TransportHandlers) {
    this.#handlers = handlers;
    const { port1, port2 } = new MessageChannel();
    this.#port = port1;
    port1.on('message', (data: Uint8Array) => this.#handlers?.onData(data));
    const runningSlot = this.#slots.buffer as SharedArrayBuffer;
    this.ended = pool
      .run({ port: port2, config: { ...config, runningSlot } }, { transferList: [port2], signal: this.#abort.signal })
      .then(
        () => this.#endedByItself(undefined),
        (error: unknown) => this.#endedByItself(error instanceof Error ? error : new Error(String(error))),
      );
  }

  send(bytes: Uint8Array): void {
    this.#port.postMessage(bytes, [bytes.buffer as ArrayBuffer]);
  }

  async terminate(reason: Error): Promise<void> {
    this.#end(reason);
    this.#abort.abort(reason);
    await this.ended;
  }

  detach(reason: Error): void {
    this.#end(reason);
  }

  runningNow(): RunningNow | undefined {
    const id = this.#slots[0]!;
    return id === 0 ? undefined : { id, startedAt: this.#slots[1]! };
  }

  /**
   * The thread ended (its piscina task settled), not stopped by us. piscina says so on a port of its own, which can
   * overtake the frames the thread posted on ours just before: they are taken off the port and handled first, so
   * a task answered or a message sent before a crash or a close is not lost.
   */
  #endedByItself(error: Error | undefined): void {
    for (let pending; this.#handlers && (pending = receiveMessageOnPort(this.#port)); ) {
      this.#handlers.onData(pending.message as Uint8Array);
    }
    this.#end(error);
  }

  #end(error: Error | undefined): void {
    const handlers = this.#handlers;
    if (!handlers) return;
    this.#handlers = undefined;
    this.#port.close();
    handlers.onExit(error);
  }
}
