import { performance } from 'node:perf_hooks';
import type { ChalkInstance } from 'chalk';
import type { ManagerStats } from '../index.js';
import { StatusDisplay, type ProgressMode } from './status-display.js';
import { RateMeter, renderFrame, renderPlainLine, type FrameInput } from './status-frame.js';

export { progressMode, type ProgressMode } from './status-display.js';

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

/**
 * Shows the pipeline's progress on stderr while it runs. The live area is redrawn by log-update at most every
 * 100 ms; anything else written to stdout or stderr meanwhile (messages, worker console output, warnings) first
 * erases the area, so lines never interleave with a half-drawn frame, and the next tick draws it again below.
 */
export class Progress {
  readonly #options: ProgressOptions;
  readonly #meter = new RateMeter();
  readonly #display: StatusDisplay;

  constructor(mode: ProgressMode, options: ProgressOptions) {
    this.#options = options;
    this.#display = new StatusDisplay({
      mode,
      live: () => renderFrame(this.#frame(), options.colors),
      plain: () => renderPlainLine(this.#frame()),
      liveIntervalMs: options.liveIntervalMs ?? 100,
      plainIntervalMs: options.plainIntervalMs ?? 5000,
      ...(options.stream ? { stream: options.stream } : {}),
    });
  }

  start(): void {
    this.#display.start();
  }

  /** Stops redrawing and erases the live area, so the final summary takes its place. */
  stop(): void {
    this.#display.stop();
  }

  #frame(): FrameInput {
    const stats = this.#options.stats();
    const elapsedMs = performance.now() - this.#options.startedAt;
    const rate = this.#meter.sample(elapsedMs, stats.done + stats.failed);
    return { label: this.#options.label, stats, elapsedMs, rate, now: Date.now() };
  }
}
