import type { Redis } from 'ioredis';
import { closeConnection } from './connection.js';
import type { QueueKeys } from './keys.js';

/** One stream entry: its kind (`m` message, `d` outcome, `i` "open went empty") and payload. */
export interface StreamEntry {
  readonly kind: string;
  readonly payload: Buffer;
}

/** How long one XREAD blocks before the loop checks whether it should stop. */
const BLOCK_MS = 1000;
const COUNT = 1000;

type XReadReply = [Buffer, [Buffer, Buffer[]][]][] | null;

/**
 * The manager's single reader of the run's stream, on its own (blocking) connection. Entries are handed over in
 * order; after each batch the owner may check whether the run is over (`onBatch`), and the reader pauses while
 * `mayRead()` says the inbox is full, so memory stays bounded by the high-water mark.
 */
export class EventReader {
  readonly #redis: Redis;
  readonly #trim: Redis;
  readonly #keys: QueueKeys;
  #lastId = '0-0';
  #stopped = false;
  #wake: (() => void) | undefined;
  readonly #done: Promise<void>;

  constructor(
    redis: Redis,
    trim: Redis,
    keys: QueueKeys,
    private readonly handlers: {
      entry(entry: StreamEntry): void;
      /** After each read; `sawMark` when an `i` entry was among them, `timedOut` when nothing came. */
      afterRead(sawMark: boolean, timedOut: boolean): Promise<void>;
      mayRead(): boolean;
      onError(error: Error): void;
    },
  ) {
    this.#redis = redis;
    this.#trim = trim;
    this.#keys = keys;
    this.#done = this.#loop();
  }

  /** The id of the last entry handed over. */
  get lastId(): string {
    return this.#lastId;
  }

  /** The owner's inbox has room again. */
  wake(): void {
    const wake = this.#wake;
    this.#wake = undefined;
    wake?.();
  }

  /** Stops reading and closes the reader's connection (which ends a blocked XREAD at once). */
  async stop(): Promise<void> {
    this.#stopped = true;
    this.wake();
    closeConnection(this.#redis);
    await this.#done;
  }

  async #loop(): Promise<void> {
    try {
      while (!this.#stopped) {
        if (!this.handlers.mayRead()) {
          await new Promise<void>((resolve) => (this.#wake = resolve));
          continue;
        }
        const reply = (await this.#redis.xreadBuffer('COUNT', COUNT, 'BLOCK', BLOCK_MS, 'STREAMS', this.#keys.events, this.#lastId)) as XReadReply;
        if (this.#stopped) return;
        let sawMark = false;
        for (const [id, fields] of reply?.[0]?.[1] ?? []) {
          this.#lastId = id.toString();
          const entry = toEntry(fields);
          if (entry.kind === 'i') sawMark = true;
          else this.handlers.entry(entry);
        }
        // Entries read are not needed again: the stream holds only what the reader has not reached.
        if (reply) void this.#trim.xtrim(this.#keys.events, 'MINID', this.#lastId).catch(() => {});
        await this.handlers.afterRead(sawMark, reply === null);
      }
    } catch (error) {
      if (!this.#stopped) this.handlers.onError(error as Error);
    }
  }
}

function toEntry(fields: Buffer[]): StreamEntry {
  let kind = '';
  let payload: Buffer = Buffer.alloc(0);
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const name = fields[i]!.toString();
    if (name === 'k') kind = fields[i + 1]!.toString();
    else if (name === 'p') payload = fields[i + 1]!;
  }
  return { kind, payload };
}

/** Stream ids compare as (milliseconds, sequence). */
export function streamIdAtLeast(id: string, other: string): boolean {
  const [ms, seq] = id.split('-').map(Number) as [number, number];
  const [otherMs, otherSeq] = other.split('-').map(Number) as [number, number];
  return ms > otherMs || (ms === otherMs && seq >= otherSeq);
}
