import type { WorkerConfig } from '../../worker/worker-config.js';

/** What a transport reports: bytes from the worker, in order, and the end of the worker. */
export interface TransportHandlers {
  onData(chunk: Uint8Array): void;
  /** The worker ended: `error` says why; undefined after a requested close. Called once. */
  onExit(error: Error | undefined): void;
}

/** What runs in the worker now, when the transport can see it without waiting for frames. */
export interface RunningNow {
  readonly id: number;
  /** Epoch ms. */
  readonly startedAt: number;
}

/**
 * How the manager reaches one worker: a thread (MessagePort) or a child process (a byte stream). Both carry the
 * same frames; WorkerLink does the protocol on top.
 */
export interface WorkerTransport {
  /** Sends one buffer of whole frames. The buffer is the transport's from then on. */
  send(bytes: Uint8Array): void;
  /** Stops the worker now; resolves once it is gone (thread terminated, process reaped). */
  terminate(reason: Error): Promise<void>;
  /**
   * Reports the worker ended with `reason` now, for a close that stops every worker at once: a thread is then
   * terminated by the pool's destroy (one call for all, and no replacement thread started for each), a process
   * is sent SIGKILL. `ended` still resolves when it is really gone.
   */
  detach(reason: Error): void;
  /** The task running now, read without frames (threads share memory); undefined when unknown or idle. */
  runningNow(): RunningNow | undefined;
  /** True when `runningNow()` is authoritative; otherwise the link tracks `n` frames (sent eagerly). */
  readonly seesRunningTask: boolean;
  /** Resolves when the worker has ended, however it ended. */
  readonly ended: Promise<void>;
}

export type WorkerConfigBase = Omit<WorkerConfig, 'runningSlot'>;

/** Starts one worker with `config` and returns its transport. */
export type TransportFactory = (config: WorkerConfigBase, handlers: TransportHandlers) => WorkerTransport;
