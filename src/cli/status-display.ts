import { createLogUpdate } from 'log-update';

export type ProgressMode = 'live' | 'plain' | 'off';

/** Live redraws on a terminal, a periodic plain line elsewhere (CI logs), nothing with `--quiet`. */
export function progressMode(quiet: boolean, stream: NodeJS.WriteStream = process.stderr): ProgressMode {
  if (quiet) return 'off';
  return stream.isTTY ? 'live' : 'plain';
}

export interface StatusDisplayOptions {
  readonly mode: ProgressMode;
  /** The live area, redrawn in place (a few lines). */
  readonly live: () => string;
  /** One line for a log that is not a terminal. */
  readonly plain: () => string;
  readonly liveIntervalMs: number;
  readonly plainIntervalMs: number;
  readonly stream?: NodeJS.WriteStream;
}

/**
 * A status area on stderr. On a terminal log-update redraws it in place every `liveIntervalMs`; anything else
 * written to stdout or stderr meanwhile (messages, worker console output, warnings) first erases the area, so
 * lines never interleave with a half-drawn frame, and the next tick draws it again below them. Elsewhere, one
 * plain line every `plainIntervalMs`, with no escape codes.
 */
export class StatusDisplay {
  readonly #options: StatusDisplayOptions;
  readonly #stream: NodeJS.WriteStream;
  #timer: NodeJS.Timeout | undefined;
  #restoreWrites: (() => void) | undefined;
  #clear: (() => void) | undefined;

  constructor(options: StatusDisplayOptions) {
    this.#options = options;
    this.#stream = options.stream ?? process.stderr;
  }

  start(): void {
    if (this.#options.mode === 'live') this.#startLive();
    else if (this.#options.mode === 'plain') {
      this.#timer = setInterval(() => this.#stream.write(`${this.#options.plain()}\n`), this.#options.plainIntervalMs);
      this.#timer.unref();
    }
  }

  /** Stops redrawing and erases the live area, so a final summary takes its place. */
  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#clear?.();
    this.#clear = undefined;
    this.#restoreWrites?.();
    this.#restoreWrites = undefined;
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
    this.#restoreWrites = eraseBeforeWrites([process.stdout, process.stderr], () => update.clear());
    const draw = (): void => update(this.#options.live());
    draw();
    this.#timer = setInterval(draw, this.#options.liveIntervalMs);
    this.#timer.unref();
  }
}

/** Calls `before()` ahead of every write to `streams`; returns the function that restores them. */
function eraseBeforeWrites(streams: NodeJS.WriteStream[], before: () => void): () => void {
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
