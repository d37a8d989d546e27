import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { QueueKeys } from '../../src/redis/keys.js';
import { finishTask, registerSpawns, snapshot, withScripts, type ScriptedRedis } from '../../src/redis/scripts.js';
import { freshQueue, sharedServer } from './helpers.js';

describe('the Lua scripts that keep the counts exact across hosts', () => {
  let redis: ScriptedRedis;
  before(async () => {
    redis = withScripts(new Redis((await sharedServer()).url));
  });
  after(() => redis.disconnect());

  it('SPAWN: a parent that runs again gets the same ids, and learns which already finished', async () => {
    const keys = new QueueKeys(freshQueue());
    const first = await registerSpawns(redis, keys, ['1.0', '1.1']);
    assert.equal(first.length, 2);
    assert.ok(first.every(({ id, done }) => id % 2 === 0 && !done), 'spawned ids are even, none finished');
    assert.deepEqual(await redis.smembers(keys.open).then((ids) => ids.map(Number).sort()), first.map(({ id }) => id).sort());
    assert.equal(await finishTask(redis, keys, first[0]!.id, Buffer.from('x')), true);
    const again = await registerSpawns(redis, keys, ['1.0', '1.1', '1.2']);
    assert.deepEqual(again.slice(0, 2), [{ id: first[0]!.id, done: true }, { id: first[1]!.id, done: false }]);
    assert.equal(again[2]!.done, false);
    assert.notEqual(again[2]!.id, first[1]!.id);
  });

  it('FINISH: the first outcome of an id counts, a second changes nothing; the last one marks the run empty', async () => {
    const keys = new QueueKeys(freshQueue());
    await redis.sadd(keys.open, '1', '3');
    assert.equal(await finishTask(redis, keys, 1, Buffer.from('a')), true);
    assert.equal(await finishTask(redis, keys, 1, Buffer.from('again')), false);
    assert.equal(await redis.xlen(keys.events), 1, 'one d entry, no empty mark while 3 is open');
    assert.equal(await finishTask(redis, keys, 3, Buffer.from('b')), true);
    const entries = await redis.xrange(keys.events, '-', '+');
    assert.deepEqual(entries.map(([, fields]) => fields[1]), ['d', 'd', 'i']);
    await redis.set(keys.owner, 'token');
    const now = await snapshot(redis, keys, 'token');
    assert.deepEqual(now, { open: 0, lastId: entries[2]![0], owned: true });
    assert.equal((await snapshot(redis, keys, 'another')).owned, false);
  });
});
