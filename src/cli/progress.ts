import { performance } from 'node:perf_hooks';
import type { ChalkInstance } from 'chalk';
import { createLogUpdate } from 'log-update';
import type { ManagerStats } from '../index.js';
import { RateMeter, renderFrame, renderPlainLine, type FrameInput } from './status-frame.js';

export type ProgressMode = 'live' | 'plain' | 'off';

export interface ProgressOptions {
  readonly label: string;
  readonly stats: () => ManagerStats;
  readonly colors: ChalkInstance;
  /** `performance.now()` when the run started. */
  readonly startedAt: number;
  readonly stream?: NodeJS.WriteStream;
  readonly liveIntervalMs?: number;
  readonly plainIntervalMs?: number;
}

/** Live redraws on a terminal, a periodic plain line elsewhere (CI logs), nothing with `--quiet`. */
export function progressMode(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressMode {
  if (quiet) return 'off';
  return stream.isTTY ? 'live' : 'plain';
}

/**
 * Shows the pipeline's progress on stderr while it runs. The live area is redrawn by log-update at most every
 * 100 ms; anything else written to stdout or stderr meanwhile (messages, worker console output, warnings) first
 * erases the area, so lines never interleave with a half-drawn frame, and the next tick draws it again below.
 */
export class Progress {
  readonly #options: ProgressOptions;
  readonly #mode: ProgressMode;
  readonly #stream: NodeJS.WriteStream;
  readonly #meter = new RateMeter();
  #timer: NodeJS.Timeout | undefined;
  #restoreWrites: (() => void) | undefined;
  #clear: (() => void) | undefined;

  constructor(mode: ProgressMode, options: ProgressOptions) {
    this.#mode = mode;
    this.#options = options;
    this.#stream = options.stream ?? process.stderr;
  }

  start(): void {
    if (this.#mode === 'live') this.#startLive();
    else if (this.#mode === 'plain') {
      this.#timer = setInterval(() => this.#stream.write(`${renderPlainLine(this.#frame())}\n`), this.#options.plainIntervalMs ?? 5000);
      this.#timer.unref();
    }
  }

  /** Stops redrawing and erases the live area, so the final summary takes its place. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clear?.();
    this.#clear = undefined;
    this.#restoreWrites?.();
    this.#restoreWrites = undefined;
  }

  #frame(): FrameInput {
    const stats = this.#options.stats();
    const elapsedMs = performance.now() - this.#options.startedAt;
    const rate = this.#meter.sample(elapsedMs, stats.done + stats.failed);
    return { label: this.#options.label, stats, elapsedMs, rate, now: Date.now() };
  }

  #startLive(): void {
    const stream = this.#stream;
    const write = stream.write.bind(stream);
    // log-update writes through the original write; everybody else goes through the wrappers below. A terminal
    // that reports no size (a pty without a window, as under `script`) would make log-update draw nothing.
    const target = {
      write: (text: string) => write(text),
      get columns() {
        return stream.columns || 80;
      },
      get rows() {
        return stream.rows || 24;
      },
    };
    const update = createLogUpdate(target as unknown as NodeJS.WriteStream, { showCursor: true });
    this.#clear = () => update.clear();
    this.#restoreWrites = wrapWrites([process.stdout, process.stderr], () => update.clear());
    const draw = (): void => update(renderFrame(this.#frame(), this.#options.colors));
    draw();
    this.#timer = setInterval(draw, this.#options.liveIntervalMs ?? 100);
    this.#timer.unref();
  }
}

/** Calls `before()` ahead of every write to `streams`; returns the function that restores them. */
function wrapWrites(streams: NodeJS.WriteStream[], before: () => void): () => void {
  const originals = streams.map((stream) => {
    const original = stream.write;
    stream.write = function (this: NodeJS.WriteStream, ...args: unknown[]) {
      before();
      return (original as (...a: unknown[]) => boolean).apply(this, args);
    } as typeof stream.write;
    return () => (stream.write = original);
  });
  return () => originals.forEach((restore) => restore());
}
