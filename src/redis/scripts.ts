import type { Redis } from 'ioredis';
import { encodeDone, type FailureDetail, type JobCall, type RemoteOutcomeCode } from './entries.js';
import type { QueueKeys } from './keys.js';

/**
 * The Lua scripts that keep the termination invariant across hosts (DESIGN section 2). Each runs atomically in
 * Redis, so a task's spawns are in `open` before the task leaves it, and its `d` entry follows its messages on the
 * stream; the run is over when `open` is empty and the reader has read the stream to its end.
 */

/** ARGV: spawn keys. Returns id, done-flag pairs: a key seen before (its parent ran again) keeps its id. */
const SPAWN = `
local out = {}
for i = 1, #ARGV do
  local id = redis.call('HGET', KEYS[1], ARGV[i])
  if id then
    out[#out + 1] = id
    out[#out + 1] = redis.call('SISMEMBER', KEYS[4], id)
  else
    id = tostring(redis.call('INCR', KEYS[2]) * 2)
    redis.call('HSET', KEYS[1], ARGV[i], id)
    redis.call('SADD', KEYS[3], id)
    out[#out + 1] = id
    out[#out + 1] = 0
  end
end
return out`;

/** ARGV: id, entry. The first finish of an id wins; later ones (a task that ran twice) change nothing. */
const FINISH = `
if redis.call('SADD', KEYS[2], ARGV[1]) == 0 then return 0 end
redis.call('SREM', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[3], ARGV[1])
redis.call('XADD', KEYS[4], '*', 'k', 'd', 'p', ARGV[2])
if redis.call('SCARD', KEYS[1]) == 0 then redis.call('XADD', KEYS[4], '*', 'k', 'i', 'p', '') end
return 1`;

/**
 * How many tasks are open, the id of the stream's last entry, and whether the owner key still holds the
 * manager's token (a Redis that restarted without persistence lost the run: it must not look finished).
 */
const SNAPSHOT = `
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
local owned = redis.call('GET', KEYS[3]) == ARGV[1] and 1 or 0
return { redis.call('SCARD', KEYS[1]), last[1] and last[1][1] or '0-0', owned }`;

interface Scripts {
  tlSpawn(spawns: string, ids: string, open: string, done: string, ...keys: string[]): Promise<(string | number)[]>;
  tlFinish(open: string, done: string, running: string, events: string, id: string, entry: Buffer): Promise<number>;
  tlSnapshot(open: string, events: string, owner: string, token: string): Promise<[number, string, number]>;
}

export type ScriptedRedis = Redis & Scripts;

export function withScripts(redis: Redis): ScriptedRedis {
  redis.defineCommand('tlSpawn', { numberOfKeys: 4, lua: SPAWN });
  redis.defineCommand('tlFinish', { numberOfKeys: 4, lua: FINISH });
  redis.defineCommand('tlSnapshot', { numberOfKeys: 3, lua: SNAPSHOT });
  return redis as ScriptedRedis;
}

/** Registers spawns; returns each one's id and whether it already finished. */
export async function registerSpawns(redis: ScriptedRedis, keys: QueueKeys, spawnKeys: string[]): Promise<{ id: number; done: boolean }[]> {
  const flat = await redis.tlSpawn(keys.spawns, keys.ids, keys.open, keys.done, ...spawnKeys);
  const out = [];
  for (let i = 0; i < flat.length; i += 2) out.push({ id: Number(flat[i]), done: Number(flat[i + 1]) === 1 });
  return out;
}

/** Records a task's outcome entry; false when it had finished already. */
export async function finishTask(redis: ScriptedRedis, keys: QueueKeys, id: number, entry: Buffer): Promise<boolean> {
  return (await redis.tlFinish(keys.open, keys.done, keys.running, keys.events, String(id), entry)) === 1;
}

/** Where and how a task ended, besides its outcome code; empty when no host ran it. */
export interface Ending {
  readonly worker?: string;
  readonly startedAt?: number;
  readonly value?: unknown;
  readonly failure?: FailureDetail;
}

/** Records `call`'s outcome through FINISH, whoever ends it (a host, or the manager for what no host took). */
export async function finishCall(redis: ScriptedRedis, keys: QueueKeys, call: JobCall, outcome: RemoteOutcomeCode, ending: Ending = {}): Promise<boolean> {
  const { worker = '', startedAt = 0, value, failure } = ending;
  const entry = encodeDone({ id: call.id, outcome, name: call.name, args: call.args, priority: call.priority, worker, startedAt, value, ...(failure ? { failure } : {}) });
  return finishTask(redis, keys, call.id, entry);
}

export async function snapshot(redis: ScriptedRedis, keys: QueueKeys, token: string): Promise<{ open: number; lastId: string; owned: boolean }> {
  const [open, lastId, owned] = await redis.tlSnapshot(keys.open, keys.events, keys.owner, token);
  return { open: Number(open), lastId, owned: Number(owned) === 1 };
}
