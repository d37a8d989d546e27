import type { Redis, RedisOptions } from 'ioredis';
import { redisLibraries } from './libraries.js';

/** How long a lost connection is retried before the run fails with a clear error. */
const RECONNECT_WINDOW_MS = 10_000;
const CONNECT_TIMEOUT_MS = 5_000;

/** Redis could not be used: unreachable, refused a command, or configured so that jobs could vanish. */
export class RedisUnavailableError extends Error {
  override name = 'RedisUnavailableError';
}

/**
 * One ioredis connection to `url`, connected and checked. `maxRetriesPerRequest: null` (BullMQ requires it for
 * workers): a command waits through a reconnect instead of failing after a few tries; after RECONNECT_WINDOW_MS
 * without a connection, ioredis gives up and every waiting command fails, so nothing hangs.
 */
export async function connectRedis(url: string, role: string, extra: RedisOptions = {}): Promise<Redis> {
  const { Redis } = await redisLibraries();
  const started = Date.now();
  const redis = new Redis(url, {
    lazyConnect: true,
    maxRetriesPerRequest: null,
    connectTimeout: CONNECT_TIMEOUT_MS,
    connectionName: `tasklane-${role}`,
    retryStrategy: (attempt) => (Date.now() - started > RECONNECT_WINDOW_MS && attempt > 3 ? null : Math.min(attempt * 100, 1000)),
    ...extra,
  });
  redis.on('error', () => {}); // reported through the commands that fail, and by `onLost`
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new RedisUnavailableError(`cannot reach Redis at ${redactUrl(url)}: ${(error as Error).message}`, { cause: error });
  }
  // After the first connection, a lost one is retried for the window, then given up (see retryStrategy).
  redis.options.retryStrategy = lostConnectionStrategy();
  return redis;
}

function lostConnectionStrategy(): (attempt: number) => number | null {
  let since = 0;
  return (attempt) => {
    if (attempt === 1) since = Date.now();
    return Date.now() - since > RECONNECT_WINDOW_MS ? null : Math.min(attempt * 100, 1000);
  };
}

/**
 * BullMQ loses jobs when Redis evicts keys under memory pressure, and our counts would never reach zero: refuse
 * any policy but `noeviction`. Managed servers may refuse CONFIG; INFO says the same.
 */
export async function assertNoEviction(redis: Redis, url: string): Promise<void> {
  let policy: string | undefined;
  try {
    const reply = (await redis.config('GET', 'maxmemory-policy')) as string[];
    policy = reply[1];
  } catch {
    const info = await redis.info('memory').catch((error: Error) => {
      throw new RedisUnavailableError(`Redis at ${redactUrl(url)} refused INFO: ${error.message}`, { cause: error });
    });
    policy = /maxmemory_policy:(\S+)/.exec(info)?.[1];
  }
  if (policy !== undefined && policy !== 'noeviction') {
    throw new RedisUnavailableError(
      `Redis at ${redactUrl(url)} uses maxmemory-policy ${policy}: it may evict queued tasks; set it to noeviction (CONFIG SET maxmemory-policy noeviction)`,
    );
  }
}

/** The URL without its password, for messages. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.href;
  } catch {
    return url;
  }
}

/** Calls `onLost` once when the connection is given up for good (ioredis emits `end`). */
export function watchConnection(redis: Redis, url: string, onLost: (error: Error) => void): void {
  redis.once('end', () => {
    if ((redis as { tasklaneClosing?: boolean }).tasklaneClosing) return;
    onLost(new RedisUnavailableError(`lost the connection to Redis at ${redactUrl(url)} and could not reconnect within ${RECONNECT_WINDOW_MS / 1000} s`));
  });
}

/** Disconnects on purpose: `watchConnection` stays quiet. */
export function closeConnection(redis: Redis): void {
  (redis as { tasklaneClosing?: boolean }).tasklaneClosing = true;
  redis.disconnect();
}

/** BullMQ makes its own connections (a worker needs a blocking one): it gets the URL, with the retry BullMQ needs. */
export function bullConnection(url: string): { url: string; maxRetriesPerRequest: null } {
  return { url, maxRetriesPerRequest: null };
}

/** Something BullMQ made (a Queue or a Worker): closed politely, or dropped. */
interface BullClient {
  close(): Promise<unknown>;
  disconnect(): Promise<unknown> | unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
}

/** How long a BullMQ close may take before its connections are dropped (Redis may be gone). */
const BULL_CLOSE_MS = 3000;

/**
 * Closes a BullMQ Queue or Worker within BULL_CLOSE_MS, then drops its connections either way: with Redis gone,
 * BullMQ's own connections would otherwise retry forever and keep the process alive.
 */
export async function closeBull(client: BullClient, close: () => Promise<unknown> = () => client.close()): Promise<void> {
  await settleWithin(close(), BULL_CLOSE_MS);
  await settleWithin(Promise.resolve().then(() => client.disconnect()), BULL_CLOSE_MS);
}

/** Waits for `promise` to settle, at most `ms`; its outcome does not matter. */
async function settleWithin(promise: Promise<unknown>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([promise.catch(() => {}), new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
  clearTimeout(timer);
}

/** BullMQ objects emit `error` for connection trouble; our own connections report it (watchConnection). */
export function quietBull<T extends BullClient>(client: T): T {
  client.on('error', () => {});
  return client;
}
