import { randomUUID } from 'node:crypto';
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { RedisUnavailableError } from './connection.js';
import type { QueueKeys } from './keys.js';

const CLAIM_TTL_MS = 30_000;

/** The error of a run whose keys vanished from Redis. */
export function lostRun(keys: QueueKeys): Error {
  return new RedisUnavailableError(
    `Redis lost the state of queue "${keys.queue}" (restarted without persistence, flushed, or another manager took the queue): the run cannot finish`,
  );
}

/** Deletes the owner key only while it still holds our token. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;
/** Extends the owner key only while it still holds our token. */
const RENEW = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end return 0`;

/**
 * One manager per queue: the owner key holds a token with a TTL that the manager renews while it runs, so a
 * manager that crashed frees the queue within CLAIM_TTL_MS. A new run starts from a clean queue: what a crashed
 * run left (jobs, counts, stream) is removed, and hosts are told the run is open.
 */
export class QueueClaim {
  readonly #redis: Redis;
  readonly #keys: QueueKeys;
  readonly token = randomUUID();
  #timer: NodeJS.Timeout | undefined;

  /** "<priority levels> <inbox high-water mark>", as hosts read them after the state. */
  readonly #limits: string;

  private constructor(redis: Redis, keys: QueueKeys, limits: string) {
    this.#redis = redis;
    this.#keys = keys;
    this.#limits = limits;
  }

  static async take(redis: Redis, keys: QueueKeys, queue: Queue, limits: string, onLost: (error: Error) => void): Promise<QueueClaim> {
    const claim = new QueueClaim(redis, keys, limits);
    const taken = await redis.set(keys.owner, claim.token, 'PX', CLAIM_TTL_MS, 'NX');
    if (taken !== 'OK') {
      throw new RedisUnavailableError(
        `queue "${keys.queue}" is in use by another ProcessManager (or one that crashed less than ${CLAIM_TTL_MS / 1000} s ago): use another queue name or wait`,
      );
    }
    await queue.obliterate({ force: true });
    await redis.del(...keys.runKeys);
    await claim.setState('open');
    const renew = async (): Promise<void> => {
      if ((await redis.eval(RENEW, 1, keys.owner, claim.token, CLAIM_TTL_MS)) === 0) onLost(lostRun(keys));
    };
    claim.#timer = setInterval(() => void renew().catch(() => {}), CLAIM_TTL_MS / 3);
    claim.#timer.unref();
    return claim;
  }

  /** Tells every host what to do with tasks it takes from now on, and the run's limits. */
  async setState(state: 'open' | 'cancel' | 'kill'): Promise<void> {
    await this.#redis.set(this.#keys.state, `${state} ${this.#limits}`);
    await this.#redis.publish(this.#keys.control, 'state');
  }

  /** Stops renewing (Redis is gone): the claim lapses by itself. */
  abandon(): void {
    clearInterval(this.#timer);
  }

  /** Removes the run's keys and jobs and frees the queue for the next manager. */
  async release(queue: Queue): Promise<void> {
    clearInterval(this.#timer);
    await queue.obliterate({ force: true }).catch(() => {});
    await this.#redis.del(...this.#keys.runKeys).catch(() => {});
    await this.#redis.eval(RELEASE, 1, this.#keys.owner, this.token).catch(() => {});
  }
}
