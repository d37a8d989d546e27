import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, it } from 'node:test';
// @ts-expect-error: plain JS fixture module without types
import { flood } from '../fixtures/tasks.js';
import { withManager, within } from './helpers.js';

describe('ctx.send back-pressure', () => {
  it('a flooding task waits for a slow reader: the inbox stays within its high-water mark plus the send windows', async () => {
    const highWaterMark = 50;
    const workers = 2;
    await withManager({ workers, inboxHighWaterMark: highWaterMark }, async (manager) => {
      manager.schedule(flood(2_000));
      manager.schedule(flood(2_000));
      const window = Math.ceil(highWaterMark / workers);
      const bound = highWaterMark + workers * window;
      let peak = 0;
      let received = 0;
      await within(
        (async () => {
          for await (const _ of manager.messages()) {
            received++;
            peak = Math.max(peak, manager.stats().inbox);
            // A slow reader: give the workers several turns of the event loop per message.
            for (let i = 0; i < 3; i++) await nextTurn();
          }
        })(),
        60_000,
        'the slow reader',
      );
      assert.equal(received, 4_000, 'every message arrives');
      assert.ok(peak <= bound, `inbox peaked at ${peak}, above ${bound}`);
      assert.ok(peak >= highWaterMark / 2, `the workers did run ahead of the reader (peak ${peak})`);
    });
  });

  it('join without a reader does not stall on back-pressure, and the messages stay readable', async () => {
    await withManager({ workers: 1, inboxHighWaterMark: 10 }, async (manager) => {
      manager.schedule(flood(500));
      await within(manager.close('join'), 20_000, 'join');
      assert.equal(manager.stats().inbox, 500);
    });
  });
});
