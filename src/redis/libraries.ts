import type * as Bull from 'bullmq';
import type * as IORedis from 'ioredis';

/** The classes tasklane uses from bullmq and ioredis. */
export interface RedisLibraries {
  readonly Queue: typeof Bull.Queue;
  readonly Worker: typeof Bull.Worker;
  readonly Redis: typeof IORedis.Redis;
}

let loading: Promise<RedisLibraries> | undefined;

/**
 * bullmq and ioredis, imported on first use. Every worker thread imports `tasklane` (its task modules call
 * defineTask), and a static import would load both there: about 8 MB of heap and 300 ms per thread, and a thread
 * that holds them takes three times as long to terminate (55 against 20 ms, so every close waited for it). Only
 * code that talks to Redis asks for them, and it is async already.
 */
export function redisLibraries(): Promise<RedisLibraries> {
  loading ??= Promise.all([import('bullmq'), import('ioredis')]).then(([bull, ioredis]) => ({ Queue: bull.Queue, Worker: bull.Worker, Redis: ioredis.Redis }));
  return loading;
}
