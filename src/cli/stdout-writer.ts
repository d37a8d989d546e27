import { once } from 'node:events';

/**
 * Writes results to stdout with back-pressure: when the pipe is full the caller waits, which in turn slows the
 * workers through the inbox. A reader that goes away (`| head`) is not a crash: `broken` turns true, later
 * writes are dropped, and `onBroken` lets the run stop.
 */
export class StdoutWriter {
  broken = false;
  readonly #stream: NodeJS.WriteStream;
  readonly #onBroken: () => void;

  constructor(onBroken: () => void, stream: NodeJS.WriteStream = process.stdout) {
    this.#stream = stream;
    this.#onBroken = onBroken;
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      if (this.broken) return;
      this.broken = true;
      this.#onBroken();
    });
  }

  /** Writes `text` plus a newline. */
  line(text: string | Buffer, interrupted?: Promise<unknown>): Promise<void> {
    return this.write(typeof text === 'string' ? `${text}\n` : Buffer.concat([text, Buffer.from('\n')]), interrupted);
  }

  /** Resolves once the stream can take more, or as soon as `interrupted` settles (nobody waits on a stuck pipe). */
  async write(chunk: string | Buffer, interrupted?: Promise<unknown>): Promise<void> {
    if (this.broken) return;
    if (this.#stream.write(chunk)) return;
    const drained = once(this.#stream, 'drain').catch(() => undefined);
    await (interrupted ? Promise.race([drained, interrupted]) : drained);
  }
}
