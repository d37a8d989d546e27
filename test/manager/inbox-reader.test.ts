/** InboxReader, the iterator behind `manager.messages()`, against a real Inbox and scripted hooks. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Inbox } from '../../src/manager/inbox.js';
import { InboxReader } from '../../src/manager/inbox-reader.js';

function setUp() {
  const inbox = new Inbox();
  const log: string[] = [];
  const state = { ended: false, failure: undefined as Error | undefined, taken: 0, claimed: false };
  const reader = () =>
    new InboxReader(inbox, {
      start: () => {
        if (state.claimed) throw new Error('already has a reader');
        state.claimed = true;
        log.push('start');
      },
      taken: () => state.taken++,
      failure: () => state.failure,
      ended: () => state.ended,
      stop: (finished) => {
        state.claimed = false;
        log.push(`stop ${finished}`);
      },
    });
  const send = (...messages: unknown[]): void => {
    for (const message of messages) inbox.push(message);
    inbox.notify();
  };
  const end = (): void => {
    state.ended = true;
    inbox.notify();
  };
  return { inbox, log, state, reader, send, end };
}

/** Settles `promise` into what happened, without waiting on timers. */
const outcome = (promise: Promise<IteratorResult<unknown>>) =>
  promise.then(
    (result) => result,
    (error: Error) => ({ error: error.message }),
  );

describe('InboxReader', () => {
  it('yields waiting messages at once and in order, counting each as taken', async () => {
    const { reader, send, end, state, log } = setUp();
    send('a', 'b');
    const it = reader();
    assert.deepEqual(log, [], 'the place is claimed at the first next(), not before');
    assert.deepEqual(await it.next(), { value: 'a', done: false });
    assert.deepEqual(await it.next(), { value: 'b', done: false });
    assert.equal(state.taken, 2);
    end();
    assert.deepEqual(await it.next(), { value: undefined, done: true });
    assert.deepEqual(log, ['start', 'stop true']);
    assert.deepEqual(await it.next(), { value: undefined, done: true }, 'stays done');
  });

  it('waits for a message, and for the end, without polling', async () => {
    const { reader, send, end, log } = setUp();
    const it = reader();
    const first = it.next();
    send('late');
    assert.deepEqual(await first, { value: 'late', done: false });
    const last = it.next();
    end();
    assert.deepEqual(await last, { value: undefined, done: true });
    assert.deepEqual(log, ['start', 'stop true']);
  });

  it('delivers messages before the end: ended() counts only once the inbox is empty', async () => {
    const { reader, send, end } = setUp();
    send(1, 2);
    end();
    const values = [];
    for await (const value of reader()) values.push(value);
    assert.deepEqual(values, [1, 2]);
  });

  it('answers next() calls made while one waits, in order', async () => {
    const { reader, send, end } = setUp();
    const it = reader();
    const pending = [it.next(), it.next(), it.next()];
    send('x');
    send('y');
    end();
    assert.deepEqual(await Promise.all(pending), [
      { value: 'x', done: false },
      { value: 'y', done: false },
      { value: undefined, done: true },
    ]);
  });

  it('throws the failure once, gives its place back, and is done after', async () => {
    const { reader, send, state, log } = setUp();
    send('before');
    state.failure = new Error('task failed');
    const it = reader();
    assert.deepEqual(await outcome(it.next()), { error: 'task failed' }, 'the failure comes before buffered messages');
    assert.deepEqual(await it.next(), { value: undefined, done: true });
    assert.deepEqual(log, ['start', 'stop false']);
  });

  it('a waiting next() rejects when a failure arrives, and the next() queued behind it is done', async () => {
    const { reader, inbox, state } = setUp();
    const it = reader();
    const pending = [outcome(it.next()), outcome(it.next())];
    state.failure = new Error('failFast');
    inbox.notify();
    assert.deepEqual(await Promise.all(pending), [{ error: 'failFast' }, { value: undefined, done: true }]);
  });

  it('a second reader fails at its first next() while the first holds the place, and may read once it is freed', async () => {
    const { reader, send, end, log } = setUp();
    send('m');
    const first = reader();
    const second = reader();
    await first.next();
    assert.deepEqual(await outcome(second.next()), { error: 'already has a reader' });
    assert.deepEqual(await second.next(), { value: undefined, done: true }, 'a refused reader is done');
    assert.deepEqual(await first.return(undefined), { value: undefined, done: true });
    const third = reader();
    send('n');
    assert.deepEqual(await third.next(), { value: 'n', done: false });
    end();
    assert.deepEqual(await third.next(), { value: undefined, done: true });
    assert.deepEqual(log, ['start', 'stop false', 'start', 'stop true']);
  });

  it('return() frees the place at once, settling a waiting next() as done', async () => {
    const { reader, log, state } = setUp();
    const it = reader();
    const waiting = it.next();
    assert.equal(state.claimed, true);
    assert.deepEqual(await it.return('bye'), { value: 'bye', done: true });
    assert.equal(state.claimed, false);
    assert.deepEqual(await waiting, { value: undefined, done: true });
    assert.deepEqual(log, ['start', 'stop false']);
  });

  it('return() or throw() before the first next() claims nothing', async () => {
    const { reader, log } = setUp();
    await reader().return(undefined);
    assert.deepEqual(await outcome(reader().throw(new Error('stop'))), { error: 'stop' });
    assert.deepEqual(log, []);
  });

  it('break in for await gives the place back (return)', async () => {
    const { reader, send, state } = setUp();
    send(1, 2, 3);
    for await (const value of reader()) if (value === 2) break;
    assert.equal(state.claimed, false);
    assert.equal(state.taken, 2);
  });
});
