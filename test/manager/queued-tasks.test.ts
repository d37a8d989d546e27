/** QueuedTasks (src/manager/queued-tasks.ts): queued tasks without a record each, and the records made from them. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { QueuedTasks } from '../../src/manager/queued-tasks.js';
import { TaskLedger } from '../../src/manager/task-ledger.js';

const call = (n: number) => ({ name: 'task', args: [n] });
const settle = () => ({ resolve: () => {}, reject: () => {} });

function setUp(defaultTimeout?: number) {
  const queue = new QueuedTasks(2, defaultTimeout);
  const ledger = new TaskLedger(undefined, () => {});
  ledger.findQueued = (id) => queue.find(id);
  return { queue, ledger };
}

describe('QueuedTasks', () => {
  it('makes a record at take(), most urgent first, with the settle and timeout it was queued with', () => {
    const { queue } = setUp(500);
    const s = settle();
    queue.push(1, call(1), 1, undefined, 500);
    queue.push(2, call(2), 0, s, 500);
    queue.push(3, call(3), 1, undefined, undefined);
    assert.deepEqual(queue.counts(), [1, 2]);
    const [a, b, c] = [queue.take()!, queue.take()!, queue.take()!];
    assert.deepEqual([a.id, b.id, c.id], [2, 1, 3]);
    assert.deepEqual({ name: a.name, args: a.args, priority: a.priority, state: a.state }, { name: 'task', args: [2], priority: 0, state: 'queued' });
    assert.equal(a.settle, s);
    assert.deepEqual([a.timeout, b.timeout, c.timeout], [500, 500, undefined], 'the default, unless queued with another');
    assert.equal(queue.take(), undefined);
    assert.equal(queue.size, 0);
  });

  it('a task looked up by id while queued stays that one record until it is dispatched', () => {
    const { queue, ledger } = setUp();
    queue.push(1, call(1), 1, undefined, undefined);
    queue.push(2, call(2), 1, undefined, undefined);
    const looked = ledger.get(2)!;
    assert.equal(looked.id, 2);
    assert.equal(ledger.get(2), looked, 'the same object on every lookup');
    assert.equal(ledger.get(99), undefined);
    assert.equal(queue.take()!.id, 1);
    assert.equal(queue.take(), looked, 'and at dispatch');
    assert.equal(ledger.get(2), undefined, 'no longer queued, and not tracked by the ledger');
  });

  it('cancel() counts a looked-up task out; it is neither taken nor found again', () => {
    const { queue, ledger } = setUp();
    for (let id = 1; id <= 3; id++) queue.push(id, call(id), 0, undefined, undefined);
    const task = ledger.get(2)!;
    queue.cancel(task);
    assert.equal(task.cancelled, true);
    assert.equal(queue.size, 2);
    assert.equal(ledger.get(2), undefined);
    assert.deepEqual([queue.take()!.id, queue.take()!.id, queue.take()], [1, 3, undefined]);
  });

  it('a record put back at the head is served first, as the same object', () => {
    const { queue } = setUp();
    queue.push(5, call(5), 1, undefined, undefined);
    const first = queue.take()!;
    queue.push(6, call(6), 1, undefined, undefined);
    queue.unshift(first);
    assert.equal(queue.find(5), first);
    assert.equal(queue.take(), first);
    assert.equal(queue.take()!.id, 6);
  });

  it('drain() hands over a batch: counted at once, settled one by one only where needed, read as records', () => {
    const { queue, ledger } = setUp();
    const s = settle();
    for (let id = 1; id <= 6; id++) queue.push(id, call(id), id % 2, id === 4 ? s : undefined, id === 5 ? 1000 : undefined);
    const looked = ledger.get(3)!;
    queue.cancel(ledger.get(6)!);
    const batch = queue.drain();
    assert.equal(queue.size, 0);
    assert.equal(queue.take(), undefined);
    assert.equal(batch.length, 5);
    const special = [...batch.special()];
    assert.deepEqual(special.map((t) => t.id).sort(), [3, 4, 5]);
    assert.equal(special.find((t) => t.id === 4)!.settle, s);
    assert.equal(special.find((t) => t.id === 5)!.timeout, 1000);
    const records = [...batch];
    assert.deepEqual(records.map((t) => [t.id, t.priority]), [[2, 0], [4, 0], [1, 1], [3, 1], [5, 1]]);
    assert.equal(records.find((t) => t.id === 3), looked, 'a looked-up task is still the same object');
    for (const task of special) assert.equal(records.find((t) => t.id === task.id), task);
    ledger.notRunAll(batch, 'cancel');
    assert.equal(ledger.counts.cancelled, 5);
    assert.deepEqual(ledger.notRunTasks.map((t) => t.id), [2, 4, 1, 3, 5]);
  });
});
